"""Pitches: one prospect link (`/p/<token>`) for several live items, with the rep's card and a message.

The same rules as share links (hub.usage.shares): the token is shown once and stored hashed; a
revoked or expired pitch stops working; an item that leaves approval disappears from the pitch, and
a pitch with no live item left stops working. Each open of the pitch and of each item is recorded
(time, a coarse client, never the address) for the rep's /shares page.
"""
import secrets

from sqlalchemy import func, insert, select

from hub import validation
from hub.errors import Invalid, NotFound
from hub.extensions import db
from hub.models import today, utcnow
from hub.transactions import write_aside
from hub.usage.models import Pitch, PitchItem, PitchOpen
from hub.usage.services import client_description, live_item, record_event
from hub.usage.shares import as_bool, hash_token, owned_link, revoke_link, working_link

MAX_ITEMS = 20


def clean_item_ids(user, value):
    """The live items (in the given order, without repeats) for a list of ids; 1 to MAX_ITEMS."""
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise Invalid("Choose at least one item for the pitch.", "collateral_ids")
    items, seen = [], set()
    for raw in value:
        item = live_item(user, raw, "collateral_ids")
        if item.id not in seen:
            seen.add(item.id)
            items.append(item)
    if len(items) > MAX_ITEMS:
        raise Invalid(f"A pitch can hold at most {MAX_ITEMS} items.", "collateral_ids")
    return items


def create_pitch(user, data, channel=None):
    """A new pitch from {"title", "message", "collateral_ids", "allow_download", "expires_on"};
    returns (pitch, token). The token is shown only now. Raises Invalid or NotFound."""
    items = clean_item_ids(user, data.get("collateral_ids"))
    title = validation.text(data.get("title"), "title", 120, required=True)
    message = validation.text(data.get("message"), "message", 2000, multiline=True)
    expires_on = validation.day(data.get("expires_on"), "expires_on")
    if expires_on is not None and expires_on < today():
        raise Invalid("The expiry date is in the past.", "expires_on")
    token = secrets.token_urlsafe(24)
    pitch = Pitch(token_hash=hash_token(token), created_by_id=user.id, title=title, message=message,
                  allow_download=as_bool(data.get("allow_download"), "allow_download"), expires_on=expires_on,
                  entries=[PitchItem(collateral_id=item.id, position=n) for n, item in enumerate(items)])
    db.session.add(pitch)
    db.session.flush()
    for item in items:
        record_event("share_created", user, item, channel=channel, context={"pitch_id": pitch.id, "title": title})
    return pitch, token


def get_pitch(user, pitch_id):
    """One of the user's pitches (any for marketing and admins), or NotFound."""
    return owned_link(Pitch, user, pitch_id, "No such pitch.")


def revoke_pitch(user, pitch):
    """Stop a pitch from working; revoking twice is harmless."""
    return revoke_link(user, pitch, "Only the rep who made a pitch can revoke it.")


def pitch_for_token(token):
    """The working pitch for a public token, or NotFound (revoked, expired, or no item live)."""
    return working_link(Pitch, token)


def item_in(pitch, item_id):
    """A live item of the pitch, or NotFound."""
    item = next((item for item in pitch.items if item.id == item_id), None)
    if item is None:
        raise NotFound("This item is not part of the pitch any more.")
    return item


def record_open(pitch, user_agent, item=None, kind="page"):
    """A prospect opened the pitch (item None) or one of its items; written aside, never failing the page."""
    client = client_description(user_agent)
    write_aside(insert(PitchOpen).values(pitch_id=pitch.id, collateral_id=item.id if item else None, client=client,
                                         kind=kind, at=utcnow()),
                f"pitch open {kind!r} for pitch {pitch.id}")
    if item is not None:
        action = "download" if kind == "download" else "share_opened"
        record_event(action, None, item, channel="share", context={"client": client, "pitch_id": pitch.id})


def pitches_of(user):
    """The user's pitches, newest first, each as (pitch, page opens, last open, {item id: item opens})."""
    pitches = db.session.scalars(select(Pitch).where(Pitch.created_by_id == user.id)
                                 .order_by(Pitch.created_at.desc(), Pitch.id.desc()).limit(100)).all()
    if not pitches:
        return []
    ids = [p.id for p in pitches]
    rows = db.session.execute(
        select(PitchOpen.pitch_id, PitchOpen.collateral_id, func.count(), func.max(PitchOpen.at))
        .where(PitchOpen.pitch_id.in_(ids), PitchOpen.kind.in_(("page", "item")))
        .group_by(PitchOpen.pitch_id, PitchOpen.collateral_id)).all()
    pages, lasts, per_item = {}, {}, {}
    for pitch_id, item_id, count, last in rows:
        if item_id is None:
            pages[pitch_id], lasts[pitch_id] = count, last
        else:
            per_item.setdefault(pitch_id, {})[item_id] = count
    return [(p, pages.get(p.id, 0), lasts.get(p.id), per_item.get(p.id, {})) for p in pitches]


def pitch_json(pitch, url=None):
    """A pitch as the API shows it (the URL only when just created)."""
    out = {"id": pitch.id, "title": pitch.title, "message": pitch.message,
           "collateral_ids": [entry.collateral_id for entry in pitch.entries], "allow_download": pitch.allow_download,
           "expires_on": pitch.expires_on.isoformat() if pitch.expires_on else None,
           "created_at": pitch.created_at.isoformat(),
           "revoked_at": pitch.revoked_at.isoformat() if pitch.revoked_at else None, "working": pitch.is_working}
    if url:
        out["url"] = url
    return out
