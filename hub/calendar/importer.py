"""Importing an .ics file exported from another calendar: events added or updated by UID, all or nothing."""
import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from sqlalchemy import select

from hub.calendar import services, validation, zones
from hub.calendar.models import KINDS, STATUSES, CalendarEntry
from hub.errors import ApiError, Invalid
from hub.extensions import db
from hub.library.services import clean_url

MAX_EVENTS = 2000
LABEL_TO_KIND = {label.lower(): kind for kind, label in KINDS.items()} | {kind: kind for kind in KINDS}


def read_calendar(data):
    """Parse the file's bytes; Invalid (field 'file') with a plain message when it is not a usable .ics."""
    if not data:
        raise Invalid("Choose an .ics file to import.", "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text: export it again as an .ics (iCalendar) file.", "file") from None
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise Invalid("This is not an iCalendar file: it must start with BEGIN:VCALENDAR.", "file")
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise Invalid(f"The file could not be read as iCalendar: {e}", "file") from None
    for component in calendar.walk():
        if component.errors:
            _, problem = component.errors[0]
            raise Invalid(f"The file has a broken {component.name} ({problem}); nothing was imported.", "file")
    return calendar


def zone_name(value, floating_zone):
    """(IANA zone, aware datetime) for an event time, mapping Windows zone names where needed.

    Floating times are read in the file's X-WR-TIMEZONE (or Hub's zone); a custom zone Hub cannot
    name keeps its instant and is stored in UTC.
    """
    if value.tzinfo is None:
        return floating_zone, value.replace(tzinfo=ZoneInfo(floating_zone))
    name = getattr(value.tzinfo, "key", None) or str(getattr(value.tzinfo, "_tzid", "") or value.tzinfo.tzname(value))
    for candidate in (name, WINDOWS_TO_OLSON.get(name)):
        if candidate and zones.is_valid(candidate):
            return candidate, value
    return "UTC", value


def decoded(event, name):
    try:
        return event.decoded(name) if name in event else None
    except (ValueError, TypeError, KeyError):
        raise Invalid(f"{name} of event {event.get('UID', '?')} is not a valid date or time.", "file") from None


def text(event, name):
    value = event.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value)


def moment(value, zone):
    """ISO text for the API-shaped input: dates as dates, times in the entry's zone."""
    if isinstance(value, datetime):
        return value.astimezone(ZoneInfo(zone)).isoformat()
    return value.isoformat()


def times_of(event, floating_zone):
    """all_day, timezone, starts_at and ends_at (last day inclusive) for one VEVENT."""
    start = decoded(event, "DTSTART")
    if start is None:
        raise Invalid(f"Event {event.get('UID', '?')} has no start (DTSTART).", "file")
    end = decoded(event, "DTEND")
    if end is None and "DURATION" in event:
        end = start + decoded(event, "DURATION")
    if not isinstance(start, datetime):
        last = (end - timedelta(days=1)) if isinstance(end, date) and end > start else start
        if isinstance(last, datetime):
            last = last.date()
        return {"all_day": True, "timezone": None, "starts_at": start.isoformat(), "ends_at": last.isoformat()}
    zone, start = zone_name(start, floating_zone)
    if isinstance(end, datetime) and end.tzinfo is None:
        end = end.replace(tzinfo=start.tzinfo)
    if not isinstance(end, datetime) or end <= start:
        end = start + timedelta(hours=1)  # no end, or a zero-length event: Hub needs an end after the start
    return {"all_day": False, "timezone": zone, "starts_at": moment(start, zone), "ends_at": moment(end, zone)}


def exdates_of(event, times):
    found = []
    raw = event.get("EXDATE")
    for group in raw if isinstance(raw, list) else ([raw] if raw is not None else []):
        for value in group.dts:
            dt = value.dt
            if times["all_day"]:
                found.append((dt.date() if isinstance(dt, datetime) else dt).isoformat())
            else:
                if dt.tzinfo is None:
                    dt = dt.replace(tzinfo=ZoneInfo(times["timezone"]))
                found.append(moment(dt, times["timezone"]))
    return found


def kind_of(event):
    categories = event.get("CATEGORIES")
    for group in categories if isinstance(categories, list) else ([categories] if categories is not None else []):
        for category in getattr(group, "cats", [group]):
            kind = LABEL_TO_KIND.get(str(category).strip().lower())
            if kind:
                return kind
    return None


def event_input(master, overrides, floating_zone):
    """The API-shaped input for one series (its master VEVENT and any RECURRENCE-ID overrides)."""
    times = times_of(master, floating_zone)
    rrules = master.get("RRULE")
    if isinstance(rrules, list):
        raise Invalid(f"Event {master.get('UID', '?')} has several RRULEs; Hub supports one.", "file")
    url = text(master, "URL").strip()
    try:
        url = clean_url(url)
    except Invalid:
        url = None  # a bad link in someone else's export is not worth refusing the file over
    data = {
        "title": text(master, "SUMMARY").strip() or "Untitled event",
        "description": text(master, "DESCRIPTION"),
        "location": text(master, "LOCATION")[:300],
        "url": url,
        "status": text(master, "STATUS").lower() if text(master, "STATUS").lower() in STATUSES else "confirmed",
        "rrule": rrules.to_ical().decode() if rrules is not None else None,
        **times,
    }
    data["title"] = data["title"][:200]
    exdates, moved = exdates_of(master, times), []
    for override in overrides:
        original = decoded(override, "RECURRENCE-ID")
        if times["all_day"]:
            original = (original.date() if isinstance(original, datetime) else original).isoformat()
        else:
            if original.tzinfo is None:
                original = original.replace(tzinfo=ZoneInfo(times["timezone"]))
            original = moment(original, times["timezone"])
        if text(override, "STATUS").lower() == "cancelled":
            exdates.append(original)
            continue
        new = times_of(override, floating_zone)
        if new["all_day"] != times["all_day"]:
            raise Invalid(f"Event {master.get('UID', '?')} moves an occurrence between all-day and timed.", "file")
        if not times["all_day"]:
            new["starts_at"] = moment(datetime.fromisoformat(new["starts_at"]), times["timezone"])
            new["ends_at"] = moment(datetime.fromisoformat(new["ends_at"]), times["timezone"])
        moved.append({"recurrence_id": original, "starts_at": new["starts_at"], "ends_at": new["ends_at"]})
    if data["rrule"]:
        data["exdates"], data["overrides"] = exdates, moved
    return data, kind_of(master)


def series(calendar):
    """{uid: (master, [overrides])} in file order; events without a UID get one from their content."""
    found = {}
    events = calendar.walk("VEVENT")
    if not events:
        raise Invalid("The file has no events to import.", "file")
    if len(events) > MAX_EVENTS:
        raise Invalid(f"The file has {len(events)} events; import at most {MAX_EVENTS} at a time.", "file")
    for event in events:
        uid = text(event, "UID").strip()
        if not uid:
            basis = f"{text(event, 'DTSTART')}|{event.get('DTSTART').to_ical() if event.get('DTSTART') else ''}|{text(event, 'SUMMARY')}"
            uid = hashlib.sha256(basis.encode()).hexdigest()[:32] + "@import.hub"
        uid = uid[:255]
        master, overrides = found.get(uid, (None, []))
        if "RECURRENCE-ID" in event:
            overrides.append(event)
        elif master is not None:
            raise Invalid(f"The file has two events with the UID {uid}.", "file")
        else:
            master = event
        found[uid] = (master, overrides)
    for uid, (master, _) in found.items():
        if master is None:
            raise Invalid(f"The file changes an occurrence of {uid} but has no event {uid} itself.", "file")
    return found


def import_ics(actor, data, kind="other", published=False, floating_zone="UTC"):
    """Add or update the file's events by UID in one transaction; returns (added, updated, unchanged)."""
    services.require_editor(actor)
    if kind not in KINDS:
        raise Invalid(f"Kind must be one of: {', '.join(KINDS)}.", "kind")
    published = validation.clean_bool(published, "published")
    calendar = read_calendar(data)
    floating = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    floating = floating if zones.is_valid(floating) else floating_zone
    plans = []
    for uid, (master, overrides) in series(calendar).items():
        entry = db.session.scalar(select(CalendarEntry).where(CalendarEntry.uid == uid))
        try:
            fields, found_kind = event_input(master, overrides, floating)
            if entry is None:
                fields.update(kind=found_kind or kind, published=published)
                plans.append((None, uid, validation.clean_entry(actor, fields)))
            else:
                if found_kind:
                    fields["kind"] = found_kind
                fields.setdefault("exdates", [])
                fields.setdefault("overrides", [])
                plans.append((entry, uid, validation.clean_entry(actor, fields, entry)))
        except ApiError as e:
            title = text(master, "SUMMARY").strip()[:80] or uid
            raise Invalid(f"Event \u201c{title}\u201d: {e.message}" + ("" if e.field in (None, "file") else f" ({e.field})"),
                          "file") from None
    added = updated = unchanged = 0
    for entry, uid, cleaned in plans:
        if entry is None:
            services.add_entry(actor, cleaned, uid=uid)
            added += 1
        elif services.change_entry(entry, cleaned):
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    return added, updated, unchanged
