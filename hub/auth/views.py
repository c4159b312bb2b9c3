"""Sign in, sign out, and the account page with personal API tokens."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from hub.auth import services
from hub.auth.forms import LoginForm, TokenForm
from hub.errors import ApiError

bp = Blueprint("auth", __name__)


def safe_next(target):
    """Only same-site relative paths are followed after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("library.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
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
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), 303)


def render_account(form=None, new_secret=None, status=200):
    tokens = services.list_tokens(current_user)
    page = render_template("account/account.html", tokens=tokens, form=form or TokenForm(), new_secret=new_secret)
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
