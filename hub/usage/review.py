"""The weekly sales–marketing review: one ISO week's figures, taken from the reports that already exist
(hub.usage.analytics, hub.usage.feedback), what the marketing calendar has coming (asked through the
hub.events.upcoming_entries signal: usage does not import the calendar) and the shared weekly goals.

Weeks are ISO 8601 weeks (Monday to Sunday, "2026-W48"), counted in UTC like the adoption report."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import distinct, func, select

from hub import events
from hub.errors import Forbidden, Invalid
from hub.extensions import db
from hub.library.models import CONTENT_TYPES, Collateral, StatusChange
from hub.models import today, utcnow
from hub.usage import analytics, feedback
from hub.usage.models import GOAL_METRICS, ContentRequest, DealUse, WeeklyGoal
from hub.validation import whole_number

WEEK_TEXT = re.compile(r"([0-9]{4})-W([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2999
TOP = 10                 # rows per list on the page, the PDF and the e-mail (the CSV has them all)
TREND_WEEKS = 8          # the goals' and adoption's trend
UNUSED_DAYS = 90
OPEN_REQUESTS = ("open", "planned", "in_progress")

# metric -> (label, "at_least" or "at_most", unit, highest target)
GOALS = {
    "share_opens": ("Prospect opens of shared links", "at_least", "", 1_000_000),
    "deal_items": ("Items used in deals", "at_least", "", 1_000_000),
    "requests_delivered": ("Content requests delivered", "at_least", "", 1_000_000),
    "unused_share": ("Approved items unused for 90 days", "at_most", "%", 100),
    "active_reps": ("Active reps", "at_least", "", 1_000_000),
}
assert tuple(GOALS) == GOAL_METRICS


@dataclass(frozen=True)
class Week:
    """One ISO week, from its Monday."""

    monday: date

    @property
    def label(self):
        """"2026-W48" (ISO 8601 week date, the year being the ISO year)."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def sunday(self):
        return self.monday + timedelta(days=6)

    @property
    def start(self):
        """Monday 00:00 UTC, an aware datetime."""
        return analytics.day_start(self.monday)

    @property
    def end(self):
        """The next Monday 00:00 UTC (exclusive)."""
        return analytics.day_start(self.monday + timedelta(days=7))

    def shifted(self, weeks):
        return Week(self.monday + timedelta(weeks=weeks))

    def __str__(self):
        return self.label


def last_full_week(on=None):
    """The ISO week before the one `on` (a date; default today, UTC) falls in."""
    on = on or today()
    return Week(on - timedelta(days=on.weekday() + 7))


def parse_week(raw, on=None):
    """`raw` ("YYYY-Www", ASCII digits) as a Week; empty or None: the last full week before `on`.

    Raises Invalid (422, field "week") for anything else, with a message that shows the format."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return last_full_week(on)
    found = WEEK_TEXT.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if not found:
        raise Invalid("Week must be written YYYY-Www, for example 2026-W48.", "week")
    year, number = int(found[1]), int(found[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"Week must be in the years {FIRST_YEAR} to {LAST_YEAR}.", "week")
    try:
        return Week(date.fromisocalendar(year, number, 1))
    except ValueError:
        raise Invalid(f"{year} has no week {number} (ISO years have 52 or 53 weeks).", "week") from None


# --- the sections ---------------------------------------------------------------------------------


def period(week):
    return {"start": week.start, "end": week.end, "sort": "views"}


def published(week):
    """Items approved in the week ("Published") and live items changed in it ("Updated"), newest first."""
    approved = dict(db.session.execute(
        select(StatusChange.collateral_id, func.max(StatusChange.created_at))
        .where(StatusChange.to_status == "approved", StatusChange.created_at >= week.start,
               StatusChange.created_at < week.end)
        .group_by(StatusChange.collateral_id)).all())
    items = db.session.scalars(select(Collateral).where(
        Collateral.id.in_(approved) | (Collateral.live_clause() & (Collateral.updated_at >= week.start)
                                       & (Collateral.updated_at < week.end)))).all()
    rows = [{"id": item.id, "title": item.title, "content_type": CONTENT_TYPES.get(item.content_type, item.content_type),
             "change": "Published" if item.id in approved else "Updated",
             "at": analytics.as_utc(approved.get(item.id) or item.updated_at).isoformat()} for item in items]
    rows.sort(key=lambda row: row["at"], reverse=True)
    return {"published": sum(r["change"] == "Published" for r in rows),
            "updated": sum(r["change"] == "Updated" for r in rows), "items": rows}


def coming(user, week):
    """Calendar entries `user` may see in the two weeks after the chosen one."""
    first_on = week.monday + timedelta(days=7)
    last_on = first_on + timedelta(days=13)
    entries = [entry for found in events.collected(events.upcoming_entries.send(user, first_on=first_on,
                                                                                 last_on=last_on))
               for entry in found]
    entries.sort(key=lambda e: (e["starts_on"], e["starts_at"] is not None, e["starts_at"] or utcnow()))
    return {"first_on": first_on.isoformat(), "last_on": last_on.isoformat(),
            "entries": [{**e, "starts_on": e["starts_on"].isoformat(),
                         "starts_at": e["starts_at"].isoformat() if e["starts_at"] else None} for e in entries]}


def open_requests(week):
    """Open requests by votes, and how many were asked for and delivered in the week."""
    rows = [(req, votes) for req, votes in feedback.list_requests() if req.status in OPEN_REQUESTS]
    asked = db.session.scalar(select(func.count()).select_from(ContentRequest).where(
        ContentRequest.created_at >= week.start, ContentRequest.created_at < week.end))
    return {"open": len(rows), "asked": asked, "delivered": requests_delivered(week),
            "items": [{"id": req.id, "title": req.title, "status": req.status_label, "votes": votes,
                       "asked_on": req.created_at.date().isoformat()} for req, votes in rows]}


def requests_delivered(week):
    return db.session.scalar(select(func.count()).select_from(ContentRequest).where(
        ContentRequest.status == "delivered", ContentRequest.status_changed_at >= week.start,
        ContentRequest.status_changed_at < week.end))


def deal_items(week):
    """Distinct items used in deals in the week."""
    return db.session.scalar(select(func.count(distinct(DealUse.collateral_id))).where(
        DealUse.at >= week.start, DealUse.at < week.end))


def unused_share(week):
    """Percent of the approved library nobody used in the 90 days before the week's end (whole number)."""
    return round(analytics.unused(UNUSED_DAYS, until=week.end, limit=0)["unused_share"] * 100)


MEASURES = {
    "share_opens": lambda week: analytics.action_count("share_opened", week.start, week.end),
    "deal_items": deal_items,
    "requests_delivered": requests_delivered,
    "unused_share": unused_share,
    "active_reps": lambda week: analytics.active_reps(week.start, week.end),
}


def trends(week, weeks=TREND_WEEKS):
    """{metric: [{"week", "value"}]} for the `weeks` weeks ending with `week`, oldest first."""
    span = [week.shifted(n - weeks + 1) for n in range(weeks)]
    return {metric: [{"week": w.label, "value": measure(w)} for w in span] for metric, measure in MEASURES.items()}


def goals(trend):
    """Each goal that has a target: the week's figure against it ("met": None without a target)."""
    targets = dict(db.session.execute(select(WeeklyGoal.metric, WeeklyGoal.target)).all())
    out = []
    for metric, (label, direction, unit, _) in GOALS.items():
        actual, target = trend[metric][-1]["value"], targets.get(metric)
        met = None if target is None else actual >= target if direction == "at_least" else actual <= target
        out.append({"metric": metric, "label": label, "direction": direction, "unit": unit, "target": target,
                    "actual": actual, "met": met, "trend": trend[metric]})
    return out


def weekly_review(user, week):
    """Everything the review shows for `week` as `user` sees it (the calendar shows them what they may
    see), as plain JSON-ready data. The lists are whole; the page, PDF and mail show the first TOP."""
    filters = period(week)
    usage = analytics.content_usage(filters)
    searches = analytics.search_insights(filters, limit=100)
    trend = trends(week)
    last = {metric: values[-1]["value"] for metric, values in trend.items()}
    return {
        "week": week.label, "starts_on": week.monday.isoformat(), "ends_on": week.sunday.isoformat(),
        "previous_week": week.shifted(-1).label,
        "next_week": week.shifted(1).label if week.shifted(1).monday <= last_full_week().monday else None,
        "published": published(week),
        "calendar": coming(user, week),
        "most_used": analytics.most_used(usage, len(usage)),
        "best_winning": analytics.best_winning(usage, len(usage)),
        "overall_win_rate": analytics.overall_win_rate(),
        "unused": analytics.unused(UNUSED_DAYS, until=week.end),
        "searches": {"searches": searches["searches"], "zero_result_searches": searches["zero_result_searches"],
                     "queries": searches["zero_result_queries"]},
        "requests": open_requests(week),
        "adoption": {"active_reps": last["active_reps"], "total_reps": analytics.total_reps(),
                     "share_opens": last["share_opens"],
                     "shares": analytics.action_count("share_created", week.start, week.end),
                     "weeks": [{"week": a["week"], "active_reps": a["value"], "share_opens": s["value"]}
                               for a, s in zip(trend["active_reps"], trend["share_opens"], strict=True)]},
        "goals": goals(trend),
    }


# --- goals ----------------------------------------------------------------------------------------


def current_goals():
    """{metric: target} for the metrics that have one."""
    return dict(db.session.execute(select(WeeklyGoal.metric, WeeklyGoal.target)).all())


def set_goals(actor, raw):
    """Set the weekly targets from a form (metric -> text; empty: no goal). Marketing and admins only.

    Checks every field first and raises one Invalid per form naming all of them (`errors` attribute:
    {metric: message}) so nothing is half-stored. Flushes; no commit. Returns {metric: target}."""
    if not actor.is_editor:
        raise Forbidden("Only marketing and admins set the weekly goals.")
    wanted, errors = {}, {}
    for metric, (label, _, unit, high) in GOALS.items():
        value = (raw.get(metric) or "").strip()
        if not value:
            wanted[metric] = None
            continue
        try:
            wanted[metric] = whole_number(value, metric, 0, high,
                                          f"{label}: give a whole number from 0 to {high:,}{unit}.")
        except Invalid as e:
            errors[metric] = e.message
    if errors:
        error = Invalid(" ".join(errors.values()), next(iter(errors)))
        error.errors = errors
        raise error
    rows = {goal.metric: goal for goal in db.session.scalars(select(WeeklyGoal))}
    for metric, target in wanted.items():
        if target is None:
            if metric in rows:
                db.session.delete(rows[metric])
        elif metric in rows:
            rows[metric].target, rows[metric].updated_by_id, rows[metric].updated_at = target, actor.id, utcnow()
        else:
            db.session.add(WeeklyGoal(metric=metric, target=target, updated_by_id=actor.id))
    db.session.flush()
    return {m: t for m, t in wanted.items() if t is not None}
