"""The marketing calendar: entries, month/week/agenda pages, private iCal feeds and .ics import."""
from hub.calendar.views import bp

DEFAULTS = {
    "CALENDAR_TIMEZONE": "UTC",  # X-WR-TIMEZONE and the form's first suggestion
    "CALENDAR_REFRESH_MINUTES": 60,  # REFRESH-INTERVAL and X-PUBLISHED-TTL (Google ignores both)
    "CALENDAR_FEED_PAST_DAYS": 365,  # entries that ended longer ago leave the feeds
    "CALENDAR_FEED_CACHE_MB": 32,  # rendered feeds kept per process, by ETag (see feeds.BodyCache)
    "CALENDAR_IMPORT_MAX_BYTES": 2 * 1024 * 1024,
}


def init_app(app):
    """Mount the blueprint, add the calendar's settings, open the feed to calendar apps (no cookie)
    and react to the library and to new users."""
    from hub import events
    from hub.auth.access import PUBLIC_ENDPOINTS

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    PUBLIC_ENDPOINTS.add("calendar.feed")  # the secret token in the URL is the credential
    events.user_created.connect(give_feed_key)
    events.collateral_approved.connect(announce_approval)
    events.collateral_changed.connect(linked_collateral_changed)
    events.upcoming_entries.connect(upcoming_entries)
    app.register_blueprint(bp)


def give_feed_key(user, **_):
    """Every new user gets a working feed link with their account (pages never write one)."""
    from hub.calendar.subscriptions import rotate_token

    rotate_token(user)


def linked_collateral_changed(item, **_):
    """Entries linking the item say its title and link in their feed text: they change too."""
    from hub.calendar.services import collateral_changed

    collateral_changed(item)


def announce_approval(item, actor, announce=False, **_):
    """The approval form's "add a collateral update" tick: an entry made in the approval's transaction
    (a refusal undoes the approval too). Returns the note for the page."""
    if not announce:
        return None
    from hub.calendar.services import add_collateral_update

    entry = add_collateral_update(actor, item)
    return f"Added “{entry.title}” to the marketing calendar."


def upcoming_entries(user, first_on, last_on, **_):
    """What the weekly review shows as coming: the occurrences `user` may see in [first_on, last_on],
    cancelled ones left out (see hub.events.upcoming_entries for the shape)."""
    from datetime import datetime

    from hub.calendar.services import occurrences_between

    return [{"title": occ.title, "kind": occ.entry.kind_label, "starts_on": occ.first_day,
             "starts_at": occ.start if isinstance(occ.start, datetime) else None,
             "endpoint": "calendar.entry", "values": {"entry_id": occ.entry.id}}
            for occ in occurrences_between(user, {}, first_on, last_on) if not occ.entry.is_cancelled]


__all__ = ["bp", "init_app"]
