"""How dates and times read on the calendar pages: in the viewer's time zone, with an entry's own
local time and zone beside it when it is somewhere else ("10:00 New York · 16:00 your time"),
and the week's hourly grid."""
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

SLOT_MINUTES = 30  # the week grid's row height; static/css/calendar.css has a class per row (CSP: no style="")
SLOTS = 24 * 60 // SLOT_MINUTES
LANES = 4  # side-by-side columns for overlapping entries in one day; more share the last


def day_label(day, year=False):
    """'Tue 14 Apr' (or 'Tue 14 Apr 2026')."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def clock(value):
    return f"{value:%H:%M}"


def chip_time(occ, day):
    """What a day cell shows before the title: the start time, or nothing for all-day."""
    if not isinstance(occ.start, datetime):
        return ""
    if occ.start.date() == day:
        return clock(occ.start)
    return "cont." if occ.days[0] != day else ""


def span_label(occ, year=True, zone=None):
    """'Tue 14 Apr 2026, 09:00–10:00 EDT', '14–16 Apr 2026 (all day)'; `zone` names the zone
    instead of its abbreviation."""
    start, end = occ.start, occ.end
    if not isinstance(start, datetime):
        if start == end:
            return f"{day_label(start, year)} (all day)"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%a} {start.day}–{end:%a} {end.day} {end:%b}" + (f" {end.year}" if year else "") + " (all days)"
        return f"{day_label(start)} – {day_label(end, year)} (all days)"
    if start.date() == end.date():
        return f"{day_label(start.date(), year)}, {clock(start)}–{clock(end)} {zone or start.tzname()}"
    return f"{day_label(start.date())} {clock(start)} – {day_label(end.date(), year)} {clock(end)} {zone or end.tzname()}"


def place(zone_name):
    """How a zone reads after a time: 'New York' for America/New_York, 'UTC' for UTC."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def elsewhere(occ):
    """True when a timed occurrence seen from the viewer's zone (recurrence.in_zone) shows another
    clock time where the entry is: then pages give both."""
    return bool(occ.home) and occ.home[0].utcoffset() != occ.start.utcoffset()


def yours(occ):
    """The viewer's side of `when`: '16:00–17:00 your time', with the day when it differs from the entry's."""
    start, end = occ.start, occ.end
    if start.date() != end.date():
        return f"{day_label(start.date())} {clock(start)} – {day_label(end.date())} {clock(end)} your time"
    day = f"{day_label(start.date())}, " if start.date() != occ.home[0].date() else ""
    return f"{day}{clock(start)}–{clock(end)} your time"


def when(occ, year=True):
    """The occurrence in words for the viewer: span_label in their zone, or, for an entry elsewhere,
    'Tue 14 Apr 2026, 10:00–11:00 New York · 16:00–17:00 your time'."""
    if not elsewhere(occ):
        return span_label(occ, year)
    home = replace(occ, start=occ.home[0], end=occ.home[1])
    return f"{span_label(home, year, place(occ.entry.timezone))} · {yours(occ)}"


def home_clock(occ):
    """'10:00 New York' for an entry elsewhere, else ''."""
    return f"{clock(occ.home[0])} {place(occ.entry.timezone)}" if elsewhere(occ) else ""


def utc_label(occ):
    """'13:00–14:00 UTC' for timed occurrences not already in UTC, else ''."""
    if not isinstance(occ.start, datetime) or occ.start.utcoffset().total_seconds() == 0:
        return ""
    start, end = occ.start.astimezone(UTC), occ.end.astimezone(UTC)
    if start.date() == end.date():
        return f"{day_label(start.date())}, {clock(start)}–{clock(end)} UTC"
    return f"{day_label(start.date())} {clock(start)} – {day_label(end.date())} {clock(end)} UTC"


def week_grid(occurrences, start):
    """Lay out a week from Monday `start` for the hourly grid.

    Returns (band, days): band is [(occurrence, first day shown, its column 0-6, columns spanned)] for all-day and
    multi-day entries, which span their days above the hours; days is [(date, [(occurrence, first slot,
    end slot, lane)])] for the rest, slots being SLOT_MINUTES long from midnight (end exclusive) and
    lanes 0..LANES-1 setting overlapping entries side by side. Occurrences are in the viewer's zone."""
    last = start + timedelta(days=6)
    band, timed = [], {start + timedelta(days=n): [] for n in range(7)}
    for occ in occurrences:
        days = occ.days
        if not isinstance(occ.start, datetime) or len(days) > 1:
            first = max(days[0], start)
            band.append((occ, first, (first - start).days, (min(days[-1], last) - first).days + 1))
        elif days[0] in timed:
            timed[days[0]].append(occ)
    return band, [(day, lanes(occs)) for day, occs in timed.items()]


def lanes(occurrences):
    """[(occurrence, first slot, end slot, lane)] for one day's timed occurrences, in start order."""
    placed, ends = [], []  # ends[lane]: the end slot of the last entry in that lane
    for occ in sorted(occurrences, key=lambda o: o.start):
        first = (occ.start.hour * 60 + occ.start.minute) // SLOT_MINUTES
        minutes = (occ.end - occ.start.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() / 60
        last = min(SLOTS, max(first + 1, -(-int(minutes) // SLOT_MINUTES)))
        lane = next((n for n, end in enumerate(ends) if end <= first), len(ends))
        if lane < len(ends):
            ends[lane] = last
        elif lane < LANES:
            ends.append(last)
        else:
            lane = LANES - 1
            ends[lane] = max(ends[lane], last)
        placed.append((occ, first, last, lane))
    return placed


def iso(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else ""


HELPERS = {"day_label": day_label, "chip_time": chip_time, "span_label": span_label, "utc_label": utc_label,
           "iso": iso, "clock": clock, "when": when, "home_clock": home_clock, "place": place, "SLOTS": SLOTS}
