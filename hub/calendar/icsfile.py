"""Reading an .ics file's bytes as RFC 5545 says, each file with its own time zones only.

icalendar keeps custom VTIMEZONEs in one process-wide cache keyed by TZID, first definition wins
(icalendar.timezone.tzp.cache_timezone_component), and Exchange calls every custom zone
"Customized Time Zone". So before icalendar sees the text, every TZID in the file is renamed to
what it really is: an IANA name when one is known or its rules match one over the years the file
uses, else a name made from the VTIMEZONE's own text (same name, same rules, in any file).
"""
import bisect
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import x_wr_timezone
from dateutil.rrule import rrulestr
from icalendar import Calendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from hub.calendar import zones
from hub.calendar.ical import PRODID
from hub.errors import Invalid

FOLD = re.compile(rb"\r?\n[ \t]")  # RFC 5545 3.1: a line break followed by one space or tab
TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)
UNIDENTIFIED = "hub-vtimezone-"
MATCH_YEARS = 30
# DTSTAMP (RFC 5545 3.8.7.2) says when the file was written: Google restamps every event of each export,
# and Hub reads it nowhere. Left out before parsing (a tenth of icalendar's work on bench/calendar_import.py)
# and so out of the digests too, when it is the plain UTC DATE-TIME it must be; a broken one stays, reported.
STAMP = re.compile(r"DTSTAMP:\d{8}T\d{6}Z\s*$", re.IGNORECASE)


@dataclass
class IcsFile:
    """A parsed file: the icalendar Calendar and what its TZIDs turned out to be."""

    calendar: Calendar
    unidentified: dict = field(default_factory=dict)  # renamed TZID -> the TZID the file gave
    hub_feed: bool = False  # written by Hub itself (its PRODID)

    def zone_of(self, value):
        """(IANA name or None, the file's own TZID) for an aware datetime's zone."""
        tzinfo = value.tzinfo
        key = getattr(tzinfo, "key", None)
        if tzinfo is UTC or key in ("UTC", "Etc/UTC"):
            return "UTC", "UTC"
        if key and zones.is_valid(key):
            return key, key
        renamed = str(getattr(tzinfo, "_tzid", "") or tzinfo)
        if renamed not in self.unidentified and value.utcoffset() == timedelta(0) and value.tzname() in ("UTC", "Z"):
            return "UTC", "UTC"
        return None, self.unidentified.get(renamed, renamed)


def unfolded_lines(data):
    """The file's content lines: unfolded as bytes, then decoded (a fold may split a UTF-8 character)."""
    if not data:
        raise Invalid("Choose an .ics file to import.", "file")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = FOLD.sub(b"", data).decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text: export it again as an .ics (iCalendar) file.", "file") from None
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise Invalid("This is not an iCalendar file: it must start with BEGIN:VCALENDAR.", "file")
    return lines


def value_of(line):
    return line.split(":", 1)[1].strip() if ":" in line else ""


def timezone_blocks(lines):
    """(blocks, other lines): each VTIMEZONE as its list of lines, taken out of the file."""
    blocks, rest, block = [], [], None
    for line in lines:
        upper = line.upper()
        if upper.startswith("BEGIN:VTIMEZONE"):
            block = [line]
        elif block is not None:
            block.append(line)
            if upper.startswith("END:VTIMEZONE"):
                blocks.append(block)
                block = None
        else:
            rest.append(line)
    return blocks, rest


def tzid_of(block):
    for line in block:
        if line.upper().startswith("TZID"):
            return value_of(line)
    return ""


def named_zone(tzid, block=()):
    """The IANA zone a TZID names: itself, a Windows name, a vendor-prefixed path, or X-LIC-LOCATION."""
    cleaned = tzid.strip().strip('"')
    candidates = [cleaned, cleaned.strip("/"), WINDOWS_TO_OLSON.get(cleaned.strip("/"))]
    parts = cleaned.strip("/").split("/")
    candidates += ["/".join(parts[start:]) for start in range(1, len(parts))]  # /mozilla.org/20050126_1/Europe/Berlin
    candidates += [value_of(line) for line in block if line.upper().startswith("X-LIC-LOCATION")]
    for candidate in candidates:
        if candidate and zones.is_valid(candidate):
            return candidate
    return None


def observance_changes(block, renamed, years):
    """[(UTC instant, offset before, offset after)] the VTIMEZONE's observances give over these years, sorted.

    Read from its STANDARD and DAYLIGHT blocks (DTSTART, RRULE, RDATE: RFC 5545 3.6.5) rather than
    through a tzinfo, which would walk each rule from 1601 for every instant asked about.
    """
    text = "\r\n".join(["BEGIN:VCALENDAR"] + rename_block(block, renamed) + ["END:VCALENDAR", ""])
    lo, hi = datetime(years.start - 1, 1, 1), datetime(years.stop, 1, 1)
    changes = []
    try:
        for timezone in Calendar.from_ical(text).walk("VTIMEZONE")[:1]:
            for observance in timezone.subcomponents:
                start = observance.decoded("DTSTART").replace(tzinfo=None)
                before, after = observance.decoded("TZOFFSETFROM"), observance.decoded("TZOFFSETTO")
                onsets = [start]
                if "RRULE" in observance:
                    rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start, ignoretz=True)
                    onsets = [dt.replace(tzinfo=None) for dt in rule.between(lo, hi, inc=True)]
                    onsets = onsets or [start]
                rdates = observance.get("RDATE", [])
                for group in rdates if isinstance(rdates, list) else [rdates]:
                    onsets += [v.dt.replace(tzinfo=None) for v in group.dts if isinstance(v.dt, datetime)]
                changes += [((onset - before).replace(tzinfo=UTC), before, after) for onset in onsets]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None
    changes.sort(key=lambda change: change[0])
    return changes or None


def offset_from_changes(changes, instant):
    """The offset in force at an instant: the last change at or before it, or the first one's 'before'."""
    at = bisect.bisect_right([c[0] for c in changes], instant)
    return changes[at - 1][2] if at else changes[0][1]


def rename_block(block, renamed):
    return [f"TZID:{renamed}" if line.upper().startswith("TZID") else line for line in block]


def years_used(lines, tzid):
    """The years of the DTSTARTs given in this TZID: the span its rules must match over."""
    years = set()
    for line in lines:
        if line[:7].upper() in ("DTSTART", "RECURRE", "RDATE;T", "EXDATE;") and tzid in line:
            match = re.search(r":(\d{4})\d{4}", line)
            if match:
                years.add(int(match.group(1)))
    if not years:
        return range(datetime.now(UTC).year, datetime.now(UTC).year + 2)
    first = max(min(years), zones.FIRST_YEAR)
    return range(first, min(max(years) + 3, first + MATCH_YEARS))


def matching_zone(changes, years):
    """The first IANA zone (common ones first) whose offsets equal the custom zone's over these years."""
    span = (datetime(years.start, 1, 1, tzinfo=UTC), datetime(years.stop, 1, 1, tzinfo=UTC))
    instants = [t for t, before, after in changes if span[0] <= t < span[1] and before != after]
    probes = [datetime(year, month, 15, 12, tzinfo=UTC) for year in years for month in range(1, 13)]
    probes += [t - timedelta(seconds=1) for t in instants] + instants
    expected = [offset_from_changes(changes, p) for p in probes]
    for name in candidate_order():
        zone = ZoneInfo(name)
        if all(p.astimezone(zone).utcoffset() == e for p, e in zip(probes, expected, strict=True)):
            theirs = [t for year in years for t, _, _ in zones.transitions(zone, year)]
            if theirs == instants:
                return name
    return None


def candidate_order():
    """Hub's common zones, then the zones Windows names map to, then every other zone."""
    order = list(zones.COMMON) + sorted(set(WINDOWS_TO_OLSON.values()))
    return [n for n in dict.fromkeys(order + list(zones.names())) if zones.is_valid(n) and n != "UTC"]


def identify(block, lines, cache):
    """(new TZID, None) for a known zone, or (content-derived TZID, tzinfo) for one Hub cannot name."""
    tzid = tzid_of(block)
    named = named_zone(tzid, block)
    if named:
        return named
    digest = hashlib.sha256("\n".join(line for line in block if not line.upper().startswith("TZID")).encode())
    renamed = UNIDENTIFIED + digest.hexdigest()[:24]
    years = years_used(lines, tzid)
    key = (renamed, years.start, years.stop)
    if key not in cache:
        changes = observance_changes(block, renamed, years)
        cache[key] = (matching_zone(changes, years) if changes else None) or renamed
    return cache[key]


MATCHES = {}  # (content-derived TZID, years) -> IANA name: a pure function of the VTIMEZONE's own text


@dataclass
class Source:
    """A file's content lines before icalendar reads them: TZIDs resolved, each VTIMEZONE right after
    BEGIN:VCALENDAR. `groups` is {UID: [(first, last) line index of each of its VEVENTs]} and
    `digests` {UID: sha256 hex of everything its import reads}, both None unless the file is plainly
    nested (see vevent_groups)."""

    lines: list
    unidentified: dict
    groups: dict | None = None
    digests: dict | None = None

    def events_in(self, uids):
        """How many VEVENTs these UIDs have in the file."""
        return sum(len(self.groups[uid]) for uid in uids)


DIGEST_VERSION = "1"  # change it when Hub reads the same text differently: every stored stamp goes stale


def prepare(data, floating_zone="UTC"):
    """The file as a Source: unfolded, its TZIDs resolved from its own VTIMEZONEs, not parsed.

    Raises Invalid (field 'file') when the bytes are not an iCalendar file. Sources: RFC 5545 3.1
    (unfolding), 3.2.19 (TZID).
    """
    lines = unfolded_lines(data)
    blocks, rest = timezone_blocks(lines)
    rest = [line for line in rest if not STAMP.match(line)]
    renames, unidentified = {}, {}
    for block in blocks:
        tzid = tzid_of(block)
        if tzid in renames:
            continue
        renames[tzid] = identify(block, rest, MATCHES if len(MATCHES) < 5000 else {})
        if renames[tzid].startswith(UNIDENTIFIED):
            unidentified[renames[tzid]] = tzid
    for line in rest:  # TZIDs used without a VTIMEZONE of their own: by name only
        for raw in TZID_PARAM.findall(line):
            tzid = raw.strip('"')
            if tzid not in renames:
                renames[tzid] = named_zone(tzid) or tzid
                if renames[tzid] == tzid and not zones.is_valid(tzid):
                    unidentified[tzid] = tzid
    zone_lines = [rename_line(line, renames) for block in blocks  # (a broken block may hold events)
                  for line in rename_block(block, renames[tzid_of(block)])]
    source = Source([rest[0]] + zone_lines + [rename_line(line, renames) for line in rest[1:]], unidentified)
    found = vevent_groups(source.lines, 1 + len(zone_lines))
    zone_text = zone_texts(zone_lines)
    if found is not None and zone_text is not None:
        source.groups, own = found
        head = "\n".join([DIGEST_VERSION, floating_zone] + own)
        source.digests = {uid: group_digest(source.lines, spans, head, zone_text)
                          for uid, spans in source.groups.items()}
    return source


def read(data, floating_zone="UTC"):
    """The whole file as an IcsFile (prepare, then parse). Raises Invalid as both do."""
    return parse(prepare(data, floating_zone))


def parse(source, leave_out=()):
    """The Source as an IcsFile, without the VEVENTs of the UIDs in `leave_out`, X-WR-TIMEZONE applied.

    Raises Invalid (field 'file') when icalendar cannot read the text as one VCALENDAR. Sources:
    the x-wr-timezone package for Google's calendar-wide zone.
    """
    lines = source.lines
    if leave_out:
        dropped = {n for uid in leave_out for first, last in source.groups[uid] for n in range(first, last + 1)}
        lines = [line for n, line in enumerate(lines) if n not in dropped]
    try:
        calendar = Calendar.from_ical("\r\n".join(lines + [""]))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as e:  # icalendar on broken nesting
        raise Invalid(f"The file could not be read as iCalendar: {e}", "file") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise Invalid("This is not an iCalendar file: it must start with BEGIN:VCALENDAR.", "file")
    hub_feed = str(calendar.get("PRODID", "")) == PRODID
    wide = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if wide and zones.is_valid(wide) and not hub_feed:
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except (ValueError, KeyError, TypeError, AttributeError):
            pass  # a broken event is reported when it is read, not here
    return IcsFile(calendar, source.unidentified, hub_feed)


def name_of(line):
    """A content line's name, upper case (RFC 5545 3.1: name, then parameters after ';', then ':')."""
    return line.split(":", 1)[0].split(";", 1)[0].strip().upper()


def vevent_groups(lines, first):
    """({UID: [(first, last)]} of the VEVENTs directly in the VCALENDAR, [the calendar's own property
    lines]) from lines[first:], or None when the file is not plainly nested: an END that closes
    another component, anything after END:VCALENDAR, a VEVENT inside another component, or a VEVENT
    without exactly one plain "UID:" line (no parameters, no escapes: icalendar would read the same).
    Then every VEVENT is read the usual way."""
    groups, own, stack, start, uids = {}, [], ["VCALENDAR"], None, []
    for n in range(first, len(lines)):
        line = lines[n]
        name = name_of(line)
        if name == "BEGIN":
            component = value_of(line).upper()
            if component == "VEVENT" and len(stack) != 1:
                return None
            stack.append(component)
            start, uids = (n, []) if component == "VEVENT" else (start, uids)
        elif name == "END":
            if not stack or value_of(line).upper() != stack[-1]:
                return None
            if stack.pop() == "VEVENT":
                if len(uids) != 1:
                    return None
                groups.setdefault(uids[0], []).append((start, n))
            if not stack and n != len(lines) - 1:
                return None
        elif len(stack) == 1:
            own.append(line)
        elif len(stack) == 2 and stack[1] == "VEVENT" and name == "UID":
            uid = value_of(line)
            if line[:4].upper() != "UID:" or "\\" in uid or not uid:
                return None
            uids.append(uid[:255])
    return (groups, own) if not stack else None


def zone_texts(zone_lines):
    """{TZID: the text of its VTIMEZONE blocks} from the renamed zone lines; None when one holds a VEVENT."""
    texts, tzid, block = {}, None, []
    for line in zone_lines:
        block.append(line)
        if name_of(line) == "BEGIN" and value_of(line).upper() == "VEVENT":
            return None
        if name_of(line) == "TZID" and tzid is None:
            tzid = value_of(line)
        if name_of(line) == "END" and value_of(line).upper() == "VTIMEZONE":
            texts[tzid] = texts.get(tzid, "") + "\n".join(block)
            tzid, block = None, []
    return texts


def group_digest(lines, spans, head, zone_text):
    """sha256 hex of what importing one UID's VEVENTs reads: `head` (the digest version, the floating
    zone and the calendar's own properties: PRODID, X-WR-TIMEZONE), the VTIMEZONEs its TZIDs name,
    and the VEVENTs' lines (their TZIDs already resolved, so a zone that now matches another IANA
    zone changes it too)."""
    body = [line for first, last in spans for line in lines[first:last + 1]]
    used = sorted({raw.strip('"') for line in body if "TZID=" in line.upper() for raw in TZID_PARAM.findall(line)})
    text = "\n".join([head] + [zone_text.get(tzid, tzid) for tzid in used] + body)
    return hashlib.sha256(text.encode()).hexdigest()


def rename_line(line, renames):
    if "TZID=" not in line.upper():
        return line
    return TZID_PARAM.sub(lambda m: f";TZID={quoted(renames.get(m.group(1).strip(chr(34)), m.group(1)))}", line)


def quoted(tzid):
    return f'"{tzid}"' if re.search(r"[;:,]", tzid) and not tzid.startswith('"') else tzid
