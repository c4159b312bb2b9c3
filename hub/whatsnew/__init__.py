"""What's new for me (issue 14): saved items, recently viewed, "New for you" and notifications."""
from hub.whatsnew import models  # noqa: F401 (the tables, for migrations)
from hub.whatsnew.views import bp


def saved_ids():
    """Ids of the items the signed-in person saved (the star on every card); None when nobody is signed
    in (no star: a prospect's page)."""
    from flask_login import current_user

    from hub.whatsnew import services

    return services.saved_ids(current_user) if current_user.is_authenticated else None


def unread_count():
    """The bell's number for the signed-in person (0 on any failure: the top bar must never break a page)."""
    from flask_login import current_user

    from hub.whatsnew import services

    if not current_user.is_authenticated:
        return 0
    try:
        return services.unread_count(current_user)
    except Exception:  # noqa: BLE001
        return 0


def home_panel():
    """What the library home's "New for you" strip and recently viewed row need."""
    from flask_login import current_user

    from hub.whatsnew import services

    items, since = services.new_for_you(current_user)
    return {"new": items, "since": since, "recent": services.recently_viewed(current_user, limit=8)}


def init_app(app):
    """Mount the blueprint, subscribe to the announcements that make notifications, and give the
    templates the star, the bell and the panels (the library home and account page include them)."""
    from hub import events
    from hub.auth.access import PUBLIC_ENDPOINTS
    from hub.whatsnew import receivers, views

    app.config.setdefault("NOTIFICATION_POLL_SECONDS", 60)  # how often an open page asks for the bell's count
    PUBLIC_ENDPOINTS.add("whatsnew.unread")  # answers 401 itself: a script gets JSON, not the sign-in page
    receivers.connect(events)
    app.jinja_env.globals.update(whatsnew_saved_ids=saved_ids, whatsnew_unread=unread_count,
                                 whatsnew_home=home_panel, whatsnew_account=views.account_panel)
    app.jinja_env.globals.setdefault("home_panels", []).append("whatsnew/_home.html")
    app.jinja_env.globals.setdefault("account_panels", []).append("whatsnew/_account.html")
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
