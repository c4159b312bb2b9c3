"""The collateral library's rules: who sees what, validation, versions and the approval workflow."""
import re
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from hub import events, validation
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.library import files, previews
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
from hub.models import LABEL_MAX, get_or_404, today, utcnow
from hub.transactions import after_commit, after_rollback
from hub.validation import as_text, strip_controls

TRANSITIONS = {
    ("draft", "in_review"): "Submitted for review",
    ("in_review", "approved"): "Approved",
    ("in_review", "draft"): "Sent back to draft",
    ("approved", "archived"): "Archived",
    ("approved", "draft"): "Reopened for revision",
    ("archived", "draft"): "Restored to draft",
}
FACETS = ("content_type", "product", "industry", "persona")
LIMITS = {"title": 200, "description": 10000, "product": LABEL_MAX, "industry": LABEL_MAX, "persona": LABEL_MAX,
          "region": LABEL_MAX}


# --- visibility ---------------------------------------------------------------------------------


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


def require_editor(user):
    """Only marketing and admins change collateral."""
    if not user.is_editor:
        raise Forbidden("Only marketing and admins can change collateral.")


# --- browsing -----------------------------------------------------------------------------------


def list_stages():
    """The funnel stages in order."""
    return db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()


def get_stage(slug):
    """A stage by slug, or NotFound."""
    stage = db.session.scalar(select(Stage).where(Stage.slug == slug))
    if stage is None:
        raise NotFound(f"No stage called {slug!r}.")
    return stage


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
            raise Invalid(f"Status must be one of: {', '.join(STATUSES)}.", "status")
        query = query.where(Collateral.status == filters["status"])
    if filters.get("content_type"):
        if filters["content_type"] not in CONTENT_TYPES:  # always a query-string value here
            raise Invalid(f"Content type must be one of: {', '.join(CONTENT_TYPES)}.", "content_type")
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
    """The library home: for each stage, its newest visible items and how many there are."""
    base = filtered_query(user, {**filters, "stage": None})
    ids = base.with_only_columns(Collateral.id).order_by(None)
    link = collateral_stages.c
    counts = kept("stage counts", user, {**filters, "stage": None}, lambda: dict(
        db.session.execute(
            select(link.stage_id, func.count()).where(link.collateral_id.in_(ids)).group_by(link.stage_id)
        ).all()
    ))
    sections = []
    for stage in list_stages():
        items = []
        if counts.get(stage.id):
            items = db.session.scalars(
                base.where(Collateral.stages.any(Stage.id == stage.id))
                .order_by(Collateral.updated_at.desc(), Collateral.id.desc())
                .limit(per_stage)
            ).all()
        sections.append((stage, items, counts.get(stage.id, 0)))
    return sections


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


def review_queue():
    """Items waiting for approval, the one waiting longest first: [(Collateral, submitted_at)], where
    submitted_at is when it last went into review (an edit while waiting does not move it back)."""
    submitted = (select(func.max(StatusChange.created_at))
                 .where(StatusChange.collateral_id == Collateral.id, StatusChange.to_status == "in_review")
                 .correlate(Collateral).scalar_subquery())
    waiting_since = func.coalesce(submitted, Collateral.updated_at)
    rows = db.session.execute(select(Collateral, waiting_since).where(Collateral.status == "in_review")
                              .order_by(waiting_since, Collateral.id)).all()
    return [(item, as_utc(since)) for item, since in rows]


def review_count():
    """How many items wait for approval (the navigation's badge)."""
    return db.session.scalar(select(func.count()).select_from(Collateral).where(Collateral.status == "in_review"))


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


# --- validation ---------------------------------------------------------------------------------


def clean_tags(value):
    """Comma-separated (or a list), lower-cased, de-duplicated, bounded."""
    if isinstance(value, (list, tuple)):
        value = ",".join(as_text(v, "tags") for v in value)
    tags = []
    for tag in strip_controls(as_text(value, "tags")).split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in tags:
            if len(tag) > 40:
                raise Invalid("Each tag can be at most 40 characters.", "tags")
            tags.append(tag)
    if len(tags) > 20:
        raise Invalid("An item can have at most 20 tags.", "tags")
    joined = ",".join(tags)
    if len(joined) > 500:
        raise Invalid("Tags can be at most 500 characters in all.", "tags")
    return joined


def clean_url(value):
    """An absolute http(s) link, or None for empty."""
    value = strip_controls(as_text(value, "url")).strip()
    if not value:
        return None
    if len(value) > 2000:
        raise Invalid("Links can be at most 2000 characters.", "url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise Invalid("Links must be full http:// or https:// addresses.", "url")
    return value


def clean_stages(slugs):
    """Stage rows for a list of slugs (or one comma-separated string); all must exist."""
    if isinstance(slugs, str):
        slugs = slugs.split(",")
    if not isinstance(slugs, (list, tuple)) or not all(isinstance(s, str) for s in slugs):
        raise Invalid("Stages must be a list of stage slugs.", "stages")
    slugs = [slug for slug in (validation.filter_value(s, 200) for s in slugs) if slug]
    if not slugs:
        raise Invalid("Choose at least one funnel stage.", "stages")
    stages = db.session.scalars(select(Stage).where(Stage.slug.in_(slugs))).all()
    unknown = sorted(set(slugs) - {s.slug for s in stages})
    if unknown:
        raise Invalid(f"Unknown stage: {', '.join(unknown)}.", "stages")
    return stages


def clean_fields(data, partial=False):
    """Validate item metadata; with partial, only the fields present in data."""
    cleaned = {}

    def present(name):
        return not partial or name in data

    if present("title"):
        cleaned["title"] = validation.text(data.get("title"), "title", LIMITS["title"], required=True)
    if present("description"):
        cleaned["description"] = validation.text(data.get("description"), "description", LIMITS["description"], multiline=True)
    if present("content_type"):
        if not isinstance(data.get("content_type"), str) or data["content_type"] not in CONTENT_TYPES:
            raise Invalid(f"Content type must be one of: {', '.join(CONTENT_TYPES)}.", "content_type")
        cleaned["content_type"] = data["content_type"]
    if present("stages"):
        cleaned["stages"] = clean_stages(data.get("stages"))
    for field in ("product", "industry", "persona", "region"):
        if present(field):
            cleaned[field] = validation.text(data.get(field), field, LIMITS[field])
    if present("tags"):
        cleaned["tags"] = clean_tags(data.get("tags"))
    if present("expires_on"):
        cleaned["expires_on"] = validation.day(data.get("expires_on"), "expires_on")
    if present("url"):
        cleaned["url"] = clean_url(data.get("url"))
    return cleaned


# --- changes ------------------------------------------------------------------------------------


def create_item(actor, data, upload=None):
    """A new draft item with either a file or an external link."""
    require_editor(actor)
    fields = clean_fields(data)
    has_file = upload is not None and bool(upload.filename)
    if has_file and fields.get("url"):
        raise Invalid("Give either a file or a link, not both.", "file")
    if not has_file and not fields.get("url"):
        raise Invalid("Upload a file or give a link.", "file")
    stored = files.store_upload(upload) if has_file else None
    if stored:
        after_rollback(stored.discard)  # the file goes if the database never takes it
    item = Collateral(owner=actor, status="draft", **fields)
    db.session.add(item)
    if stored:
        add_version_row(actor, item, stored)
    db.session.add(StatusChange(collateral=item, from_status=None, to_status="draft", actor=actor, comment="Created"))
    db.session.flush()
    return item


def update_item(actor, item, data):
    """Change an item's metadata (only the fields given)."""
    require_editor(actor)
    fields = clean_fields(data, partial=True)
    if "url" in fields:
        if item.versions and fields["url"]:
            raise Invalid("This item is a file; upload a new version instead of a link.", "url")
        if not item.versions and not fields["url"]:
            raise Invalid("A link item needs its link.", "url")
    shown = (item.title, item.expires_on)
    for name, value in fields.items():
        setattr(item, name, value)
    item.updated_at = utcnow()
    db.session.flush()
    if (item.title, item.expires_on) != shown:
        events.collateral_changed.send(item)
    return item


def add_version_row(actor, item, stored):
    """Attach a stored file to the item as its next version (no commit)."""
    number = max((v.number for v in item.versions), default=0) + 1
    version = FileVersion(
        number=number,
        stored_name=stored.stored_name,
        original_name=stored.original_name,
        size=stored.size,
        sha256=stored.sha256,
        mimetype=stored.mimetype,
        kind=stored.kind.key,
        uploaded_by=actor,
    )
    item.versions.insert(0, version)
    return version


def claim(item, status=None):
    """Serialise changes to one item: the first write of the action is this conditional UPDATE,
    which waits for any other action on the item to end (PostgreSQL's row lock; SQLite's write
    lock, taken here, before anything is read for the change) and matches nothing if the item's
    status is no longer `status`. Raises Conflict (409) with the current state then, or NotFound
    if the item was deleted meanwhile. The item's versions are re-read after it."""
    query = update(Collateral).where(Collateral.id == item.id)
    if status is not None:
        query = query.where(Collateral.status == status)
    claimed = db.session.execute(query.values(updated_at=utcnow()).execution_options(synchronize_session=False))
    db.session.expire(item)
    if claimed.rowcount == 1:
        return
    current = db.session.scalar(select(Collateral.status).where(Collateral.id == item.id))
    if current is None:
        raise NotFound("This item was deleted meanwhile.")
    raise Conflict(f"Someone changed this item at the same moment: it is now {STATUSES[current].lower()}. "
                   "Reload it and try again.", "changed")


def add_version(actor, item, upload):
    """Keep the old files and serve the new one from now on (numbered after the latest, even when
    several are uploaded at once: see claim)."""
    require_editor(actor)
    if item.url and not item.versions:
        raise Conflict("This item links to an external page; edit its link instead of uploading a file.")
    stored = files.store_upload(upload)
    after_rollback(stored.discard)
    claim(item)
    version = add_version_row(actor, item, stored)
    item.updated_at = utcnow()
    db.session.flush()
    events.collateral_version_added.send(item, version=version, actor=actor)
    return version


def transition(actor, item, to_status, comment="", announce=False):
    """Move an item along the workflow, recording who, when and why.

    On approval, hub.events.collateral_approved is sent inside the same transaction (`announce`:
    the "add a collateral update to the marketing calendar" tick), so a receiver that refuses undoes
    the approval too. Returns the receivers' notes for the page (a list of sentences)."""
    require_editor(actor)
    if not isinstance(to_status, str) or to_status not in STATUSES:
        raise Invalid(f"Status must be one of: {', '.join(STATUSES)}.", "status")
    comment = strip_controls(comment or "").strip()
    if len(comment) > 1000:
        raise Invalid("Comments can be at most 1000 characters.", "comment")
    if (item.status, to_status) not in TRANSITIONS:
        raise Conflict(
            f"An item that is {STATUSES[item.status].lower()} cannot become {STATUSES[to_status].lower()}.",
            "invalid_transition",
        )
    claim(item, item.status)  # six editors moving an approved item at once: one wins, the others get 409
    db.session.add(StatusChange(collateral=item, from_status=item.status, to_status=to_status, actor=actor, comment=comment))
    was_approved = item.status == "approved"
    item.status = to_status
    item.updated_at = utcnow()
    db.session.flush()
    if was_approved != (to_status == "approved"):
        events.collateral_changed.send(item)
    if was_approved and to_status != "approved":
        events.collateral_withdrawn.send(item, actor=actor, to_status=to_status)
    if to_status == "approved":
        return events.collected(events.collateral_approved.send(item, actor=actor, announce=announce))
    return []


def allowed_transitions(item):
    """The (status, label) moves open to the item now."""
    return [(to, label) for (frm, to), label in TRANSITIONS.items() if frm == item.status]


def delete_item(actor, item):
    """Remove an item, its history and, after the commit, its files."""
    require_editor(actor)
    paths = [files.path_for(v.stored_name) for v in item.versions]
    events.collateral_changed.send(item)
    version_ids = [v.id for v in item.versions]
    db.session.delete(item)
    db.session.flush()

    def remove_files():
        for path in paths:
            path.unlink(missing_ok=True)
        previews.remove(version_ids)

    after_commit(remove_files)


# --- stages -------------------------------------------------------------------------------------


def slugify(name):
    """'Renewal & Upsell' -> 'renewal-upsell'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def add_stage(name, slug=None):
    """A new funnel stage at the end of the order."""
    name = " ".join(strip_controls(name or "").split())
    if not name or len(name) > 60:
        raise Invalid("Stage names need 1 to 60 characters.", "name")
    slug = slugify(slug or name)
    if not slug:
        raise Invalid("The stage needs a name with letters or digits.", "slug")
    if db.session.scalar(select(Stage.id).where(Stage.slug == slug)):
        raise Conflict(f"A stage with the slug {slug!r} already exists.")
    last = db.session.scalar(select(func.max(Stage.position)))
    position = 0 if last is None else last + 1
    stage = Stage(slug=slug, name=name, position=position)
    db.session.add(stage)
    db.session.flush()
    return stage


def rename_stage(stage, name):
    """New display name; the slug stays so links and API filters keep working."""
    name = " ".join(strip_controls(name or "").split())
    if not name or len(name) > 60:
        raise Invalid("Stage names need 1 to 60 characters.", "name")
    stage.name = name
    db.session.flush()
    return stage


def move_stage(stage, offset):
    """Swap a stage with its neighbour (offset -1 moves it earlier, +1 later)."""
    stages = list_stages()
    index = stages.index(stage)
    other = index + offset
    if offset not in (-1, 1) or not 0 <= other < len(stages):
        return stage
    for position, s in enumerate(stages):
        s.position = position
    stages[index].position, stages[other].position = other, index
    db.session.flush()
    return stage


def get_stage_by_id(stage_id):
    """A stage by id, or NotFound."""
    return get_or_404(Stage, stage_id, "No such stage.")
