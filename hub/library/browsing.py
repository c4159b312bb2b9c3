"""What each user sees of the library and how it is browsed: visibility, filters, the pages' lists,
kept counts and facets, the approval queue and expiry lists."""
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, literal, or_, select, union_all

from hub import validation
from hub.errors import Invalid, NotFound
from hub.extensions import db
from hub.library.funnel import list_stages
from hub.library.models import (
    CONTENT_TYPES,
    STATUSES,
    Collateral,
    FileVersion,
    Stage,
    StatusChange,
    collateral_stages,
    library_version,
)
from hub.library.rules import CONTENT_TYPE_RULE
from hub.models import today

FACETS = ("content_type", "product", "industry", "persona")


def visible_query(user):
    """Items this user may see: everything for editors, approved and unexpired for reps."""
    query = select(Collateral)
    if not user.is_editor:
        query = query.where(Collateral.live_clause())
    return query


def get_item(user, item_id):
    """One item, or NotFound when it does not exist or the user may not see it."""
    item = db.session.get(Collateral, item_id)
    if item is None or (not user.is_editor and not item.is_live):
        raise NotFound("No such collateral item.")
    return item


def filtered_query(user, filters):
    """The visible items narrowed by stage, status, type, product, industry and persona."""
    filters = {k: validation.filter_value(v) if isinstance(v, str) else v for k, v in filters.items()}
    query = visible_query(user)
    if filters.get("stage"):
        stage = db.session.scalar(select(Stage).where(Stage.slug == filters["stage"]))
        if stage is None:
            raise Invalid(f"Unknown stage {filters['stage']!r}.", "stage")
        query = query.where(Collateral.stages.any(Stage.id == stage.id))
    if filters.get("status"):
        if filters["status"] not in STATUSES:
            raise Invalid(f"Status must be one of: {', '.join(STATUSES.values())}.", "status")
        query = query.where(Collateral.status == filters["status"])
    if filters.get("content_type"):
        if filters["content_type"] not in CONTENT_TYPES:  # always a query-string value here
            raise Invalid(CONTENT_TYPE_RULE, "content_type")
        query = query.where(Collateral.content_type == filters["content_type"])
    for field in ("product", "industry", "persona"):
        if filters.get(field):
            query = query.where(getattr(Collateral, field) == filters[field])
    return query


class Kept:
    """Counts and facet values by library version, in this process: the pages' answers that would
    otherwise scan every item on each request. Keys carry the version (see models.LibraryState), the
    date (items expire by date), whether the reader is an editor, and the filters, so a kept answer
    is the answer a fresh query would give. Least recently used out beyond ``size`` answers."""

    def __init__(self, size=512):
        self.size = size
        self.answers = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, compute):
        with self.lock:
            if key in self.answers:
                self.answers.move_to_end(key)
                return self.answers[key]
        answer = compute()
        with self.lock:
            self.answers[key] = answer
            while len(self.answers) > self.size:
                self.answers.popitem(last=False)
        return answer


def kept(what, user, filters, compute):
    """``compute()``, or its answer kept from an earlier request at the same library version.

    what: a name for the answer ('stage counts', 'facets'…); filters: the dict the answer depends on.
    Before anything was written (no version yet) nothing is kept."""
    version = library_version(db.session)
    if version is None:
        return compute()
    key = (what, version, today(), user.is_editor, tuple(sorted((k, v) for k, v in filters.items() if v)))
    return current_app.extensions.setdefault("hub.library_kept", Kept()).get(key, compute)


def list_items(user, filters, page=1, per_page=25):
    """One page of visible items, newest first, and the total."""
    query = filtered_query(user, filters)
    total = kept("total", user, filters, lambda: db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())))
    rows = db.session.scalars(
        query.order_by(Collateral.updated_at.desc(), Collateral.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return rows, total


def items_by_stage(user, filters, per_stage=8):
    """The library home: [(Stage, [Collateral, ...], count)] for every stage in order, each with its
    `per_stage` newest visible items (updated_at, then id, descending) and how many it holds.

    The newest of every stage come from one statement, a UNION ALL of one ``ORDER BY ... LIMIT``
    per stage (each walks the ordering index and stops: the cost does not grow with the library),
    and the items are loaded once with their stages and versions: four statements in all, not
    three per stage."""
    base = filtered_query(user, {**filters, "stage": None})
    ids = base.with_only_columns(Collateral.id).order_by(None)
    link = collateral_stages.c
    counts = kept("stage counts", user, {**filters, "stage": None}, lambda: dict(
        db.session.execute(
            select(link.stage_id, func.count()).where(link.collateral_id.in_(ids)).group_by(link.stage_id)
        ).all()
    ))
    stages = list_stages()
    newest = [base.with_only_columns(literal(stage.id).label("stage_id"), Collateral.id.label("item_id"),
                                     Collateral.updated_at.label("updated_at"))
              .where(Collateral.stages.any(Stage.id == stage.id))
              .order_by(Collateral.updated_at.desc(), Collateral.id.desc()).limit(per_stage).subquery()
              for stage in stages if counts.get(stage.id)]
    picked = {}
    if newest:
        parts = [select(part.c.stage_id, part.c.item_id, part.c.updated_at) for part in newest]
        rows = db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
        # SQL promises no order for a UNION's rows: each stage's are put in the page's order here.
        for stage_id, item_id, _ in sorted(rows, key=lambda row: (row[2], row[1]), reverse=True):
            picked.setdefault(stage_id, []).append(item_id)
    wanted = {item_id for item_ids in picked.values() for item_id in item_ids}
    loaded = {item.id: item for item in db.session.scalars(select(Collateral).where(Collateral.id.in_(wanted)))} \
        if wanted else {}
    return [(stage, [loaded[i] for i in picked.get(stage.id, []) if i in loaded], counts.get(stage.id, 0))
            for stage in stages]


def facet_values(user):
    """Distinct values of each filterable field among the items the user can see:
    {field: [value, …]} for each of FACETS, sorted. Kept by library version (see `kept`)."""
    def compute():
        visible = visible_query(user).subquery()
        values = {}
        for field in FACETS:
            column = visible.c[field]
            values[field] = db.session.scalars(select(column).where(column != "").distinct().order_by(column)).all()
        return values
    return kept("facets", user, {}, compute)


def waiting_clause():
    """SQL for 'waits for approval': in review, or approved with a new file version held for
    re-approval (see add_version)."""
    return or_(Collateral.status == "in_review",
               (Collateral.status == "approved") & Collateral.versions.any(FileVersion.review_state == "pending"))


def review_queue():
    """Items waiting for approval, the one waiting longest first: [(Collateral, submitted_at)], where
    submitted_at is when it last went into review (an edit while waiting does not move it back), or,
    for an approved item with a new version held for re-approval, when that version was uploaded."""
    submitted = (select(func.max(StatusChange.created_at))
                 .where(StatusChange.collateral_id == Collateral.id, StatusChange.to_status == "in_review")
                 .correlate(Collateral).scalar_subquery())
    uploaded = (select(func.max(FileVersion.created_at))
                .where(FileVersion.collateral_id == Collateral.id, FileVersion.review_state == "pending")
                .correlate(Collateral).scalar_subquery())
    waiting_since = func.coalesce(case((Collateral.status == "in_review", submitted), else_=uploaded),
                                  Collateral.updated_at)
    rows = db.session.execute(select(Collateral, waiting_since).where(waiting_clause())
                              .order_by(waiting_since, Collateral.id)).all()
    return [(item, as_utc(since)) for item, since in rows]


def review_count():
    """How many items wait for approval (the navigation's badge), new versions included."""
    return db.session.scalar(select(func.count()).select_from(Collateral).where(waiting_clause()))


def as_utc(value):
    """Aggregates skip the column type: SQLite gives text, PostgreSQL a naive datetime; UTC either way."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def expiring_soon(days=30, on=None):
    """Approved items whose expiry falls within the next `days` days."""
    on = on or today()
    return db.session.scalars(
        select(Collateral)
        .where(Collateral.status == "approved", Collateral.expires_on > on)
        .where(Collateral.expires_on <= on + timedelta(days=days))
        .order_by(Collateral.expires_on)
    ).all()


def recently_expired(days=30, on=None):
    """Approved items that expired in the last `days` days and left reps' views."""
    on = on or today()
    return db.session.scalars(
        select(Collateral)
        .where(Collateral.status == "approved", Collateral.expires_on <= on)
        .where(Collateral.expires_on > on - timedelta(days=days))
        .order_by(Collateral.expires_on.desc())
    ).all()


def drafts_of(user):
    """The user's own drafts, newest first."""
    return db.session.scalars(
        select(Collateral).where(Collateral.status == "draft", Collateral.owner_id == user.id).order_by(Collateral.updated_at.desc())
    ).all()

