"""Importing an .ics file exported from another calendar: events added or updated by UID.

The good events of a file come in; each one Hub cannot represent is listed as skipped with the
reason. A file that is not iCalendar, or breaks the limits, changes nothing.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar.error import InvalidCalendar
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.calendar import ical, icsfile, recurrence, services, validation, zones
from hub.calendar.models import KINDS, STATUSES, CalendarEntry
from hub.errors import ApiError, Invalid
from hub.extensions import db
from hub.library.services import clean_url

MAX_EVENTS = 2000
LABEL_TO_KIND = {label.lower(): kind for kind, label in KINDS.items()} | {kind: kind for kind in KINDS}
NOT_ENTRIES = {"VTODO": "a to-do, not an event", "VJOURNAL": "a journal entry, not an event",
               "VFREEBUSY": "free/busy time, not an event"}
SINGLE = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID")  # RFC 5545 3.6.1: MUST NOT occur more than once


class Skip(Exception):
    """One series Hub cannot represent: the message says why."""


@dataclass
class ImportResult:
    """What an import did: counts of entries and the items left out, each [uid, reason]."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)

    def as_json(self):
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": [{"uid": uid, "reason": reason} for uid, reason in self.skipped]}

    def counts(self):
        return self.added, self.updated, self.unchanged


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


class Reader:
    """Turns one file's VEVENTs into the API-shaped input of validation.clean_entry."""

    def __init__(self, ics, floating_zone):
        self.ics = ics
        self.floating = floating_zone

    def zoned(self, value, zone=None):
        """(IANA name or None for a zone Hub cannot name, aware datetime) for a DATE-TIME value."""
        if value.tzinfo is None:
            name = zone or self.floating
            return name, value.replace(tzinfo=ZoneInfo(name))
        name = self.ics.zone_of(value)[0]
        if name is None:
            return None, value.astimezone(UTC)
        return name, value.astimezone(ZoneInfo(name))

    def unnamed_zone(self, value):
        return self.ics.zone_of(value)[1]

    def times(self, event, existing=None):
        """all_day, timezone, starts_at and ends_at (last day inclusive) for one VEVENT."""
        start = single(event, "DTSTART")
        if start is None:
            raise Skip("it has no start (DTSTART)")
        tzid = event["DTSTART"].params.get("TZID")
        if isinstance(start, datetime) and start.tzinfo is None and tzid in self.ics.unidentified:
            raise Skip(f"its time zone \u201c{tzid}\u201d is neither defined in the file (VTIMEZONE) nor an IANA "
                       "or Windows zone name, so its time is unknown")
        end = single(event, "DTEND")
        if end is None and event.get("DURATION") is not None:
            end = start + single(event, "DURATION")
        if not isinstance(start, datetime):
            return {"all_day": True, "timezone": None, "starts_at": start, "ends_at": last_day(start, end)}
        zone, start_at = self.zoned(start)
        if zone is None:
            zone = "UTC"
        elif zone == "UTC" and self.ics.hub_feed and existing is not None and existing.timezone:
            zone = existing.timezone  # Hub writes UTC where its VTIMEZONE does not reach: same instant
        start_at = start_at.astimezone(ZoneInfo(zone))
        if isinstance(end, datetime):
            end_at = self.zoned(end, zone)[1]
        elif isinstance(end, date) and end > start.date():
            end_at = datetime.combine(end, time(), ZoneInfo(zone))
        else:
            end_at = None
        if end_at is None or end_at <= start_at:
            end_at = start_at + timedelta(hours=1)  # no end, or zero length: Hub needs an end after the start
        return {"all_day": False, "timezone": zone, "starts_at": start_at, "ends_at": end_at.astimezone(ZoneInfo(zone))}

    def original(self, value, times, anchor):
        """An EXDATE, RDATE or RECURRENCE-ID value in the series' terms: a date, or an aware local time."""
        if times["all_day"]:
            return value.date() if isinstance(value, datetime) else value
        if not isinstance(value, datetime):
            return datetime.combine(value, anchor.timetz().replace(tzinfo=None), anchor.tzinfo)
        return self.zoned(value, times["timezone"])[1]

    def values(self, event, name):
        found = []
        raw = event.get(name)
        for group in raw if isinstance(raw, list) else ([raw] if raw is not None else []):
            found += [v.dt for v in getattr(group, "dts", [])]
        return found

    def series(self, master, overrides, existing=None):
        """(input for clean_entry, kind from CATEGORIES or None, notes on overrides left out)."""
        times = self.times(master, existing)
        start = single(master, "DTSTART")
        rrules = master.get("RRULE")
        if isinstance(rrules, list):
            raise Skip("it has several RRULEs; Hub keeps one rule per entry")
        rule = rrules.to_ical().decode() if rrules is not None else None
        rdates = self.values(master, "RDATE")
        if isinstance(start, datetime) and start.tzinfo is not None and self.zoned(start)[0] is None \
                and (rule or rdates or overrides):
            raise Skip(f"it repeats in the time zone \u201c{self.unnamed_zone(start)}\u201d, which matches no IANA "
                       "zone; Hub cannot tell when its clocks change. Export it with a named zone "
                       "(e.g. Europe/Berlin)")
        data = self.texts(master)
        data.update(times)
        notes = []
        if rule is None and not rdates:
            return data, kind_of(master), notes
        data["rrule"] = rule or "FREQ=DAILY;COUNT=1"  # RDATEs alone: the start, then each RDATE
        extra = self.rebase(data, times)
        anchor = times["starts_at"]
        local_start = anchor
        try:
            data["rrule"] = recurrence.normalise(data["rrule"], local_start, times["timezone"], times["all_day"])
        except recurrence.RuleError as e:
            raise Skip(f"its repeat rule: {e}") from None
        on_rule = self.rule_test(data["rrule"], local_start, times["all_day"])
        data["rdates"] = [self.rdate(value, times, anchor) for value in rdates] + extra
        data["exdates"] = []
        for value in self.values(master, "EXDATE"):
            if times["all_day"] or isinstance(value, datetime):
                data["exdates"].append(self.original(value, times, anchor))
            else:  # a DATE on a timed series: every occurrence that day (as recurring-ical-events reads it)
                data["exdates"] += self.on_day(data["rrule"], local_start, value)
        data["overrides"] = self.changes(master, overrides, data, times, on_rule, notes)
        return data, kind_of(master), notes

    def rebase(self, data, times):
        """A DTSTART the rule does not give still counts (RFC 5545 3.8.5.3; recurring-ical-events reads it
        so): the series starts at the rule's first date and the DTSTART becomes an added occurrence.
        Returns the rdates to add; `times` and `data` move to the rule's first date."""
        try:
            first = recurrence.first_after(data["rrule"], times["starts_at"], times["timezone"], times["all_day"])
        except recurrence.RuleError as e:
            raise Skip(f"its repeat rule: {e}") from None
        start = times["starts_at"]
        if first is None or first == start:
            return []
        moved = {"starts_at": start, "ends_at": times["ends_at"]}
        times["ends_at"] = first + (times["ends_at"] - start)
        times["starts_at"] = first
        data.update(starts_at=first, ends_at=times["ends_at"])
        return [moved]

    def rule_test(self, rule, start, all_day):
        return lambda original: recurrence.is_occurrence(rule, start, all_day, original)

    def on_day(self, rule, start, day):
        zone = start.tzinfo
        built = recurrence.build(rule, start, False)
        return built.between(datetime.combine(day, time(), zone),
                             datetime.combine(day + timedelta(days=1), time(), zone), inc=False)

    def rdate(self, value, times, anchor):
        if isinstance(value, tuple):  # VALUE=PERIOD: (start, end) or (start, duration)
            begin, end = value
            end = begin + end if isinstance(end, timedelta) else end
            begin, end = self.original(begin, times, anchor), self.original(end, times, anchor)
            if times["all_day"]:
                end = end - timedelta(days=1) if end > begin else begin
            return {"starts_at": begin, "ends_at": end}
        return self.original(value, times, anchor)

    def texts(self, event, master=None):
        """Title, description, location, link and status; for an override only what differs from its master."""
        description = text(event, "DESCRIPTION")
        url = text(event, "URL").strip()
        title = text(event, "SUMMARY").strip()
        if self.ics.hub_feed:
            description, facts = ical.own_text(description)
            url = facts.get("Link", "")
            if text(event, "STATUS").lower() == "cancelled":
                title = title.removeprefix("Cancelled: ")
        if master is not None:
            base = self.texts(master)
            own = {"title": title[:200], "description": description, "location": text(event, "LOCATION")[:300]}
            return {name: value for name, value in own.items() if value and value.strip() != str(base[name]).strip()}
        try:
            url = clean_url(url) if url else None
        except Invalid:
            url = None  # a bad link in someone else's export is not worth refusing the event over
        status = text(event, "STATUS").lower()
        return {"title": title[:200] or "Untitled event", "description": description,
                "location": text(event, "LOCATION")[:300], "url": url,
                "status": status if status in STATUSES else "confirmed"}

    def changes(self, master, overrides, data, times, on_rule, notes):
        """Overrides as Hub's moved occurrences; cancelled ones become exdates; RANGE=THISANDFUTURE
        spread over every later occurrence (RFC 5545 3.8.4.4)."""
        moved, anchor, later = {}, times["starts_at"], []
        rdate_keys = {self.key(r["starts_at"] if isinstance(r, dict) else r) for r in data["rdates"]}
        for override in sorted(overrides, key=recurrence_sort):
            try:
                original = self.original(single(override, "RECURRENCE-ID"), times, anchor)
                if original is None:
                    raise Skip("it has no RECURRENCE-ID")
                if text(override, "STATUS").lower() == "cancelled":
                    data["exdates"].append(original)
                    continue
                new = self.times(override)
            except (Skip, InvalidCalendar) as e:
                notes.append(f"one changed occurrence was left out: {e}")
                continue
            if new["all_day"] != times["all_day"]:
                raise Skip("it moves an occurrence between all-day and timed")
            if not new["all_day"]:
                new["starts_at"] = new["starts_at"].astimezone(anchor.tzinfo)
                new["ends_at"] = new["ends_at"].astimezone(anchor.tzinfo)
            own = self.texts(override, master)
            if not on_rule(original) and self.key(original) not in rdate_keys:
                data["rdates"].append(original)  # an override of a date the rule does not give adds it
                rdate_keys.add(self.key(original))
            moved[self.key(original)] = {"recurrence_id": original, "starts_at": new["starts_at"],
                                         "ends_at": new["ends_at"], **own}
            if str(override.get("RECURRENCE-ID").params.get("RANGE", "")).upper() == "THISANDFUTURE":
                later.append((original, new, own))
        for original, new, own in later:
            self.this_and_future(data, times, original, new, own, moved)
        return list(moved.values())

    def this_and_future(self, data, times, original, new, own, moved):
        parts = recurrence.parse(data["rrule"])
        if "COUNT" not in parts and "UNTIL" not in parts:
            raise Skip("it changes all future occurrences of an endless series (RANGE=THISANDFUTURE); Hub needs "
                       "the series ended (COUNT or UNTIL) to spread the change")
        shift, length = new["starts_at"] - original, new["ends_at"] - new["starts_at"]
        rule = recurrence.build(data["rrule"], times["starts_at"], times["all_day"])
        for n, dt in enumerate(rule):
            value = dt.date() if times["all_day"] else dt
            if n > validation.MAX_CHANGES:
                raise Skip("its RANGE=THISANDFUTURE change reaches more occurrences than Hub keeps changes for")
            if value <= original or self.key(value) in moved:
                continue
            begin = value + shift
            moved[self.key(value)] = {"recurrence_id": value, "starts_at": begin, "ends_at": begin + length, **own}

    def key(self, value):
        return value.astimezone(UTC) if isinstance(value, datetime) else value


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


def group_series(calendar, result):
    """{uid: (master, [overrides])} in file order; lone overrides, repeated UIDs and broken events skipped."""
    found, broken, twice = {}, set(), set()
    for component in calendar.subcomponents:
        if component.name in NOT_ENTRIES:
            result.skipped.append([uid_of(component), f"It is {NOT_ENTRIES[component.name]}."])
    for event in calendar.walk("VEVENT"):
        uid = uid_of(event)
        if event.errors:
            broken.add(uid)
            result.skipped.append([uid, f"It has a broken line ({event.errors[0][1]})."])
            continue
        master, overrides = found.get(uid, (None, []))
        if "RECURRENCE-ID" in event:
            overrides.append(event)
        elif master is not None:
            twice.add(uid)
        else:
            master = event
        found[uid] = (master, overrides)
    for uid in twice:
        result.skipped.append([uid, "Two events in the file have this UID; neither was imported."])
    for uid, (master, _) in list(found.items()):
        if uid in twice or uid in broken:
            del found[uid]
        elif master is None:
            result.skipped.append([uid, "It changes one occurrence of a repeating event that is not in the file."])
            del found[uid]
    return found


def entries_by_uid(uids):
    """The existing entries for these UIDs, in a few queries rather than one per event."""
    found = {}
    for n in range(0, len(uids), 500):
        chunk = uids[n:n + 500]
        query = select(CalendarEntry).where(CalendarEntry.uid.in_(chunk)).options(selectinload(CalendarEntry.collateral))
        found.update({e.uid: e for e in db.session.scalars(query)})
    return found


def upload_bytes(upload, limit):
    """An uploaded file's bytes (a werkzeug FileStorage or None), or Invalid when it is over `limit` bytes."""
    data = upload.read(limit + 1) if upload else b""
    if len(data) > limit:
        raise Invalid(f"The file is larger than {limit // 1024 // 1024} MB.", "file")
    return data


def import_ics(actor, data, kind="other", published=False, floating_zone="UTC"):
    """Add or update the file's events by UID (flush only: the caller's transaction commits).

    Returns an ImportResult. Raises Invalid (field 'file') when the file is not iCalendar, has no
    events, more than MAX_EVENTS, or none of its events can be imported (each reason then given).
    """
    services.require_editor(actor)
    if kind not in KINDS:
        raise Invalid(f"Kind must be one of: {', '.join(KINDS.values())}.", "kind")
    published = validation.clean_bool(published, "published")
    floating_zone = floating_zone if zones.is_valid(floating_zone) else "UTC"
    ics = icsfile.read(data, floating_zone)
    events = ics.calendar.walk("VEVENT")
    if len(events) > MAX_EVENTS:
        raise Invalid(f"The file has {len(events)} events; import at most {MAX_EVENTS} at a time.", "file")
    result = ImportResult()
    groups = group_series(ics.calendar, result)
    if not events:
        raise Invalid("The file has no events to import" + reasons(result), "file")
    existing = entries_by_uid(list(groups))
    reader, plans = Reader(ics, floating_zone), []
    for uid, (master, overrides) in groups.items():
        entry = existing.get(uid)
        try:
            fields, found_kind, notes = reader.series(master, overrides, entry)
            if entry is None:
                fields.update(kind=found_kind or kind, published=published)
                fields.update(hub_labels(ics, master))
                cleaned = validation.clean_entry(actor, fields, strict_changes=False)
            else:
                if found_kind:
                    fields["kind"] = found_kind
                for name in ("exdates", "rdates", "overrides"):
                    fields.setdefault(name, [])
                cleaned = validation.clean_entry(actor, fields, entry, strict_changes=False)
        except Skip as e:
            result.skipped.append([uid, f"\u201c{title_of(master, uid)}\u201d: {e}."])
            continue
        except InvalidCalendar as e:  # icalendar's broken property values
            result.skipped.append([uid, f"\u201c{title_of(master, uid)}\u201d: {e}"])
            continue
        except ApiError as e:
            where = "" if e.field in (None, "file") else f" ({e.field})"
            result.skipped.append([uid, f"\u201c{title_of(master, uid)}\u201d: {e.message}{where}"])
            continue
        result.skipped += [[uid, f"\u201c{title_of(master, uid)}\u201d: {note}."] for note in notes]
        plans.append((entry, uid, cleaned))
    if not plans:
        raise Invalid("Nothing in the file could be imported" + reasons(result), "file")
    for entry, uid, cleaned in plans:
        if entry is None:
            services.add_entry(actor, cleaned, uid=uid)
            result.added += 1
        elif services.change_entry(entry, cleaned):
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    return result


def hub_labels(ics, master):
    """Products and audience from a Hub feed's DESCRIPTION, for an entry new to this Hub."""
    if not ics.hub_feed:
        return {}
    facts = ical.own_text(text(master, "DESCRIPTION"))[1]
    return {"products": facts.get("Products", "").split(", ") if facts.get("Products") else [],
            "audience": facts.get("Audience", "").split(", ") if facts.get("Audience") else []}


def title_of(master, uid):
    return text(master, "SUMMARY").strip()[:80] or uid


def reasons(result):
    if not result.skipped:
        return "."
    shown = "; ".join(f"{reason}" for _, reason in result.skipped[:3])
    more = f" (and {len(result.skipped) - 3} more)" if len(result.skipped) > 3 else ""
    return f": {shown}{more}"
