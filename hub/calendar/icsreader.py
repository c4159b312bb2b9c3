"""A series of an imported file as Hub's entry data: its times in the right zone, its rule, RDATEs and
EXDATEs, and its overrides as moved occurrences (RANGE=THISANDFUTURE spread over the later ones of a
bounded series; an endless series is split there into consecutive entries)."""
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from icalendar.error import InvalidCalendar

from hub.calendar import ical, recurrence, validation
from hub.calendar.icsevents import Skip, kind_of, last_day, recurrence_sort, single, text
from hub.calendar.models import STATUSES
from hub.errors import Invalid
from hub.validation import url as web_address

SAME_PATTERN = 60  # occurrences compared to check that a split-off rule repeats the shifted original


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
        """One series (master VEVENT, its override VEVENTs) as Hub entries.

        Returns (pieces, kind from CATEGORIES or None, notes on overrides left out). pieces is a list of
        (split, input for clean_entry): split is None for the entry under the series' own UID, else the
        RECURRENCE-ID (a date, or an aware datetime) of the RANGE=THISANDFUTURE override that split an
        endless series there (RFC 5545 3.2.13, 3.8.4.4; see split). Raises Skip when Hub cannot
        represent the series, InvalidCalendar for property values icalendar cannot read.
        """
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
            return [(None, data)], kind_of(master), notes
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
        cuts = []
        data["overrides"] = self.changes(master, overrides, data, times, on_rule, notes, cuts)
        if cuts:
            return self.split(master, data, cuts), kind_of(master), notes
        for change in data["overrides"]:
            change.pop("_event", None)
        return [(None, data)], kind_of(master), notes

    def split(self, master, data, cuts):
        """An endless series with RANGE=THISANDFUTURE overrides as consecutive entries, the way Google
        Calendar and Thunderbird save "this and following events" (RFC 5545 3.8.4.4, 3.2.13).

        `data` is the whole series (clean_entry input, rule without COUNT or UNTIL) and `cuts`
        [(RECURRENCE-ID, the override's times, the override VEVENT)] in RECURRENCE-ID order. The first
        entry keeps the series' start and ends at its last occurrence before the first cut: its RRULE
        gets that occurrence as UNTIL, in UTC (the "Z" form RFC 5545 3.3.10 asks for with a TZID
        DTSTART) or as a DATE for all-day series. Each cut starts an entry at the override's new start
        and end, with its own summary, description and location where given, repeating the same rule
        up to the next cut or forever. EXDATEs, RDATEs and moved occurrences go to the entry whose range
        holds their original start and move with its occurrences, by the cut's shift (as
        recurring-ical-events reads them). Returns [(split, data)] as series() does (a cut at the
        series' first occurrence just changes the series: no split). Raises Skip when the rule cannot
        repeat the shifted occurrences from the new start (e.g. a weekly BYDAY=TU series whose
        Tuesdays all move to Wednesday).
        """
        all_day = data["all_day"]
        zone = None if all_day else data["starts_at"].tzinfo
        fields = ("title", "description", "location")

        def moved_by(value, segment):
            return (value if all_day else value.astimezone(zone)) + segment["shift"]

        def piece(**changes):
            return dict(data, exdates=[], rdates=[], overrides=[], **changes)

        segments = [{"original": None, "shift": timedelta(0), "data": piece(), "texts": {n: data[n] for n in fields}}]
        for original, new, override in cuts:
            original = original if all_day else original.astimezone(zone)
            own = self.texts(override, master)
            segment = {"original": original, "shift": new["starts_at"] - original,
                       "data": piece(starts_at=new["starts_at"], ends_at=new["ends_at"], **own)}
            segment["texts"] = {n: segment["data"][n] for n in fields}
            segments.append(segment)

        def home(value):
            found = segments[0]
            for segment in segments[1:]:
                if self.key(segment["original"]) <= self.key(value):
                    found = segment
            return found

        for value in data["exdates"]:
            segment = home(value)
            segment["data"]["exdates"].append(moved_by(value, segment))
        for value in data["rdates"]:
            segment = home(value["starts_at"] if isinstance(value, dict) else value)
            segment["data"]["rdates"].append({k: moved_by(v, segment) for k, v in value.items()}
                                             if isinstance(value, dict) else moved_by(value, segment))
        for change in data["overrides"]:
            event = change.pop("_event", None)
            segment = home(change["recurrence_id"])
            if segment["original"] is not None:
                own = self.texts(event, base=segment["texts"]) if event is not None else {}
                change = {"recurrence_id": moved_by(change["recurrence_id"], segment),
                          "starts_at": change["starts_at"], "ends_at": change["ends_at"], **own}
            segment["data"]["overrides"].append(change)
        return self.bounded(data["rrule"], segments)

    def bounded(self, rule, segments):
        """Each segment's rule: the series' rule from its start, with an UNTIL at its last occurrence
        before the next segment; empty segments dropped. [(split, data)] for series()."""
        all_day = segments[0]["data"]["all_day"]
        parts = recurrence.parse(rule)
        master = recurrence.build(rule, segments[0]["data"]["starts_at"], all_day)
        pieces = []
        for n, segment in enumerate(segments):
            data = segment["data"]
            own = recurrence.build(rule, data["starts_at"], all_day)
            if segment["original"] is not None:
                start = recurrence.as_dtstart(segment["original"], all_day)
                expected = [dt + segment["shift"] for dt in master.xafter(start, count=SAME_PATTERN, inc=True)]
                if list(islice(own, SAME_PATTERN)) != expected:
                    raise Skip(f"its change of all occurrences from {recurrence.describe_start(segment['original'])} "
                               "on (RANGE=THISANDFUTURE) moves them off the days its repeat rule gives")
            if n + 1 < len(segments):
                following = segments[n + 1]["original"]
                cut = following if all_day else following.astimezone(data["starts_at"].tzinfo)
                last = own.before(recurrence.as_dtstart(cut + segment["shift"], all_day))
                if last is None:
                    if data["rdates"] or data["overrides"]:
                        raise Skip("a RANGE=THISANDFUTURE change leaves occurrences before it without their series")
                    continue
                until = last.strftime("%Y%m%d") if all_day else last.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
                data["rrule"] = ";".join(f"{k}={v}" for k, v in {**parts, "UNTIL": until}.items())
            try:
                data["rrule"] = recurrence.normalise(data["rrule"], data["starts_at"], data["timezone"], all_day)
            except recurrence.RuleError as e:
                raise Skip(f"its repeat rule after a RANGE=THISANDFUTURE change: {e}") from None
            pieces.append((segment["original"] if pieces else None, data))
        return pieces

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

    def texts(self, event, master=None, base=None):
        """Title, description, location, link and status; for an override only the title, description
        and location that differ from its master's (or from `base`, texts of the entry it lands in)."""
        description = text(event, "DESCRIPTION")
        url = text(event, "URL").strip()
        title = text(event, "SUMMARY").strip()
        if self.ics.hub_feed:
            description, facts = ical.own_text(description)
            url = facts.get("Link", "")
            if text(event, "STATUS").lower() == "cancelled":
                title = title.removeprefix("Cancelled: ")
        if master is not None or base is not None:
            base = base if base is not None else self.texts(master)
            own = {"title": title[:200], "description": description, "location": text(event, "LOCATION")[:300]}
            return {name: value for name, value in own.items() if value and value.strip() != str(base[name]).strip()}
        try:
            url = web_address(url) if url else None
        except Invalid:
            url = None  # a bad link in someone else's export is not worth refusing the event over
        status = text(event, "STATUS").lower()
        return {"title": title[:200] or "Untitled event", "description": description,
                "location": text(event, "LOCATION")[:300], "url": url,
                "status": status if status in STATUSES else "confirmed"}

    def changes(self, master, overrides, data, times, on_rule, notes, cuts):
        """Overrides as Hub's moved occurrences; cancelled ones become exdates. RANGE=THISANDFUTURE
        (RFC 5545 3.8.4.4) is spread over every later occurrence of a bounded series; on an endless
        one each such override is appended to `cuts` as (original, new times, override VEVENT) and
        left out of the moved occurrences: split() starts a new entry there."""
        moved, anchor, later = {}, times["starts_at"], []
        endless = not {"COUNT", "UNTIL"} & set(recurrence.parse(data["rrule"]))
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
            this_and_future = str(override.get("RECURRENCE-ID").params.get("RANGE", "")).upper() == "THISANDFUTURE"
            if this_and_future and endless:
                cuts.append((original, new, override))
                continue
            moved[self.key(original)] = {"recurrence_id": original, "starts_at": new["starts_at"],
                                         "ends_at": new["ends_at"], **own, "_event": override}
            if this_and_future:
                later.append((original, new, own))
        for original, new, own in reversed(later):  # the latest first: each owns the occurrences after it
            self.this_and_future(data, times, original, new, own, moved)
        return list(moved.values())

    def this_and_future(self, data, times, original, new, own, moved):
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
