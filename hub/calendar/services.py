"""The calendar's rules: who sees which entries, changes with SEQUENCE, occurrences (input: validation.py)."""
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import exists, insert, or_, select

from hub import events
from hub.calendar import models, recurrence
from hub.calendar.models import FACETS, KINDS, CalendarEntry, EntryDeletion, EntryLabel, OccurrenceChange
from hub.calendar.validation import MAX_LABEL, MAX_LABELS, clean_entry, entry_input, parse_original
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import today, utcnow
from hub.validation import label_text

# --- visibility ---------------------------------------------------------------------------------


def require_editor(user):
    """Only marketing and admins change the calendar."""
    if not user.is_editor:
        raise Forbidden("Only marketing and admins can change the calendar.")


def rep_clause():
    """SQL for what reps may see: published entries, except a "collateral update" whose item left
    approval (withdrawn, archived, expired or deleted): its title and description are the item's,
    and must not reach reps through the calendar when the library no longer shows them the item."""
    withdrawn = or_(~CalendarEntry.collateral.any(), CalendarEntry.collateral.any(~Collateral.live_clause()))
    return CalendarEntry.published.is_(True) & ~((CalendarEntry.kind == "collateral_update") & withdrawn)


def rep_may_see(entry):
    """rep_clause() for one loaded entry."""
    if not entry.published:
        return False
    return entry.kind != "collateral_update" or (bool(entry.collateral) and all(i.is_live for i in entry.collateral))


def visible_query(user):
    """Entries this user may see: all for editors, for reps what rep_clause() allows."""
    query = select(CalendarEntry)
    if not user.is_editor:
        query = query.where(rep_clause())
    return query


def get_entry(user, entry_id):
    """One entry, or NotFound when it does not exist or the user may not see it."""
    entry = db.session.get(CalendarEntry, entry_id)
    if entry is None or (not user.is_editor and not rep_may_see(entry)):
        raise NotFound("No such calendar entry.")
    return entry


def visible_collateral(user, entry):
    """The entry's linked collateral this user may open (reps: approved and unexpired only)."""
    return [item for item in entry.collateral if user.is_editor or item.is_live]


def apply_filters(query, filters):
    """Narrow a query by kinds, products and audience (any of the values within one facet)."""
    if filters.get("kind"):
        query = query.where(CalendarEntry.kind.in_(filters["kind"]))
    for facet in FACETS:
        if filters.get(facet):
            query = query.where(exists().where(
                EntryLabel.entry_id == CalendarEntry.id, EntryLabel.facet == facet, EntryLabel.value.in_(filters[facet])))
    return query


def clean_filters(kinds=(), products=(), audience=()):
    """Filters from query-string lists, checked: known kinds, bounded labels."""
    kinds = [k for k in dict.fromkeys(kinds) if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise Invalid(f"Unknown kind {unknown[0]!r}: use one of {', '.join(KINDS.values())}.", "kind")
    filters = {"kind": sorted(kinds)}
    for facet, values in (("product", products), ("audience", audience)):
        values = [v for v in dict.fromkeys(label_text(v) for v in values if isinstance(v, str)) if v]
        if len(values) > MAX_LABELS or any(len(v) > MAX_LABEL for v in values):
            raise Invalid(f"Give at most {MAX_LABELS} {facet} values of at most {MAX_LABEL} characters.", facet)
        filters[facet] = sorted(values)
    return {k: v for k, v in filters.items() if v}


def facet_values(user):
    """Product and audience labels in use on entries the user can see."""
    visible = visible_query(user).with_only_columns(CalendarEntry.id)
    rows = db.session.execute(
        select(EntryLabel.facet, EntryLabel.value).where(EntryLabel.entry_id.in_(visible)).distinct()
        .order_by(EntryLabel.facet, EntryLabel.value)
    ).all()
    values = {facet: [] for facet in FACETS}
    for facet, value in rows:
        values[facet].append(value)
    return values


def midnight(day):
    return datetime.combine(day, time(), UTC)


def window_query(user, filters, first_day, last_day):
    """Visible entries that may have occurrences on these dates (a day's slack for time zones)."""
    query = apply_filters(visible_query(user), filters)
    return query.where(
        CalendarEntry.span_starts_at < midnight(last_day + timedelta(days=2)),
        or_(CalendarEntry.span_ends_at.is_(None), CalendarEntry.span_ends_at > midnight(first_day - timedelta(days=1))),
    )


def occurrences_between(user, filters, first_day, last_day, zone=None):
    """Every visible occurrence touching [first_day, last_day], in order.

    With `zone` (a ZoneInfo, the viewer's) the days are that zone's: timed occurrences are converted
    to it (recurrence.in_zone) and bucketed by its dates, so 23:30 UTC falls on the next day in Berlin.
    Without it each entry's own dates count."""
    slack = timedelta(days=1) if zone else timedelta(0)
    entries = db.session.scalars(window_query(user, filters, first_day - slack, last_day + slack)).all()
    found = [occ for entry in entries for occ in recurrence.occurrences(entry, first_day - slack, last_day + slack)]
    if zone:
        found = [occ for occ in (recurrence.in_zone(o, zone) for o in found)
                 if recurrence.overlaps(occ, first_day, last_day)]
    found.sort(key=recurrence.sort_key)
    return found


def upcoming(entry, count=8, on=None, zone=None):
    """The entry's next occurrences from `on` (default today; a year ahead at most), seen from `zone` if given."""
    on = on or today()
    found = recurrence.occurrences(entry, on, on + timedelta(days=366))[:count]
    return [recurrence.in_zone(occ, zone) for occ in found] if zone else found


def viewer_zone(user, default_name):
    """The zone pages show `user` times in: their own (User.zone), else `default_name`
    (HUB_CALENDAR_TIMEZONE, an IANA name). Returns a ZoneInfo."""
    return user.zone or ZoneInfo(default_name)


# --- changes ------------------------------------------------------------------------------------


def snapshot(entry):
    """Everything a calendar app shows: when it differs, SEQUENCE goes up."""
    return (
        entry.title, entry.kind, entry.description, entry.all_day, entry.timezone, entry.starts_at, entry.ends_at,
        entry.starts_on, entry.ends_on, entry.location, entry.url, entry.rrule, entry.status,
        tuple(entry.products), tuple(entry.audience), tuple(sorted(i.id for i in entry.collateral)),
        tuple(sorted((str(c.original), c.removed, str(c.starts_at), str(c.ends_at), str(c.starts_on), str(c.ends_on),
                      bool(c.added), c.title or "", c.description or "", c.location or "")
                     for c in entry.changes)),
    )


COPIED = ("title", "kind", "description", "all_day", "timezone", "starts_at", "ends_at", "starts_on", "ends_on",
          "location", "url", "status", "published", "rrule")  # cleaned values stored as they are
CHANGE_FIELDS = ("starts_at", "ends_at", "starts_on", "ends_on", "title", "description", "location")


def apply(entry, cleaned):
    """Copy cleaned values onto the entry, reusing label and change rows so unique keys never clash."""
    for name in COPIED:
        setattr(entry, name, cleaned[name])
    wanted = [(facet, value) for facet, key in (("product", "products"), ("audience", "audience"))
              for value in cleaned[key]]
    have = {(label.facet, label.value): label for label in entry.labels}
    entry.labels = [have.get(key) or EntryLabel(facet=key[0], value=key[1]) for key in wanted]
    existing = {c.original: c for c in entry.changes}
    changes = []
    for change in cleaned["changes"]:
        row = existing.get(change["original"]) or OccurrenceChange(
            original_at=None if entry.all_day else change["original"],
            original_on=change["original"] if entry.all_day else None)
        row.removed = change["removed"]
        row.added = change.get("added", False)
        for name in CHANGE_FIELDS:
            setattr(row, name, change.get(name))
        changes.append(row)
    entry.changes = changes
    entry.collateral = cleaned["collateral"]
    set_span(entry)


def set_span(entry):
    """The whole series as UTC instants, for date-range queries."""
    if entry.all_day:
        start, length = entry.starts_on, entry.ends_on - entry.starts_on + timedelta(days=1)
        end = recurrence.series_end(entry.rrule, start, length, True)
        begins, ends = midnight(start), (midnight(end) if end is not None else None)
        moved = [(midnight(c.starts_on), midnight(c.ends_on + timedelta(days=1))) for c in entry.moved]
    else:
        start = entry.starts_at.astimezone(ZoneInfo(entry.timezone))
        end = recurrence.series_end(entry.rrule, start, entry.ends_at - entry.starts_at, False)
        begins, ends = entry.starts_at, (end.astimezone(UTC) if end is not None else None)
        moved = [(c.starts_at, c.ends_at) for c in entry.moved]
    for moved_start, moved_end in moved:
        begins = min(begins, moved_start)
        ends = max(ends, moved_end) if ends is not None else None
    entry.span_starts_at, entry.span_ends_at = begins, ends


def mark_changed(entry, before, cancelled_before):
    """Bump SEQUENCE when anything shown changed; stamp updated_at on any change at all."""
    if entry.status == "cancelled" and not cancelled_before:
        entry.cancelled_at = utcnow()
    elif entry.status != "cancelled":
        entry.cancelled_at = None
    if before is not None and snapshot(entry) != before:
        entry.sequence += 1
    entry.updated_at = utcnow()


def create_entry(actor, data):
    """A new entry (a draft unless published is set)."""
    require_editor(actor)
    entry = add_entry(actor, clean_entry(actor, data))
    db.session.flush()
    announce(entry)
    return entry


def announce(entry, was_visible=False):
    """Tell the other features (notifications) about an entry reps can see now that they could not see
    before (`was_visible`: rep_may_see() before the change; a new entry could not). Edits of an entry
    reps already saw announce nothing. Returns True when it announced."""
    if was_visible or not rep_may_see(entry):
        return False
    events.calendar_entry_published.send(entry, **announcement(entry))
    return True


def announcement(entry):
    """What hub.events.calendar_entry_published says about an entry: {"title", "audience" (labels),
    "starts" (a short human date), "link" ((endpoint, {values}))}."""
    starts = entry.starts_on.isoformat() if entry.all_day else entry.starts_at.strftime("%Y-%m-%d %H:%M UTC")
    return {"title": entry.title, "audience": list(entry.audience), "starts": starts,
            "link": ("calendar.entry", {"entry_id": entry.id})}


def announce_many(entries, fresh_ids=()):
    """Tell the other features about entries that one action (an .ics import) made visible to reps, in
    one announcement (hub.events.calendar_entries_published), so each rep gets one summary rather than
    one notification per entry. `entries`: the CalendarEntry rows that reps can see now and could not
    before (flushed); `fresh_ids`: the ids among them that this action created (nobody was told of
    them yet). One entry alone is announced as announce() would. Returns how many were announced."""
    entries = [entry for entry in entries if rep_may_see(entry)]
    if len(entries) == 1:
        return int(announce(entries[0]))
    if entries:
        fresh = set(fresh_ids)
        events.calendar_entries_published.send(
            None, entries=[{"id": e.id, "fresh": e.id in fresh, **announcement(e)} for e in entries],
            link=("calendar.agenda", {"from": min(e.span_starts_at for e in entries).date().isoformat()}))
    return len(entries)


def add_entry(actor, cleaned, uid=None):
    """Add a new entry from cleaned values (no commit)."""
    entry = CalendarEntry(owner=actor, sequence=0, labels=[], changes=[])
    if uid:
        entry.uid = uid
    db.session.add(entry)
    with db.session.no_autoflush:
        apply(entry, cleaned)
    mark_changed(entry, None, False)
    return entry


def add_entries(actor, pieces, now=None):
    """Add many new entries at once (no commit): add_entry's rows, written in one INSERT per table.

    `pieces` is [(uid, cleaned values as clean_entry gives them, {other CalendarEntry columns})], UIDs
    unique; `now` (aware datetime, default utcnow()) is their created_at and updated_at. Returns the
    new CalendarEntry rows, loaded, in the order given. Raises IntegrityError when a UID is taken.
    Measured on the 2,000-event import of bench/calendar_import.py: add_entry per entry and the
    flush took 0.45 s of CPU, mostly the ORM's unit-of-work bookkeeping; the ORM's bulk INSERT ...
    RETURNING 0.3 s; these Core executemany INSERTs (no RETURNING: the ids are read back by UID) and
    the loading 0.15 s.
    """
    if not pieces:
        return []
    now = now or utcnow()
    rows = []
    for uid, cleaned, extra in pieces:
        row = {name: cleaned[name] for name in COPIED}
        row.update(uid=uid, owner_id=actor.id, sequence=0, created_at=now, updated_at=now,
                   cancelled_at=now if cleaned["status"] == "cancelled" else None, **extra)
        span = SimpleNamespace(**row, moved=[SimpleNamespace(**{n: c.get(n) for n in CHANGE_FIELDS})
                                                  for c in cleaned["changes"] if not c["removed"]])
        set_span(span)  # the same rule as for one entry, read from the row's values
        row.update(span_starts_at=span.span_starts_at, span_ends_at=span.span_ends_at)
        rows.append(row)
    db.session.execute(insert(CalendarEntry.__table__), rows)
    uids, ids_by_uid = [row["uid"] for row in rows], {}
    for n in range(0, len(uids), 500):
        ids_by_uid.update(db.session.execute(select(CalendarEntry.uid, CalendarEntry.id).where(
            CalendarEntry.uid.in_(uids[n:n + 500]))).tuples().all())
    ids = [ids_by_uid[uid] for uid in uids]
    labels, changes, links = [], [], []
    for entry_id, (_, cleaned, _) in zip(ids, pieces, strict=True):
        labels += [{"entry_id": entry_id, "facet": facet, "value": value}
                   for facet, key in (("product", "products"), ("audience", "audience")) for value in cleaned[key]]
        all_day = cleaned["all_day"]
        changes += [{"entry_id": entry_id, "original_at": None if all_day else c["original"],
                     "original_on": c["original"] if all_day else None, "removed": c["removed"],
                     "added": c.get("added", False), **{name: c.get(name) for name in CHANGE_FIELDS}}
                    for c in cleaned["changes"]]
        links += [{"entry_id": entry_id, "collateral_id": item.id} for item in cleaned["collateral"]]
    for table, values in ((EntryLabel.__table__, labels), (OccurrenceChange.__table__, changes),
                          (models.entry_collateral, links)):
        if values:
            db.session.execute(insert(table), values)
    found = {}
    for n in range(0, len(ids), 500):
        found.update({e.id: e for e in db.session.scalars(select(CalendarEntry).where(
            CalendarEntry.id.in_(ids[n:n + 500])))})
    return [found[entry_id] for entry_id in ids]


def update_entry(actor, entry, data):
    """Change some fields of an entry."""
    require_editor(actor)
    was_visible = rep_may_see(entry)
    change_entry(entry, clean_entry(actor, data, entry))
    db.session.flush()
    announce(entry, was_visible)
    return entry


def same_as(entry, cleaned):
    """True when applying these cleaned values would change nothing (labels and changes in any order)."""
    if entry.published != cleaned["published"]:
        return False
    have, want = snapshot(entry), cleaned_snapshot(cleaned, entry.all_day)
    return (have[:13] == want[:13] and sorted(have[13]) == sorted(want[13]) and sorted(have[14]) == sorted(want[14])
            and have[15:] == want[15:])


def cleaned_snapshot(cleaned, all_day):
    """snapshot() of an entry once these cleaned values are applied, without applying them."""
    changes = tuple(sorted(
        (str(c["original"]), c["removed"], str(c.get("starts_at")), str(c.get("ends_at")), str(c.get("starts_on")),
         str(c.get("ends_on")), bool(c.get("added")), c.get("title") or "", c.get("description") or "",
         c.get("location") or "") for c in cleaned["changes"]))
    return (cleaned["title"], cleaned["kind"], cleaned["description"], cleaned["all_day"], cleaned["timezone"],
            cleaned["starts_at"], cleaned["ends_at"], cleaned["starts_on"], cleaned["ends_on"], cleaned["location"],
            cleaned["url"], cleaned["rrule"], cleaned["status"], tuple(cleaned["products"]),
            tuple(cleaned["audience"]), tuple(sorted(i.id for i in cleaned["collateral"])), changes)


def change_entry(entry, cleaned):
    """Apply cleaned values; SEQUENCE and updated_at move only if something changed (no commit)."""
    if same_as(entry, cleaned):
        return False  # nothing to write: re-importing an unchanged file leaves the session clean
    before, was_cancelled, was_published = snapshot(entry), entry.is_cancelled, entry.published
    with db.session.no_autoflush:
        apply(entry, cleaned)
    changed = snapshot(entry) != before or entry.published != was_published
    if changed:
        mark_changed(entry, before, was_cancelled)
    return changed


def cancel_entry(actor, entry):
    """Mark the entry cancelled: it stays in feeds for 30 days with STATUS:CANCELLED."""
    require_editor(actor)
    if entry.is_cancelled:
        return entry
    before = snapshot(entry)
    entry.status = "cancelled"
    mark_changed(entry, before, False)
    db.session.flush()
    return entry


def set_published(actor, entry, published):
    """Publish (reps and feeds see it) or take back to draft."""
    require_editor(actor)
    if entry.published != published:
        was_visible = rep_may_see(entry)
        entry.published = published
        entry.updated_at = utcnow()
        db.session.flush()
        announce(entry, was_visible)
    return entry


def delete_entry(actor, entry):
    """Delete a cancelled entry for good; feeds drop it."""
    require_editor(actor)
    if not entry.is_cancelled:
        raise Conflict("Cancel the entry first; cancelled entries can then be deleted for good.", "not_cancelled")
    db.session.add(EntryDeletion(uid=entry.uid, deleted_by_id=actor.id))
    db.session.delete(entry)
    db.session.flush()


def occurrence_key(entry, value):
    """Parse an occurrence start from a form (ISO text) to its key."""
    times = {"all_day": entry.all_day, "timezone": entry.timezone}
    return parse_original(value, "occurrence", times)


def change_occurrence(actor, entry, occurrence, action, starts_at=None, ends_at=None):
    """Remove, move or restore one occurrence of a recurring entry."""
    require_editor(actor)
    if not entry.rrule:
        raise Conflict("Only repeating entries have occurrences to change.", "not_recurring")
    current = entry_input(entry)
    original = occurrence_key(entry, occurrence)
    exdates = [d for d in current["exdates"] if occurrence_key(entry, d) != original]
    overrides = [o for o in current["overrides"] if occurrence_key(entry, o["recurrence_id"]) != original]
    iso = original.isoformat()
    if action == "remove":
        exdates.append(iso)
    elif action == "move":
        overrides.append({"recurrence_id": iso, "starts_at": starts_at, "ends_at": ends_at})
    elif action != "restore":
        raise Invalid("Action must be remove, move or restore.", "action")
    return update_entry(actor, entry, {"exdates": exdates, "overrides": overrides})


def collateral_changed(item):
    """Bump SEQUENCE and LAST-MODIFIED of the entries linking this item: the DESCRIPTION a feed gives
    them names it and links it (RFC 5545 3.8.7.4: SEQUENCE goes up when the event is revised)."""
    linked = db.session.scalars(select(CalendarEntry).where(CalendarEntry.collateral.any(Collateral.id == item.id)))
    now = utcnow()
    for entry in linked:
        entry.sequence += 1
        entry.updated_at = now
    db.session.flush()


def add_collateral_update(actor, item, on=None):
    """The 'collateral update' entry ticked at approval: today, all-day, published, linked to the item."""
    require_editor(actor)
    on = on or today()
    existing = db.session.scalar(
        select(CalendarEntry).where(CalendarEntry.kind == "collateral_update", CalendarEntry.starts_on == on,
                                    CalendarEntry.collateral.any(Collateral.id == item.id)))
    approvals = sum(1 for change in item.history if change.to_status == "approved")
    fresh = approvals <= 1 and len(item.versions) <= 1
    version = item.current_version
    lines = [f"{'New' if fresh else 'Updated'} {item.content_type_label.lower()} approved for use with customers."]
    if version is not None:
        lines.append(f"Version {version.number}: {version.original_name}")
    if item.description:
        lines.append(item.description.split("\n")[0][:500])
    data = {"title": f"{'New' if fresh else 'Updated'}: {item.title}"[:200], "kind": "collateral_update",
            "description": "\n".join(lines), "all_day": True, "starts_at": on.isoformat(), "ends_at": on.isoformat(),
            "status": "confirmed", "published": True, "collateral_ids": [item.id],
            "products": [item.product] if item.product else [], "audience": [item.region] if item.region else []}
    if existing is not None:
        return update_entry(actor, existing, data)
    return create_entry(actor, data)
