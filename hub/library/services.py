"""The collateral library's rules: who sees what, validation, versions and the approval workflow."""
import re
import secrets
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from hub import events, validation
from hub.errors import Conflict, Forbidden, Invalid, InvalidFields, NotFound
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
CONTENT_TYPE_RULE = f"Content type must be one of: {', '.join(CONTENT_TYPES.values())}."
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


# --- governance ---------------------------------------------------------------------------------


def setting_on(name):
    """A yes/no setting (REQUIRE_REAPPROVAL, SEPARATE_APPROVER): HUB_* variables arrive as JSON
    (true/false/1/0) or as plain words, so 'off', 'no' and 'false' read as off too."""
    value = current_app.config.get(name)
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "off", "no")
    return bool(value)


def approval_refusal(actor, item, version=None):
    """Why `actor` may not approve `item` (with `version`, the file under review), or None when they
    may. Under SEPARATE_APPROVER nobody approves an item they created, uploaded the file of, or last
    changed; admins always may."""
    if not actor.is_editor:
        return "Only marketing and admins can approve collateral."
    if not setting_on("SEPARATE_APPROVER") or actor.is_admin:
        return None
    involved = {item.owner_id, item.changed_by_id, version.uploaded_by_id if version else None}
    if actor.id in involved:
        return ("Someone else must approve this: you created, uploaded or last changed it. "
                "Ask another marketing editor or an admin.")
    return None


def require_approver(actor, item, version=None):
    """Forbidden (403) with the reason when `actor` may not approve (see approval_refusal)."""
    reason = approval_refusal(actor, item, version)
    if reason:
        raise Forbidden(reason)


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
    """Validate item metadata; with partial, only the fields present in data. Every field is checked:
    one problem raises its Invalid, several raise InvalidFields listing each (the form shows them all)."""
    rules = {
        "title": lambda v: validation.text(v, "title", LIMITS["title"], required=True),
        "description": lambda v: validation.text(v, "description", LIMITS["description"], multiline=True),
        "content_type": clean_content_type,
        "stages": clean_stages,
        **{field: (lambda v, f=field: validation.text(v, f, LIMITS[f])) for field in ("product", "industry", "persona", "region")},
        "tags": clean_tags,
        "expires_on": lambda v: validation.day(v, "expires_on"),
        "url": clean_url,
    }
    cleaned, problems = {}, []
    for name, rule in rules.items():
        if partial and name not in data:
            continue
        try:
            cleaned[name] = rule(data.get(name))
        except Invalid as e:
            problems.append(e)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidFields(problems)
    return cleaned


def clean_content_type(value):
    """One of CONTENT_TYPES' keys; Invalid naming their labels."""
    if not isinstance(value, str) or value not in CONTENT_TYPES:
        raise Invalid(CONTENT_TYPE_RULE, "content_type")
    return value


# --- changes ------------------------------------------------------------------------------------


NONCE = re.compile(r"[A-Za-z0-9_-]{16,43}")


def new_form_nonce():
    """A one-time token for an upload form (see create_item's `nonce`)."""
    return secrets.token_urlsafe(24)


def created_by_form(actor, nonce):
    """The item `actor` already created with this form token, or None."""
    return db.session.scalar(select(Collateral).where(Collateral.form_nonce == f"{actor.id}:{nonce}"))


def create_item(actor, data, upload=None, *, stored=None, staged=None, nonce=None, keep_refused=False):
    """A new draft item with either a file or an external link; returns the item.

    upload: a werkzeug FileStorage; or staged: the token of a file kept from an earlier attempt
    (files.stage); or stored: a files.StoredFile checked and kept earlier by a bulk upload
    (hub/library/staging.py), which stays on disk if this transaction rolls back, since its staged
    row still names it. nonce: the form's one-time token (new_form_nonce): posting the same form again,
    a double click, returns the item the first post created instead of a second draft, even when
    the two run at the same moment (the token is unique in the database).
    Raises Invalid, or InvalidFields listing every problem at once. With keep_refused (the page's
    form), a file that came with a refused attempt is kept aside and the error's `staged`
    (files.Staged) names it for the next attempt; otherwise it is removed."""
    require_editor(actor)
    nonce = nonce if isinstance(nonce, str) and NONCE.fullmatch(nonce) else None
    if nonce and (earlier := created_by_form(actor, nonce)) is not None:
        return earlier
    problems, owned = [], stored is None  # a bulk upload's file belongs to its staged row
    try:
        if stored is not None:
            pass
        elif upload is not None and upload.filename:
            stored = files.store_upload(upload)
        elif staged:
            stored = files.unstage(staged, actor.id)
    except Invalid as e:
        problems.append(e)
    try:
        fields = clean_fields(data)
    except Invalid as e:
        problems.extend(e.errors)
        fields = {}
    has_file = stored is not None or any(p.field == "file" for p in problems)
    if has_file and fields.get("url"):
        problems.append(Invalid("Give either a file or a link, not both.", "file"))
    elif not has_file and not fields.get("url") and not any(p.field == "url" for p in problems):
        problems.append(Invalid("Upload a file or give a link.", "file"))
    if problems:
        error = problems[0] if len(problems) == 1 else InvalidFields(problems)
        error.staged = None
        if stored and owned and keep_refused:
            error.staged = files.stage(stored, actor.id)
        elif stored and owned:
            stored.discard()
        raise error
    if stored and owned:
        after_rollback(stored.discard)  # the file goes if the database never takes it
    item = Collateral(owner=actor, changed_by=actor, status="draft", form_nonce=f"{actor.id}:{nonce}" if nonce else None,
                      **fields)
    db.session.add(item)
    if stored:
        add_version_row(actor, item, stored)
    db.session.add(StatusChange(collateral=item, from_status=None, to_status="draft", actor=actor, comment="Created"))
    try:
        db.session.flush()
    except IntegrityError:
        if not nonce:
            raise
        db.session.rollback()  # the same form, posted twice at once: the other post made the draft
        earlier = created_by_form(actor, nonce)
        if earlier is None:
            raise Conflict("This form was just sent in another window: reload the page.") from None
        return earlier
    return item


def update_item(actor, item, data):
    """Change an item's metadata (only the fields given). These changes apply at once, also on an
    approved item: only a new file waits for re-approval (see add_version)."""
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
    item.changed_by = actor
    item.updated_at = utcnow()
    db.session.flush()
    if (item.title, item.expires_on) != shown:
        events.collateral_changed.send(item)
    return item


def add_version_row(actor, item, stored, review_state="accepted"):
    """Attach a stored file to the item as its next version (no commit)."""
    number = max((v.number for v in item.versions), default=0) + 1
    version = FileVersion(
        number=number,
        review_state=review_state,
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
    """Keep the old files and add the new one (numbered after the latest, even when several are
    uploaded at once: see claim); returns the FileVersion.

    With REQUIRE_REAPPROVAL (the default) a new file of an approved item waits for approval
    (review_state 'pending'): reps keep seeing, downloading and finding the version they had until
    decide_version accepts it; a version still waiting is superseded by the newer one. Otherwise,
    and for items that are not approved (nobody but marketing sees them), it is served at once."""
    require_editor(actor)
    if item.url and not item.versions:
        raise Conflict("This item links to an external page; edit its link instead of uploading a file.")
    stored = files.store_upload(upload)
    after_rollback(stored.discard)
    claim(item)
    held = item.status == "approved" and setting_on("REQUIRE_REAPPROVAL")
    if held:
        for older in item.versions:
            if older.review_state == "pending":
                older.review_state = "superseded"
    version = add_version_row(actor, item, stored, "pending" if held else "accepted")
    item.changed_by = actor
    item.updated_at = utcnow()
    db.session.flush()
    if not held:  # a held version becomes news when it is approved (decide_version)
        events.collateral_version_added.send(item, version=version, actor=actor)
    return version


def clean_comment(comment):
    """A workflow comment: control characters removed, at most 1000 characters."""
    comment = strip_controls(comment if isinstance(comment, str) else "").strip()
    if len(comment) > 1000:
        raise Invalid("Comments can be at most 1000 characters.", "comment")
    return comment


def decide_version(actor, item, number, approve, comment=""):
    """Approve or reject version `number` of an approved item, which waits for re-approval (see
    add_version); returns the FileVersion. Approving makes it the current version (served, previewed,
    indexed); rejecting keeps the previous one. Both are recorded in the item's history.

    Raises Forbidden (not marketing; approving under SEPARATE_APPROVER an item one created, uploaded
    or last changed), Conflict when that version does not wait (any more), Invalid for a long comment."""
    require_editor(actor)
    comment = clean_comment(comment)
    if item.status == "approved":
        claim(item, "approved")  # two editors deciding at once: the second sees the first's decision
    pending = item.pending_version
    if item.status != "approved" or pending is None or pending.number != number:
        raise Conflict(f"Version {number} is not waiting for approval (any more): reload the item.", "not_pending")
    if approve:
        require_approver(actor, item, pending)
    pending.review_state = "accepted" if approve else "rejected"
    verdict = "approved" if approve else "rejected"
    db.session.add(StatusChange(collateral=item, from_status="approved", to_status="approved", actor=actor,
                                comment=f"Version {number} {verdict}" + (f": {comment}" if comment else "")))
    item.updated_at = utcnow()
    db.session.flush()
    if approve:
        events.collateral_changed.send(item)
        events.collateral_version_added.send(item, version=pending, actor=actor)
    return pending


def transition(actor, item, to_status, comment="", announce=False):
    """Move an item along the workflow, recording who, when and why.

    On approval, hub.events.collateral_approved is sent inside the same transaction (`announce`:
    the "add a collateral update to the marketing calendar" tick), so a receiver that refuses undoes
    the approval too. Returns the receivers' notes for the page (a list of sentences)."""
    require_editor(actor)
    if not isinstance(to_status, str) or to_status not in STATUSES:
        raise Invalid(f"Status must be one of: {', '.join(STATUSES.values())}.", "status")
    comment = clean_comment(comment)
    if (item.status, to_status) not in TRANSITIONS:
        raise Conflict(
            f"An item that is {STATUSES[item.status].lower()} cannot become {STATUSES[to_status].lower()}.",
            "invalid_transition",
        )
    if to_status == "approved":
        require_approver(actor, item, item.versions[0] if item.versions else None)
    claim(item, item.status)  # six editors moving an approved item at once: one wins, the others get 409
    db.session.add(StatusChange(collateral=item, from_status=item.status, to_status=to_status, actor=actor, comment=comment))
    was_approved = item.status == "approved"
    if was_approved:  # leaving approval: a held file needs no separate review, the item is reviewed whole again
        for version in item.versions:
            if version.review_state == "pending":
                version.review_state = "accepted"
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
