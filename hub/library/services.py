"""Changes to collateral: creating items (one draft per form), editing their metadata, adding file
versions, deleting; and claim(), which serialises the changes to one item. The rules live in
rules.py, the approval workflow in workflow.py, what users see in browsing.py."""
import re
import secrets

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from hub import events
from hub.errors import Conflict, Forbidden, Invalid, InvalidFields, NotFound
from hub.extensions import db
from hub.library import files, previews
from hub.library.models import STATUSES, Collateral, FileVersion, StatusChange
from hub.library.rules import clean_fields
from hub.models import utcnow
from hub.transactions import after_commit, after_rollback


def require_editor(user):
    """Only marketing and admins change collateral."""
    if not user.is_editor:
        raise Forbidden("Only marketing and admins can change collateral.")


def setting_on(name):
    """A yes/no setting (REQUIRE_REAPPROVAL, SEPARATE_APPROVER): HUB_* variables arrive as JSON
    (true/false/1/0) or as plain words, so 'off', 'no' and 'false' read as off too."""
    value = current_app.config.get(name)
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "off", "no")
    return bool(value)






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










