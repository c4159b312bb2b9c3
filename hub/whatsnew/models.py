"""Saved items, notifications and the e-mail each person wants for each kind of notification."""
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.library.models import Collateral
from hub.models import UTCDateTime, utcnow

# The kinds of notification, as people read them (account page, notifications page).
KINDS = {
    "request": "A request you made or voted on changed status",
    "new_version": "An item you saved or shared has a new version",
    "expiring": "An item you saved or shared expires within 7 days",
    "withdrawn": "An item you saved or shared was withdrawn",
    "calendar": "A new calendar entry for your team",
}


class SavedItem(db.Model):
    """A person starred an item to find it again (`/saved`)."""

    __tablename__ = "saved_items"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    collateral: Mapped[Collateral] = relationship(lazy="joined")


class Notification(db.Model):
    """Something that changed for one person; `key` makes each one happen once per person."""

    __tablename__ = "notifications"
    __table_args__ = (db.UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),
                      Index("ix_notifications_user_read_created", "user_id", "read_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(300))
    endpoint: Mapped[str] = mapped_column(String(80), default="")  # where it links: an endpoint and its values
    link_values: Mapped[str] = mapped_column(Text, default="")    # JSON object
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at = mapped_column(UTCDateTime, nullable=True)

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)


class MailChoice(db.Model):
    """A person wants an e-mail for one kind of notification (no row: no e-mail)."""

    __tablename__ = "notification_mail"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
