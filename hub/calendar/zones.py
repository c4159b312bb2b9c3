"""IANA time zones: the names Hub accepts and their current rules as RRULE-based VTIMEZONE data.

Outlook ignores RDATE lists and Thunderbird reads only their first value, so each zone is described
by the yearly rule it follows now, found from zoneinfo's transitions, together with the span of
years in which that rule holds. Times outside the span are written in UTC instead.
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


def transitions(zone, year):
    """The instants in a year when the zone's UTC offset changes, with the offsets before and after."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    before = day.astimezone(zone).utcoffset()
    while day < end:
        nxt = day + timedelta(days=1)
        after = nxt.astimezone(zone).utcoffset()
        if after != before:
            lo, hi = day, nxt  # binary search to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == before:
                    lo = mid
                else:
                    hi = mid
            found.append((hi.replace(microsecond=0), before, after))
            before = after
        day = nxt
    return found


def byday(local):
    """'2SU' or '-1SU' for the weekday of this date within its month."""
    last = calendar.monthrange(local.year, local.month)[1]
    weekday = WEEKDAYS[local.weekday()]
    if local.day + 7 > last:
        return f"-1{weekday}"
    return f"{(local.day - 1) // 7 + 1}{weekday}"


def year_signature(zone, year):
    """What a year's transitions look like as yearly rules, comparable between years."""
    changes = transitions(zone, year)
    if not changes:
        return ("fixed", datetime(year, 6, 1, tzinfo=UTC).astimezone(zone).utcoffset())
    if len(changes) != 2:
        return None  # a one-off change: no yearly rule describes it
    sig = []
    for instant, before, after in changes:
        onset = (instant + before).replace(tzinfo=None)  # local wall time in the old offset
        sig.append((onset.month, byday(onset), onset.time(), before, after))
    return ("rules", tuple(sig))


def onset_name(zone, instant):
    return instant.astimezone(zone).tzname() or ""


@lru_cache(maxsize=512)
def zone_rules(tzid, this_year):
    """The zone's current yearly rules and the years they hold for; None for UTC or unknown zones."""
    if tzid == "UTC" or not is_valid(tzid):
        return None
    zone = ZoneInfo(tzid)
    current = year_signature(zone, this_year)
    if current is None:
        return None
    first = this_year
    while first > FIRST_YEAR and year_signature(zone, first - 1) == current:
        first -= 1
    last = this_year
    while last < this_year + YEARS_AHEAD and year_signature(zone, last + 1) == current:
        last += 1
    valid_from = datetime(first, 1, 1, tzinfo=UTC)
    valid_until = datetime(last + 1, 1, 1, tzinfo=UTC)
    if current[0] == "fixed":
        offset = current[1]
        observance = Observance("STANDARD", datetime(first, 1, 1), offset, offset,
                                onset_name(zone, datetime(this_year, 6, 1, tzinfo=UTC)), None)
        return ZoneRules(tzid, valid_from, valid_until, (observance,))
    observances = []
    offsets = [after for _, _, after in transitions(zone, first)]
    for instant, before, after in transitions(zone, first):
        onset = (instant + before).replace(tzinfo=None)
        # The larger offset is "daylight", even where tzdata calls winter time negative DST (Dublin).
        kind = "DAYLIGHT" if after == max(offsets) else "STANDARD"
        rule = f"FREQ=YEARLY;BYMONTH={onset.month};BYDAY={byday(onset)}"
        if last < this_year + YEARS_AHEAD:
            until = transitions(zone, last)[[t[2] for t in transitions(zone, last)].index(after)][0]
            rule += f";UNTIL={until:%Y%m%dT%H%M%SZ}"
        observances.append(Observance(kind, onset, before, after, onset_name(zone, instant), rule))
    observances.sort(key=lambda o: o.kind != "STANDARD")
    return ZoneRules(tzid, valid_from, valid_until, tuple(observances))


def rules_for(tzid, on=None):
    """zone_rules for the current year (or the year of `on`)."""
    return zone_rules(tzid, (on or date.today()).year)
