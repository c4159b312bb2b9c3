"""Sign in, sign out, and the account page with personal API tokens."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from hub.auth import photos, services
from hub.auth.forms import LoginForm, PasswordChangeForm, PasswordResetForm, TokenForm
from hub.auth.throttle import Locked
from hub.errors import ApiError, Invalid
from hub.routing import safe_next
from hub.units import COMMON_ZONES, zone_names

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("library.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except Locked as e:
            flash(e.message, "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(e.retry_after)}
        if user is not None:
            session.clear()  # a fresh session on every sign-in
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("library.home"))
        flash("That email and password do not match an active account.", "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out: this session and every other one of the user's (a copied cookie stops working)."""
    if current_user.is_authenticated:
        services.end_sessions(current_user)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), 303)


def render_account(form=None, new_secret=None, status=200, password_error=None, zone_error=None,
                   profile_error=None):
    tokens = services.list_tokens(current_user)
    page = render_template("account/account.html", tokens=tokens, form=form or TokenForm(), new_secret=new_secret,
                           password_error=password_error, zone_error=zone_error, zone_names=zone_names(),
                           common_zones=COMMON_ZONES, profile_error=profile_error,
                           has_photo=photos.photo_of(current_user.id) is not None)
    return page, status


@bp.get("/account")
def account():
    """The signed-in user's profile and API tokens."""
    return render_account()


@bp.post("/account/tokens")
def create_token():
    """Create a personal API token and show its secret this once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return render_account(form, status=422)
    try:
        _, secret = services.create_token(current_user, form.name.data)
    except ApiError as e:
        flash(e.message, "error")
        return render_account(form, status=e.status)
    return render_account(new_secret=secret, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id):
    """Revoke one of the user's tokens."""
    services.revoke_token(current_user, token_id)
    flash("Token revoked. Anything using it is refused from now on.", "info")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/password")
def change_password():
    """Replace one's own password (the current one is needed); every other session ends."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_account(status=422, password_error=Invalid("Fill in all three password fields.", "password"))
    try:
        services.change_own_password(current_user, form.current_password.data, form.password.data,
                                     form.confirm_password.data)
    except ApiError as e:
        return render_account(status=e.status, password_error=e)
    login_user(current_user._get_current_object())  # this session carries the new secret; the others end
    flash("Password changed. Every other session of yours is signed out.", "success")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/time-zone")
def set_time_zone():
    """Choose the zone Hub shows times in for this user (and sends their e-mail by)."""
    try:
        services.set_time_zone(current_user, request.form.get("time_zone", ""))
    except ApiError as e:
        return render_account(status=e.status, zone_error=e)
    flash("Time zone saved.", "success")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/weekly-review")
def set_weekly_review():
    """Get the weekly review by e-mail every Monday, or stop it (the checkbox on the account page)."""
    services.set_weekly_review(current_user, request.form.get("weekly_review") == "1")
    flash("You will get the weekly review every Monday at 07:00." if current_user.weekly_review
          else "You will no longer get the weekly review by e-mail.", "success")
    return redirect(url_for("auth.account", _anchor="weekly-review"), 303)


@bp.post("/account/browser-time-zone")
def adopt_browser_zone():
    """The browser's own zone, posted once by static/js/hub.js while the user has chosen none:
    204 when stored, 200 when they already have one, 422 for a name Hub does not know."""
    try:
        adopted = services.adopt_browser_zone(current_user, request.form.get("time_zone", ""))
    except ApiError as e:
        return Response(e.message, status=e.status, content_type="text/plain; charset=utf-8")
    return Response(status=204 if adopted else 200)


@bp.post("/account/profile")
def set_profile():
    """The job title prospects see on the user's pitches."""
    try:
        services.set_title(current_user, request.form.get("title", ""))
    except ApiError as e:
        return render_account(status=e.status, profile_error=e)
    flash("Title saved.", "success")
    return redirect(url_for("auth.account", _anchor="profile"), 303)


@bp.post("/account/photo")
def upload_photo():
    """Upload (or, with `remove`, delete) the photo prospects see on the user's pitches."""
    if request.form.get("remove"):
        photos.remove_photo(current_user)
        flash("Photo removed.", "success")
        return redirect(url_for("auth.account", _anchor="profile"), 303)
    try:
        photos.set_photo(current_user, request.files.get("photo"))
    except ApiError as e:
        return render_account(status=e.status, profile_error=e)
    flash("Photo saved.", "success")
    return redirect(url_for("auth.account", _anchor="profile"), 303)


@bp.get("/account/photo")
def my_photo():
    """The signed-in user's own photo (404 when none)."""
    photo = photos.photo_of(current_user.id)
    if photo is None:
        abort(404)
    return photos.photo_response(photo)


@bp.post("/account/sessions/end")
def end_sessions():
    """Sign out everywhere: every browser and remember-me cookie, this one included."""
    services.end_sessions(current_user)
    logout_user()
    session.clear()
    flash("You are signed out everywhere.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password through an admin's one-time reset link (no session needed)."""
    user = services.user_for_reset(token)
    form = PasswordResetForm()
    error = None
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, form.confirm_password.data)
        except Invalid as e:
            error = e
        else:
            logout_user()
            session.clear()
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("auth.login"), 303)
    elif request.method == "POST":
        error = Invalid("Fill in both password fields.", "password")
    status = 422 if error else 200
    return render_template("auth/reset.html", form=form, user=user, error=error), status, {"Cache-Control": "no-store"}
