"""The one iCalendar writer: entries in, RFC 5545 bytes out (feeds and single-entry downloads).

Pure: no database, no request. Written by hand rather than with icalendar's Calendar because that
takes about 0.85 s for 2,000 events; tests parse every output with icalendar and with vobject.
"""
import re
from datetime import UTC, date, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hub.calendar import recurrence, zones

PRODID = "-//Hub//Marketing calendar//EN"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # keeps \t and \n, drops \r with the rest
NAME_UNSAFE = re.compile(r"[,;\\\x00-\x1f\x7f-\x9f]")


SPECIAL = re.compile(r"[\\;,\x00-\x1f\x7f-\x9f]")


def escape(value):
    """TEXT escaping (RFC 5545 3.3.11): nothing in it can end the line or start a property."""
    value = str(value)
    if not SPECIAL.search(value):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = CONTROL.sub("", value).replace("\t", " ")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def safe_name(value):
    """Calendar names are written unescaped by some clients, so keep , ; \\ and controls out of them."""
    return " ".join(NAME_UNSAFE.sub(" ", value).split())[:120] or "Hub"


def fold(line):
    """Fold at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character; CRLF-terminated."""
    if len(line) < 76 and line.isascii():
        return line + "\r\n"
    data = line.encode("utf-8")
    parts, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # never cut inside a multi-byte character
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines begin with a space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8") + "\r\n"


def utc_stamp(value):
    v = value.astimezone(UTC)
    return f"{v.year:04d}{v.month:02d}{v.day:02d}T{v.hour:02d}{v.minute:02d}{v.second:02d}Z"


def duration(minutes):
    return f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"


class Writer:
    """Formats one entry's date-times: in its own zone when a VTIMEZONE can describe it, else in UTC."""

    def __init__(self, entry, on):
        self.entry = entry
        self.tzid = None
        if not entry.all_day and entry.timezone != "UTC":
            rules = zones.rules_for(entry.timezone, on, entry.starts_at.year)
            if rules is not None and (entry.rrule or rules.covers(entry.starts_at)):
                self.tzid = entry.timezone
                self.zone = ZoneInfo(entry.timezone)

    def prop(self, name, value):
        """DTSTART and friends for an aware datetime (or a date on all-day entries)."""
        if self.entry.all_day:
            return f"{name};VALUE=DATE:{value:%Y%m%d}"
        if self.tzid:
            v = value.astimezone(self.zone)
            return (f"{name};TZID={self.tzid}:{v.year:04d}{v.month:02d}{v.day:02d}"
                    f"T{v.hour:02d}{v.minute:02d}{v.second:02d}")
        return f"{name}:{utc_stamp(value)}"


def entry_text(entry, urls, links, own=None):
    """The DESCRIPTION: the entry's (or an occurrence's own) text, then labels, links and linked collateral.

    own_text() reads it back: keep the two in step.
    """
    text = own or entry.description
    blocks = [text.strip()] if text and text.strip() else []
    facts = []
    if entry.products:
        facts.append("Products: " + ", ".join(entry.products))
    if entry.audience:
        facts.append("Audience: " + ", ".join(entry.audience))
    if entry.url:
        facts.append("Link: " + entry.url)
    if facts:
        blocks.append("\n".join(facts))
    if links:
        blocks.append("Collateral:\n" + "\n".join(f"- {title}: {urls['item'].format(item_id)}" for item_id, title in links))
    blocks.append("In Hub: " + urls["entry"].format(entry.id))
    return "\n\n".join(blocks)


FACTS = ("Products: ", "Audience: ", "Link: ")


def own_text(description):
    """(the entry's own text, {fact: value}) from a DESCRIPTION entry_text() wrote, so a re-import of Hub's
    feed keeps the text as it was instead of adding the labels, links and Hub link to it again."""
    blocks = description.replace("\r\n", "\n").split("\n\n")
    facts = {}
    if blocks and blocks[-1].startswith("In Hub: "):
        blocks.pop()
        if blocks and blocks[-1].startswith("Collateral:\n"):
            blocks.pop()
        lines = blocks[-1].split("\n") if blocks else []
        if lines and all(line.startswith(FACTS) for line in lines):
            blocks.pop()
            for line in lines:
                name, _, value = line.partition(": ")
                facts[name] = value
    return "\n\n".join(blocks), facts


def event_lines(entry, writer, urls, links, override=None):
    """One VEVENT: the series itself, or (override) one moved occurrence of it."""
    stamp = utc_stamp(entry.updated_at)
    lines = ["BEGIN:VEVENT", "UID:" + escape(entry.uid), "DTSTAMP:" + stamp]
    if override is None:
        start, end = (entry.starts_on, entry.ends_on) if entry.all_day else (entry.starts_at, entry.ends_at)
    else:
        lines.append(writer.prop("RECURRENCE-ID", override.original))
        start, end = (override.starts_on, override.ends_on) if entry.all_day else (override.starts_at, override.ends_at)
    if entry.all_day:
        end = end + timedelta(days=1)  # DTEND of a DATE is exclusive
    lines += [writer.prop("DTSTART", start), writer.prop("DTEND", end)]
    if override is None and entry.rrule:
        lines.append("RRULE:" + entry.rrule)
        lines += [writer.prop("RDATE", change.original) for change in entry.added]
        lines += [writer.prop("EXDATE", change.original) for change in entry.removed]
    own = override if override is not None else SimpleNamespace(title=None, description=None, location=None)
    summary = ("Cancelled: " if entry.status == "cancelled" else "") + (own.title or entry.title)
    lines += [
        "SUMMARY:" + escape(summary),
        "DESCRIPTION:" + escape(entry_text(entry, urls, links, own.description)),
    ]
    if own.location or entry.location:
        lines.append("LOCATION:" + escape(own.location or entry.location))
    lines += [
        "URL;VALUE=URI:" + urls["entry"].format(entry.id),
        "CATEGORIES:" + escape(entry.kind_label),
        "STATUS:" + entry.status.upper(),
        "SEQUENCE:" + str(entry.sequence),
        "CREATED:" + utc_stamp(entry.created_at),
        "LAST-MODIFIED:" + stamp,
        "TRANSP:TRANSPARENT",  # informative: never makes a rep look busy
        "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        "END:VEVENT",
    ]
    return lines


def timezone_lines(tzid, on, since=None):
    """A VTIMEZONE for the zone's rule periods from `since` (a year; zones.rules_for) on, each an
    observance of its own: a yearly RRULE with UNTIL, or one DTSTART (never RDATE lists)."""
    rules = zones.rules_for(tzid, on, since)
    lines = ["BEGIN:VTIMEZONE", "TZID:" + tzid, "X-LIC-LOCATION:" + tzid]
    for obs in rules.observances:
        lines += [
            "BEGIN:" + obs.kind,
            f"DTSTART:{obs.onset:%Y%m%dT%H%M%S}",
            "TZOFFSETFROM:" + offset(obs.offset_from),
            "TZOFFSETTO:" + offset(obs.offset_to),
        ]
        if obs.name:
            lines.append("TZNAME:" + escape(obs.name))
        if obs.rrule:
            lines.append("RRULE:" + obs.rrule)
        lines.append("END:" + obs.kind)
    lines.append("END:VTIMEZONE")
    return lines


def offset(delta):
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


# Finished VEVENT text by everything that goes into it. Output depends only on the key, so this is
# memoisation of a pure function: a feed re-rendered after one edit rewrites one event, not 2,000.
EVENTS = {}
EVENTS_LIMIT = 20000


def clear_cache():
    EVENTS.clear()


def event_key(entry, links, urls, on):
    changes = tuple((c.original, c.removed, c.added, c.starts_at, c.ends_at, c.starts_on, c.ends_on, c.title,
                     c.description, c.location) for c in list(entry.removed) + list(entry.moved))
    return (entry.id, entry.uid, entry.title, entry.kind, entry.description, entry.all_day, entry.timezone,
            entry.starts_at, entry.ends_at, entry.starts_on, entry.ends_on, entry.location, entry.url, entry.rrule,
            entry.status, entry.sequence, entry.created_at, entry.updated_at, tuple(entry.products),
            tuple(entry.audience), changes, tuple(links), urls["entry"], urls["item"], on.year)


def event_text(entry, links, urls, on):
    """(folded VEVENT text, TZID used or None) for one entry and its moved occurrences, memoised."""
    key = event_key(entry, links, urls, on)
    found = EVENTS.get(key)
    if found is None:
        writer = Writer(entry, on)
        lines = event_lines(entry, writer, urls, links)
        if entry.rrule:
            for change in entry.moved:
                if not recurrence.plain_rdate(entry, change):
                    lines += event_lines(entry, writer, urls, links, override=change)
        found = ("".join(fold(line) for line in lines), writer.tzid)
        if len(EVENTS) >= EVENTS_LIMIT:
            EVENTS.clear()
        EVENTS[key] = found
    return found


def calendar_bytes(entries, urls, links=None, name=None, timezone="UTC", refresh_minutes=None, on=None):
    """The iCalendar document for these entries.

    urls: {"entry": ".../calendar/entries/{}", "item": ".../items/{}"} absolute URL templates.
    links: {entry_id: [(item_id, title), ...]} the linked collateral the reader may see.
    name and refresh_minutes make it a subscribable feed; without them it is a one-off download.
    """
    on = on or date.today()
    links = links or {}
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + PRODID, "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        head += ["NAME:" + escape(safe_name(name)), "X-WR-CALNAME:" + safe_name(name)]
    if zones.is_valid(timezone):
        head.append("X-WR-TIMEZONE:" + timezone)
    if refresh_minutes:
        head += ["REFRESH-INTERVAL;VALUE=DURATION:" + duration(refresh_minutes),
                 "X-PUBLISHED-TTL:" + duration(refresh_minutes)]
    events, tzids = [], {}  # TZID: the year its oldest entry starts
    for entry in entries:
        text, tzid = event_text(entry, links.get(entry.id, ()), urls, on)
        events.append(text)
        if tzid:
            tzids[tzid] = min(tzids.get(tzid, entry.starts_at.year), entry.starts_at.year)
    for tzid in sorted(tzids):
        head += timezone_lines(tzid, on, tzids[tzid])
    return ("".join(fold(line) for line in head) + "".join(events) + "END:VCALENDAR\r\n").encode()


__all__ = ["calendar_bytes", "clear_cache", "escape", "fold", "own_text", "safe_name"]
