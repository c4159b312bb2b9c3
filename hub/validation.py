"""One set of input rules for pages, forms, the API and imports: text, whole numbers, ids, dates, times,
pages and labels. Each rule raises hub.errors.Invalid (422) naming the field, or a 400 for a malformed page
number; the API's pydantic schemas (hub/api/schemas.py) call these same functions, so a rule declared in
the OpenAPI document is the rule the services enforce."""
import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from hub.errors import ApiError, Invalid
from hub.models import MAX_ID

# The one control-character rule: C0 and C1 controls and the Unicode line and paragraph separators are
# removed; tab, LF and CR stay only to be read as white space (collapsed on one line, kept as LF in text).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: '²', '٣' and '1_0' pass str.isdigit() or int(), not this
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_PAGE = 10000  # the pages and the API: far beyond any real list, small enough to keep OFFSET cheap


def label_of(field):
    """'needed_by' -> 'Needed by', the name messages use."""
    return field.replace("_", " ").capitalize()


def as_text(value, field):
    """A JSON or form value as text: None is empty; numbers, booleans, lists and objects are Invalid
    (`{"title": 0}` is a client's mistake, not the title "0")."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{label_of(field)} must be text.", field)
    return value


def strip_controls(value):
    """The text without control characters (the one rule above)."""
    return CONTROL.sub("", value)


def text(value, field, limit, *, required=False, multiline=False):
    """Free text: control characters removed, trimmed; one line has its white space collapsed, multiline
    text keeps line breaks (as LF). Invalid when required and empty, or longer than limit characters."""
    value = as_text(value, field)
    if multiline:
        value = strip_controls(value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    else:
        value = " ".join(strip_controls(value).split())
    if required and not value:
        raise Invalid(f"{label_of(field)} is required.", field)
    if len(value) > limit:
        raise Invalid(f"{label_of(field)} can be at most {limit} characters.", field)
    return value


def url(value, field="url", limit=2000):
    """An absolute http(s) address (RFC 3986, as urllib.parse.urlsplit reads it) with a host and no
    white space; None for empty. Invalid when longer than `limit` characters or of another scheme."""
    value = strip_controls(as_text(value, field)).strip()
    if not value:
        return None
    if len(value) > limit:
        raise Invalid(f"Links can be at most {limit} characters.", field)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise Invalid("Links must be full http:// or https:// addresses.", field)
    return value


def filter_value(value, limit=100):
    """A filter from a query string: one line, control characters removed (PostgreSQL refuses NUL even in a
    comparison), cut to `limit` characters; never an error, a filter that matches nothing finds nothing."""
    return " ".join(strip_controls(value if isinstance(value, str) else "").split())[:limit]


def label_text(value):
    """A label as stored: one line, control characters removed, and commas (list separators in forms and
    feed URLs) read as spaces. Filters go through it too, so "Prod, with comma" finds the label it was
    stored as."""
    return " ".join(strip_controls(value).replace(",", " ").split())


def labels(value, field, limit, most=20):
    """Short labels from a list (or one comma-separated string): one line each, commas dropped, duplicates
    (ignoring case) removed, at most `most` of at most `limit` characters."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)):
        raise Invalid(f"{label_of(field)} must be a list of labels.", field)
    out = []
    for raw in value:
        one = label_text(text(raw, field, limit))
        if one and one.lower() not in (v.lower() for v in out):
            out.append(one)
    if len(out) > most:
        raise Invalid(f"Give at most {most} {field} labels.", field)
    return out


def whole_number(value, field, low, high, message=None, *, text=True, status=422):
    """A whole number within [low, high] from JSON (an integer) or, with text, from a form or query string
    (ASCII digits only, surrounding spaces allowed); otherwise Invalid (or a 400 ApiError with status=400)."""
    if text and isinstance(value, str) and DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = message or f"{field} must be a whole number from {low} to {high}."
        if status == 400:
            raise ApiError(400, "bad_request", message, field)
        raise Invalid(message, field)
    return value


def row_id(value, field, message=None, *, text=True):
    """A row id: a whole number from 1 to MAX_ID (larger ones overflow the database's integers)."""
    return whole_number(value, field, 1, MAX_ID, message, text=text)


def page_number(value, field="page", high=MAX_PAGE):
    """`page` (or `per_page` with its own high) from a query string: absent is 1, else ASCII digits from 1
    to high, or a 400 (a malformed address, as on the pages)."""
    if value is None:
        return 1
    return whole_number(value, field, 1, high, status=400)


def day(value, field, message=None, *, years=None):
    """A calendar date written YYYY-MM-DD (ASCII digits), or None when empty; years=(first, last) bounds it."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    else:
        message = message or "Dates must be written YYYY-MM-DD."
        if not isinstance(value, str) or not DATE_RE.fullmatch(value.strip()):
            raise Invalid(message, field)
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"{value.strip()} is not a real date.", field) from None
    if years and not years[0] <= parsed.year <= years[1]:
        raise Invalid(f"Dates must be between {years[0]} and {years[1]}.", field)
    return parsed


def moment(value, field):
    """An ISO 8601 date and time (ASCII), naive or with an offset, as a datetime; Invalid otherwise."""
    if isinstance(value, datetime):
        return value
    raw = value.strip() if isinstance(value, str) else ""
    if not raw or not raw.isascii() or DATE_RE.fullmatch(raw):
        raise Invalid(f"{label_of(field)} must be an ISO 8601 date and time, e.g. 2026-04-14T09:00.", field)
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{label_of(field)} must be an ISO 8601 date and time, e.g. 2026-04-14T09:00.", field) from None


def instant(value, field):
    """A window bound: a date (its 00:00 UTC) or an ISO 8601 time with an offset, as a UTC datetime; None
    when empty."""
    raw = value.strip() if isinstance(value, str) else value
    if raw in (None, ""):
        return None
    if isinstance(raw, str) and DATE_RE.fullmatch(raw):
        return datetime.combine(day(raw, field), datetime.min.time(), UTC)
    try:
        parsed = moment(raw, field)
    except Invalid:
        raise Invalid(f"{field} must be YYYY-MM-DD or an ISO 8601 time with an offset.", field) from None
    if parsed.tzinfo is None:
        raise Invalid(f"{field} needs an offset (e.g. Z or +02:00) when it has a time.", field)
    return parsed.astimezone(UTC)


def choice(value, field, choices, message=None):
    """One of a fixed set of words (an enum), or Invalid listing them."""
    if not isinstance(value, str) or value not in choices:
        raise Invalid(message or f"{label_of(field)} must be one of: {', '.join(choices.values() if isinstance(choices, dict) else choices)}.", field)
    return value
