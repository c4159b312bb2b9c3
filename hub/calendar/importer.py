"""Importing an .ics file exported from another calendar: events added or updated by UID.

The good events of a file come in; each one Hub cannot represent is listed as skipped with the
reason. A file that is not iCalendar, or breaks the limits, changes nothing. One event's properties are
read by hub/calendar/icsevents.py, a series with its overrides by hub/calendar/icsreader.py. A
re-import counts an event whose text and entry are as the last import left them (import_stamp) as
unchanged without parsing it.
"""
import gc
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC

from icalendar.error import InvalidCalendar
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.calendar import ical, icsfile, services, validation, zones
from hub.calendar.icsevents import Skip, split_uid, text, uid_of
from hub.calendar.icsreader import Reader
from hub.calendar.models import KINDS, CalendarEntry
from hub.errors import ApiError, Invalid
from hub.extensions import db
from hub.models import utcnow

MAX_EVENTS = 2000
NOT_ENTRIES = {"VTODO": "a to-do, not an event", "VJOURNAL": "a journal entry, not an event",
               "VFREEBUSY": "free/busy time, not an event"}


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
    with collections_paused():
        return read_and_apply(actor, data, kind, published, floating_zone)


@contextmanager
def collections_paused():
    """Python's cyclic garbage collector off for the block, back on (if it was) after it.

    An import makes some 100 objects per event (icalendar's components, ORM rows), so a 2,000-event
    file set off 2 or 3 full collections of everything the process holds: 0.3-0.45 s of the 1.5 s CPU
    its first import took in bench/calendar_import.py (measured with gc.callbacks). The objects are
    bounded by the upload limit; the next collection after the block finds what became garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_and_apply(actor, data, kind, published, floating_zone):
    """import_ics, with the garbage collector paused."""
    services.require_editor(actor)
    if kind not in KINDS:
        raise Invalid(f"Kind must be one of: {', '.join(KINDS.values())}.", "kind")
    published = validation.clean_bool(published, "published")
    floating_zone = floating_zone if zones.is_valid(floating_zone) else "UTC"
    source = icsfile.prepare(data, floating_zone)
    same = unchanged_uids(source)
    ics = icsfile.parse(source, leave_out=same)
    events = ics.calendar.walk("VEVENT")
    total = len(events) + source.events_in(same) if same else len(events)
    if total > MAX_EVENTS:
        raise Invalid(f"The file has {total} events; import at most {MAX_EVENTS} at a time.", "file")
    result = ImportResult(unchanged=len(same))
    groups = group_series(ics.calendar, result)
    if not total:
        raise Invalid("The file has no events to import" + reasons(result), "file")
    existing = entries_by_uid(list(groups))
    reader, read = Reader(ics, floating_zone), []
    for uid, (master, overrides) in groups.items():
        try:
            pieces, found_kind, notes = reader.series(master, overrides, existing.get(uid))
            pieces = [(uid if split is None else split_uid(uid, split), fields) for split, fields in pieces]
            taken = [piece_uid for piece_uid, _ in pieces[1:] if piece_uid in groups or piece_uid in same]
            if taken:
                raise Skip(f"splitting it at a RANGE=THISANDFUTURE change needs the UID {taken[0]}, which another "
                           "event in the file has")
        except Skip as e:
            result.skipped.append([uid, f"\u201c{title_of(master, uid)}\u201d: {e}."])
            continue
        except InvalidCalendar as e:  # icalendar's broken property values
            result.skipped.append([uid, f"\u201c{title_of(master, uid)}\u201d: {e}"])
            continue
        read.append((uid, master, pieces, found_kind, notes))
    existing.update(entries_by_uid([p for _, _, pieces, _, _ in read for p, _ in pieces[1:] if p not in existing]))
    plans = []
    for uid, master, pieces, found_kind, notes in read:
        try:  # a series comes in whole, every piece of a split one, or not at all
            cleaned = [(existing.get(piece_uid), piece_uid, clean_piece(actor, ics, master, fields, found_kind,
                                                                        existing.get(piece_uid), kind, published))
                       for piece_uid, fields in pieces]
        except ApiError as e:
            where = "" if e.field in (None, "file") else f" ({e.field})"
            result.skipped.append([uid, f"\u201c{title_of(master, uid)}\u201d: {e.message}{where}"])
            continue
        result.skipped += [[uid, f"\u201c{title_of(master, uid)}\u201d: {note}."] for note in notes]
        # Only a series read whole into one entry, with nothing left out, may be skipped next time.
        digest = (source.digests or {}).get(uid) if len(pieces) == 1 and not notes else None
        plans += [(entry, piece_uid, values, digest) for entry, piece_uid, values in cleaned]
    if not plans and not same:
        raise Invalid("Nothing in the file could be imported" + reasons(result), "file")
    write(actor, plans, result)
    return result


def write(actor, plans, result):
    """Apply the plans [(existing entry or None, UID, cleaned values, digest or None)]: changed entries
    first (one flush), then the new ones in bulk (services.add_entries); count them in `result` and
    announce those reps can see now and could not before, in file order."""
    shown = {}  # plan index -> entry reps can see now and could not before (announced in file order)
    for n, (entry, _, cleaned, digest) in enumerate(plans):
        if entry is None:
            continue
        was_visible = entry.published and services.rep_may_see(entry)
        if services.change_entry(entry, cleaned):
            result.updated += 1
            if not was_visible and entry.published:
                shown[n] = entry
        else:
            result.unchanged += 1
        stamp = import_stamp(digest, entry.updated_at) if digest else None
        if entry.import_stamp != stamp:
            entry.import_stamp = stamp
    db.session.flush()
    now, new = utcnow(), [n for n, plan in enumerate(plans) if plan[0] is None]
    added = services.add_entries(actor, [(plans[n][1], plans[n][2], {"import_stamp": import_stamp(plans[n][3], now)
                                                                     if plans[n][3] else None}) for n in new], now)
    result.added = len(added)
    fresh = {n: entry for n, entry in zip(new, added, strict=True) if entry.published}
    shown.update(fresh)
    services.announce_many([shown[n] for n in sorted(shown)], fresh_ids=[entry.id for entry in fresh.values()])


def import_stamp(digest, updated_at):
    """CalendarEntry.import_stamp for an entry imported from text with this digest (icsfile.Source.digests,
    sha256 hex) and last changed at `updated_at` (aware datetime): sha256 hex of both, so that any change
    made to the entry since (which sets updated_at: services.mark_changed, set_published) voids it."""
    return hashlib.sha256(f"{digest}|{updated_at.astimezone(UTC).isoformat()}".encode()).hexdigest()


def unchanged_uids(source):
    """The UIDs of the file whose VEVENTs (with their zones and the calendar's own properties) are
    byte for byte what their entry was imported from, that entry unchanged since: a set, read in
    one query per 500 UIDs, without loading the entries. Empty when the file is not plainly nested.

    Re-importing such a series would change nothing, so it is counted unchanged unparsed: this is most
    of what makes re-importing a 2,000-event file take 0.1 s rather than 1 s (bench/calendar_import.py)."""
    if not source.digests:
        return set()
    uids, same = list(source.digests), set()
    for n in range(0, len(uids), 500):
        query = select(CalendarEntry.uid, CalendarEntry.updated_at, CalendarEntry.import_stamp).where(
            CalendarEntry.uid.in_(uids[n:n + 500]), CalendarEntry.import_stamp.is_not(None))
        same.update(uid for uid, updated_at, stamp in db.session.execute(query)
                    if stamp == import_stamp(source.digests[uid], updated_at))
    return same


def clean_piece(actor, ics, master, fields, found_kind, entry, kind, published):
    """clean_entry's output for one entry a series gives: new, or changing `entry`. Raises ApiError."""
    if entry is None:
        fields.update(kind=found_kind or kind, published=published)
        fields.update(hub_labels(ics, master))
        return validation.clean_entry(actor, fields, strict_changes=False)
    if found_kind:
        fields["kind"] = found_kind
    for name in ("exdates", "rdates", "overrides"):
        fields.setdefault(name, [])
    return validation.clean_entry(actor, fields, entry, strict_changes=False)


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
