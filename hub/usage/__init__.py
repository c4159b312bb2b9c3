"""Usage tracking: events, prospect share links, deals, ratings, content requests and insights."""
from hub.usage import models  # noqa: F401 (the tables, for migrations)
from hub.usage.views import PUBLIC, bp


def item_panel(item):
    """What the item page's usage panel needs for the signed-in person."""
    from flask_login import current_user

    from hub.usage import feedback, services, shares

    average, count, latest = feedback.ratings_for(item)
    return {
        "shares": shares.shares_of(current_user, item),
        "opens_label": shares.opens_label,
        "my_rating": feedback.my_rating(current_user, item),
        "rating_average": average,
        "rating_count": count,
        "ratings": latest if current_user.is_editor else [],
        "deals": services.deals_for_item(item) if current_user.is_editor else [],
        "stages": [(s.slug, s.name) for s in item.stages],
    }


def request_changes():
    """How many of the signed-in person's requests changed status since they last looked (for the nav)."""
    from flask_login import current_user

    from hub.usage.feedback import unseen_changes

    if not current_user.is_authenticated:
        return 0
    try:
        return len(unseen_changes(current_user))
    except Exception:  # noqa: BLE001 - the nav badge must never break a page
        return 0


def init_app(app):
    """Mount the blueprint, open the share pages to prospects, give templates the panel helpers and
    record what the other features announce."""
    from hub import events
    from hub.auth.access import PUBLIC_ENDPOINTS
    from hub.usage import personal, pitch_views, review_mail, review_views, tracking

    tracking.connect(events)
    personal.connect(events)
    PUBLIC_ENDPOINTS.update(PUBLIC)  # the unguessable token in the URL is the credential
    PUBLIC_ENDPOINTS.update(pitch_views.PUBLIC)
    app.jinja_env.globals.update(usage_item_panel=item_panel, usage_request_changes=request_changes,
                                 usage_pitch_count=pitch_views.basket_count)
    app.register_blueprint(bp)
    app.register_blueprint(pitch_views.bp)
    app.register_blueprint(review_views.bp)
    review_mail.init_app(app)


__all__ = ["bp", "init_app"]
