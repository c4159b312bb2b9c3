"""Users, passwords and API tokens: the rules, independent of pages and API."""
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from hub import events
from hub.auth import throttle
from hub.auth.models import ROLE_LABELS, ROLES, TEAM_MAX, ApiToken, User, new_session_secret
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.models import MAX_ID, get_or_404, utcnow
from hub.transactions import write_aside
from hub.units import is_zone
from hub.validation import DIGITS, strip_controls, text

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
MIN_PASSWORD = 10


def hash_password(password):
    """A salted hash with the configured method (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


_DUMMY_HASHES = {}


def burn_time(password):
    """Check the password against a stored-once throwaway hash when the email is unknown: one hash
    check, as for a known email with a wrong password, so the two take as long (ASVS 5.0 V6.3.8)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password(secrets.token_urlsafe(16))
    check_password_hash(_DUMMY_HASHES[method], password)


def normalise_email(email):
    """Trimmed and lower-cased, or Invalid."""
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid("Enter a valid email address.", "email")
    return email


def check_role(role):
    """The role, if it is one Hub knows."""
    if role not in ROLES:
        raise Invalid(f"Role must be one of: {', '.join(ROLE_LABELS.values())}.", "role")
    return role


def check_password(password, user_inputs=()):
    """Long enough, not absurdly long, and not easily guessed: zxcvbn (Dropbox's estimator, which
    knows the most common passwords, names, words, keyboard walks, dates and repeats) must score it
    at least PASSWORD_MIN_SCORE out of 4 (ASVS 5.0 V6.2.4). user_inputs (email, name) count as
    guessable words. Only the first 72 characters are scored, zxcvbn's own limit. Raises Invalid."""
    if not password or len(password) < MIN_PASSWORD:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD} characters.", "password")
    if len(password) > 256:
        raise Invalid("Passwords can be at most 256 characters.", "password")
    texts = [(text or "").lower() for text in user_inputs]
    words = texts + [w for text in texts for w in re.split(r"[^\w]+", text) if len(w) > 2]
    if zxcvbn(password[:72], user_inputs=words)["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        raise Invalid("That password is too easy to guess: it is common, or made of names, words, dates or "
                      "patterns that guessers try first. Try a few unrelated words.", "password")
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
    check_password(password, (email, name))
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


def authenticate(email, password, address=None):
    """The active user with these credentials, or None; each failure is counted against the email
    typed and the client address (hub/auth/throttle.py). Raises throttle.Locked while either is
    locked, before any password is checked. Unknown emails, wrong passwords and deactivated users
    cost one password hash check each and are refused alike."""
    key = (email or "").strip().lower()
    throttle.check(key, address)
    try:
        email = normalise_email(email)
    except Invalid:
        user = None
    else:
        user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        burn_time(password or "")
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password or "") and user.active
    if not ok:
        throttle.record_failure(key, address)
        return None
    throttle.forget_account(key)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_sessions(user):
    """Sign the user out everywhere: every session and remember-me cookie carries the old secret."""
    user.session_secret = new_session_secret()
    db.session.flush()


def user_for_session(session_id):
    """The active user a session's id ("<id>.<secret>", see User.get_id) belongs to, or None."""
    user_id, _, secret = (session_id or "").partition(".")
    if not DIGITS.fullmatch(user_id) or int(user_id) > MAX_ID or not secret:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_secret.encode(), secret.encode()):
        return None
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
        if active != user.active:
            end_sessions(user)  # reactivating must not revive the sessions deactivation ended
        user.active = active
    if name is not None:
        name = name.strip()
        if not name or len(name) > 120:
            raise Invalid("Enter a name of at most 120 characters.", "name")
        user.name = name
    db.session.flush()
    return user


def set_time_zone(user, name):
    """Set the user's own time zone: an IANA name from hub.units.zone_names(), or "" for Hub's default.

    Raises Invalid (field "time_zone") for any other value."""
    name = (name or "").strip()
    if name and not is_zone(name):
        raise Invalid("Choose a time zone from the list (an IANA name such as Europe/Berlin).", "time_zone")
    user.time_zone = name
    db.session.flush()
    return user


def set_weekly_review(user, wanted):
    """Subscribe `user` to the weekly review e-mail (Mondays 07:00 in their zone), or stop it. No commit."""
    user.weekly_review = bool(wanted)
    db.session.flush()
    return user


def set_title(user, title):
    """Set the job title prospects see on the user's pitches (at most 120 characters; "" for none).
    Raises Invalid (field "title")."""
    user.title = text(title, "title", 120)
    db.session.flush()
    return user


def adopt_browser_zone(user, name):
    """Take the browser's zone (Intl.DateTimeFormat().resolvedOptions().timeZone) as the user's own,
    only while they have chosen none: a choice made on the account page always wins.

    Returns True when stored, False when the user already has a zone. Raises Invalid (field
    "time_zone") when `name` is not one of hub.units.zone_names()."""
    if user.time_zone:
        return False
    set_time_zone(user, name)
    if not user.time_zone:
        raise Invalid("Choose a time zone from the list (an IANA name such as Europe/Berlin).", "time_zone")
    return True


def set_password(user, password):
    """Replace a user's password, end all their sessions and void any reset link. Raises Invalid."""
    check_password(password, (user.email, user.name))
    user.password_hash = hash_password(password)
    user.reset_token_hash = user.reset_expires_at = None
    end_sessions(user)


def change_own_password(user, current, new, confirm):
    """The signed-in user replaces their password, proving the current one (ASVS 5.0 V6.2.3).

    Raises Invalid naming the field at fault."""
    if not check_password_hash(user.password_hash, current or ""):
        raise Invalid("Your current password is not right.", "current_password")
    if new != confirm:
        raise Invalid("The new password and its confirmation differ.", "confirm_password")
    if new == current:
        raise Invalid("Choose a password different from the current one.", "password")
    set_password(user, new)


def _reset_hash(token):
    """Reset tokens carry 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_link(actor, user):
    """A one-time token for the user to choose a new password, valid PASSWORD_RESET_HOURS; it
    replaces any earlier one and is stored only as a hash. Returns (token, expires_at)."""
    if actor is not None and not actor.is_admin:
        raise Forbidden("Only admins can issue password reset links.")
    if not user.active:
        raise Conflict(f"{user.email} is deactivated: reactivate them first.")
    token = secrets.token_urlsafe(32)
    user.reset_token_hash = _reset_hash(token)
    user.reset_expires_at = utcnow() + timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    db.session.flush()
    return token, user.reset_expires_at


def user_for_reset(token):
    """The active user whose unexpired reset link this is, or NotFound."""
    user = None
    if token and len(token) <= 100:
        user = db.session.scalar(select(User).where(User.reset_token_hash == _reset_hash(token)))
    if user is None or not user.active or user.reset_expires_at is None or user.reset_expires_at < utcnow():
        raise NotFound("This reset link is not valid: it was used, replaced or has expired. Ask an admin for a new one.")
    return user


def reset_password(token, password, confirm):
    """Use a reset link once: set the new password, which ends every session. Raises NotFound/Invalid."""
    user = user_for_reset(token)
    if password != confirm:
        raise Invalid("The new password and its confirmation differ.", "confirm_password")
    set_password(user, password)
    throttle.forget_account(user.email)
    return user


def list_users(role=None, active=None):
    """Users, active first, by name: everyone, or one role (a key of ROLE_LABELS) and/or only the active
    (True) or deactivated (False) accounts."""
    query = select(User).order_by(User.active.desc(), User.name)
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active == active)
    return db.session.scalars(query).all()


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
