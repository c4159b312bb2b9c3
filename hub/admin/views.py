"""Admin pages: users, roles and teams; funnel stages; the health of background work and the index."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub import jobs, validation
from hub.auth import services as users
from hub.auth import throttle
from hub.auth.access import admin_required
from hub.auth.models import ROLE_LABELS
from hub.errors import ApiError, Invalid
from hub.library import funnel
from hub.search import sync
from hub.transactions import discard

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def guard():
    """Every admin page is for admins only."""


@bp.get("/users")
def user_list():
    """Everyone who can sign in, active first; ?role=sales&active=1 narrows it (the weekly review's
    count of reps links here)."""
    role = request.args.get("role") or None
    if role is not None:
        validation.choice(role, "role", ROLE_LABELS)
    active = {"": None, "1": True, "0": False}.get(request.args.get("active", ""))
    if active is None and request.args.get("active"):
        raise Invalid("Active must be 1 or 0.", "active")
    return users_page({}, None, shown=(role, active))


def users_page(values, error, reset_link=None, shown=(None, None)):
    """The users page, with the add-user form's values and error, and a reset link just issued.
    shown: (role, active) narrowing the list, as user_list reads them."""
    role, active = shown
    return render_template("admin/users.html", users=users.list_users(role, active), roles=ROLE_LABELS,
                           teams=users.list_teams(), values=values, error=error, locks=throttle.list_locks(),
                           reset_link=reset_link, shown_role=role, shown_active=active)


@bp.post("/users")
def create_user():
    """Add a user with a role, a team and a first password."""
    values = {k: request.form.get(k, "") for k in ("email", "name", "role", "team")}
    try:
        user = users.create_user(values["email"], values["name"], values["role"], request.form.get("password", ""),
                                 team=values["team"])
    except ApiError as e:
        return users_page(values, e), e.status
    flash(f"Created {user.email} as {user.role_label}. Share the password with them privately.", "success")
    return redirect(url_for("admin.user_list"), 303)


@bp.post("/users/<int:user_id>")
def update_user(user_id):
    """Change a user's role or team, or deactivate or reactivate them."""
    user = users.get_user(user_id)
    role = request.form.get("role") or None
    active = {"1": True, "0": False}.get(request.form.get("active", ""))
    team = request.form.get("team")  # absent: unchanged; empty: no team
    try:
        users.update_user(user, current_user, role=role, active=active, team=team)
    except ApiError as e:
        discard()
        flash(e.message, "error")
        return redirect(url_for("admin.user_list"), 303)
    state = "active" if user.active else "deactivated: they cannot sign in and their API tokens stop working"
    team = f" in {user.team}" if user.team else ""
    flash(f"{user.email} is {user.role_label}{team}, {state}.", "success")
    return redirect(url_for("admin.user_list"), 303)


@bp.post("/users/<int:user_id>/delete")
def delete_user(user_id):
    """Delete a user for good; their usage history stays, attributed to no one."""
    user = users.get_user(user_id)
    email = user.email
    try:
        users.delete_user(current_user, user)
    except ApiError as e:
        discard()
        flash(e.message, "error")
    else:
        flash(f"Deleted {email}. Their views, ratings and deals stay in the reports as a former user.", "success")
    return redirect(url_for("admin.user_list"), 303)


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id):
    """Issue a one-time, expiring link for the user to choose a new password; shown this once."""
    user = users.get_user(user_id)
    try:
        token, expires_at = users.issue_reset_link(current_user, user)
    except ApiError as e:
        discard()
        flash(e.message, "error")
        return redirect(url_for("admin.user_list"), 303)
    link = {"user": user, "expires_at": expires_at, "url": url_for("auth.reset_password", token=token, _external=True)}
    page = users_page({}, None, reset_link=link)
    return page, 201, {"Cache-Control": "no-store"}


@bp.post("/sign-in-locks/<int:lock_id>/clear")
def clear_lock(lock_id):
    """Unlock an account or address before its lock ends."""
    lock = throttle.clear_lock(lock_id)
    flash(f"Cleared the sign-in lock on {lock.key}.", "success")
    return redirect(url_for("admin.user_list"), 303)


@bp.get("/stages")
def stages():
    """The funnel stages in order."""
    return render_template("admin/stages.html", stages=funnel.list_stages())


@bp.post("/stages")
def add_stage():
    """Add a stage at the end of the funnel."""
    try:
        stage = funnel.add_stage(request.form.get("name", ""), request.form.get("slug") or None)
    except ApiError as e:
        discard()
        flash(e.message, "error")
    else:
        flash(f"Added the stage {stage.name}.", "success")
    return redirect(url_for("admin.stages"), 303)


@bp.post("/stages/<int:stage_id>")
def update_stage(stage_id):
    """Rename a stage or move it up or down."""
    stage = funnel.get_stage_by_id(stage_id)
    try:
        if request.form.get("move") in ("up", "down"):
            funnel.move_stage(stage, -1 if request.form["move"] == "up" else 1)
        else:
            funnel.rename_stage(stage, request.form.get("name", ""))
            flash(f"Renamed to {stage.name}.", "success")
    except ApiError as e:
        discard()
        flash(e.message, "error")
    return redirect(url_for("admin.stages"), 303)


@bp.get("/health")
def health():
    """Background work and the search index: backlog, oldest job, last error, workers."""
    return render_template("admin/health.html", queue=jobs.health(),
                           index=sync.index_health(current_app._get_current_object()))


@bp.post("/health/retry")
def retry_jobs():
    """Give failed background jobs another go."""
    count = jobs.retry_failed()
    flash(f"{count} failed job{'s' if count != 1 else ''} queued again.", "success")
    return redirect(url_for("admin.health"), 303)
