"""Reports: every figure is a GROUP BY in the database over indexed columns; no events are loaded into Python."""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, select

from hub.auth.models import User
from hub.auth.services import clean_team, list_teams
from hub.errors import Invalid
from hub.extensions import db
from hub.library.models import CONTENT_TYPES, Collateral, Stage, collateral_stages
from hub.models import today, utcnow
from hub.usage.models import DealUse, Opportunity, Rating, UsageEvent
from hub.validation import day, filter_value, whole_number

E = UsageEvent
COUNTED = {"views": "view", "previews": "preview", "downloads": "download", "shares": "share_created",
           "share_opens": "share_opened", "deal_events": "used_in_deal"}
USED = ("view", "preview", "download", "share_created")  # "viewed, downloaded or shared"
SORTS = ("views", "downloads", "shares", "share_opens", "deals", "unique_users", "rating", "win_rate", "title")


# --- filters ------------------------------------------------------------------------------------


def day_start(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def clean_range(raw):
    """from/to (YYYY-MM-DD, inclusive) as a half-open [start, end) of datetimes; None for open ends."""
    start_on = day(raw.get("from"), "from")
    end_on = day(raw.get("to"), "to")
    if start_on and end_on and end_on < start_on:
        raise Invalid("The end date is before the start date.", "to")
    return (day_start(start_on) if start_on else None,
            day_start(end_on + timedelta(days=1)) if end_on else None)


def clean_filters(raw):
    """Date range, stage, content type, product and team (User.team of the people who used the items)."""
    start, end = clean_range(raw)
    out = {"start": start, "end": end}
    stage = filter_value(raw.get("stage"))
    if stage:
        if db.session.scalar(select(Stage.id).where(Stage.slug == stage)) is None:
            raise Invalid(f"Unknown stage {stage!r}.", "stage")
        out["stage"] = stage
    content_type = (raw.get("content_type") or raw.get("type") or "").strip()
    if content_type:
        if content_type not in CONTENT_TYPES:
            raise Invalid(f"Content type must be one of: {', '.join(CONTENT_TYPES.values())}.", "content_type")
        out["content_type"] = content_type
    product = filter_value(raw.get("product"))
    if product:
        out["product"] = product
    team = clean_team(raw.get("team"))
    if team:
        # Like an unknown stage: a typo must not pass for a team that used nothing.
        if team not in list_teams():
            raise Invalid(f"Unknown team {team!r}.", "team")
        out["team"] = team
    sort = (raw.get("sort") or "views").strip()
    if sort not in SORTS:
        raise Invalid(f"Sort by one of: {', '.join(s.replace('_', ' ') for s in SORTS)}.", "sort")
    out["sort"] = sort
    return out


def in_range(column, start, end):
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return and_(True, *conditions)


def item_conditions(filters):
    conditions = []
    if filters.get("stage"):
        conditions.append(Collateral.stages.any(Stage.slug == filters["stage"]))
    if filters.get("content_type"):
        conditions.append(Collateral.content_type == filters["content_type"])
    if filters.get("product"):
        conditions.append(Collateral.product == filters["product"])
    return conditions


# --- content usage ------------------------------------------------------------------------------


def event_counts(filters):
    """Per item: views, downloads, shares, prospect opens, unique people, in one grouped scan."""
    sums = [func.sum(case((E.action == action, 1), else_=0)).label(name) for name, action in COUNTED.items()]
    query = (select(E.collateral_id.label("cid"), *sums, func.count(distinct(E.user_id)).label("unique_users"))
             .where(E.collateral_id.is_not(None), E.action.in_(tuple(COUNTED.values())),
                    in_range(E.at, filters.get("start"), filters.get("end")))
             .group_by(E.collateral_id))
    if filters.get("team"):
        query = query.where(E.user_id.in_(select(User.id).where(User.team == filters["team"])))
    return query


def deal_counts(filters):
    """Per item: opportunities used in, and how many of those were won and lost."""
    opp = Opportunity
    query = (select(DealUse.collateral_id.label("cid"),
                    func.count(distinct(DealUse.opportunity_id)).label("deals"),
                    func.count(distinct(case((opp.outcome == "won", opp.id)))).label("won"),
                    func.count(distinct(case((opp.outcome == "lost", opp.id)))).label("lost"))
             .join(opp, opp.id == DealUse.opportunity_id)
             .where(in_range(DealUse.at, filters.get("start"), filters.get("end")))
             .group_by(DealUse.collateral_id))
    if filters.get("team"):
        query = query.where(DealUse.user_id.in_(select(User.id).where(User.team == filters["team"])))
    return query


def win_rate(won, lost):
    return round(won / (won + lost), 3) if won + lost else None


def overall_win_rate():
    """Won out of closed, over every opportunity."""
    won, lost = db.session.execute(select(
        func.coalesce(func.sum(case((Opportunity.outcome == "won", 1), else_=0)), 0),
        func.coalesce(func.sum(case((Opportunity.outcome == "lost", 1), else_=0)), 0))).one()
    return win_rate(int(won), int(lost))


def content_usage(filters):
    """One row per non-draft item matching the filters, with counts named as in the report."""
    counts = event_counts(filters).subquery()
    deals = deal_counts(filters).subquery()
    ratings = (select(Rating.collateral_id.label("cid"), func.avg(Rating.stars).label("rating"),
                      func.count().label("ratings")).group_by(Rating.collateral_id).subquery())
    zero = lambda col: func.coalesce(col, 0)
    query = (select(Collateral.id, Collateral.title, Collateral.content_type, Collateral.product, Collateral.status,
                    *[zero(counts.c[name]).label(name) for name in COUNTED], zero(counts.c.unique_users).label("unique_users"),
                    zero(deals.c.deals).label("deals"), zero(deals.c.won).label("won"), zero(deals.c.lost).label("lost"),
                    ratings.c.rating, zero(ratings.c.ratings).label("ratings"))
             .outerjoin(counts, counts.c.cid == Collateral.id)
             .outerjoin(deals, deals.c.cid == Collateral.id)
             .outerjoin(ratings, ratings.c.cid == Collateral.id)
             .where(Collateral.status != "draft", *item_conditions(filters)))
    rows = []
    for r in db.session.execute(query).mappings():
        rows.append({
            "id": r["id"], "title": r["title"], "content_type": r["content_type"], "product": r["product"] or None,
            "status": r["status"], "views": int(r["views"]), "previews": int(r["previews"]),
            "downloads": int(r["downloads"]), "shares": int(r["shares"]), "share_opens": int(r["share_opens"]),
            "deals": int(r["deals"]), "unique_users": int(r["unique_users"]),
            "rating": round(float(r["rating"]), 2) if r["rating"] is not None else None, "ratings": int(r["ratings"]),
            "win_rate": win_rate(int(r["won"]), int(r["lost"])),
        })
    key = filters.get("sort", "views")
    if key == "title":
        rows.sort(key=lambda row: row["title"].lower())
    else:
        rows.sort(key=lambda row: (row[key] is not None, row[key] or 0, row["views"]), reverse=True)
    return rows


# --- unused content -----------------------------------------------------------------------------


def clean_days(raw, default=90):
    return whole_number(default if raw in (None, "") else raw, "days", 1, 3650)


def unused(days=90, until=None, limit=None):
    """Approved, unexpired items nobody viewed, previewed, downloaded or shared in the `days` days
    before `until` (an aware datetime; default now). `limit` caps the listed items, not the counts."""
    until = until or utcnow()
    since = until - timedelta(days=days)
    used_recently = (select(E.id).where(E.collateral_id == Collateral.id, E.action.in_(USED), E.at >= since,
                                        E.at < until)
                     .exists())
    last_used = (select(func.max(E.at)).where(E.collateral_id == Collateral.id, E.action.in_(USED))
                 .correlate(Collateral).scalar_subquery())
    live = Collateral.live_clause()
    approved_total = db.session.scalar(select(func.count()).select_from(Collateral).where(live))
    rows = db.session.execute(
        select(Collateral.id, Collateral.title, Collateral.content_type, Collateral.product, Collateral.created_at,
               last_used.label("last_used_at"))
        .where(live, ~used_recently).order_by(Collateral.created_at, Collateral.id)
    ).all()
    unused_total = len(rows)
    rows = rows[:limit] if limit is not None else rows
    items = [{"id": r.id, "title": r.title, "content_type": r.content_type, "product": r.product or None,
              "created_at": r.created_at.isoformat(),
              "last_used_at": as_utc(r.last_used_at).isoformat() if r.last_used_at else None} for r in rows]
    return {"days": days, "approved_total": approved_total, "unused_total": unused_total,
            "unused_share": round(unused_total / approved_total, 3) if approved_total else 0.0, "items": items}


def as_utc(value):
    """Aggregates skip the column type: SQLite gives text, PostgreSQL a naive datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# --- funnel coverage ----------------------------------------------------------------------------


def stage_coverage(filters):
    """Per stage: approved items, their views/downloads/shares, and searches in the stage that found nothing."""
    link = collateral_stages.c
    live_counts = dict(db.session.execute(
        select(link.stage_id, func.count()).join(Collateral, Collateral.id == link.collateral_id)
        .where(Collateral.live_clause()).group_by(link.stage_id)).all())
    counts = event_counts({**filters, "team": None}).subquery()
    usage = {r.stage_id: r for r in db.session.execute(
        select(link.stage_id, func.sum(counts.c.views).label("views"), func.sum(counts.c.downloads).label("downloads"),
               func.sum(counts.c.shares).label("shares"))
        .join(counts, counts.c.cid == link.collateral_id).group_by(link.stage_id))}
    zero = dict(db.session.execute(
        select(E.stage, func.count()).where(E.action == "search", E.result_count == 0, E.stage != "",
                                            in_range(E.at, filters.get("start"), filters.get("end")))
        .group_by(E.stage)).all())
    out = []
    for stage in db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)):
        row = usage.get(stage.id)
        out.append({"slug": stage.slug, "name": stage.name, "approved_items": live_counts.get(stage.id, 0),
                    "views": int(row.views or 0) if row else 0, "downloads": int(row.downloads or 0) if row else 0,
                    "shares": int(row.shares or 0) if row else 0, "zero_result_searches": zero.get(stage.slug, 0)})
    return out


# --- search insights ----------------------------------------------------------------------------


def search_insights(filters, limit=20):
    """Top queries, queries that found nothing, and queries whose results nobody opened."""
    period = in_range(E.at, filters.get("start"), filters.get("end"))
    searches = (E.action == "search", E.query != "", period)

    def grouped(*conditions):
        return [{"query": q, "searches": n, "avg_results": round(float(avg or 0), 1)} for q, n, avg in db.session.execute(
            select(E.query, func.count(), func.avg(E.result_count)).where(*searches, *conditions)
            .group_by(E.query).order_by(func.count().desc(), E.query).limit(limit))]

    clicked = select(E.query).where(E.action == "search_click", E.query != "", period)
    total, zero = db.session.execute(select(func.count(), func.coalesce(func.sum(case((E.result_count == 0, 1), else_=0)), 0))
                                     .where(*searches)).one()
    return {"searches": total, "zero_result_searches": int(zero), "top_queries": grouped(),
            "zero_result_queries": grouped(E.result_count == 0),
            "unopened_queries": grouped(E.result_count > 0, E.query.not_in(clicked))}


# --- adoption -----------------------------------------------------------------------------------


def clean_weeks(raw, default=12):
    """How many weeks of adoption to show: 1 to 104."""
    return whole_number(default if raw in (None, "") else raw, "weeks", 1, 104)


def adoption(weeks=12):
    """Active reps per week (Monday to Sunday, UTC), reps in all, and calendar feed subscribers."""
    start = today() - timedelta(days=today().weekday() + 7 * (weeks - 1))
    series = []
    for n in range(weeks):
        week_on = start + timedelta(weeks=n)
        active = active_reps(day_start(week_on), day_start(week_on + timedelta(days=7)))
        series.append({"week": week_on.isoformat(), "active_reps": active})
    return {"weeks": series, "total_reps": total_reps(), **calendar_adoption()}


def active_reps(start, end):
    """How many sales reps did anything in [start, end) (aware datetimes)."""
    reps = select(User.id).where(User.role == "sales")
    return db.session.scalar(select(func.count(distinct(E.user_id))).where(
        E.at >= start, E.at < end, E.user_id.in_(reps),
        E.action != "calendar_fetch"))  # a calendar app polling is not the rep at work


def total_reps():
    """Active sales accounts today."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "sales", User.active))


def action_count(action, start, end):
    """How many usage events of `action` (one of models.ACTIONS) happened in [start, end)."""
    return db.session.scalar(select(func.count()).select_from(E).where(E.action == action, E.at >= start, E.at < end))


def calendar_adoption(limit=50):
    """Who polls a calendar feed and when they last did, from the `calendar_fetch` usage events."""
    polls = and_(E.action == "calendar_fetch", E.user_id.is_not(None))
    rows = db.session.execute(
        select(User.name, User.role, func.count(), func.max(E.at).label("last"))
        .join(User, User.id == E.user_id).where(polls).group_by(User.id, User.name, User.role)
        .order_by(func.max(E.at).desc()).limit(limit)).all()
    total, last = db.session.execute(select(func.count(distinct(E.user_id)), func.max(E.at)).where(polls)).one()
    return {"calendar_subscribers": total, "last_poll_at": as_utc(last).isoformat() if last else None,
            "subscribers": [{"name": r.name, "role": r.role, "polls": r[2], "last_poll_at": as_utc(r.last).isoformat()}
                            for r in rows]}


# --- what reps say ------------------------------------------------------------------------------


def rating_comments(start=None, end=None, limit=50):
    """The latest ratings that carry a comment, rated (or re-rated) in [start, end), newest first."""
    rows = db.session.execute(
        select(Rating.collateral_id, Collateral.title, Rating.stars, Rating.comment, User.name, Rating.updated_at)
        .join(Collateral, Collateral.id == Rating.collateral_id)
        .outerjoin(User, User.id == Rating.user_id)  # a deleted person leaves the rating without a user
        .where(Rating.comment != "", in_range(Rating.updated_at, start, end))
        .order_by(Rating.updated_at.desc(), Rating.id.desc()).limit(limit))
    return [{"collateral_id": r.collateral_id, "title": r.title, "stars": r.stars, "comment": r.comment,
             "user": r.name, "rated_at": as_utc(r.updated_at).isoformat()} for r in rows]


# --- trends -------------------------------------------------------------------------------------


def daily_trend(days=90):
    """Views, downloads, shares and prospect opens per day for the last `days` days, for the chart."""
    first = today() - timedelta(days=days - 1)
    wanted = ("view", "download", "share_created", "share_opened")
    day = func.date(E.at)
    counts = {}
    for on, action, n in db.session.execute(
            select(day, E.action, func.count()).where(E.action.in_(wanted), E.at >= day_start(first))
            .group_by(day, E.action)):
        counts[(str(on)[:10], action)] = n
    labels = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    return {"labels": labels, "series": {action: [counts.get((d, action), 0) for d in labels] for action in wanted}}


def most_used(rows, limit=8):
    """The content_usage rows that were viewed, downloaded or shared, in the rows' order (most viewed)."""
    return [r for r in rows if r["views"] or r["downloads"] or r["shares"]][:limit]


def best_winning(rows, limit=8):
    """The content_usage rows with a win rate (closed deals), best rate first, then most deals."""
    return sorted((r for r in rows if r["win_rate"] is not None and r["deals"] >= 1),
                  key=lambda r: (r["win_rate"], r["deals"]), reverse=True)[:limit]


def dashboard(days=90):
    """The headline figures: unused share, what is working (most used and best win rates), the trend."""
    since = {"start": day_start(today() - timedelta(days=days - 1)), "end": None, "sort": "views"}
    rows = content_usage(since)
    return {"since_on": since["start"].date().isoformat(), "unused": unused(days),
            "top": most_used(rows), "winners": best_winning(rows), "overall_win_rate": overall_win_rate(),
            "stages": stage_coverage(since), "trend": daily_trend(min(days, 90)), "adoption": adoption(12)}
