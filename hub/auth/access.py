"""Role checks for views: every page needs a signed-in user unless marked public."""
from functools import wraps

from flask import abort, request
from flask_login import current_user

from hub.auth import services
from hub.extensions import login_manager

PUBLIC_ENDPOINTS = {"auth.login", "auth.reset_password", "static"}


@login_manager.user_loader
def load_user(session_id):
    """A session's (or remember-me cookie's) user: refused once deactivated, deleted, or signed out
    everywhere, since the cookie then holds an old session secret."""
    return services.user_for_session(session_id)


def require_login():
    """App-wide guard: pages need a session; the API checks its own tokens."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def roles_required(*roles):
    """Allow only users whose role is one of these."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403, "Your role does not allow this page.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


editor_required = roles_required("admin", "marketing")
admin_required = roles_required("admin")
