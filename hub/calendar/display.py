"""How dates and times read on the calendar pages: each entry in its own time zone, named."""
from datetime import UTC, date, datetime


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


def span_label(occ, year=True):
    """'Tue 14 Apr 2026, 09:00–10:00 EDT', '14–16 Apr 2026 (all day)'."""
    start, end = occ.start, occ.end
    if not isinstance(start, datetime):
        if start == end:
            return f"{day_label(start, year)} (all day)"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%a} {start.day}–{end:%a} {end.day} {end:%b}" + (f" {end.year}" if year else "") + " (all days)"
        return f"{day_label(start)} – {day_label(end, year)} (all days)"
    zone = start.tzname()
    if start.date() == end.date():
        return f"{day_label(start.date(), year)}, {clock(start)}–{clock(end)} {zone}"
    return f"{day_label(start.date())} {clock(start)} – {day_label(end.date(), year)} {clock(end)} {end.tzname()}"


def utc_label(occ):
    """'13:00–14:00 UTC' for timed occurrences not already in UTC, else ''."""
    if not isinstance(occ.start, datetime) or occ.start.utcoffset().total_seconds() == 0:
        return ""
    start, end = occ.start.astimezone(UTC), occ.end.astimezone(UTC)
    if start.date() == end.date():
        return f"{day_label(start.date())}, {clock(start)}–{clock(end)} UTC"
    return f"{day_label(start.date())} {clock(start)} – {day_label(end.date())} {clock(end)} UTC"


def iso(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else ""


HELPERS = {"day_label": day_label, "chip_time": chip_time, "span_label": span_label, "utc_label": utc_label,
           "iso": iso, "clock": clock}
