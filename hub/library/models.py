"""Collateral items, their funnel stages, file versions and workflow history."""
import secrets
from itertools import chain

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    event,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from hub.auth.models import User
from hub.extensions import db
from hub.models import NEVER_REUSED_IDS, UTCDateTime, today, utcnow

CONTENT_TYPES = {
    "one_pager": "One-pager",
    "case_study": "Case study",
    "slide_deck": "Slide deck",
    "datasheet": "Datasheet",
    "whitepaper": "Whitepaper",
    "battlecard": "Battlecard",
    "email_template": "Email template",
    "video": "Video",
    "roi_calculator": "ROI calculator",
    "other": "Other",
}

STATUSES = {"draft": "Draft", "in_review": "In review", "approved": "Approved", "archived": "Archived"}

# A file version's review state. accepted: may be served (the newest accepted one is); pending: uploaded
# to an approved item and waiting for re-approval; rejected: turned down at review; superseded: replaced
# by a newer upload while it waited.
REVIEW_STATES = {"accepted": "Approved", "pending": "Waiting for approval", "rejected": "Rejected",
                 "superseded": "Replaced before review"}

DEFAULT_STAGES = [
    ("awareness", "Awareness"),
    ("consideration", "Consideration"),
    ("decision", "Decision"),
    ("onboarding", "Onboarding"),
    ("expansion", "Expansion"),
]

collateral_stages = Table(
    "collateral_stages",
    db.metadata,
    Column("collateral_id", Integer, ForeignKey("collateral.id", ondelete="CASCADE"), primary_key=True),
    Column("stage_id", Integer, ForeignKey("stages.id", ondelete="CASCADE"), primary_key=True),
)


class Stage(db.Model):
    __tablename__ = "stages"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(300), default="")


class Collateral(db.Model):
    __tablename__ = "collateral"
    # Newest-first lists (home, stage pages, the API) read these in order and stop after a page.
    __table_args__ = (db.Index("ix_collateral_newest", "updated_at", "id"),
                      db.Index("ix_collateral_status_newest", "status", "updated_at", "id"), NEVER_REUSED_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    content_type: Mapped[str] = mapped_column(String(30), index=True)
    product: Mapped[str] = mapped_column(String(100), default="", index=True)
    industry: Mapped[str] = mapped_column(String(100), default="", index=True)
    persona: Mapped[str] = mapped_column(String(100), default="", index=True)
    region: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, lower-case
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    expires_on = mapped_column(Date, nullable=True, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Who last changed the item's content (metadata or a file): HUB_SEPARATE_APPROVER keeps them from approving it.
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The upload form's one-time token: the same form posted twice (a double click) makes one draft.
    form_nonce: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    owner: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[owner_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
    stages: Mapped[list[Stage]] = relationship(
        secondary=collateral_stages, order_by="Stage.position", lazy="selectin"
    )
    versions: Mapped[list["FileVersion"]] = relationship(
        back_populates="collateral",
        order_by="FileVersion.number.desc()",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    history: Mapped[list["StatusChange"]] = relationship(
        back_populates="collateral",
        order_by="StatusChange.id.desc()",
        cascade="all, delete-orphan",
    )

    @property
    def current_version(self):
        """The newest accepted file version: the one that is served, previewed and indexed (a newer
        one waiting for re-approval is not, see `pending_version`)."""
        return next((v for v in self.versions if v.review_state == "accepted"), None)

    @property
    def pending_version(self):
        """The newest file version when it waits for re-approval (HUB_REQUIRE_REAPPROVAL), else None."""
        newest = self.versions[0] if self.versions else None
        return newest if newest is not None and newest.review_state == "pending" else None

    @property
    def tag_list(self):
        return [t for t in self.tags.split(",") if t] if self.tags else []

    @property
    def stage_slugs(self):
        return [s.slug for s in self.stages]

    @property
    def content_type_label(self):
        return CONTENT_TYPES.get(self.content_type, self.content_type)

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)

    @property
    def is_expired(self):
        return self.expires_on is not None and self.expires_on <= today()

    @property
    def is_live(self):
        """Approved and unexpired: what reps may see."""
        return self.status == "approved" and not self.is_expired

    @classmethod
    def live_clause(cls, on=None):
        """SQL for 'approved and not expired on this date'."""
        on = on or today()
        return (cls.status == "approved") & or_(cls.expires_on.is_(None), cls.expires_on > on)


class FileVersion(db.Model):
    __tablename__ = "file_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    mimetype: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # One of REVIEW_STATES: only accepted versions are ever served to reps.
    review_state: Mapped[str] = mapped_column(String(12), default="accepted", server_default="accepted")
    # Text extracted for search: None until tried; text_error says why it could not be read (False)
    # or why only part of it was (True).
    text_indexed: Mapped[bool | None] = mapped_column(nullable=True)
    text_error: Mapped[str] = mapped_column(String(300), default="")
    extracted_text = mapped_column(Text, nullable=True, deferred=True)

    collateral: Mapped[Collateral] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()

    TEXT_STATUSES = ("pending", "complete", "partial", "failed")
    REVIEW_STATES = tuple(REVIEW_STATES)

    @property
    def review_label(self):
        """The review state in words."""
        return REVIEW_STATES.get(self.review_state, self.review_state)

    @property
    def text_status(self):
        """'pending' (not read yet), 'complete', 'partial' (cut by the time or size budget: text_error
        says why) or 'failed' (text_error says why)."""
        if self.text_indexed is None:
            return "pending"
        if not self.text_indexed:
            return "failed"
        return "partial" if self.text_error else "complete"

    __table_args__ = (db.UniqueConstraint("collateral_id", "number", name="uq_file_versions_item_number"),
                      NEVER_REUSED_IDS)


class StatusChange(db.Model):
    """One step of an item's workflow. from_status == to_status == 'approved' records a decision on a
    new file version held for re-approval: the comment starts "Version N approved" or "… rejected"."""
    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    collateral: Mapped[Collateral] = relationship(back_populates="history")
    actor: Mapped[User | None] = relationship()


class LibraryState(db.Model):
    """One row whose ``version`` changes, to a fresh random number, in every transaction that changes
    an item, its stages or files, or the stages themselves. Pages keep what they count (items per
    stage, facet values) by version, so their cost does not grow with the library. Random rather than
    counted: a rolled-back transaction's number is never reused by a later one."""
    __tablename__ = "library_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version = mapped_column(BigInteger, nullable=False)


def library_changed(session):
    """Give the library a new version inside ``session``'s transaction. Called on every ORM flush that
    touches the library; call it after writing collateral tables with Core statements."""
    version = secrets.randbits(62)
    if session.execute(update(LibraryState).values(version=version)).rowcount == 0:
        session.execute(insert(LibraryState).values(id=1, version=version))


def library_version(session):
    """The library's current version (an int), or None before anything was written."""
    return session.scalar(select(LibraryState.version).where(LibraryState.id == 1))


@event.listens_for(Session, "before_flush")
def _library_flush(session, flush_context, instances):
    watched = (Collateral, Stage, FileVersion)
    touched = chain(session.new, session.deleted, (o for o in session.dirty if session.is_modified(o)))
    if any(isinstance(obj, watched) for obj in touched):
        library_changed(session)


class StagedUpload(db.Model):
    """A file uploaded for the bulk upload (hub/library/bulk.py), checked and stored like any other
    but not yet an item: "Create drafts" turns it into one's first version, in the same transaction
    that deletes this row; after BULK_STAGED_HOURS a worker deletes it and its file."""
    __tablename__ = "staged_uploads"
    __table_args__ = (NEVER_REUSED_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    mimetype: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
