"""Tracked share links: create, open (public), revoke, and the opens a rep sees."""
import hashlib
import logging
import secrets

from sqlalchemy import func, insert, select

from hub.errors import Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.models import today, utcnow
from hub.transactions import write_aside
from hub.usage.models import Share, ShareOpen
from hub.usage.services import client_description, live_item, record_event
from hub.validation import day, text

log = logging.getLogger(__name__)


def hash_token(token):
    """Tokens carry 192 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def as_bool(value, field):
    """true/false from JSON, or a checkbox/form value."""
    if value in (None, "", False, 0):
        return False
    if value is True or value == 1:
        return True
    if isinstance(value, str) and value.lower() in ("1", "true", "on", "yes", "0", "false", "off", "no"):
        return value.lower() in ("1", "true", "on", "yes")
    raise Invalid(f"{field.replace('_', ' ').capitalize()} must be true or false.", field)


def create_share(user, item_id, data, channel=None):
    """A new link for a prospect to a live item; returns (share, token). The token is shown only now."""
    item = live_item(user, item_id)
    recipient = text(data.get("recipient"), "recipient", 120, required=True)
    account = text(data.get("account"), "account", 120)
    expires_on = day(data.get("expires_on"), "expires_on")
    if expires_on is not None and expires_on < today():
        raise Invalid("The expiry date is in the past.", "expires_on")
    allow_download = as_bool(data.get("allow_download"), "allow_download")
    token = secrets.token_urlsafe(24)
    share = Share(token_hash=hash_token(token), collateral_id=item.id, created_by_id=user.id, recipient=recipient,
                  account=account, expires_on=expires_on, allow_download=allow_download)
    db.session.add(share)
    db.session.flush()
    record_event("share_created", user, item, account=account, share_id=share.id, channel=channel,
                 context={"recipient": recipient})
    return share, token


# Rules every prospect link follows, single-item share links and pitches alike: the model has
# created_by_id, revoked_at, token_hash and is_working.


def owned_link(model, user, link_id, missing):
    """The link of ``model`` with this id when ``user`` made it (any for marketing and admins), or
    NotFound(missing)."""
    link = db.session.get(model, link_id)
    if link is None or (not user.is_editor and link.created_by_id != user.id):
        raise NotFound(missing)
    return link


def revoke_link(user, link, refusal):
    """Stop a link from working (revoking twice is harmless); Forbidden(refusal) for another rep."""
    if not user.is_editor and link.created_by_id != user.id:
        raise Forbidden(refusal)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        db.session.flush()
    return link


def working_link(model, token):
    """The working link of ``model`` for a public token, or NotFound (unknown, revoked, expired, or
    nothing live behind it). The token is compared by its hash, never stored."""
    if not isinstance(token, str) or not 16 <= len(token) <= 64:
        raise NotFound("This link does not work.")
    link = db.session.scalar(select(model).where(model.token_hash == hash_token(token)))
    if link is None or not link.is_working:
        raise NotFound("This link does not work any more. Ask the person who sent it for a new one.")
    return link


def get_share(user, share_id):
    """One of the user's links (any link for marketing and admins), or NotFound."""
    return owned_link(Share, user, share_id, "No such share link.")


def revoke_share(user, share):
    """Stop a link from working; revoking twice is harmless."""
    return revoke_link(user, share, "Only the rep who made a link can revoke it.")


def share_for_token(token):
    """The working share for a public token, or NotFound (revoked, expired, or item not live)."""
    return working_link(Share, token)


def record_open(share, user_agent, kind="page"):
    """A prospect opened the link: time and a coarse client, never the address; a failure is logged, never shown."""
    client, share_id = client_description(user_agent), share.id
    # the prospect's page matters more than the count of its opens: written aside, never failing it
    write_aside(insert(ShareOpen).values(share_id=share_id, client=client, kind=kind, at=utcnow()),
                f"share open {kind!r} for share {share_id}")
    action = {"page": "share_opened", "download": "download", "preview": "preview"}[kind]
    record_event(action, None, share.collateral, channel="share", account=share.account, share_id=share.id,
                 context={"client": client})


def shares_of(user, item=None):
    """The user's links (optionally for one item) with open counts and last open, newest first."""
    opens = (select(ShareOpen.share_id, func.count().label("n"), func.max(ShareOpen.at).label("last"))
             .where(ShareOpen.kind == "page").group_by(ShareOpen.share_id).subquery())
    query = (select(Share, func.coalesce(opens.c.n, 0), opens.c.last)
             .outerjoin(opens, opens.c.share_id == Share.id).where(Share.created_by_id == user.id))
    if item is not None:
        query = query.where(Share.collateral_id == item.id)
    return db.session.execute(query.order_by(Share.created_at.desc(), Share.id.desc()).limit(200)).all()


def opens_label(count, last):
    """'opened 3 times, last Tuesday 14:02', or 'not opened yet'."""
    if not count:
        return "not opened yet"
    times = "once" if count == 1 else f"{count} times"
    when = last.strftime("%A %H:%M") if (utcnow() - last).days < 7 else f"{last.day} {last:%b %Y %H:%M}"
    return f"opened {times}, last {when} UTC"


def share_json(share, url=None):
    """A link as the API shows it (the token only when just created)."""
    out = {"id": share.id, "collateral_id": share.collateral_id, "recipient": share.recipient,
           "account": share.account or None, "expires_on": share.expires_on.isoformat() if share.expires_on else None,
           "allow_download": share.allow_download, "created_at": share.created_at.isoformat(),
           "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None, "working": share.is_working}
    if url:
        out["url"] = url
    return out
