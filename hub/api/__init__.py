"""JSON API v1: token-authenticated, one error shape, one list shape."""
from flask import Blueprint, current_app, g, request

from hub.auth import services as users
from hub.errors import ApiError
from hub.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: every call carries its own bearer token
PUBLIC = {"api.openapi"}


@bp.before_request
def authenticate():
    """Resolve `Authorization: Bearer <token>` to an active user, or answer 401."""
    if request.endpoint in PUBLIC:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    user = users.user_for_token(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, "unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.")
    g.user = user


@bp.after_request
def no_store(response):
    """API answers are per caller and never cached; in testing, each status must be one the document lists."""
    response.headers.setdefault("Cache-Control", "no-store")
    if current_app.testing:
        spec.check_status(response)
    return response


def page_of(items, total, page, per_page):
    """The one list shape every API list answers with."""
    return {"items": items, "total": total, "page": page, "per_page": per_page}


# The route modules register on bp, which they import from here: last, once bp exists.
from hub.api import calendar, health, idempotency, library, me, openapi, search, spec, usage  # noqa: F401
