"""The collateral library: items mapped to funnel stages, versions and approval."""
from hub.library.views import bp


def init_app(app):
    """Mount the blueprint and give templates the library's labels."""
    from hub.library import bulk, previews
    from hub.library.browsing import review_count
    from hub.library.models import CONTENT_TYPES, STATUSES

    previews.init_app(app)
    app.jinja_env.globals.update(CONTENT_TYPES=CONTENT_TYPES, STATUSES=STATUSES, library_review_count=review_count)
    app.register_blueprint(bp)
    app.register_blueprint(bulk.bp)  # bulk upload pages; staging.expire_staged runs in every worker


__all__ = ["bp", "init_app"]
