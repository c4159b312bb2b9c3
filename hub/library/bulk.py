"""Bulk upload pages: drop many files, watch each upload, set shared defaults, review, create drafts.

With JavaScript (static/js/bulk.js) each file is posted on its own to `upload_file` (a few at a
time, with a progress bar each) and its review row comes back as HTML; without it the picker's
form posts all the files at once to `upload_files`. Either way the files are checked and kept by
hub.library.staging, and "Create drafts" posts the review table to `create`.
"""
from flask import (
    Blueprint,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from hub.auth.access import editor_required
from hub.errors import ApiError
from hub.library import browsing, funnel, staging
from hub.library.files import KINDS
from hub.library.models import CONTENT_TYPES
from hub.validation import strip_controls

bp = Blueprint("bulk", __name__)


def read_defaults():
    """The shared defaults from the posted form: {field: text, "stages": [slug, …]}."""
    defaults = {field: request.form.get(field, "") for field in staging.DEFAULT_FIELDS}
    defaults["stages"] = request.form.getlist("stages")
    return defaults


def read_rows():
    """The review table's rows from the posted form, in table order: [{"id": int, field: text or None
    when not posted, "stages": [...]}]. Row ids that are not numbers are left out."""
    rows = []
    for value in request.form.getlist("staged"):
        if not value.isdigit() or len(value) > 9:
            continue
        row = {"id": int(value), "stages": request.form.getlist(f"row-{value}-stages")}
        row.update({field: request.form.get(f"row-{value}-{field}") for field in staging.ROW_FIELDS})
        rows.append(row)
    return rows


def render_page(defaults=None, rows=None, row_errors=None, error=None, status=200):
    """The bulk upload page with the user's staged uploads as the review table; `rows` (posted
    values by id) and `row_errors` ({id: message}) when a "Create drafts" was refused."""
    staged = staging.staged_of(current_user)
    values = {s.id: {"title": staging.title_from_name(s.original_name)} for s in staged}
    for row in rows or []:
        if row["id"] in values:
            values[row["id"]].update({k: v for k, v in row.items() if v is not None})
    return render_template("library/bulk.html", staged=staged, defaults=defaults or {"stages": []},
                           rows=values, row_errors=row_errors or {}, error=error,
                           stages=funnel.list_stages(), content_types=CONTENT_TYPES,
                           facets=browsing.facet_values(current_user), kinds=KINDS,
                           max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                           max_files=current_app.config["BULK_MAX_FILES"],
                           staged_hours=current_app.config["BULK_STAGED_HOURS"]), status


@bp.get("/items/bulk")
@editor_required
def page():
    """The drop zone, the shared defaults and the review table of the files uploaded so far."""
    return render_page()


@bp.post("/items/bulk")
@editor_required
def upload_files():
    """Without JavaScript: stage every file of the picker's form; each refused one is named with why."""
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        flash("Choose one or more files to upload.", "error")
    staged = 0
    for upload in uploads:
        try:
            staging.stage_upload(current_user, upload)
            staged += 1
        except ApiError as e:
            flash(f"\u201c{strip_controls(upload.filename)[:200]}\u201d was not uploaded: {e.message}", "error")
    if staged:
        flash(f"{staged} {'file' if staged == 1 else 'files'} uploaded. Check them below, then create the drafts.",
              "success")
    return redirect(url_for("bulk.page"), 303)


@bp.post("/items/bulk/files")
@editor_required
def upload_file():
    """One file (JavaScript's uploads): 201 with the staged upload and its review row as HTML, or the
    error as JSON ({"error": {"code", "message", "field"}}) with its status."""
    try:
        staged = staging.stage_upload(current_user, request.files.get("file"))
    except ApiError as e:
        return error_json(e)
    row = get_template_attribute("library/_bulk.html", "review_row")
    html = row(staged, {"title": staging.title_from_name(staged.original_name)}, None, funnel.list_stages(),
               CONTENT_TYPES, KINDS)
    return jsonify({"id": staged.id, "title": staging.title_from_name(staged.original_name),
                    "original_name": staged.original_name, "size": staged.size, "kind": staged.kind,
                    "row_html": str(html)}), 201


def error_json(e):
    """An ApiError as this page's scripts read it."""
    body = {"error": {"code": e.code, "message": e.message}}
    if e.field:
        body["error"]["field"] = e.field
    return jsonify(body), e.status


@bp.post("/items/bulk/files/<int:staged_id>/delete")
@editor_required
def remove_file(staged_id):
    """Drop one staged upload and its file: 204 for scripts, back to the page otherwise."""
    try:
        staging.discard_staged(current_user, staged_id)
    except ApiError as e:
        if request.accept_mimetypes.best == "application/json":
            return error_json(e)
        raise
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    flash("Upload removed.", "info")
    return redirect(url_for("bulk.page"), 303)


@bp.post("/items/bulk/create")
@editor_required
def create():
    """Make a draft of every row of the review table, all or none ("Remove" buttons post here too)."""
    defaults, rows = read_defaults(), read_rows()
    remove = request.form.get("remove", "")
    if remove.isdigit() and len(remove) <= 9:  # a row's Remove button, without JavaScript
        try:
            staging.discard_staged(current_user, int(remove))
        except ApiError as e:
            return render_page(defaults, rows, error=e, status=e.status)
        return render_page(defaults, [row for row in rows if row["id"] != int(remove)])
    try:
        items = staging.create_drafts(current_user, defaults, rows)
    except staging.RowErrors as e:
        return render_page(defaults, rows, e.rows, e, e.status)
    except ApiError as e:
        return render_page(defaults, rows, error=e, status=e.status)
    count = len(items)
    flash(f"{count} {'draft' if count == 1 else 'drafts'} created. Submit each for review when it is ready.",
          "success")
    return redirect(url_for("library.review"), 303)
