"""Sign-in, sessions, roles and personal API tokens."""
from hub.auth.views import bp


def init_app(app):
    """Mount the blueprint and guard every page: a session is needed unless the endpoint is public."""
    from hub.auth.access import require_login

    app.before_request(require_login)
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
