"""Users, passwords and API tokens: the rules, independent of pages and API."""
import re

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from hub import events
from hub.auth.models import ROLES, TEAM_MAX, ApiToken, User
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.models import get_or_404, utcnow
from hub.transactions import write_aside
from hub.validation import strip_controls

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
MIN_PASSWORD = 10


def hash_password(password):
    """A salted hash with the configured method (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def burn_time(password):
    """Check a throwaway hash when the email is unknown, so a failed sign-in takes as long either way."""
    check_password_hash(hash_password("not-a-real-password"), password)


def normalise_email(email):
    """Trimmed and lower-cased, or Invalid."""
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid("Enter a valid email address.", "email")
    return email


def check_role(role):
    """The role, if it is one Hub knows."""
    if role not in ROLES:
        raise Invalid(f"Role must be one of: {', '.join(ROLES)}.", "role")
    return role


def check_password(password):
    """Long enough, not absurdly long."""
    if not password or len(password) < MIN_PASSWORD:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD} characters.", "password")
    if len(password) > 256:
        raise Invalid("Passwords can be at most 256 characters.", "password")
    return password


def clean_team(team):
    """Trimmed, with inner spaces collapsed so "EMEA  Sales" and "EMEA Sales" are one team; "" for none."""
    team = " ".join(strip_controls(team or "").split())
    if len(team) > TEAM_MAX:
        raise Invalid(f"Team names can be at most {TEAM_MAX} characters.", "team")
    return team


def create_user(email, name, role, password, team=""):
    """Add a user with a hashed password."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise Invalid("Enter a name of at most 120 characters.", "name")
    check_role(role)
    team = clean_team(team)
    check_password(password)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"A user with the email {email} already exists.", "exists")
    user = User(email=email, name=name, role=role, team=team, password_hash=hash_password(password))
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same email added at the same moment elsewhere
        raise Conflict(f"A user with the email {email} already exists.", "exists") from None
    events.user_created.send(user)
    return user


def authenticate(email, password):
    """The active user with these credentials, or None."""
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        burn_time(password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def get_user(user_id):
    """A user by id, or NotFound."""
    return get_or_404(User, user_id, "No such user.")


def update_user(user, actor, role=None, active=None, name=None, team=None):
    """Change a user's role, name, team or active flag; admins cannot lock themselves out."""
    if team is not None:
        user.team = clean_team(team)
    if role is not None:
        check_role(role)
        if user.id == actor.id and role != "admin":
            raise Conflict("You cannot remove your own admin role.")
        user.role = role
    if active is not None:
        if user.id == actor.id and not active:
            raise Conflict("You cannot deactivate yourself.")
        user.active = active
    if name is not None:
        name = name.strip()
        if not name or len(name) > 120:
            raise Invalid("Enter a name of at most 120 characters.", "name")
        user.name = name
    db.session.flush()
    return user


def set_password(user, password):
    """Replace a user's password."""
    check_password(password)
    user.password_hash = hash_password(password)
    db.session.flush()


def list_users():
    """Everyone, active first, by name."""
    return db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()


def list_teams():
    """Every team someone is in, sorted; users without a team add nothing."""
    return db.session.scalars(select(User.team).where(User.team != "").distinct().order_by(User.team)).all()


def delete_user(actor, user):
    """Delete a user for good; the foreign keys keep their history with no one named (actor None: the CLI)."""
    if actor is not None:
        if not actor.is_admin:
            raise Forbidden("Only admins can delete users.")
        if actor.id == user.id:
            raise Conflict("You cannot delete yourself.")
    if user.is_admin and user.active:
        # Locking the active admins' rows stops two admins deleting each other at once on PostgreSQL.
        admins = db.session.scalars(
            select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
        ).all()
        if admins == [user.id]:
            raise Conflict(f"{user.email} is the last active admin: make someone else an admin first.")
    db.session.delete(user)
    db.session.flush()


def create_token(user, name):
    """A new API token for the user; the secret is returned once and stored only as a hash."""
    name = (name or "").strip() or "API token"
    if len(name) > 80:
        raise Invalid("Token names can be at most 80 characters.", "name")
    secret = ApiToken.generate()
    token = ApiToken(user=user, name=name, token_hash=ApiToken.hash(secret), prefix=secret[:8])
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(user, token_id):
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def user_for_token(secret):
    """The active user owning this unrevoked token, or None."""
    if not secret or not secret.startswith(ApiToken.TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        # Bookkeeping on its own connection: a read never fails, or waits, because of it.
        write_aside(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now), "a token's last use")
    return token.user


def list_tokens(user):
    """The user's tokens, newest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ).all()
