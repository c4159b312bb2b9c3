"""Column helpers shared by every feature's models."""
from datetime import UTC, date, datetime

from sqlalchemy import DateTime, TypeDecorator

# Ids are 32-bit INTEGER columns on PostgreSQL; anything larger fails in the driver, not as a 404.
MAX_ID = 2**31 - 1
# One length for a label every feature shares (an item's product or audience is a calendar entry's
# label too): an approval that adds a calendar entry must not fail on a label the library accepted.
LABEL_MAX = 100
# Tables whose ids sessions, links, history or URLs point at: an id is never handed out twice. SQLite
# reuses the highest rowid after a delete unless the key is AUTOINCREMENT (sqlite.org/autoinc.html);
# PostgreSQL sequences never go back.
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


def utcnow():
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def today():
    """Today's date in UTC, the date expiry is judged by."""
    return utcnow().date()


class UTCDateTime(TypeDecorator):
    """Stores naive UTC on every engine and always gives back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


def get_or_404(model, ident, message):
    """The row with this primary key, or NotFound carrying the message."""
    from hub.errors import NotFound
    from hub.extensions import db

    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(message)
    return row


__all__ = ["LABEL_MAX", "MAX_ID", "UTCDateTime", "date", "get_or_404", "today", "utcnow"]
