"""Who reads which feed: each user's secret feed token (derived, only its hash stored), the filters a
feed link carries, saved filtered feeds, and the links the subscribe page offers."""
import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qsl, urlencode

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.calendar import ical, services, validation
from hub.calendar.models import KINDS, FeedKey, SavedFeed
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.models import utcnow
from hub.validation import row_id

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
FILTER_KEYS = ("kind", "product", "audience")


# --- tokens -------------------------------------------------------------------------------------


def derive(nonce):
    """The feed secret: 256 bits from HMAC(SECRET_KEY, nonce). The database keeps only its hash and
    the nonce, so a copy of the database alone cannot rebuild anyone's feed URL."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"hub-calendar-feed:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token(user):
    """The user's current feed token, or None when they have none that works: never made (a user
    from before keys were made with the account), or made under another SECRET_KEY. Reading never
    writes: making one is rotate_token's, behind a POST."""
    key = db.session.get(FeedKey, user.id)
    if key is None:
        return None
    token = derive(key.nonce)
    if not hmac.compare_digest(key.token_hash, token_hash(token)):  # SECRET_KEY changed since
        return None
    return token


def rotate_token(user):
    """A new secret (no commit): the old feed URLs stop working at once. Conflict when another
    request made one at the same moment."""
    key = db.session.get(FeedKey, user.id)
    nonce = secrets.token_urlsafe(32)
    token = derive(nonce)
    if key is None:
        db.session.add(FeedKey(user_id=user.id, nonce=nonce, token_hash=token_hash(token)))
    else:
        key.nonce, key.token_hash, key.created_at = nonce, token_hash(token), utcnow()
    try:
        db.session.flush()
    except IntegrityError:  # a first link made in two tabs at once
        raise Conflict("Your feed link was just made in another window: reload the page.") from None
    return token


def user_for_token(token):
    """The active user whose feed token this is, or None."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    key = db.session.scalar(select(FeedKey).where(FeedKey.token_hash == token_hash(token)))
    if key is None or not key.user.active:
        return None
    return key.user


# --- filters and saved feeds --------------------------------------------------------------------


def filters_from(pairs):
    """Filters from (key, value) pairs as in a query string; other keys are ignored."""
    values = {key: [v for k, v in pairs if k == key] for key in FILTER_KEYS}
    return services.clean_filters(values["kind"], values["product"], values["audience"])


def filters_from_query(query):
    """A saved feed's stored query string back to filters."""
    return filters_from(parse_qsl(query))


def filter_query(filters):
    """The canonical query string for filters: sorted, repeatable keys."""
    return urlencode([(key, value) for key in FILTER_KEYS for value in filters.get(key, [])])


def list_saved(user):
    return db.session.scalars(select(SavedFeed).where(SavedFeed.user_id == user.id).order_by(SavedFeed.name)).all()


def save_feed(user, name, filters):
    """A named filtered feed for the user."""
    name = validation.clean_line(name, "name", required=True, limit=60)
    name = ical.safe_name(name)
    if not filters:
        raise Invalid("Choose at least one kind, product or audience for a filtered feed.", "kind")
    if len(list_saved(user)) >= 20:
        raise Invalid("You can save at most 20 feeds: delete one first.", "name")
    feed = SavedFeed(user_id=user.id, name=name, query=filter_query(filters))
    db.session.add(feed)
    db.session.flush()
    return feed


def get_saved(user, feed_id):
    feed = db.session.get(SavedFeed, feed_id)
    if feed is None or feed.user_id != user.id:
        raise NotFound("No such saved feed.")
    return feed


def delete_saved(user, feed_id):
    db.session.delete(get_saved(user, feed_id))
    db.session.flush()


def resolve(user, args):
    """(saved feed or None, filters) for a feed request's query string."""
    if "feed" in args:
        try:
            feed_id = row_id(args.get("feed", ""), "feed")
        except Invalid:
            raise NotFound("No such saved feed.") from None
        saved = get_saved(user, feed_id)
        return saved, filters_from(parse_qsl(saved.query))
    return None, filters_from(list(args.items(multi=True)))


def feed_name(saved, filters):
    """The calendar's name as the app shows it."""
    if saved is not None:
        return f"Hub: {saved.name}"
    if not filters:
        return "Hub marketing calendar"
    parts = [KINDS[k] for k in filters.get("kind", [])] + filters.get("product", []) + filters.get("audience", [])
    return "Hub: " + " and ".join(parts)


def urls(user, saved=None, filters=None):
    """The feed's https, webcal and Google 'add by URL' links; None while the user has no working
    feed token (see feed_token)."""
    from urllib.parse import quote

    from flask import url_for

    token = feed_token(user)
    if token is None:
        return None
    query = {"feed": saved.id} if saved is not None else {}
    https = url_for("calendar.feed", token=token, _external=True, **query)
    if filters and saved is None:
        https += ("&" if "?" in https else "?") + filter_query(filters)
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")
    return {"https": https, "webcal": webcal, "google": google}
