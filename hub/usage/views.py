"""Usage pages: the public share page, a rep's links, deals and activity, ratings, requests, insights."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.auth import services as auth_services
from hub.auth.access import editor_required
from hub.errors import ApiError, NotFound
from hub.library import browsing, files, funnel, pages, workflow
from hub.routing import safe_next
from hub.transactions import discard
from hub.ui import page_number
from hub.usage import analytics, exports, feedback, pitch_attention, pitches, services, shares
from hub.usage import csv as csv_export
from hub.usage.models import OUTCOMES, REQUEST_STATUSES, Opportunity
from hub.validation import day, row_id

bp = Blueprint("usage", __name__)
PUBLIC = ("usage.share_page", "usage.share_preview", "usage.share_page_image", "usage.share_download")
REQUEST_FIELDS = ("title", "stage", "industry", "product", "why", "needed_by")


def back_to_item(item_id, anchor="usage"):
    return redirect(url_for("library.item", item_id=item_id, _anchor=anchor), 303)


def note(message, category="success"):
    """A message shown inside the item page's usage panel, where the page opens (#usage), not at the
    top of the page above the fold (the share link used to land 200-660 px off-screen)."""
    flash(message, f"panel-{category}")


def refuse(error, item_id=None):
    """A refused form on the item page: undo what it flushed, say why and go back (the page keeps its
    own state)."""
    discard()
    if item_id:
        note(error.message, "error")
        return back_to_item(item_id)
    flash(error.message, "error")
    return redirect(request.referrer or url_for("library.home"), 303)


# --- the public share page ----------------------------------------------------------------------


def open_share(token):
    """The working share for this token, or a plain 404 page with no internal detail."""
    try:
        return shares.share_for_token(token)
    except NotFound as e:
        abort(Response(render_template("usage/share_gone.html", message=e.message), 404))


def public_headers(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/s/<token>")
def share_page(token):
    """What a prospect sees: the item's title, description, preview and download when allowed."""
    share = open_share(token)
    shares.record_open(share, request.headers.get("User-Agent", ""))
    item = share.collateral
    version = item.current_version
    previewable = version is not None and version.kind in files.PREVIEWABLE
    page_count = pages.page_count(version) if previewable and not share.allow_download else 0
    response = Response(render_template("usage/share_public.html", share=share, item=item, version=version, token=token,
                                        previewable=previewable, page_count=page_count,
                                        pages_pending=previewable and pages.pending(version)))
    return public_headers(response)


@bp.get("/s/<token>/preview")
def share_preview(token):
    """The shared file inline (PDFs and images), only when the rep allowed downloads: otherwise
    the page shows page images, which do not hand over the file."""
    share = open_share(token)
    version = share.collateral.current_version
    if version is None or version.kind not in files.PREVIEWABLE or not share.allow_download:
        abort(404, "There is no preview of the file for this link.")
    shares.record_open(share, request.headers.get("User-Agent", ""), "preview")
    return public_headers(files.send(version, inline=True))


@bp.get("/s/<token>/pages/<int:number>.png")
def share_page_image(token, number):
    """One page of the shared file as a picture (links without download rights)."""
    share = open_share(token)
    version = share.collateral.current_version
    if version is None or version.kind not in files.PREVIEWABLE:
        abort(404, "There is no preview for this item.")
    response = Response(pages.page_png(version, number), mimetype="image/png")
    response.headers["Content-Security-Policy"] = "sandbox"
    return public_headers(response)


@bp.get("/s/<token>/download")
def share_download(token):
    """The shared file as a download, when the rep allowed it."""
    share = open_share(token)
    version = share.collateral.current_version
    if not share.allow_download or version is None:
        abort(404, "Downloading is not available for this link.")
    shares.record_open(share, request.headers.get("User-Agent", ""), "download")
    return public_headers(files.send(version))


# --- a rep's links, deals and activity ----------------------------------------------------------


@bp.post("/items/<int:item_id>/shares")
def create_share(item_id):
    """Make a tracked link for a prospect; with an opportunity, also note the deal."""
    data = request.form.to_dict()
    try:
        share, token = shares.create_share(current_user, item_id, data)
    except ApiError as e:
        if e.status == 404:
            raise
        return refuse(e, item_id)
    url = url_for("usage.share_page", token=token, _external=True)
    note(f"Link for {share.recipient} created. Copy it now: it is shown only once.")
    note(url, "link")
    if data.get("opportunity", "").strip():
        try:
            services.record_deal(current_user, share.collateral, {**data, "account": data.get("account") or share.recipient})
            note("Use in the deal recorded.")
        except ApiError as e:
            note(f"The link works, but the deal was not recorded: {e.message}", "error")
    return back_to_item(item_id, "new-link-url")  # focusable: Chromium moves the focus to it


@bp.get("/shares")
def my_shares():
    """The rep's links with how often and when each was opened; for pitches, each item's time in view
    and pages seen too."""
    pitch_rows = pitches.pitches_of(current_user)
    return render_template("usage/shares.html", rows=shares.shares_of(current_user), opens_label=shares.opens_label,
                           pitch_rows=pitch_rows,
                           pitch_attention=pitch_attention.attention_of([row[0] for row in pitch_rows]))


@bp.post("/shares/<int:share_id>/revoke")
def revoke_share(share_id):
    """Stop a link from working."""
    share = shares.revoke_share(current_user, shares.get_share(current_user, share_id))
    flash(f"The link for {share.recipient} no longer works.", "info")
    return redirect(safe_next(request.form.get("next")) or url_for("usage.my_shares"), 303)


@bp.post("/items/<int:item_id>/deals")
def record_deal(item_id):
    """Note that this item was used with an account's opportunity at a stage."""
    try:
        item = services.live_item(current_user, item_id)
        services.record_deal(current_user, item, request.form.to_dict())
    except ApiError as e:
        if e.status == 404:
            raise
        return refuse(e, item_id)
    note("Use in the deal recorded. Set its outcome under My opportunities when it closes.")
    return back_to_item(item_id)


@bp.get("/opportunities")
def opportunities():
    """The rep's opportunities, to set their outcome."""
    return render_template("usage/opportunities.html", opportunities=services.my_opportunities(current_user),
                           outcomes=OUTCOMES)


@bp.post("/opportunities/<int:opportunity_id>/outcome")
def set_outcome(opportunity_id):
    """Open, won or lost."""
    from hub.extensions import db

    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None:
        abort(404, "No such opportunity.")
    try:
        services.set_outcome(current_user, opportunity, request.form.get("outcome"))
    except ApiError as e:
        if e.status in (403, 404):
            raise
        discard()
        flash(e.message, "error")
        return redirect(url_for("usage.opportunities"), 303)
    flash(f"{opportunity.ref} is now {opportunity.outcome}.", "success")
    return redirect(url_for("usage.opportunities"), 303)


@bp.get("/activity")
def activity():
    """Recent activity: a rep's own; marketing and admins everyone's or one person's (?user=)."""
    page = page_number()
    user_id = services.user_filter(current_user, request.args.get("user"), "user")
    events, more = services.list_events(current_user, {"user_id": user_id}, page, 50)
    return render_template("usage/activity.html", events=events, page=page, more=more, user_id=user_id,
                           people=services.activity_people(current_user))


@bp.post("/items/<int:item_id>/rating")
def rate(item_id):
    """Rate an item 1-5 with a comment; rating again replaces it."""
    item = browsing.get_item(current_user, item_id)
    try:
        feedback.rate_item(current_user, item, request.form.get("rating", ""), request.form.get("comment", ""))
    except ApiError as e:
        return refuse(e, item_id)
    note("Thanks, your rating is saved.")
    return back_to_item(item_id)


# --- content requests ---------------------------------------------------------------------------


@bp.get("/requests")
def requests_page():
    """Open requests by votes, my requests with fresh status changes marked, and the form to ask."""
    status = request.args.get("status", "")
    if status and status not in REQUEST_STATUSES:
        abort(400, "Unknown status.")
    spans = {name: tuple(day(request.args.get(f"{name}_{end}") or None, f"{name}_{end}") for end in ("from", "to"))
             for name in ("asked", "changed")}
    rows = feedback.list_requests(status or None, **spans)
    changed = feedback.unseen_changes(current_user)
    changed_ids = {r.id for r in changed}
    feedback.mark_seen(current_user, changed)
    return render_template("usage/requests.html", rows=rows, status=status, statuses=REQUEST_STATUSES,
                           spans={k: v for k, v in spans.items() if any(v)}, changed_ids=changed_ids,
                           stages=funnel.list_stages(), values={}, error=None)


@bp.post("/requests")
def create_request():
    """Ask marketing for missing content."""
    data = {k: request.form.get(k, "") for k in REQUEST_FIELDS}
    try:
        req = feedback.create_request(current_user, data)
    except ApiError as e:
        return render_template("usage/requests.html", rows=feedback.list_requests(), status="",
                               statuses=REQUEST_STATUSES, changed_ids=set(), stages=funnel.list_stages(),
                               values=data, error=e), e.status
    flash("Request sent to marketing. You will see its progress here.", "success")
    return redirect(url_for("usage.request_detail", request_id=req.id), 303)


@bp.get("/requests/<int:request_id>")
def request_detail(request_id):
    """One request: details, votes, status and, when delivered, the item."""
    req = feedback.get_request(request_id)
    if req.requester_id == current_user.id:
        feedback.mark_seen(current_user, [req])
    return render_template("usage/request.html", req=req, voted=feedback.has_voted(current_user, req),
                           statuses=REQUEST_STATUSES, next_statuses=sorted(feedback.NEXT[req.status]))


@bp.post("/requests/<int:request_id>/vote")
def vote(request_id):
    """Add or take back one's vote."""
    req = feedback.get_request(request_id)
    try:
        feedback.vote(current_user, req, request.form.get("vote", "1") != "0")
    except ApiError as e:
        discard()
        flash(e.message, "error")
    return redirect(url_for("usage.request_detail", request_id=req.id), 303)


@bp.post("/requests/<int:request_id>/status")
@editor_required
def request_status(request_id):
    """Marketing moves the request along, with a reason or the delivered item."""
    req = feedback.get_request(request_id)
    data = {"status": request.form.get("status", ""), "reason": request.form.get("reason", "")}
    if request.form.get("delivered_collateral_id", "").strip():
        data["delivered_collateral_id"] = request.form["delivered_collateral_id"].strip()
    try:
        feedback.update_request(current_user, req, data)
    except ApiError as e:
        discard()
        flash(e.message, "error")
        return redirect(url_for("usage.request_detail", request_id=req.id), 303)
    flash(f"Request is now {req.status_label.lower()}.", "success")
    return redirect(url_for("usage.request_detail", request_id=req.id), 303)


# --- insights (marketing and admins) -------------------------------------------------------------


def report_filters():
    try:
        return analytics.clean_filters(request.args)
    except ApiError as e:
        abort(400, e.message)


def csv_response(text, name):
    response = Response("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/insights")
@editor_required
def insights():
    """The dashboard: unused share, what works, funnel coverage, trends and adoption."""
    return render_template("usage/insights.html", data=analytics.dashboard(90), tab="dashboard")


@bp.get("/insights/content")
@editor_required
def content_report():
    """Per-item usage, sortable and filtered."""
    filters = report_filters()
    page, per_page = page_number(), current_app.config["REPORT_ROWS_PER_PAGE"]
    rows = analytics.content_usage(filters)
    return render_template("usage/content.html", rows=rows[(page - 1) * per_page:page * per_page], total=len(rows),
                           page=page, per_page=per_page, filters=request.args,
                           overall=analytics.overall_win_rate(), stages=funnel.list_stages(),
                           facets=browsing.facet_values(current_user), sorts=analytics.SORTS, tab="content",
                           teams=auth_services.list_teams(),
                           comments=analytics.rating_comments(filters["start"], filters["end"]))


@bp.get("/insights/content.csv")
@editor_required
def content_csv():
    """The content report as CSV."""
    rows = analytics.content_usage(report_filters())
    return csv_response(csv_export.build(csv_export.CONTENT_COLUMNS, rows), "content-usage.csv")


def days_arg():
    try:
        return analytics.clean_days(request.args.get("days"))
    except ApiError as e:
        abort(400, e.message)


@bp.get("/insights/unused")
@editor_required
def unused_report():
    """Approved items nobody used in N days, with archive buttons."""
    return render_template("usage/unused.html", data=analytics.unused(days_arg()), tab="unused")


@bp.get("/insights/unused.csv")
@editor_required
def unused_csv():
    """The unused list as CSV."""
    data = analytics.unused(days_arg())
    return csv_response(csv_export.build(csv_export.UNUSED_COLUMNS, data["items"]), "unused-content.csv")


@bp.post("/insights/unused/archive")
@editor_required
def archive_unused():
    """Archive the ticked items from the unused list."""
    archived = 0
    for raw in request.form.getlist("item_id")[:500]:
        try:
            item = browsing.get_item(current_user, row_id(raw, "item_id", "not an item id."))
            workflow.transition(current_user, item, "archived", "Archived from the unused content report")
            archived += 1
        except ApiError as e:
            flash(f"Item {raw}: {e.message}", "error")
    flash(f"Archived {archived} item{'s' if archived != 1 else ''}." if archived else "Nothing archived.", "info")
    try:
        days = analytics.clean_days(request.form.get("days"))
    except ApiError:
        days = 90
    return redirect(url_for("usage.unused_report", days=days), 303)


@bp.get("/insights/search")
@editor_required
def search_report():
    """Top queries, queries with no results, queries where nothing was opened."""
    return render_template("usage/search.html", data=analytics.search_insights(report_filters()),
                           filters=request.args, tab="search")


@bp.get("/insights/<any(stages, search, adoption, feedback):report>.csv")
@editor_required
def report_csv(report):
    """Funnel coverage, search insights, adoption or what reps say, as CSV."""
    try:
        name, text = exports.export(report, request.args)
    except ApiError as e:
        abort(400, e.message)
    return csv_response(text, name)
