"""Notifications from what the other features announce (hub.events), and the daily expiry check.

Observers: each runs inside the announcing action's transaction, so a notification (and its e-mail)
exists only if the action commits. Each notification has a key, so a repeated announcement or a
second run of the expiry check makes no second one."""
from sqlalchemy import select

from hub import jobs
from hub.auth.models import EDITOR_ROLES, User
from hub.extensions import db
from hub.models import today
from hub.whatsnew import services

EXPIRY_CHECK_SECONDS = 3600  # hourly; notifications are keyed by item and date, so once per person


def able_to_see(item, user_ids):
    """Those of `user_ids` who may open `item` now (reps: live items only)."""
    if item.is_live or not user_ids:
        return set(user_ids)
    return set(db.session.scalars(select(User.id).where(User.id.in_(user_ids), User.role.in_(EDITOR_ROLES))))


def on_version_added(item, version=None, actor=None, **_):
    """An item someone follows has a new version."""
    people = able_to_see(item, services.followers(item) - {getattr(actor, "id", None)})
    services.notify(people, "new_version", f"version:{version.id}",
                    f"“{item.title}” has a new version ({version.number}).", ("library.item", {"item_id": item.id}))


def on_withdrawn(item, actor=None, to_status="", **_):
    """An item someone follows left approval."""
    people = services.followers(item) - {getattr(actor, "id", None)}
    services.notify(people, "withdrawn", f"withdrawn:{item.id}:{item.updated_at:%Y%m%d%H%M%S%f}",
                    f"“{item.title}” was withdrawn: it is no longer shown to reps or prospects.",
                    ("whatsnew.saved", {}))


def on_request_changed(req, title="", status_label="", user_ids=(), actor=None, link=None, **_):
    """A request someone made or voted on changed status."""
    people = set(user_ids) - {getattr(actor, "id", None)}
    services.notify(people, "request", f"request:{req.id}:{req.status}:{req.status_changed_at:%Y%m%d%H%M%S%f}",
                    f"Your request “{title}” is now {status_label.lower()}.", link)


def on_calendar_entry(entry, title="", audience=(), starts="", link=None, **_):
    """A calendar entry reps can see: for the reps of its audience (teams; no audience: every rep)."""
    reps = db.session.execute(select(User.id, User.team).where(User.role == "sales", User.active.is_(True))).all()
    labels = [label.casefold() for label in audience]
    people = {uid for uid, team in reps if not labels or any(label in (team or "").casefold() for label in labels)}
    services.notify(people, "calendar", f"calendar:{entry.id}", f"New in the calendar: “{title}”, {starts}.", link)


@jobs.periodic(EXPIRY_CHECK_SECONDS)
def notify_expiring():
    """Tell the followers of live items that expire within 7 days (once per item and expiry date)."""
    on = today()
    for item in services.expiring_items(on):
        days = (item.expires_on - on).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        services.notify(services.followers(item), "expiring", f"expiring:{item.id}:{item.expires_on}",
                        f"“{item.title}” expires {when} ({item.expires_on:%d %b %Y}).",
                        ("library.item", {"item_id": item.id}))


def connect(events):
    """Subscribe to the announcements that make notifications."""
    events.collateral_version_added.connect(on_version_added)
    events.collateral_withdrawn.connect(on_withdrawn)
    events.request_status_changed.connect(on_request_changed)
    events.calendar_entry_published.connect(on_calendar_entry)
