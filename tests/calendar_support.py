"""Shared helpers for the calendar tests (no tests here): factories, and three ways to read a feed.

1. strict_parse: a small RFC 5545 checker written for these tests (lines, folding, escaping, nesting).
2. icalendar: the library Hub pins, with dateutil expanding its RRULEs in zoneinfo zones.
3. vobject: an independent parser that builds its time zones from the feed's own VTIMEZONE blocks.
"""
import re
from datetime import date, datetime, timedelta

import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
PARAM_RE = re.compile(r'^[A-Za-z0-9-]+=(?:"[^"\x00-\x08\x0a-\x1f\x7f]*"|[^";:,\x00-\x08\x0a-\x1f\x7f]*)'
                      r'(?:,(?:"[^"\x00-\x08\x0a-\x1f\x7f]*"|[^";:,\x00-\x08\x0a-\x1f\x7f]*))*$')
VALUE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
URLS = {"entry": "https://hub.test/calendar/entries/{}", "item": "https://hub.test/items/{}"}


class Component:
    def __init__(self, name):
        self.name, self.props, self.children = name, [], []

    def all(self, name):
        return [p for p in self.props if p[0] == name]

    def one(self, name):
        found = self.all(name)
        assert len(found) == 1, f"{self.name} has {len(found)} {name}"
        return found[0]

    def value(self, name):
        return self.one(name)[2]

    def walk(self, name):
        for child in self.children:
            if child.name == name:
                yield child
            yield from child.walk(name)


def split_params(head):
    """'DTSTART;TZID=x' -> ('DTSTART', {'TZID': 'x'}) honouring quoted values."""
    parts, current, quoted = [], "", False
    for char in head:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    name, params = parts[0], {}
    assert NAME_RE.match(name), f"bad property name {name!r}"
    for param in parts[1:]:
        assert PARAM_RE.match(param), f"bad parameter {param!r}"
        key, _, value = param.partition("=")
        params[key.upper()] = value
    return name.upper(), params


def split_line(line):
    """Name and params, then value, split at the first ':' outside quotes."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:i], line[i + 1:]
    raise AssertionError(f"no ':' in {line!r}")


def unescape(value):
    """TEXT unescaping; only \\\\ \\; \\, \\n \\N are legal escapes."""
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            nxt = value[i + 1: i + 2]
            assert nxt in ("\\", ";", ",", "n", "N"), f"bad escape \\{nxt} in {value!r}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def strict_parse(body):
    """Check a document against RFC 5545's line rules and return its component tree."""
    assert isinstance(body, bytes)
    text = body.decode("utf-8")  # strict: invalid UTF-8 raises
    assert text.endswith("\r\n"), "the document must end with CRLF"
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert "\r" not in line and "\n" not in line, f"bare CR or LF in {line!r}"
        assert len(line.encode("utf-8")) <= 75, f"line longer than 75 octets: {line!r}"
    logical = []
    for line in physical:
        if line.startswith((" ", "\t")):
            assert logical, "continuation before any line"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    root, stack = None, []
    for line in logical:
        head, value = split_line(line)
        name, params = split_params(head)
        assert not VALUE_CONTROL.search(value), f"control character in {line!r}"
        if name == "BEGIN":
            component = Component(value.upper())
            if stack:
                stack[-1].children.append(component)
            else:
                assert root is None, "two top-level components"
                root = component
            stack.append(component)
        elif name == "END":
            assert stack and stack[-1].name == value.upper(), f"END:{value} does not close {stack[-1].name if stack else None}"
            stack.pop()
        else:
            assert stack, f"property outside any component: {line!r}"
            stack[-1].props.append((name, params, value))
    assert not stack, "unclosed components"
    assert root is not None and root.name == "VCALENDAR"
    for event in root.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "SEQUENCE"):
            event.one(required)
        for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            for _, _, value in event.all(name):
                unescape(value)
    return root


def read_all(body):
    """Parse with all three readers; return (strict tree, icalendar Calendar, vobject calendar)."""
    tree = strict_parse(body)
    cal = Calendar.from_ical(body)
    for component in cal.walk():
        assert not component.errors, component.errors
    vcal = vobject.readOne(body.decode("utf-8"))
    assert len(cal.walk("VEVENT")) == len(tree and list(tree.walk("VEVENT"))) == len(getattr(vcal, "vevent_list", []))
    return tree, cal, vcal


def as_key(value):
    return value if not isinstance(value, datetime) else value.replace(microsecond=0)


def expand_icalendar(body, uid, until):
    """Occurrence starts of one UID with icalendar + dateutil (zoneinfo zones), overrides applied."""
    cal = Calendar.from_ical(body)
    events = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    start = master.decoded("DTSTART")
    if "RRULE" not in master:
        return [start]
    anchor = start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time())
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=anchor)
    exdates = set()
    raw = master.get("EXDATE")
    for group in raw if isinstance(raw, list) else ([raw] if raw is not None else []):
        exdates |= {d.dt for d in group.dts}
    moved = {e.decoded("RECURRENCE-ID"): e.decoded("DTSTART") for e in events if "RECURRENCE-ID" in e}
    starts = []
    for dt in rule:
        if dt.date() > until:
            break
        value = dt if isinstance(start, datetime) else dt.date()
        if value in exdates:
            continue
        starts.append(moved.get(value, value))
    return sorted(starts, key=lambda v: v if isinstance(v, datetime) else datetime.combine(v, datetime.min.time()))


def expand_vobject(body, uid, until):
    """The same with vobject, whose zones come from the feed's VTIMEZONE RRULEs (not zoneinfo)."""
    vcal = vobject.readOne(body.decode("utf-8"))
    events = [e for e in vcal.vevent_list if e.uid.value == uid]
    master = next(e for e in events if not hasattr(e, "recurrence_id"))
    moved = {e.recurrence_id.value: e.dtstart.value for e in events if hasattr(e, "recurrence_id")}
    start = master.dtstart.value
    if not hasattr(master, "rrule"):
        return [start]
    starts = []
    for dt in master.getrruleset(addRDate=True):
        if dt.date() > until:
            break
        value = dt if isinstance(start, datetime) else dt.date()
        starts.append(moved.get(value, value))
    return sorted(starts, key=lambda v: v if isinstance(v, datetime) else datetime.combine(v, datetime.min.time()))


def timed(day, clock, minutes=60):
    """Start and end strings for a timed entry."""
    start = datetime.fromisoformat(f"{day}T{clock}")
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=minutes)).isoformat()}


def days(*isos):
    return [date.fromisoformat(d) for d in isos]
