"""IANA time zones: the names Hub accepts and their rules, 1970 to 15 years ahead, as VTIMEZONE data.

Outlook ignores RDATE lists and Thunderbird reads only their first value, so each rule period is its own
observance: a yearly RRULE with UNTIL while a rule held for two years or more (the one in force at the
horizon has no UNTIL), a single DTSTART for a one-off change (a zone moving its standard offset, changes
tied to religious calendars). The periods come from zoneinfo's own transitions, so a series that began
under an older rule, or runs into an announced change, reads the right offset on every date. Times past
the horizon are written in UTC instead.
"""
import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from hub.units import COMMON_ZONES as COMMON  # noqa: F401 (the calendar's names for the core's lists)
from hub.units import is_zone as is_valid
from hub.units import zone_names as names  # noqa: F401

FIRST_YEAR, YEARS_AHEAD = 1970, 15
YEARS_BACK = 2  # feeds carry a year of the past: their zones start two years back, or at the oldest series
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Observance:
    """One STANDARD or DAYLIGHT block: onset (local, old offset), offsets and a yearly rule or none."""

    kind: str
    onset: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rrule: str | None


@dataclass(frozen=True)
class ZoneRules:
    tzid: str
    valid_from: datetime  # UTC: the rule holds from here...
    valid_until: datetime  # ...to here
    observances: tuple

    def covers(self, instant):
        return self.valid_from <= instant < self.valid_until


STEP = timedelta(days=7)  # tzdata has no two changes of one zone within a week since 1970 (checked for every zone)


@lru_cache(maxsize=65536)
def transitions(zone, year):
    """The instants in a year when the zone's UTC offset changes, with the offsets before and after:
    [(UTC datetime to the second, timedelta before, timedelta after)]. zoneinfo exposes no transition
    list, so the year is probed a week at a time and each change found is narrowed by bisection."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC) - timedelta(seconds=1)  # a change at midnight on 1 January is this year's
    end = datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(seconds=1)
    before = day.astimezone(zone).utcoffset()
    while day < end:
        nxt = min(day + STEP, end)
        if nxt.astimezone(zone).utcoffset() == before:
            day = nxt
            continue
        lo, hi = day, nxt  # binary search to the second
        while hi - lo > timedelta(seconds=1):
            mid = lo + (hi - lo) / 2
            if mid.astimezone(zone).utcoffset() == before:
                lo = mid
            else:
                hi = mid
        hi = hi.replace(microsecond=0)
        after = hi.astimezone(zone).utcoffset()
        found.append((hi, before, after))
        before, day = after, hi
    return found


def byday(local):
    """'2SU' or '-1SU' for the weekday of this date within its month."""
    last = calendar.monthrange(local.year, local.month)[1]
    weekday = WEEKDAYS[local.weekday()]
    if local.day + 7 > last:
        return f"-1{weekday}"
    return f"{(local.day - 1) // 7 + 1}{weekday}"


def onset_name(zone, instant):
    return instant.astimezone(zone).tzname() or ""


@lru_cache(maxsize=512)
def zone_rules(tzid, this_year, first_year):
    """The zone's rules from 1 January of `first_year` (UTC) to the end of `this_year` + YEARS_AHEAD as
    observances, the first one giving the offset at the start; None for UTC or unknown zones."""
    if tzid == "UTC" or not is_valid(tzid):
        return None
    zone = ZoneInfo(tzid)
    last_year = this_year + YEARS_AHEAD
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    first_offset = start.astimezone(zone).utcoffset()
    observances = [Observance("STANDARD", (start + first_offset).replace(tzinfo=None), first_offset, first_offset,
                              onset_name(zone, start), None)]
    changes = [change for year in range(first_year, last_year + 1) for change in transitions(zone, year)]
    observances += periods(zone, changes, last_year)
    observances.sort(key=lambda o: o.onset)
    return ZoneRules(tzid, start, datetime(last_year + 1, 1, 1, tzinfo=UTC), tuple(observances))


def periods(zone, changes, last_year):
    """Observances for a zone's changes: runs of the same yearly change (month, weekday of the month,
    local time, offsets, name) in consecutive years become one RRULE observance with UNTIL at the run's
    last change (none when the run reaches `last_year`); every other change is a single DTSTART."""
    keyed = []
    for instant, before, after in changes:
        onset = (instant + before).replace(tzinfo=None)  # local wall time in the old offset
        name = onset_name(zone, instant)
        keyed.append((onset, instant, before, after, name, (onset.month, byday(onset), onset.time(), before, after, name)))
    index = {}
    for n, item in enumerate(keyed):
        index.setdefault((item[5], item[0].year), []).append(n)
    taken, found = set(), []
    for n, (onset, _, before, after, name, key) in enumerate(keyed):
        if n in taken:
            continue
        run = [n]
        while len(index.get((key, keyed[run[-1]][0].year + 1), ())) == 1:
            run.append(index[(key, keyed[run[-1]][0].year + 1)][0])
        taken.update(run)
        rule = None
        if len(run) > 1:
            rule = f"FREQ=YEARLY;BYMONTH={onset.month};BYDAY={key[1]}"
            if keyed[run[-1]][0].year < last_year:
                # A day past the run's last change: RFC 5545 wants UNTIL in UTC, some readers (dateutil's
                # tzical) compare it with local onsets; either way it keeps the last and stops a year early.
                rule += f";UNTIL={keyed[run[-1]][1] + timedelta(days=1):%Y%m%dT%H%M%SZ}"
        found.append(Observance("DAYLIGHT" if after > before else "STANDARD", onset, before, after, name, rule))
    return found


def rules_for(tzid, on=None, since=None):
    """zone_rules for the current year (or the year of `on`), from YEARS_BACK years before it or the
    year `since` (the oldest series start in the feed), whichever is earlier, but not before FIRST_YEAR."""
    year = (on or date.today()).year
    return zone_rules(tzid, year, max(FIRST_YEAR, min(year - YEARS_BACK, since or year)))
