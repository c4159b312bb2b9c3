"""Reading one VEVENT of an imported file: its text properties, properties that may appear once,
its UID and kind, an all-day event's last day, and the order overrides are applied in."""
import hashlib
from datetime import UTC, date, datetime, time, timedelta

from icalendar.error import InvalidCalendar

from hub.calendar.models import KINDS

LABEL_TO_KIND = {label.lower(): kind for kind, label in KINDS.items()} | {kind: kind for kind in KINDS}


class Skip(Exception):
    """One series Hub cannot represent: the message says why."""


def text(event, name):
    value = event.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def single(event, name):
    """The value of a property that may appear once; Skip when it appears more often."""
    value = event.get(name)
    if isinstance(value, list):
        raise Skip(f"it has {len(value)} {name} lines; an event has at most one")
    return getattr(value, "dt", None) if value is not None else None


def recurrence_sort(override):
    try:
        value = getattr(override.get("RECURRENCE-ID"), "dt", None)
    except InvalidCalendar:
        value = None  # reported when the override is read
    if isinstance(value, datetime):
        return (1, value.timestamp() if value.tzinfo else value.replace(tzinfo=UTC).timestamp())
    if isinstance(value, date):
        return (1, datetime.combine(value, time(), UTC).timestamp())
    return (0, 0)


def last_day(start, end):
    """The inclusive last day of an all-day event; a DATE-TIME end at midnight is exclusive too."""
    if isinstance(end, datetime):
        exclusive = end.time() == time() or (end.tzinfo is not None and end.astimezone(UTC).time() == time())
        day = end.date() - timedelta(days=1) if exclusive else end.date()
    elif isinstance(end, date):
        day = end - timedelta(days=1)
    else:
        day = start
    return max(day, start)


def kind_of(event):
    categories = event.get("CATEGORIES")
    for group in categories if isinstance(categories, list) else ([categories] if categories is not None else []):
        for category in getattr(group, "cats", [group]):
            kind = LABEL_TO_KIND.get(str(category).strip().lower())
            if kind:
                return kind
    return None


def uid_of(event):
    uid = text(event, "UID").strip()
    if not uid:
        start = event.get("DTSTART")
        start = start[0] if isinstance(start, list) else start
        basis = f"{start.to_ical().decode() if start is not None else ''}|{text(event, 'SUMMARY')}"
        uid = hashlib.sha256(basis.encode()).hexdigest()[:32] + "@import.hub"
    return uid[:255]


def split_uid(uid, split):
    """The UID of the entry a RANGE=THISANDFUTURE override split off an endless series (RFC 5545
    3.8.4.4), named as Google Calendar names "this and following" series: uid (str) plus "_R" and the
    split's RECURRENCE-ID `split` (a date: YYYYMMDD; an aware datetime: YYYYMMDDTHHMMSSZ in UTC).
    The same file always gives the same UID, so a re-import updates the entry; at most 255 characters
    (the base UID is shortened when needed). Raises nothing."""
    if isinstance(split, datetime):
        stamp = split.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    else:
        stamp = split.strftime("%Y%m%d")
    suffix = f"_R{stamp}"
    return uid[:255 - len(suffix)] + suffix
