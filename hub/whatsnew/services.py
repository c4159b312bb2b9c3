"""Saved items, "New for you", recently viewed, and notifications (made, listed, read, mailed).

Services flush; the request (or the worker's batch) commits. Other features are reached only through
hub.events: they announce changes, and answer questions about a person (hub.usage.personal)."""
import json
from datetime import timedelta
from email.utils import formataddr

from flask import g
from sqlalchemy import exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from hub import events, mail
from hub.auth.models import User
from hub.errors import Invalid
from hub.extensions import db
from hub.library import browsing
from hub.library.models import Collateral, FileVersion, Stage, StatusChange
from hub.models import today, utcnow
from hub.whatsnew.models import KINDS, MailChoice, Notification, SavedItem

NEW_FOR_YOU = 8               # items in the strip
NEW_WINDOW = timedelta(days=30)  # "since your last visit" looks back at most this far (and this far for newcomers)
RECENT = 20                   # recently viewed items kept
NOTIFICATIONS_SHOWN = 100     # the notifications page and the API list at most this many, newest first
EXPIRY_NOTICE_DAYS = 7


# --- saved items ---------------------------------------------------------------------------------

def save_item(user, item_id, saved=True):
    """Star (saved=True) or unstar an item the user may see. Idempotent: saving twice keeps one row.
    Raises NotFound for items the user may not see. Returns the item."""
    item = browsing.get_item(user, item_id)
    row = db.session.get(SavedItem, (user.id, item.id))
    if saved and row is None:
        try:
            with db.session.begin_nested():  # a double click racing itself: the other insert wins
                db.session.add(SavedItem(user_id=user.id, collateral_id=item.id))
        except IntegrityError:
            pass
    elif not saved and row is not None:
        db.session.delete(row)
    db.session.flush()
    return item


def saved_items(user):
    """The items the user saved that they may still see, most recently saved first."""
    query = (browsing.visible_query(user).join(SavedItem, SavedItem.collateral_id == Collateral.id)
             .where(SavedItem.user_id == user.id).order_by(SavedItem.created_at.desc(), Collateral.id.desc()))
    return db.session.scalars(query).unique().all()


def saved_ids(user):
    """Ids of the items the signed-in user saved (once per request: every card asks)."""
    if "saved_ids" not in g:
        g.saved_ids = set(db.session.scalars(select(SavedItem.collateral_id).where(SavedItem.user_id == user.id)))
    return g.saved_ids


# --- what's new for me ---------------------------------------------------------------------------

def ask(signal, user, **values):
    """The first answer other features give to a question about `user` (None when nobody answers)."""
    answers = events.collected(signal.send(user, **values))
    return answers[0] if answers else None


def recently_viewed(user, limit=RECENT):
    """Up to `limit` items the user opened most recently (usage events), newest first, that they may still see."""
    ids = ask(events.recently_viewed, user, limit=limit) or []
    if not ids:
        return []
    found = {item.id: item for item in db.session.scalars(browsing.visible_query(user).where(Collateral.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def new_for_you(user, limit=NEW_FOR_YOU):
    """Items approved or given a new version since the user's previous visit (at most NEW_WINDOW ago), in
    the stages, products and industries they use most (hub.usage.personal; anything new when their use
    says nothing yet).

    Returns (items, since): items newest first, each with `.news` ("New" or "New version")."""
    interests = ask(events.user_interests, user) or {}
    floor = utcnow() - NEW_WINDOW
    since = max(interests.get("last_visit_at") or floor, floor)
    approved = exists().where(StatusChange.collateral_id == Collateral.id, StatusChange.to_status == "approved",
                              StatusChange.created_at > since)
    # A version waiting for re-approval (hub.library, REQUIRE_REAPPROVAL) is not news to reps yet; its
    # approval is recorded as approved -> approved, which `approved` finds.
    new_version = exists().where(FileVersion.collateral_id == Collateral.id, FileVersion.number > 1,
                                 FileVersion.review_state == "accepted", FileVersion.created_at > since)
    query = select(Collateral).where(Collateral.live_clause(), or_(approved, new_version))
    # Each facet the person has a habit in narrows the strip; an item without a value there is kept.
    if interests.get("stages"):
        query = query.where(Collateral.stages.any(Stage.slug.in_(interests["stages"])))
    for column, key in ((Collateral.product, "products"), (Collateral.industry, "industries")):
        if interests.get(key):
            query = query.where(or_(column.in_(interests[key]), column == ""))
    items = db.session.scalars(query.order_by(Collateral.updated_at.desc(), Collateral.id.desc()).limit(limit)).all()
    fresh = set(db.session.scalars(select(StatusChange.collateral_id).where(
        StatusChange.collateral_id.in_([i.id for i in items]), StatusChange.to_status == "approved",
        or_(StatusChange.from_status.is_(None), StatusChange.from_status != "approved"),  # not a version's approval
        StatusChange.created_at > since)))
    for item in items:
        version = item.current_version
        item.news = "New version" if version and version.number > 1 and version.created_at > since \
            and item.id not in fresh else "New"
    return items, since


# --- notifications -------------------------------------------------------------------------------

def link_of(notification):
    """(endpoint, values) the notification links to, or None."""
    if not notification.endpoint:
        return None
    return notification.endpoint, json.loads(notification.link_values or "{}")


def notify(user_ids, kind, key, text, link=None):
    """Tell each of these (active) users `text` once: a user who already has a notification with `key`
    gets no second one. Queues an e-mail for those who asked for this kind (hub.mail, same transaction).
    `link` is (endpoint, {values}). Returns how many notifications were made. No commit."""
    return notify_many(kind, [(user_id, key, text, link) for user_id in set(user_ids)])


def notify_many(kind, rows):
    """Many notifications at once, in a few statements (a bulk INSERT, not one per person): `rows` is a
    list of (user_id, key, text, link) with link (endpoint, {values}) or None. A user who already has a
    notification with that key, or is not active, gets none; those who asked for e-mail of this kind
    get one each (queued, same transaction). Returns how many were made. Raises Invalid for an unknown
    kind. No commit."""
    if kind not in KINDS:
        raise Invalid(f"Unknown notification kind {kind!r}.", "kind")
    wanted = {(user_id, key[:120]): (text, link) for user_id, key, text, link in rows if user_id is not None}
    if not wanted:
        return 0
    ids, keys = sorted({u for u, _ in wanted}), sorted({k for _, k in wanted})
    active, had = set(), set()
    for n in range(0, len(ids), 500):
        chunk = ids[n:n + 500]
        active |= set(db.session.scalars(select(User.id).where(User.id.in_(chunk), User.active.is_(True))))
        had |= set(db.session.execute(select(Notification.user_id, Notification.key).where(
            Notification.user_id.in_(chunk), Notification.key.in_(keys))).tuples())
    values = []
    for (user_id, key), (text, link) in wanted.items():
        if user_id in active and (user_id, key) not in had:
            endpoint, params = link or ("", {})
            values.append({"user_id": user_id, "kind": kind, "key": key, "text": text[:300], "endpoint": endpoint,
                           "link_values": json.dumps(params, separators=(",", ":")), "created_at": utcnow()})
    if not values:
        return 0
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Notification), values)
    except IntegrityError:  # another transaction made some of them meanwhile: one at a time, keeping theirs
        values = [v for v in values if inserted(v)]
    made_ids = [v["user_id"] for v in values]
    mailed = set()
    for n in range(0, len(made_ids), 500):
        mailed |= set(db.session.scalars(select(MailChoice.user_id).where(
            MailChoice.kind == kind, MailChoice.user_id.in_(made_ids[n:n + 500]))))
    if mailed:
        made_keys = {v["user_id"]: v["key"] for v in values if v["user_id"] in mailed}
        users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(mailed)))}
        for note in db.session.scalars(select(Notification).where(
                Notification.user_id.in_(mailed), Notification.key.in_(set(made_keys.values())))):
            if made_keys.get(note.user_id) == note.key:
                mail_notification(users[note.user_id], note)
    return len(values)


def inserted(row):
    """Insert one notification row (a dict of its columns) unless the same one exists: True if written."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Notification), [row])
    except IntegrityError:
        return False
    return True


def mail_notification(user, note):
    """Queue the e-mail for one notification (text and HTML, a link to it under PUBLIC_URL)."""
    link = link_of(note)
    url = mail.external_url(link[0], **link[1]) if link else mail.external_url("whatsnew.notifications")
    settings = mail.external_url("auth.account", _anchor="notifications")
    text = f"{note.text}\n\n{url}\n\n-- \nHub. Choose which e-mails you get: {settings}\n"
    html = (f"<p>{escape(note.text)}</p><p><a href=\"{escape(url)}\">Open in Hub</a></p>"
            f"<p style=\"color:#666;font-size:12px\">Choose which e-mails you get on "
            f"<a href=\"{escape(settings)}\">your account page</a>.</p>")
    mail.queue_mail(formataddr((user.name, user.email)), f"Hub: {note.text}"[:200], text, html,
                    key=f"notification:{note.id}")


def escape(value):
    """HTML-escaped text (markupsafe, which Jinja uses)."""
    from markupsafe import escape as html_escape

    return str(html_escape(value))


def unread_count(user):
    """How many of the user's notifications are unread (the bell's number)."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notifications_of(user, unread_only=False, limit=NOTIFICATIONS_SHOWN):
    """The user's notifications, newest first (at most `limit`)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return db.session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def mark_read(user, notification_id=None):
    """Mark one of the user's notifications (or, with None, all of them) read. Returns how many changed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    changed = db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    return changed.rowcount


def mail_kinds(user):
    """The kinds of notification the user gets an e-mail for."""
    return set(db.session.scalars(select(MailChoice.kind).where(MailChoice.user_id == user.id)))


def set_mail_kinds(user, kinds):
    """E-mail the user for exactly these kinds (unknown kinds: Invalid, nothing changed)."""
    kinds = set(kinds)
    unknown = kinds - set(KINDS)
    if unknown:
        raise Invalid("Unknown kind of notification.", "mail")
    have = {row.kind: row for row in db.session.scalars(select(MailChoice).where(MailChoice.user_id == user.id))}
    for kind in kinds - set(have):
        db.session.add(MailChoice(user_id=user.id, kind=kind))
    for kind in set(have) - kinds:
        db.session.delete(have[kind])
    db.session.flush()


# --- who follows an item -------------------------------------------------------------------------

def followers(item):
    """Ids of the users who saved `item`, shared it or put it in a pitch (the others through hub.events)."""
    ids = set(db.session.scalars(select(SavedItem.user_id).where(SavedItem.collateral_id == item.id)))
    for answer in events.collected(events.collateral_followers.send(item)):
        ids |= set(answer)
    return ids


def expiring_items(on=None):
    """Live items whose expiry date is within EXPIRY_NOTICE_DAYS of `on` (default today)."""
    on = on or today()
    return db.session.scalars(select(Collateral).where(
        Collateral.live_clause(on), Collateral.expires_on.is_not(None),
        Collateral.expires_on <= on + timedelta(days=EXPIRY_NOTICE_DAYS))).all()
