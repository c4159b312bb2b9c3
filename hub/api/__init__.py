"""JSON API v1: token-authenticated, one error shape, one list shape."""
from flask import Blueprint, abort, current_app, g, request

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
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def pagination():
    """`page` and `per_page` from the query string, checked."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", current_app.config["API_PER_PAGE"]))
    except ValueError:
        abort(400, "page and per_page must be whole numbers.")
    if page < 1 or page > 100000 or not 1 <= per_page <= current_app.config["API_MAX_PER_PAGE"]:
        abort(400, f"page must be 1 or more and per_page from 1 to {current_app.config['API_MAX_PER_PAGE']}.")
    return page, per_page


def page_of(items, total, page, per_page):
    """The one list shape every API list answers with."""
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def json_body():
    """The request's JSON object, or 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send a JSON object with Content-Type: application/json.")
    return body


# The route modules register on bp, which they import from here: last, once bp exists.
from hub.api import calendar, health, library, openapi, search, usage  # noqa: F401
