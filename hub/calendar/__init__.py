"""The marketing calendar: entries, month/week/agenda pages, private iCal feeds and .ics import."""
from hub.calendar.views import bp

DEFAULTS = {
    "CALENDAR_TIMEZONE": "UTC",  # X-WR-TIMEZONE and the form's first suggestion
    "CALENDAR_REFRESH_MINUTES": 60,  # REFRESH-INTERVAL and X-PUBLISHED-TTL (Google ignores both)
    "CALENDAR_FEED_PAST_DAYS": 365,  # entries that ended longer ago leave the feeds
    "CALENDAR_IMPORT_MAX_BYTES": 2 * 1024 * 1024,
}


def init_app(app):
    """Mount the blueprint, add the calendar's settings and open the feed to calendar apps (no cookie)."""
    from hub.auth.access import PUBLIC_ENDPOINTS

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    PUBLIC_ENDPOINTS.add("calendar.feed")  # the secret token in the URL is the credential
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
