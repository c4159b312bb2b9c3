"""The search outbox: items whose index entry must be refreshed, written in the same transaction."""
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.models import UTCDateTime, utcnow


class SearchOutbox(db.Model):
    """One row per pending change; survives crashes until the index has taken it."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: deletions are queued too
    queued_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
