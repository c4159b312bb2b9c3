"""Checking entry input from the API, the forms and imports: one set of rules, each error naming its field."""
import re
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub.calendar import recurrence, zones
from hub.calendar.models import KINDS, STATUSES
from hub.errors import Invalid
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import LABEL_MAX
from hub.validation import DATE_RE, day, labels, moment, row_id, text, url

LIMITS = {"title": 200, "description": 20000, "location": 300}
MAX_LABELS, MAX_LABEL, MAX_LINKS, MAX_CHANGES = 20, LABEL_MAX, 50, 500
MAX_TIMED = timedelta(days=31)
MAX_DAYS = 366
YEARS = (1970, 2200)
FIELDS = ("title", "kind", "description", "all_day", "timezone", "starts_at", "ends_at", "location", "url",
          "status", "published", "rrule", "exdates", "rdates", "overrides", "collateral_ids", "products", "audience")
OVERRIDE_TEXT = ("title", "description", "location")


def clean_line(value, field, required=False, limit=None):
    """One line of text (hub.validation.text) within the field's limit."""
    return text(value, field, limit or LIMITS[field], required=required)


def clean_bool(value, field):
    """JSON booleans, or the strings a form sends."""
    if isinstance(value, bool):
        return value
    if value is None or value in ("", "0", "false", "off", "no"):
        return False
    if value in ("1", "true", "on", "yes"):
        return True
    raise Invalid(f"{field.replace('_', ' ').capitalize()} must be true or false.", field)


def clean_collateral(actor, value):
    """Collateral ids that exist and that the actor may see."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split()]
    if not isinstance(value, (list, tuple)) or len(value) > MAX_LINKS:
        raise Invalid(f"Collateral ids must be a list of at most {MAX_LINKS} numbers.", "collateral_ids")
    ids = []
    for raw in value:
        item_id = row_id(raw, "collateral_ids", "Collateral ids must be whole numbers from 1 to 2147483647.")
        if item_id not in ids:
            ids.append(item_id)
    if not ids:
        return []
    query = select(Collateral).where(Collateral.id.in_(ids))
    if not actor.is_editor:
        query = query.where(Collateral.live_clause())
    items = db.session.scalars(query).all()
    unknown = sorted(set(ids) - {i.id for i in items})
    if unknown:
        raise Invalid(f"Unknown collateral: {', '.join(map(str, unknown))}.", "collateral_ids")
    return sorted(items, key=lambda i: ids.index(i.id))


def parse_day(value, field):
    """A YYYY-MM-DD date within Hub's years (hub.validation.day); required."""
    if not isinstance(value, (str, date)):
        raise Invalid(f"{label_of(field)} must be a date written YYYY-MM-DD.", field)
    parsed = day(value, field, f"{label_of(field)} of an all-day entry must be a date, YYYY-MM-DD.", years=YEARS)
    if parsed is None:
        raise Invalid(f"{label_of(field)} is required.", field)
    return parsed


def parse_moment(value, field, zone):
    """An ISO 8601 date-time as a UTC instant; without an offset it is read in the entry's zone."""
    if isinstance(value, str) and not value.strip():
        raise Invalid(f"{label_of(field)} is required.", field)
    if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
        raise Invalid(f"{label_of(field)} needs a time as well (YYYY-MM-DDTHH:MM), or make the entry all-day.", field)
    try:
        when = moment(value, field)
    except Invalid:
        raise Invalid(f"{label_of(field)} must be an ISO 8601 date and time, e.g. 2026-04-14T09:00.", field) from None
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise Invalid(f"Dates must be between {YEARS[0]} and {YEARS[1]}.", field)
    when = when.replace(microsecond=0)
    if when.tzinfo is not None:
        return when.astimezone(UTC)
    local = when.replace(tzinfo=ZoneInfo(zone))
    if local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != when:
        raise Invalid(f"{when:%H:%M} does not exist on {when.day} {when:%b %Y} in {zone}: the clocks go "
                      f"forward then. Choose another time.", field)
    return local.astimezone(UTC)


def label_of(field):
    """The calendar's words for its fields in messages."""
    return {"starts_at": "The start", "ends_at": "The end", "exdates": "Each skipped date",
            "overrides": "Each moved occurrence"}.get(field, field.replace("_", " ").capitalize())


def clean_times(merged):
    """all_day, timezone and the start and end from the merged input."""
    raw_start, raw_end = merged.get("starts_at"), merged.get("ends_at")
    if "all_day" in merged and merged["all_day"] is not None:
        all_day = clean_bool(merged["all_day"], "all_day")
    else:
        all_day = isinstance(raw_start, str) and bool(DATE_RE.fullmatch(raw_start.strip()))
    zone = merged.get("timezone") or None
    if zone is not None and not zones.is_valid(zone):
        raise Invalid(f"Unknown time zone {str(zone)[:64]!r}: use an IANA name such as Europe/Berlin.", "timezone")
    if all_day:
        first = parse_day(raw_start, "starts_at")
        last = parse_day(raw_end, "ends_at") if raw_end not in (None, "") else first
        if last < first:
            raise Invalid("The last day is before the first day.", "ends_at")
        if (last - first).days >= MAX_DAYS:
            raise Invalid(f"An entry can last at most {MAX_DAYS} days.", "ends_at")
        return {"all_day": True, "timezone": None, "starts_on": first, "ends_on": last,
                "starts_at": None, "ends_at": None}
    if zone is None:
        has_offset = isinstance(raw_start, str) and bool(re.search(r"(Z|[+-]\d\d:?\d\d)$", raw_start.strip()))
        if not has_offset:
            raise Invalid("Choose the time zone the times are in.", "timezone")
        zone = "UTC"
    start = parse_moment(raw_start, "starts_at", zone)
    end = parse_moment(raw_end, "ends_at", zone) if raw_end not in (None, "") else start + timedelta(hours=1)
    if end <= start:
        raise Invalid("The end must be after the start.", "ends_at")
    if end - start > MAX_TIMED:
        raise Invalid("A timed entry can last at most 31 days; make longer ones all-day.", "ends_at")
    return {"all_day": False, "timezone": zone, "starts_at": start, "ends_at": end, "starts_on": None, "ends_on": None}


def clean_rrule(value, times):
    """Canonical RRULE text, or None."""
    if value in (None, ""):
        return None
    try:
        return recurrence.normalise(value, local_start_of(times), times["timezone"], times["all_day"])
    except recurrence.RuleError as e:
        raise Invalid(str(e), "rrule") from None


def local_start_of(times):
    if times["all_day"]:
        return times["starts_on"]
    return times["starts_at"].astimezone(ZoneInfo(times["timezone"]))


def parse_original(value, field, times):
    """An occurrence's start as given in exdates or recurrence_id: its key (UTC instant or date)."""
    if times["all_day"]:
        if isinstance(value, str) and "T" in value:
            value = value.split("T")[0]
        return parse_day(value, field)
    return parse_moment(value, field, times["timezone"])


def clean_changes(merged, times, rule, strict):
    """Removed (exdates), added (rdates) and moved (overrides) occurrences, checked against the rule.

    rdates: starts (ISO text) or {"starts_at", "ends_at"} for an occurrence the rule does not give
    (RFC 5545 3.8.5.2); overrides may name an rdate and carry their own title, description, location.
    strict: the caller sent them, so a wrong one is an error; otherwise ones the new rule no longer
    produces are dropped quietly (the series moved).
    """
    exdates, rdates, overrides = (merged.get("exdates") or [], merged.get("rdates") or [],
                                  merged.get("overrides") or [])
    for field, value in (("exdates", exdates), ("rdates", rdates), ("overrides", overrides)):
        if not isinstance(value, list) or len(value) > MAX_CHANGES:
            raise Invalid(f"{field} must be a list of at most {MAX_CHANGES}.", field)
    if rule is None:
        if strict and (exdates or rdates or overrides):
            field = "exdates" if exdates else "rdates" if rdates else "overrides"
            raise Invalid(f"{field} need a repeat rule (rrule).", field)
        return []
    start = local_start_of(times)
    changes, seen, added = [], set(), {}

    def on_rule(original):
        probe = original if times["all_day"] else original.astimezone(start.tzinfo)
        return recurrence.is_occurrence(rule, start, times["all_day"], probe)

    def check(original, field, raw):
        ok = (original in added or on_rule(original)) and original not in seen
        if not ok and strict:
            raise Invalid(f"{raw} is not an occurrence of the repeat rule (or is given twice).", field)
        seen.add(original)
        return ok

    for raw in rdates:
        change = added_occurrence(raw, times)
        if change["original"] in added or on_rule(change["original"]):
            continue  # RFC 5545 3.8.5.2: a date the rule gives already counts once
        added[change["original"]] = change
    for raw in exdates:
        original = parse_original(raw, "exdates", times)
        if check(original, "exdates", raw):
            added.pop(original, None) or changes.append({"original": original, "removed": True})
    for raw in overrides:
        if not isinstance(raw, dict):
            raise Invalid("Each override is an object with recurrence_id, starts_at and ends_at.", "overrides")
        original = parse_original(raw.get("recurrence_id"), "overrides", times)
        try:
            moved = clean_times({"all_day": times["all_day"], "timezone": times["timezone"],
                                 "starts_at": raw.get("starts_at"), "ends_at": raw.get("ends_at")})
            own = {name: clean_override_text(raw.get(name), name) for name in OVERRIDE_TEXT}
        except Invalid as e:
            raise Invalid(f"Moved occurrence {raw.get('recurrence_id')}: {e.message}", "overrides") from None
        if check(original, "overrides", raw.get("recurrence_id")):
            was_added = added.pop(original, None) is not None
            changes.append({"original": original, "removed": False, "added": was_added, **moved, **own})
    return changes + list(added.values())


def added_occurrence(raw, times):
    """One rdate: a start (the entry's length) or a start and end of its own."""
    if isinstance(raw, dict):
        begin, end = raw.get("starts_at"), raw.get("ends_at")
    else:
        begin, end = raw, None
    original = parse_original(begin, "rdates", times)
    if end in (None, ""):
        length = (times["ends_on"] - times["starts_on"]) if times["all_day"] else times["ends_at"] - times["starts_at"]
        end = original + length
    try:
        span = clean_times({"all_day": times["all_day"], "timezone": times["timezone"],
                            "starts_at": original, "ends_at": end})
    except Invalid as e:
        raise Invalid(f"Added occurrence {begin}: {e.message}", "rdates") from None
    return {"original": original, "removed": False, "added": True, **span,
            **dict.fromkeys(OVERRIDE_TEXT)}


def clean_override_text(value, name):
    """An occurrence's own title, description or location; None when it has none."""
    if value in (None, ""):
        return None
    if name == "description":
        return text(value, "description", LIMITS["description"], multiline=True) or None
    return clean_line(value, name) or None


def whentext(entry, value):
    """ISO 8601 as the API shows it: a date for all-day entries, else local time with its offset."""
    if entry.all_day:
        return value.isoformat()
    return value.astimezone(ZoneInfo(entry.timezone)).isoformat()


def rdate_input(entry, change):
    """An added occurrence as rdates input: its start and end, or just its start when an override moves it."""
    if recurrence.plain_rdate(entry, change):
        return {"starts_at": whentext(entry, change.original),
                "ends_at": whentext(entry, change.ends_on if entry.all_day else change.ends_at)}
    return whentext(entry, change.original)


def entry_input(entry):
    """The entry in the API's input shape (all linked collateral), for merging a partial change."""
    start, end = (entry.starts_on, entry.ends_on) if entry.all_day else (entry.starts_at, entry.ends_at)
    return {
        "title": entry.title, "kind": entry.kind, "description": entry.description, "all_day": entry.all_day,
        "timezone": entry.timezone, "starts_at": whentext(entry, start), "ends_at": whentext(entry, end),
        "location": entry.location, "url": entry.url, "status": entry.status, "published": entry.published,
        "rrule": entry.rrule,
        "exdates": [whentext(entry, c.original) for c in entry.removed],
        "rdates": [rdate_input(entry, c) for c in entry.added],
        "overrides": [dict({"recurrence_id": whentext(entry, c.original),
                            "starts_at": whentext(entry, c.starts_on if entry.all_day else c.starts_at),
                            "ends_at": whentext(entry, c.ends_on if entry.all_day else c.ends_at)},
                           **{name: getattr(c, name) for name in OVERRIDE_TEXT if getattr(c, name)})
                      for c in entry.moved if not recurrence.plain_rdate(entry, c)],
        "collateral_ids": [item.id for item in entry.collateral],
        "products": entry.products, "audience": entry.audience,
    }


def clean_entry(actor, data, entry=None, strict_changes=None):
    """Validate a whole entry; with an existing entry, data holds only the fields that change.

    strict_changes=False drops exdates and overrides the rule does not give instead of refusing them
    (imports: RFC 5545 lets such EXDATEs match nothing).
    """
    if not isinstance(data, dict):
        raise Invalid("Send the entry as an object.")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise Invalid(f"Unknown field {unknown[0]!r}.", unknown[0])
    merged = {**entry_input(entry), **data} if entry is not None else dict(data)
    cleaned = {"title": clean_line(merged.get("title"), "title", required=True)}
    kind = merged.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise Invalid(f"Kind must be one of: {', '.join(KINDS.values())}.", "kind")
    cleaned["kind"] = kind
    cleaned["description"] = text(merged.get("description"), "description", LIMITS["description"], multiline=True)
    times = clean_times(merged)
    cleaned.update(times)
    cleaned["location"] = clean_line(merged.get("location"), "location")
    cleaned["url"] = url(merged.get("url"))
    status = merged.get("status") or "confirmed"
    if not isinstance(status, str) or status not in STATUSES:
        raise Invalid(f"Status must be one of: {', '.join(STATUSES)}.", "status")
    cleaned["status"] = status
    cleaned["published"] = clean_bool(merged.get("published"), "published")
    cleaned["rrule"] = clean_rrule(merged.get("rrule"), times)
    strict = entry is None or "exdates" in data or "rdates" in data or "overrides" in data
    strict = strict if strict_changes is None else strict_changes
    cleaned["changes"] = clean_changes(merged, times, cleaned["rrule"], strict)
    cleaned["products"] = labels(merged.get("products"), "products", MAX_LABEL, MAX_LABELS)
    cleaned["audience"] = labels(merged.get("audience"), "audience", MAX_LABEL, MAX_LABELS)
    cleaned["collateral"] = clean_collateral(actor, merged.get("collateral_ids"))
    return cleaned
