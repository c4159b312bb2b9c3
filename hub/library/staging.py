"""Bulk upload: files checked and stored one by one as staged uploads, then made into drafts together.

A staged upload goes through the same checks as any upload (files.store_upload) and the drafts are
made by the same service as the single-item form (services.create_item), so both paths refuse and
keep exactly the same files. A staged upload nobody turns into a draft is deleted, with its file,
BULK_STAGED_HOURS after it was uploaded (`expire_staged`, run by every worker and by
`flask --app hub expire-staged`).
"""
import re
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from hub import jobs
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.library import files, rules, services
from hub.library.models import StagedUpload
from hub.models import utcnow
from hub.transactions import after_commit, after_rollback

# What each row of the review table may set; anything left empty there takes the shared default.
ROW_FIELDS = ("title", "content_type", "product", "industry", "persona")
# The shared defaults (the single-item form's fields, less the file, link, title and description).
DEFAULT_FIELDS = ("content_type", "product", "industry", "persona", "region", "tags", "expires_on")


class RowErrors(Invalid):
    """Some rows of the review table are refused: `rows` maps a staged upload's id to the reason.
    Nothing was created (422)."""

    def __init__(self, rows):
        count = len(rows)
        super().__init__(f"{count} {'item needs' if count == 1 else 'items need'} a fix before the drafts "
                         "can be created; nothing was created yet.", "rows")
        self.rows = rows


def cutoff(now=None):
    """Staged uploads older than this have expired (BULK_STAGED_HOURS ago)."""
    return (now or utcnow()) - timedelta(hours=current_app.config["BULK_STAGED_HOURS"])


def title_from_name(name):
    """A title suggested by a file name: 'Pricing_guide-2025 v2.pdf' -> 'Pricing guide 2025 v2'
    (no extension, underscores and hyphens between words become spaces, at most 200 characters)."""
    stem = Path(name or "").stem if Path(name or "").suffix.lower() in files.EXTENSION_KIND else (name or "")
    stem = re.sub(r"_+|(?<!\d)-+|-+(?!\d)", " ", stem)
    return " ".join(stem.split())[:200] or "Untitled"


def stage_upload(actor, upload):
    """Check and store one uploaded file (files.store_upload: size, type, macros, passwords, bombs)
    as the actor's staged upload. Raises what store_upload raises (Invalid 422, TooLarge 413,
    DiskFull 507); the file is deleted if the transaction rolls back."""
    services.require_editor(actor)
    limit = current_app.config["BULK_MAX_FILES"]
    if len(staged_of(actor)) >= limit:
        raise Invalid(f"You have {limit} uploads waiting: create drafts from them (or remove some) first.", "file")
    stored = files.store_upload(upload)
    after_rollback(stored.discard)
    staged = StagedUpload(owner_id=actor.id, stored_name=stored.stored_name, original_name=stored.original_name,
                          size=stored.size, sha256=stored.sha256, mimetype=stored.mimetype, kind=stored.kind.key)
    db.session.add(staged)
    db.session.flush()
    return staged


def staged_of(actor):
    """The actor's staged uploads that have not expired, oldest first."""
    return db.session.scalars(select(StagedUpload).where(StagedUpload.owner_id == actor.id,
                                                         StagedUpload.created_at > cutoff())
                              .order_by(StagedUpload.id)).all()


def discard_staged(actor, staged_id):
    """Drop one of the actor's staged uploads; its file goes once the transaction commits.
    NotFound when the actor has no such staged upload."""
    services.require_editor(actor)
    staged = db.session.get(StagedUpload, staged_id)
    if staged is None or staged.owner_id != actor.id:
        raise NotFound("No such upload: it was already made into a draft, removed, or expired.")
    path = files.path_for(staged.stored_name)
    db.session.delete(staged)
    db.session.flush()
    after_commit(lambda: path.unlink(missing_ok=True))


def merged_fields(defaults, row):
    """The item fields for one row: the shared defaults, overridden by what the row sets.

    defaults: {field: value} with DEFAULT_FIELDS, "stages" (a list of slugs) and optionally
    "description"; row: {field: value} with ROW_FIELDS and "stages". Empty row values keep the default."""
    data = {k: defaults.get(k, "") for k in (*DEFAULT_FIELDS, "description")}
    data["stages"] = list(defaults.get("stages") or [])
    for field in ROW_FIELDS:
        value = row.get(field)
        if isinstance(value, str) and value.strip():
            data[field] = value
        elif value is not None and not isinstance(value, str):
            data[field] = value  # the validation names it
    if row.get("stages"):
        data["stages"] = row["stages"]
    return data


def create_drafts(actor, defaults, rows):
    """Make one draft per row from the actor's staged uploads, all or none.

    rows: [{"id": staged upload id, ROW_FIELDS..., "stages": [...]}] in the order to create them; a
    title that is None (not given) is the file name's (title_from_name), an empty one is refused.
    Every row is validated first (rules.clean_fields); RowErrors (422) names each refused row
    and nothing is created. The staged rows are deleted before the drafts are made, so a second
    "Create drafts" for the same uploads (a double click) gets Conflict (409) instead of duplicates.
    Returns the new items, in row order."""
    services.require_editor(actor)
    if not rows:
        raise Invalid("Upload at least one file first.", "files")
    ids = [row["id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise Invalid("The same upload is listed twice.", "rows")
    staged = {s.id: s for s in db.session.scalars(select(StagedUpload).where(
        StagedUpload.id.in_(ids), StagedUpload.owner_id == actor.id, StagedUpload.created_at > cutoff()))}
    if len(staged) != len(ids):
        raise Conflict("Some of these uploads were already made into drafts, removed, or expired. "
                       "Reload the page to see what is left.", "gone")
    datas, errors = {}, {}
    for row in rows:
        if row.get("title") is None:  # not posted at all (a script, an old page): the file name's
            row = {**row, "title": title_from_name(staged[row["id"]].original_name)}
        datas[row["id"]] = merged_fields(defaults, row)
        try:
            rules.clean_fields(datas[row["id"]])
        except Invalid as e:
            errors[row["id"]] = e.message
    if errors:
        raise RowErrors(errors)
    claimed = db.session.execute(delete(StagedUpload).where(StagedUpload.id.in_(ids), StagedUpload.owner_id == actor.id)
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != len(ids):  # another request took some of them meanwhile
        raise Conflict("These uploads are being made into drafts by another request already.", "gone")
    items = []
    for row in rows:
        s = staged[row["id"]]
        stored = files.StoredFile(files.path_for(s.stored_name), s.stored_name, s.original_name, s.size, s.sha256,
                                  files.KINDS[s.kind], s.mimetype)
        if not stored.path.is_file():
            raise Conflict(f"The file of \u201c{s.original_name}\u201d is missing from storage: upload it again.", "gone")
        items.append(services.create_item(actor, datas[row["id"]], stored=stored))
    return items


@jobs.periodic(600)
def expire_staged(now=None):
    """Delete staged uploads older than BULK_STAGED_HOURS and, after the commit, their files.
    Returns how many were deleted."""
    old = db.session.execute(select(StagedUpload.id, StagedUpload.stored_name)
                             .where(StagedUpload.created_at <= cutoff(now))).all()
    if not old:
        return 0
    db.session.execute(delete(StagedUpload).where(StagedUpload.id.in_([i for i, _ in old]))
                       .execution_options(synchronize_session=False))
    paths = [files.path_for(name) for _, name in old]

    def remove():
        for path in paths:
            path.unlink(missing_ok=True)

    after_commit(remove)
    return len(old)
