"""Marketing calendar entries, their labels, links and changed occurrences; feed keys and fetches."""
import uuid

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.auth.models import User
from hub.extensions import db
from hub.models import LABEL_MAX, NEVER_REUSED_IDS, UTCDateTime, utcnow

KINDS = {
    "campaign": "Campaign",
    "event": "Event",
    "trade_show": "Trade show",
    "webinar": "Webinar",
    "press_release": "Press release",
    "product_launch": "Product launch",
    "collateral_update": "Collateral update",
    "advertising": "Advertising",
    "email": "Email",
    "social": "Social",
    "other": "Other",
}
STATUSES = {"tentative": "Tentative", "confirmed": "Confirmed", "cancelled": "Cancelled"}
FACETS = ("product", "audience")  # free labels, several per entry

entry_collateral = Table(
    "calendar_entry_collateral",
    db.metadata,
    Column("entry_id", Integer, ForeignKey("calendar_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("collateral_id", Integer, ForeignKey("collateral.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def new_uid():
    """A UID that never changes once given, so calendar apps recognise the entry."""
    return f"{uuid.uuid4()}@hub"


class CalendarEntry(db.Model):
    """One calendar entry: timed (UTC instants plus an IANA zone) or all-day (dates, last day inclusive)."""

    __tablename__ = "calendar_entries"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_uid)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    all_day: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    starts_at = mapped_column(UTCDateTime, nullable=True)
    ends_at = mapped_column(UTCDateTime, nullable=True)
    starts_on = mapped_column(Date, nullable=True)
    ends_on = mapped_column(Date, nullable=True)  # the last day, inclusive
    # The whole series as UTC instants (all-day dates at 00:00 UTC); span_ends_at is None when endless.
    span_starts_at = mapped_column(UTCDateTime, nullable=False, index=True)
    span_ends_at = mapped_column(UTCDateTime, nullable=True, index=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    rrule: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    published: Mapped[bool] = mapped_column(default=False, index=True)
    sequence: Mapped[int] = mapped_column(default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    cancelled_at = mapped_column(UTCDateTime, nullable=True)
    # Set by an .ics import: hub.calendar.importer.import_stamp of the file text it came from and of
    # updated_at, so a re-import skips the unchanged event unparsed and any later change voids it.
    import_stamp: Mapped[str | None] = mapped_column(String(64), nullable=True)

    owner: Mapped[User | None] = relationship()
    labels: Mapped[list["EntryLabel"]] = relationship(
        cascade="all, delete-orphan", order_by="(EntryLabel.facet, EntryLabel.value)", lazy="selectin"
    )
    changes: Mapped[list["OccurrenceChange"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", lazy="selectin",
        order_by="(OccurrenceChange.original_at, OccurrenceChange.original_on)",
    )
    collateral = relationship("Collateral", secondary=entry_collateral, order_by="Collateral.title")

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)

    @property
    def products(self):
        return [label.value for label in self.labels if label.facet == "product"]

    @property
    def audience(self):
        return [label.value for label in self.labels if label.facet == "audience"]

    @property
    def is_cancelled(self):
        return self.status == "cancelled"

    @property
    def removed(self):
        """Changes that skip an occurrence."""
        return [c for c in self.changes if c.removed]

    @property
    def moved(self):
        """Changes that move an occurrence, give it its own text, or add one (RDATE)."""
        return [c for c in self.changes if not c.removed]

    @property
    def added(self):
        """Occurrences the rule does not give (RDATE)."""
        return [c for c in self.changes if c.added and not c.removed]

    def __repr__(self):
        return f"<CalendarEntry {self.id} {self.title!r}>"


class EntryLabel(db.Model):
    """A product or audience label on an entry (teams, regions: free text)."""

    __tablename__ = "calendar_entry_labels"

    entry_id: Mapped[int] = mapped_column(ForeignKey("calendar_entries.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(LABEL_MAX), primary_key=True)

    __table_args__ = (db.Index("ix_calendar_entry_labels_facet_value", "facet", "value"),)


class OccurrenceChange(db.Model):
    """One occurrence of a recurring entry removed, moved to a new start and end, or added (an RDATE).

    title, description and location are the occurrence's own (an override's SUMMARY, DESCRIPTION and
    LOCATION), None when it shows the entry's.
    """

    __tablename__ = "calendar_occurrence_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("calendar_entries.id", ondelete="CASCADE"), index=True)
    original_at = mapped_column(UTCDateTime, nullable=True)  # timed entries
    original_on = mapped_column(Date, nullable=True)  # all-day entries
    removed: Mapped[bool] = mapped_column(default=True)
    starts_at = mapped_column(UTCDateTime, nullable=True)
    ends_at = mapped_column(UTCDateTime, nullable=True)
    starts_on = mapped_column(Date, nullable=True)
    ends_on = mapped_column(Date, nullable=True)  # inclusive
    added: Mapped[bool] = mapped_column(default=False, server_default=false())
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    location: Mapped[str | None] = mapped_column(String(300), nullable=True)

    entry: Mapped[CalendarEntry] = relationship(back_populates="changes")

    __table_args__ = (
        db.UniqueConstraint("entry_id", "original_at", name="uq_calendar_occurrence_changes_at"),
        db.UniqueConstraint("entry_id", "original_on", name="uq_calendar_occurrence_changes_on"),
    )

    @property
    def original(self):
        return self.original_on if self.original_on is not None else self.original_at


class EntryDeletion(db.Model):
    """A deleted entry's UID and when it went, so feeds know they changed."""

    __tablename__ = "calendar_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255))
    deleted_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FeedKey(db.Model):
    """A user's private feed secret: only its hash and the nonce it is derived from are stored."""

    __tablename__ = "calendar_feed_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship()


class SavedFeed(db.Model):
    """A named, filtered feed a user subscribed to."""

    __tablename__ = "calendar_saved_feeds"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000), default="")  # kind=..&product=.. as in the URL
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class FeedFetch(db.Model):
    """One poll of a feed by a calendar app: who, which filter, when, with what client."""

    __tablename__ = "calendar_feed_fetches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the user is deleted: adoption history stays, without the name.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    saved_feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_saved_feeds.id", ondelete="SET NULL"), nullable=True
    )
    query: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[int] = mapped_column(default=200)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    fetched_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
