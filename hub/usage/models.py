"""Usage events (append-only), prospect share links and their opens, opportunities, ratings and requests."""
from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.auth.models import User
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import NEVER_REUSED_IDS, UTCDateTime, today, utcnow

ACTIONS = ("view", "preview", "download", "share_created", "share_opened", "used_in_deal", "search", "search_click",
           "calendar_fetch")
CHANNELS = ("page", "api", "share", "feed")
OUTCOMES = ("open", "won", "lost")
REQUEST_STATUSES = {"open": "Open", "planned": "Planned", "in_progress": "In progress",
                    "delivered": "Delivered", "declined": "Declined"}


class UsageEvent(db.Model):
    """One thing someone did with content. Never updated; a deleted user's rows keep user_id NULL."""

    __tablename__ = "usage_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(20))
    # No foreign key: the history outlives a deleted item (reports join to the items that remain).
    collateral_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version_number: Mapped[int | None] = mapped_column(nullable=True)
    share_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stage: Mapped[str] = mapped_column(String(40), default="")
    account: Mapped[str] = mapped_column(String(120), default="")
    opportunity: Mapped[str] = mapped_column(String(80), default="")
    channel: Mapped[str] = mapped_column(String(10), default="page")
    query: Mapped[str] = mapped_column(String(200), default="")
    result_count: Mapped[int | None] = mapped_column(nullable=True)
    context: Mapped[str] = mapped_column(Text, default="")  # small JSON object: filters, note, client

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_usage_events_item_action_at", "collateral_id", "action", "at", "user_id"),
        Index("ix_usage_events_user_at", "user_id", "at"),
        Index("ix_usage_events_action_at", "action", "at", "query", "result_count"),  # covers search insights
        Index("ix_usage_events_at", "at", "user_id"),
    )


class Share(db.Model):
    """A tracked link to one item for one prospect; only the token's hash is stored."""

    __tablename__ = "shares"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(120))
    account: Mapped[str] = mapped_column(String(120), default="")
    expires_on = mapped_column(Date, nullable=True)
    allow_download: Mapped[bool] = mapped_column(default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at = mapped_column(UTCDateTime, nullable=True)

    collateral: Mapped[Collateral] = relationship()
    created_by: Mapped[User | None] = relationship()
    opens: Mapped[list["ShareOpen"]] = relationship(back_populates="share", order_by="ShareOpen.id.desc()",
                                                    cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_expired(self):
        return self.expires_on is not None and self.expires_on < today()

    @property
    def is_working(self):
        """Opens for a prospect: not revoked, not expired, and the item still live."""
        return self.revoked_at is None and not self.is_expired and self.collateral.is_live


class ShareOpen(db.Model):
    """A prospect opened a share link: when, and a coarse client description (never the IP)."""

    __tablename__ = "share_opens"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    client: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[str] = mapped_column(String(10), default="page")  # page, preview or download

    share: Mapped[Share] = relationship(back_populates="opens")


class Opportunity(db.Model):
    """A CRM opportunity, known by its reference; its outcome is set later."""

    __tablename__ = "opportunities"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    account: Mapped[str] = mapped_column(String(120), default="")
    outcome: Mapped[str] = mapped_column(String(10), default="open", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    closed_at = mapped_column(UTCDateTime, nullable=True)

    owner: Mapped[User | None] = relationship()


class DealUse(db.Model):
    """An item used with an opportunity at a stage: what effectiveness is computed from."""

    __tablename__ = "deal_uses"

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    stage: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    collateral: Mapped[Collateral] = relationship()
    opportunity: Mapped[Opportunity] = relationship()
    user: Mapped[User | None] = relationship()


class Rating(db.Model):
    """A rep's 1-5 rating of an item, with an optional comment; one per person per item."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    stars: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User | None] = relationship()

    __table_args__ = (db.UniqueConstraint("user_id", "collateral_id", name="uq_ratings_user_item"),)


class ContentRequest(db.Model):
    """A rep asks marketing for missing content; marketing moves it to delivered or declined."""

    __tablename__ = "content_requests"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(40), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    product: Mapped[str] = mapped_column(String(100), default="")
    why: Mapped[str] = mapped_column(Text, default="")
    needed_by = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    delivered_collateral_id: Mapped[int | None] = mapped_column(
        ForeignKey("collateral.id", ondelete="SET NULL"), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    status_changed_at = mapped_column(UTCDateTime, nullable=True)
    requester_seen_at = mapped_column(UTCDateTime, nullable=True)  # the requester last saw the status

    requester: Mapped[User | None] = relationship()
    delivered: Mapped[Collateral | None] = relationship()
    votes: Mapped[list["RequestVote"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def status_label(self):
        return REQUEST_STATUSES.get(self.status, self.status)

    @property
    def vote_count(self):
        return len(self.votes)


class RequestVote(db.Model):
    """Another rep needs the same content."""

    __tablename__ = "request_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("content_requests.id", ondelete="CASCADE"))
    # NULL once the voter's account is deleted: the vote still counts.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (db.UniqueConstraint("request_id", "user_id"),)


class Pitch(db.Model):
    """One link for a deal: several items, a short message and the rep's card; only the token's hash
    is stored (issue 14)."""

    __tablename__ = "pitches"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(String(2000), default="")
    allow_download: Mapped[bool] = mapped_column(default=False)
    expires_on = mapped_column(Date, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at = mapped_column(UTCDateTime, nullable=True)

    created_by: Mapped[User | None] = relationship()
    entries: Mapped[list["PitchItem"]] = relationship(order_by="PitchItem.position", cascade="all, delete-orphan",
                                                      passive_deletes=True, lazy="selectin")

    @property
    def is_expired(self):
        return self.expires_on is not None and self.expires_on < today()

    @property
    def items(self):
        """The pitch's items still approved and unexpired, in the rep's order: what the prospect sees."""
        return [entry.collateral for entry in self.entries if entry.collateral.is_live]

    @property
    def is_working(self):
        """Opens for a prospect: not revoked, not expired, and at least one item still live."""
        return self.revoked_at is None and not self.is_expired and bool(self.items)


class PitchItem(db.Model):
    """One item of a pitch, in the rep's order."""

    __tablename__ = "pitch_items"

    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"), primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    collateral: Mapped[Collateral] = relationship(lazy="joined")


class PitchOpen(db.Model):
    """A prospect opened a pitch (collateral_id NULL) or one of its items, saw one of its pages or spent
    time on it: when, what, a coarse client."""

    __tablename__ = "pitch_opens"

    id: Mapped[int] = mapped_column(primary_key=True)
    pitch_id: Mapped[int] = mapped_column(ForeignKey("pitches.id", ondelete="CASCADE"), index=True)
    collateral_id: Mapped[int | None] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), nullable=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    client: Mapped[str] = mapped_column(String(60), default="")
    # page (the pitch), item, download, page_seen (a page image shown: page_number) or time (seconds
    # the item was in view, as the prospect's browser reported them)
    kind: Mapped[str] = mapped_column(String(10), default="page")
    page_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)


GOAL_METRICS = ("share_opens", "deal_items", "requests_delivered", "unused_share", "active_reps")


class WeeklyGoal(db.Model):
    """A weekly target marketing and sales track together on the weekly review: one per metric."""

    __tablename__ = "weekly_goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), unique=True)  # one of GOAL_METRICS
    target: Mapped[int] = mapped_column(Integer)  # a count per week, or a percentage for unused_share
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class WeeklyReviewMail(db.Model):
    """The weekly review sent to one subscriber for one ISO week: the row makes the Monday job send it
    once, however often the job runs (several workers, a restart on Monday morning)."""

    __tablename__ = "weekly_review_mails"
    __table_args__ = (db.UniqueConstraint("user_id", "week", name="uq_weekly_review_mails_user_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week, "2026-W48"
    queued_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
