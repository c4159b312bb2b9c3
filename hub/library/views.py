"""Library pages: browse by stage, the item page, forms, review queue, downloads."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub import events
from hub.auth.access import editor_required
from hub.errors import ApiError, Invalid
from hub.library import browsing, files, funnel, previews, services, workflow
from hub.library.models import CONTENT_TYPES
from hub.ui import page_number

bp = Blueprint("library", __name__)
FILTER_KEYS = ("content_type", "product", "industry", "persona", "status")


def read_filters():
    """Filters from the query string; reps cannot filter by status."""
    filters = {k: request.args.get(k, "").strip()[:100] for k in FILTER_KEYS if request.args.get(k, "").strip()}
    if not current_user.is_editor:
        filters.pop("status", None)
    return filters


def item_form_data():
    data = {k: request.form.get(k, "") for k in ("title", "description", "content_type", "product",
                                                 "industry", "persona", "region", "tags", "expires_on", "url")}
    data["stages"] = request.form.getlist("stages")
    return data


@bp.get("/")
def home():
    """The library organised by funnel stage: what a rep sees first."""
    filters = read_filters()
    try:
        sections = browsing.items_by_stage(current_user, filters)
    except ApiError as e:
        abort(400, e.message)
    return render_template("library/home.html", sections=sections, filters=filters,
                           facets=browsing.facet_values(current_user))


@bp.get("/stages/<slug>")
def stage(slug):
    """All visible items for one stage, filtered and paginated."""
    stage = funnel.get_stage(slug)
    filters = read_filters()
    page = page_number()
    per_page = current_app.config["ITEMS_PER_PAGE"]
    try:
        items, total = browsing.list_items(current_user, {**filters, "stage": slug}, page, per_page)
    except ApiError as e:
        abort(400, e.message)
    return render_template("library/stage.html", stage=stage, items=items, total=total, page=page,
                           per_page=per_page, filters=filters, facets=browsing.facet_values(current_user))


@bp.get("/items/<int:item_id>")
def item(item_id):
    """One item: metadata, stages, preview, versions and history."""
    item = browsing.get_item(current_user, item_id)
    events.collateral_opened.send(item, action="view", user=current_user, channel="page")
    return render_item(item, start_page=page_number())


def render_item(item, error=None, start_page=1):
    """The item page (its viewer open at `start_page`, kept within the pages there are), with a
    refused action's message and status when there is one."""
    pages = previews.page_count(item.current_version)
    under_review = item.pending_version or (item.versions[0] if item.versions else None)
    page = render_template("library/item.html", item=item, transitions=workflow.allowed_transitions(item),
                           previewable=item.current_version and item.current_version.kind in files.PREVIEWABLE,
                           pages=pages, start_page=min(start_page, max(pages, 1)), error=error,
                           approval_refusal=workflow.approval_refusal(current_user, item, under_review))
    return page, error.status if error else 200


@bp.route("/items/new", methods=["GET", "POST"])
@editor_required
def new_item():
    """Create a draft item from a file or a link."""
    if request.method == "GET":
        return render_form(None, {"stages": [request.args.get("stage", "")]}, nonce=services.new_form_nonce())
    data = item_form_data()
    nonce, token = request.form.get("form_nonce", ""), request.form.get("staged_upload", "")
    try:
        item = services.create_item(current_user, data, request.files.get("file"), staged=token or None, nonce=nonce,
                                    keep_refused=True)
    except ApiError as e:
        staged = getattr(e, "staged", None) or (files.staged_details(token, current_user.id) if token else None)
        return render_form(None, data, e, nonce=nonce or services.new_form_nonce(), staged=staged)
    flash("Draft created. Submit it for review when it is ready.", "success")
    return redirect(url_for("library.item", item_id=item.id), 303)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_item(item_id):
    """Change an item's metadata."""
    item = browsing.get_item(current_user, item_id)
    if request.method == "GET":
        return render_form(item, form_values(item))
    data = item_form_data()
    if item.versions:
        data.pop("url")
    try:
        services.update_item(current_user, item, data)
    except ApiError as e:
        return render_form(item, data, e)
    flash("Changes saved.", "success")
    return redirect(url_for("library.item", item_id=item.id), 303)


def form_values(item):
    return {
        "title": item.title, "description": item.description, "content_type": item.content_type,
        "product": item.product, "industry": item.industry, "persona": item.persona, "region": item.region,
        "tags": ", ".join(item.tag_list), "expires_on": item.expires_on.isoformat() if item.expires_on else "",
        "url": item.url or "", "stages": item.stage_slugs,
    }


def render_form(item, values, error=None, nonce=None, staged=None):
    """The upload or edit form, with every problem of a refused attempt (`error.errors`), the form's
    one-time token (`nonce`, new items) and the file kept from the refused attempt (`staged`)."""
    status = error.status if error else 200
    return render_template("library/form.html", item=item, values=values, error=error, nonce=nonce, staged=staged,
                           stages=funnel.list_stages(), content_types=CONTENT_TYPES,
                           facets=browsing.facet_values(current_user),
                           max_mb=current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)), status


@bp.post("/items/<int:item_id>/versions")
@editor_required
def upload_version(item_id):
    """Upload a new file; older versions are kept."""
    item = browsing.get_item(current_user, item_id)
    try:
        version = services.add_version(current_user, item, request.files.get("file"))
    except ApiError as e:
        return render_item(item, e)
    if version.review_state == "pending":
        live = item.current_version
        flash(f"Version {version.number} uploaded. It waits for approval; until then reps keep getting "
              f"version {live.number if live else '—'}.", "success")
    else:
        flash(f"Version {version.number} uploaded and now served.", "success")
    return redirect(url_for("library.item", item_id=item.id), 303)


@bp.post("/items/<int:item_id>/versions/<int:number>/decision")
@editor_required
def decide_version(item_id, number):
    """Approve (it is served from now on) or reject a new version waiting for re-approval."""
    item = browsing.get_item(current_user, item_id)
    decision = request.form.get("decision", "")
    if decision not in ("approve", "reject"):
        return render_item(item, Invalid("Choose Approve or Reject.", "decision"))
    try:
        workflow.decide_version(current_user, item, number, decision == "approve", request.form.get("comment", ""))
    except ApiError as e:
        return render_item(item, e)
    if decision == "approve":
        flash(f"Version {number} approved: reps get it from now on.", "success")
    else:
        flash(f"Version {number} rejected: reps keep getting the version they had.", "info")
    return redirect(url_for("library.item", item_id=item.id), 303)


@bp.post("/items/<int:item_id>/status")
@editor_required
def change_status(item_id):
    """Move the item along the approval workflow."""
    item = browsing.get_item(current_user, item_id)
    try:
        notes = workflow.transition(current_user, item, request.form.get("status", ""), request.form.get("comment", ""),
                                    announce=request.form.get("calendar_entry") == "1")  # the calendar tick
    except ApiError as e:
        return render_item(item, e)
    flash(f"Now {item.status_label.lower()}.", "success")
    for note in notes:
        flash(note, "success")
    return redirect(url_for("library.item", item_id=item.id), 303)


@bp.post("/items/<int:item_id>/delete")
@editor_required
def delete_item(item_id):
    """Delete the item and its files for good."""
    item = browsing.get_item(current_user, item_id)
    title = item.title
    services.delete_item(current_user, item)
    flash(f"Deleted \u201c{title}\u201d.", "info")
    return redirect(url_for("library.home"), 303)


@bp.get("/review")
@editor_required
def review():
    """Marketing's queue: waiting for approval, expiring soon, just expired, my drafts."""
    days = current_app.config["EXPIRING_SOON_DAYS"]
    queue = browsing.review_queue()
    return render_template("library/review.html", waiting=[item for item, _ in queue],
                           waiting_since={item.id: since for item, since in queue},
                           expiring=browsing.expiring_soon(days), expired=browsing.recently_expired(days),
                           drafts=browsing.drafts_of(current_user), days=days)


@bp.get("/items/<int:item_id>/download")
def download(item_id):
    """The current file of an item, or a redirect to its link."""
    item = browsing.get_item(current_user, item_id)
    events.collateral_opened.send(item, action="download", user=current_user, channel="page")
    if item.current_version is None:
        if item.url:
            return redirect(item.url)
        abort(404, "This item has no file.")
    return files.send(item.current_version)


@bp.get("/items/<int:item_id>/versions/<int:number>/download")
@editor_required
def download_version(item_id, number):
    """An older file version, for marketing."""
    item = browsing.get_item(current_user, item_id)
    version = next((v for v in item.versions if v.number == number), None)
    if version is None:
        abort(404, "No such version.")
    return files.send(version)


@bp.get("/items/<int:item_id>/preview")
def preview(item_id):
    """The current file shown inline, for PDFs and images only."""
    item = browsing.get_item(current_user, item_id)
    version = item.current_version
    if version is None or version.kind not in files.PREVIEWABLE:
        abort(404, "There is no preview for this item.")
    events.collateral_opened.send(item, action="preview", user=current_user, channel="page")
    return files.send(version, inline=True)



@bp.get("/items/<int:item_id>/thumbnail")
def thumbnail(item_id):
    """The first page or image of the item, or its typed placeholder card (never a broken image)."""
    return previews.send_thumbnail(browsing.get_item(current_user, item_id), request)


@bp.get("/items/<int:item_id>/pages/<int:number>")
def page_image(item_id, number):
    """One page of the current file as an image, for the page-by-page viewer."""
    return previews.send_page(browsing.get_item(current_user, item_id), number)
