"""Recurrence rules: the RRULE subset Hub accepts, its canonical text, expansion and plain-English wording."""
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from hub.validation import DIGITS

FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY", "BYWEEKNO",
         "BYHOUR", "BYMINUTE", "BYSETPOS", "WKST")
# RFC 5545 3.3.10: each BYxxx list's allowed values (absolute value for the signed ones).
NUMBER_LISTS = {"BYYEARDAY": (1, 366, True), "BYWEEKNO": (1, 53, True), "BYHOUR": (0, 23, False),
                "BYMINUTE": (0, 59, False), "BYSETPOS": (1, 366, True)}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
                     strict=True))
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
BYDAY_RE = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
UNTIL_RE = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")
MAX_COUNT, MAX_INTERVAL, MAX_EXPANDED = 1000, 366, 10000


class RuleError(ValueError):
    """An RRULE Hub cannot accept; the message says why."""


def parse(text):
    """RRULE text (with or without 'RRULE:') as an ordered dict of parts, checked against Hub's subset."""
    if not isinstance(text, str):
        raise RuleError("The repeat rule must be RRULE text, e.g. FREQ=WEEKLY;BYDAY=MO.")
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or len(text) > 300 or any(c.isspace() for c in text):
        raise RuleError("The repeat rule must be RRULE text without spaces, e.g. FREQ=WEEKLY;BYDAY=MO.")
    parts = {}
    for chunk in text.split(";"):
        name, sep, value = chunk.partition("=")
        name = name.upper()
        if not sep or not value:
            raise RuleError(f"'{chunk}' is not NAME=VALUE.")
        if name not in PARTS:
            raise RuleError(f"{name} is not supported: use FREQ, INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH, "
                            "BYYEARDAY, BYWEEKNO, BYHOUR, BYMINUTE, BYSETPOS, WKST.")
        if name in parts:
            raise RuleError(f"{name} is given twice.")
        parts[name] = value.upper()
    freq = parts.get("FREQ")
    if freq not in FREQS:
        raise RuleError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("Give COUNT or UNTIL, not both.")
    number(parts, "INTERVAL", 1, MAX_INTERVAL)
    number(parts, "COUNT", 1, MAX_COUNT)
    if "BYDAY" in parts:
        for day in parts["BYDAY"].split(","):
            match = BYDAY_RE.match(day)
            if not match:
                raise RuleError(f"BYDAY value '{day}' is not a weekday like MO or 2TU.")
            if match.group(1) and freq not in ("MONTHLY", "YEARLY"):
                raise RuleError("Numbered weekdays like 2TU are only for monthly and yearly rules.")
    if "BYMONTHDAY" in parts:
        for day in parts["BYMONTHDAY"].split(","):
            if not re.fullmatch(r"-?[0-9]{1,2}", day) or not 1 <= abs(int(day)) <= 31:
                raise RuleError("BYMONTHDAY values must be days of the month from 1 to 31 (or -1 to -31).")
    for name, (low, high, signed) in NUMBER_LISTS.items():
        for value in parts[name].split(",") if name in parts else ():
            digits = value[1:] if signed and value[:1] in "+-" else value
            if not DIGITS.fullmatch(digits) or not low <= int(digits) <= high:
                raise RuleError(f"{name} values must be whole numbers from {'-' if signed else ''}{high if signed else low}"
                                f" to {high}{' (not 0)' if signed else ''}.")
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise RuleError("BYWEEKNO is only for yearly rules.")
    if "BYSETPOS" in parts and not any(n.startswith("BY") and n != "BYSETPOS" for n in parts):
        raise RuleError("BYSETPOS picks from the dates another BYxxx part gives, e.g. BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1.")
    if "BYMONTH" in parts:
        for month in parts["BYMONTH"].split(","):
            if not DIGITS.fullmatch(month) or not 1 <= int(month) <= 12:
                raise RuleError("BYMONTH values must be months from 1 to 12.")
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        raise RuleError("WKST must be a weekday like MO.")
    if "UNTIL" in parts and not UNTIL_RE.match(parts["UNTIL"]):
        raise RuleError("UNTIL must be a date (20260601) or a UTC time (20260601T170000Z).")
    return parts


def number(parts, name, low, high):
    if name in parts:
        value = parts[name]
        if not DIGITS.fullmatch(value) or not low <= int(value) <= high:
            raise RuleError(f"{name} must be a whole number from {low} to {high}.")
        parts[name] = str(int(value))


def until_value(raw, zone, all_day):
    """UNTIL as Hub stores it: a DATE for all-day entries, a UTC time for timed ones.

    A bare date on a timed entry means 'up to the end of that day' in the entry's zone.
    """
    day_part, time_part, utc = UNTIL_RE.match(raw).groups()
    try:
        day = datetime.strptime(day_part, "%Y%m%d").date()
        clock = datetime.strptime(time_part, "%H%M%S").time() if time_part else None
    except ValueError:
        raise RuleError("UNTIL is not a real date.") from None
    if all_day:
        if clock is not None and utc:
            day = datetime.combine(day, clock, UTC).date()
        return day.strftime("%Y%m%d")
    if clock is None:
        local = datetime.combine(day, time(23, 59, 59), ZoneInfo(zone))
    elif utc:
        local = datetime.combine(day, clock, UTC)
    else:
        local = datetime.combine(day, clock, ZoneInfo(zone))
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def normalise(text, start, zone=None, all_day=False):
    """Canonical RRULE text for an entry starting at `start` (aware local datetime, or a date).

    Raises RuleError when the rule is outside Hub's subset or does not start on `start`.
    """
    canonical = canonical_text(text, zone, all_day)
    rule = build(canonical, start, all_day)
    first = next(iter(rule), None)
    expected = as_dtstart(start, all_day)
    if first is None:
        raise RuleError("The rule gives no dates at all: check UNTIL against the start.")
    if first != expected:
        raise RuleError(f"The start ({describe_start(start)}) must itself be one of the repeat days; "
                        f"the rule's first date is {describe_start(first if not all_day else first.date())}.")
    return canonical


def canonical_text(text, zone=None, all_day=False):
    """The rule in Hub's subset and order, UNTIL as Hub stores it; RuleError when outside the subset."""
    parts = parse(text)
    if "UNTIL" in parts:
        parts["UNTIL"] = until_value(parts["UNTIL"], zone, all_day)
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return ";".join(f"{name}={parts[name]}" for name in PARTS if name in parts)


def first_after(text, start, zone=None, all_day=False):
    """The first start the rule gives from `start` on (a date for all-day rules), or None."""
    first = next(iter(build(canonical_text(text, zone, all_day), start, all_day)), None)
    return first.date() if all_day and first is not None else first


def as_dtstart(start, all_day):
    return datetime.combine(start, time()) if all_day else start


def build(canonical, start, all_day):
    """A dateutil rule for the stored text, anchored at the entry's local start."""
    try:
        return rrulestr(canonical, dtstart=as_dtstart(start, all_day))
    except (ValueError, TypeError) as e:
        raise RuleError(f"The repeat rule is not valid: {e}.") from None


def describe_start(value):
    if isinstance(value, datetime):
        return f"{value:%a} {value.day} {value:%b %Y %H:%M}"
    return f"{value:%a} {value.day} {value:%b %Y}"


# --- expansion ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One happening of an entry: local start and end (aware datetimes, or dates with an inclusive end)."""

    entry: object
    start: object
    end: object
    original: object  # the start the rule gave it (the RECURRENCE-ID), or None for single entries
    moved: bool = False
    change: object = None  # the OccurrenceChange that moved or added it, with any text of its own
    home: object = None  # (start, end) in the entry's own zone once seen from another zone (in_zone)

    @property
    def title(self):
        return (self.change and self.change.title) or self.entry.title

    @property
    def location(self):
        return (self.change and self.change.location) or self.entry.location

    @property
    def days(self):
        """The local dates it covers."""
        if isinstance(self.start, datetime):
            last = (self.end - timedelta(microseconds=1)).date() if self.end > self.start else self.start.date()
            first = self.start.date()
        else:
            first, last = self.start, self.end
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    @property
    def first_day(self):
        return self.start if not isinstance(self.start, datetime) else self.start.date()


def in_zone(occ, zone):
    """The occurrence as seen from `zone` (a ZoneInfo): a timed one's start and end converted, its own
    local times kept in `home`; all-day occurrences are the same dates everywhere and come back as they are."""
    if not isinstance(occ.start, datetime):
        return occ
    return replace(occ, start=occ.start.astimezone(zone), end=occ.end.astimezone(zone),
                   home=occ.home or (occ.start, occ.end))


def local_span(entry):
    """(start, end) in the entry's zone; end is exclusive for timed entries and inclusive for all-day."""
    if entry.all_day:
        return entry.starts_on, entry.ends_on
    zone = ZoneInfo(entry.timezone)
    return entry.starts_at.astimezone(zone), entry.ends_at.astimezone(zone)


def change_key(entry, original):
    """How a changed occurrence is matched: UTC instant for timed entries, the date for all-day."""
    if entry.all_day:
        return original.date() if isinstance(original, datetime) else original
    return original.astimezone(UTC)


def occurrences(entry, first_day, last_day):
    """Every occurrence whose local dates touch [first_day, last_day], in start order."""
    start, end = local_span(entry)
    found = []
    if not entry.rrule:
        occ = Occurrence(entry, start, end, None)
        if overlaps(occ, first_day, last_day):
            found.append(occ)
        return found
    changes = {c.original: c for c in entry.changes}
    length = end - start
    rule = build(entry.rrule, start, entry.all_day)
    if entry.all_day:
        lo = datetime.combine(first_day - length - timedelta(days=1), time())
        hi = datetime.combine(last_day, time())
    else:
        zone = start.tzinfo
        lo = datetime.combine(first_day, time(), zone) - length - timedelta(days=1)
        hi = datetime.combine(last_day + timedelta(days=1), time(), zone)
    for dt in rule.between(lo, hi, inc=True):
        original = dt.date() if entry.all_day else dt
        key = change_key(entry, original)
        if key in changes:
            continue
        occ = Occurrence(entry, original, original + length, original)
        if overlaps(occ, first_day, last_day):
            found.append(occ)
    for change in entry.moved:
        occ = moved_occurrence(entry, change)
        if overlaps(occ, first_day, last_day):
            found.append(occ)
    found.sort(key=sort_key)
    return found


def moved_occurrence(entry, change):
    if entry.all_day:
        moved = change.starts_on != change.original_on or not change.added
        return Occurrence(entry, change.starts_on, change.ends_on, change.original_on, moved=moved, change=change)
    zone = ZoneInfo(entry.timezone)
    moved = change.starts_at != change.original_at or not change.added
    return Occurrence(entry, change.starts_at.astimezone(zone), change.ends_at.astimezone(zone),
                      change.original_at.astimezone(zone), moved=moved, change=change)


def plain_rdate(entry, change):
    """An added occurrence (RDATE) at its own start, of the entry's length, with no text of its own:
    the RDATE alone describes it, no override VEVENT is needed."""
    if entry.all_day:
        start, end, length = change.starts_on, change.ends_on, entry.ends_on - entry.starts_on
    else:
        start, end, length = change.starts_at, change.ends_at, entry.ends_at - entry.starts_at
    return (bool(change.added) and start == change.original and end - start == length
            and not (change.title or change.description or change.location))


def overlaps(occ, first_day, last_day):
    days = occ.days
    return days[0] <= last_day and days[-1] >= first_day


def sort_key(occ):
    """All-day first within a day, then by time."""
    if isinstance(occ.start, datetime):
        return (occ.start.date(), 1, occ.start.astimezone(UTC), occ.entry.id or 0)
    return (occ.start, 0, datetime.min.replace(tzinfo=UTC), occ.entry.id or 0)


def is_occurrence(entry_rrule, start, all_day, candidate):
    """True when `candidate` (aware datetime or date) is a start the rule gives."""
    rule = build(entry_rrule, start, all_day)
    probe = as_dtstart(candidate, all_day)
    window = timedelta(seconds=1)
    return any(dt == probe for dt in rule.between(probe - window, probe + window, inc=True))


def series_end(entry_rrule, start, length, all_day):
    """The end of the last occurrence, or None for an endless (or very long) series."""
    if not entry_rrule:
        return start + length
    parts = parse(entry_rrule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    last = None
    for n, dt in enumerate(build(entry_rrule, start, all_day)):
        if n >= MAX_EXPANDED:
            return None
        last = dt
    last = last.date() if all_day else last
    return last + length


# --- wording ------------------------------------------------------------------------------------


def describe(text, all_day=False):
    """'Every 2 weeks on Monday and Wednesday, 10 times'."""
    if not text:
        return ""
    parts = parse(text)
    interval = int(parts.get("INTERVAL", 1))
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[parts["FREQ"]]
    words = f"Every {unit}" if interval == 1 else f"Every {interval} {unit}s"
    if "BYDAY" in parts:
        days = []
        for day in parts["BYDAY"].split(","):
            match = BYDAY_RE.match(day)
            name = DAY_NAMES[match.group(2)]
            days.append(f"the {ORDINALS.get(int(match.group(1)), match.group(1))} {name}" if match.group(1) else name)
        words += " on " + join(days)
    if "BYMONTHDAY" in parts:
        words += " on day " + join(parts["BYMONTHDAY"].split(","))
    if "BYMONTH" in parts:
        words += " in " + join([date(2000, int(m), 1).strftime("%B") for m in parts["BYMONTH"].split(",")])
    for name, label in (("BYYEARDAY", "day of the year"), ("BYWEEKNO", "week"), ("BYHOUR", "at hour"),
                        ("BYMINUTE", "at minute")):
        if name in parts:
            words += f", {label} " + join(parts[name].split(","))
    if "BYSETPOS" in parts:
        picks = [ORDINALS.get(int(n), n) for n in parts["BYSETPOS"].split(",")]
        words += f", only the {join(picks)} of those each {unit}"
    if "COUNT" in parts:
        words += ", once" if parts["COUNT"] == "1" else f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        raw = parts["UNTIL"]
        until = datetime.strptime(raw[:8], "%Y%m%d").date()
        words += f", until {until.day} {until:%b %Y}" + ("" if all_day or len(raw) == 8 else " (UTC)")
    return words


def join(words):
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def form_rule(repeat, interval="1", weekdays=(), monthly="day", start=None, ends="never", count="", until=""):
    """RRULE text from the entry form's simple controls (None when it does not repeat)."""
    if repeat in ("", "none", None):
        return None
    freq = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}.get(repeat)
    if freq is None:
        raise RuleError("Choose how often it repeats.")
    parts = [f"FREQ={freq}"]
    if str(interval or "1").strip() not in ("", "1"):
        parts.append(f"INTERVAL={str(interval).strip()}")
    if ends == "count":
        parts.append(f"COUNT={str(count).strip()}")
    elif ends == "until":
        try:
            parts.append(f"UNTIL={date.fromisoformat(str(until).strip()):%Y%m%d}")
        except ValueError:
            raise RuleError("Give the last date as YYYY-MM-DD.") from None
    if freq == "WEEKLY":
        days = [d for d in WEEKDAYS if d in weekdays]
        if days:
            parts.append("BYDAY=" + ",".join(days))
    if freq == "MONTHLY" and monthly == "weekday" and start is not None:
        day = start if not isinstance(start, datetime) else start.date()
        nth = (day.day - 1) // 7 + 1
        parts.append(f"BYDAY={nth if nth < 5 else -1}{WEEKDAYS[day.weekday()]}")
    return ";".join(parts)


def form_fields(text, start=None):
    """The entry form's controls for stored RRULE text; 'custom' when the form cannot show it."""
    empty = {"repeat": "none", "interval": "1", "weekdays": [], "monthly": "day", "ends": "never",
             "count": "", "until": "", "rrule": ""}
    if not text:
        return empty
    parts = parse(text)
    fields = dict(empty, rrule=text)
    simple = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY"}
    freq = parts["FREQ"]
    if freq == "YEARLY" or set(parts) - simple or (freq == "DAILY" and "BYDAY" in parts):
        return dict(fields, repeat="custom")
    if freq == "MONTHLY" and "BYDAY" in parts:
        if "," in parts["BYDAY"] or not BYDAY_RE.match(parts["BYDAY"]).group(1):
            return dict(fields, repeat="custom")
        fields["monthly"] = "weekday"
    fields["repeat"] = freq.lower()
    fields["interval"] = parts.get("INTERVAL", "1")
    if freq == "WEEKLY":
        fields["weekdays"] = parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []
    if "COUNT" in parts:
        fields.update(ends="count", count=parts["COUNT"])
    elif "UNTIL" in parts:
        raw = parts["UNTIL"]
        until = datetime.strptime(raw[:8], "%Y%m%d").date()
        if len(raw) > 8 and start is not None and isinstance(start, datetime):
            until = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(start.tzinfo).date()
        fields.update(ends="until", until=until.isoformat())
    return fields
