"""Notifications from what the other features announce (hub.events), and the daily expiry check.

Observers: each runs inside the announcing action's transaction, so a notification (and its e-mail)
exists only if the action commits. Each notification has a key, so a repeated announcement or a
second run of the expiry check makes no second one."""
from sqlalchemy import select

from hub import jobs
from hub.auth.models import EDITOR_ROLES, User
from hub.extensions import db
from hub.models import today, utcnow
from hub.whatsnew import services
from hub.whatsnew.models import Notification

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


def active_reps():
    """[(id, team)] of the active reps (the people calendar notifications are for)."""
    return db.session.execute(select(User.id, User.team).where(User.role == "sales", User.active.is_(True))).all()


def in_audience(audience, team):
    """True when a rep of `team` is in an entry's `audience` (labels, casefolded; none: everyone)."""
    return not audience or any(label in (team or "").casefold() for label in audience)


def calendar_text(title, starts):
    return f"New in the calendar: “{title}”, {starts}."


def on_calendar_entry(entry, title="", audience=(), starts="", link=None, **_):
    """A calendar entry reps can see: for the reps of its audience (teams; no audience: every rep)."""
    labels = tuple(label.casefold() for label in audience)
    people = {uid for uid, team in active_reps() if in_audience(labels, team)}
    services.notify(people, "calendar", f"calendar:{entry.id}", calendar_text(title, starts), link)


def import_summary(count, first, second):
    """The one notification text for the `count` (at least two) entries an import showed one rep, naming
    the first two (entry dicts, file order)."""
    more = f", “{second['title']}” and {count - 2} more" if count > 2 else f" and “{second['title']}”"
    return f"{count} new calendar entries from an import: “{first['title']}”{more}."


def on_calendar_entries(_sender, entries=(), link=None, **_):
    """Many entries one import made visible: each rep of their audiences gets ONE notification (one
    entry alone: as on_calendar_entry; more: a summary linking to `link`) and at most one e-mail.
    Entries a rep was already told of (not fresh, with their calendar:<id> notification) are left out.
    A few queries whatever the number of entries: reps, earlier notices, then one bulk insert."""
    if not entries:
        return
    reps = active_reps()
    groups = {}  # audience -> indices of its entries, in file order
    for n, entry in enumerate(entries):
        groups.setdefault(tuple(label.casefold() for label in entry["audience"]), []).append(n)
    by_team = {}  # reps of one team see the same entries
    for team in {team for _, team in reps}:
        found = [groups[audience] for audience in groups if in_audience(audience, team)]
        by_team[team] = found[0] if len(found) == 1 else sorted(n for indices in found for n in indices)
    told = set()  # (rep, entry id) already notified one by one (entries shown before, hidden, shown again)
    known = [f"calendar:{e['id']}" for e in entries if not e.get("fresh")]
    rep_ids = [uid for uid, _ in reps]
    for n in range(0, len(known), 500):
        for m in range(0, len(rep_ids), 500):
            told |= {(uid, int(key.split(":")[1])) for uid, key in db.session.execute(
                select(Notification.user_id, Notification.key).where(
                    Notification.key.in_(known[n:n + 500]), Notification.user_id.in_(rep_ids[m:m + 500]))).tuples()}
    batch = f"calendar-import:{entries[0]['id']}:{len(entries)}:{utcnow():%Y%m%d%H%M%S%f}"
    rows = []
    told_reps = {uid for uid, _ in told}
    for uid, team in reps:
        shown = by_team[team]  # indices; filtered only for the few reps told of some entry before
        if uid in told_reps:
            shown = [n for n in shown if (uid, entries[n]["id"]) not in told]
        if len(shown) == 1:
            entry = entries[shown[0]]
            rows.append((uid, f"calendar:{entry['id']}", calendar_text(entry["title"], entry["starts"]), entry["link"]))
        elif shown:
            rows.append((uid, batch, import_summary(len(shown), entries[shown[0]], entries[shown[1]]), link))
    services.notify_many("calendar", rows)


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
    events.calendar_entries_published.connect(on_calendar_entries)
