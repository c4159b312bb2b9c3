"""What a prospect looked at in a pitch (issue 14): the pages of each item they were shown and the
time each item was in view, for the rep's /shares page and the API.

Pages seen: each page image the viewer showed is recorded once per pitch item (the viewer's
look-ahead fetch, marked `ahead=1`, is not). Time: the prospect's browser reports whole seconds the
item page was visible; one report holds 1 to MAX_REPORT_SECONDS. A report is a claim from an
unauthenticated client, so per pitch item and trailing WINDOW_MINUTES at most WINDOW_REPORTS reports
and WINDOW_SECONDS seconds are kept (as if three people read it side by side the whole time); a
report past the seconds budget is cut to what is left, and one with nothing left is refused.
"""
from datetime import timedelta

from sqlalchemy import func, insert, select

from hub.errors import ApiError
from hub.extensions import db
from hub.library import previews
from hub.models import utcnow
from hub.transactions import write_aside
from hub.usage.models import PitchOpen
from hub.usage.services import client_description
from hub.validation import whole_number

MAX_REPORT_SECONDS = 300
WINDOW_MINUTES = 10
WINDOW_SECONDS = 3 * WINDOW_MINUTES * 60
WINDOW_REPORTS = 60


class TooManyReports(ApiError):
    """The pitch item's time budget for the window is spent."""

    def __init__(self):
        super().__init__(429, "too_many_reports", "Viewing time for this item is already counted; try again later.")


def clean_seconds(value):
    """Whole seconds from a report (a str or int) in 1..MAX_REPORT_SECONDS (hub.validation.whole_number);
    raises Invalid (422) otherwise."""
    return whole_number(value, "seconds", 1, MAX_REPORT_SECONDS, f"Report whole seconds from 1 to {MAX_REPORT_SECONDS}.")


def record_page_seen(pitch, item, number):
    """Note that page `number` (1-based, already served) of `item` was shown to the pitch's prospect.
    Only the first showing of each page is written (aside, never failing the image); returns whether
    a row was written."""
    seen = db.session.scalar(select(PitchOpen.id).where(
        PitchOpen.pitch_id == pitch.id, PitchOpen.collateral_id == item.id, PitchOpen.kind == "page_seen",
        PitchOpen.page_number == number).limit(1))
    if seen is not None:
        return False
    return write_aside(insert(PitchOpen).values(pitch_id=pitch.id, collateral_id=item.id, kind="page_seen",
                                                page_number=number, client="", at=utcnow()),
                       f"page {number} seen for pitch {pitch.id}")


def record_time(pitch, item, seconds, user_agent):
    """Keep a report of `seconds` (int, 1..MAX_REPORT_SECONDS) the item page was in view, cut to the
    pitch item's budget for the trailing window; returns the seconds kept (int > 0). Raises
    TooManyReports (429) when the window's reports or seconds are spent. Written aside."""
    since = utcnow() - timedelta(minutes=WINDOW_MINUTES)
    reports, spent = db.session.execute(select(func.count(), func.coalesce(func.sum(PitchOpen.seconds), 0)).where(
        PitchOpen.pitch_id == pitch.id, PitchOpen.collateral_id == item.id, PitchOpen.kind == "time",
        PitchOpen.at >= since)).one()
    kept = min(seconds, WINDOW_SECONDS - int(spent))
    if reports >= WINDOW_REPORTS or kept < 1:
        raise TooManyReports()
    write_aside(insert(PitchOpen).values(pitch_id=pitch.id, collateral_id=item.id, kind="time", seconds=kept,
                                         client=client_description(user_agent), at=utcnow()),
                f"{kept} s viewed for pitch {pitch.id}")
    return kept


def attention(pitch_ids):
    """{pitch id: {item id: {"seconds": total int, "pages": sorted distinct page numbers}}} for the
    given pitch ids; items with neither are left out."""
    if not pitch_ids:
        return {}
    rows = db.session.execute(
        select(PitchOpen.pitch_id, PitchOpen.collateral_id, PitchOpen.kind, PitchOpen.page_number,
               func.sum(PitchOpen.seconds))
        .where(PitchOpen.pitch_id.in_(pitch_ids), PitchOpen.collateral_id.is_not(None),
               PitchOpen.kind.in_(("page_seen", "time")))
        .group_by(PitchOpen.pitch_id, PitchOpen.collateral_id, PitchOpen.kind, PitchOpen.page_number)).all()
    out = {}
    for pitch_id, item_id, kind, number, seconds in rows:
        entry = out.setdefault(pitch_id, {}).setdefault(item_id, {"seconds": 0, "pages": []})
        if kind == "time":
            entry["seconds"] += int(seconds or 0)
        else:
            entry["pages"].append(number)
    for items in out.values():
        for entry in items.values():
            entry["pages"].sort()
    return out


def attention_of(pitches):
    """attention() for Pitch objects, each item with what it has also `page_count` (int, the pages
    its viewer has now; 0 when it has none), `time_label` and `pages_label` (str, for people)."""
    found = attention([p.id for p in pitches])
    versions = {entry.collateral_id: entry.collateral.current_version for p in pitches for entry in p.entries}
    for items in found.values():
        for item_id, entry in items.items():
            entry["page_count"] = previews.page_count(versions.get(item_id)) if entry["pages"] else 0
            entry["time_label"] = time_label(entry["seconds"])
            entry["pages_label"] = pages_label(entry["pages"], entry["page_count"])
    return found


def time_label(seconds):
    """Seconds (int) as people say them: "no time in view", "40 s", "4 min 10 s", "1 h 5 min"."""
    if seconds < 1:
        return "no time in view"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def page_ranges(numbers):
    """Sorted distinct page numbers as runs: [1, 2, 3, 5, 9, 10] -> "1–3, 5, 9–10"."""
    runs = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)


def pages_label(numbers, total):
    """Pages seen (sorted distinct numbers) out of `total` (0: unknown), e.g. "saw pages 1–5, 9 of 12",
    "saw all 12 pages", "saw page 1 of 2", "no pages seen"."""
    if not numbers:
        return "no pages seen"
    if total and len(numbers) >= total:
        return "saw the only page" if total == 1 else f"saw all {total} pages"
    word = "page" if len(numbers) == 1 else "pages"
    return f"saw {word} {page_ranges(numbers)}" + (f" of {total}" if total else "")
