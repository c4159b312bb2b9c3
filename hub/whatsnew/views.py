"""What's new for me: saved items and recently viewed (`/saved`), notifications, e-mail choices."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from hub.errors import ApiError, wants_json
from hub.routing import safe_next
from hub.validation import row_id
from hub.whatsnew import services
from hub.whatsnew.models import KINDS

bp = Blueprint("whatsnew", __name__)


def back(default):
    """303 to the form's `next` (a path on this site) or `default`."""
    return redirect(safe_next(request.form.get("next", "")) or default, 303)


@bp.get("/saved")
def saved():
    """The items the person starred, and the ones they opened last."""
    return render_template("whatsnew/saved.html", items=services.saved_items(current_user),
                           recent=services.recently_viewed(current_user))


@bp.post("/saved/<int:item_id>")
def toggle_saved(item_id):
    """Star or unstar an item (form field `saved`: "1" or "0"); JSON for script, else back where it came from."""
    wanted = request.form.get("saved", "1") != "0"
    try:
        item = services.save_item(current_user, item_id, wanted)
    except ApiError as e:
        abort(e.status, e.message)
    if wants_json():
        return jsonify(saved=wanted, collateral_id=item.id)
    flash(f"Saved “{item.title}”." if wanted else f"Removed “{item.title}” from your saved items.", "success")
    return back(url_for("library.item", item_id=item.id))


@bp.get("/notifications")
def notifications():
    """The person's notifications, newest first, unread ones marked."""
    return render_template("whatsnew/notifications.html", notes=services.notifications_of(current_user),
                           link_of=services.link_of)


@bp.get("/notifications/unread.json")
def unread():
    """{"unread": n}: the bell's number, for the page's script to poll (one COUNT query, nothing stored,
    never cached). Reached without a session it answers 401 in JSON rather than the sign-in page."""
    if not current_user.is_authenticated:
        response = jsonify(error={"code": "unauthorized", "message": "Sign in again."})
        response.status_code = 401
    else:
        response = jsonify(unread=services.unread_count(current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/notifications/read")
def mark_read():
    """Mark one notification (form field `id`) or all of them read."""
    raw = request.form.get("id", "")
    try:
        note_id = row_id(raw, "id") if raw else None
    except ApiError as e:
        abort(400, e.message)
    services.mark_read(current_user, note_id)
    if wants_json():
        return jsonify(unread=services.unread_count(current_user))
    return back(url_for("whatsnew.notifications"))


@bp.post("/account/notifications")
def set_mail():
    """Which notifications the person also gets by e-mail (the account page's ticks)."""
    try:
        services.set_mail_kinds(current_user, request.form.getlist("mail"))
    except ApiError as e:
        abort(400, e.message)
    flash("E-mail choices saved.", "success")
    return redirect(url_for("auth.account", _anchor="notifications"), 303)


def account_panel():
    """What the account page's notifications panel needs."""
    return {"kinds": KINDS, "mailed": services.mail_kinds(current_user)}
