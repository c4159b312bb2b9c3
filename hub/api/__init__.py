"""JSON API v1: token-authenticated, one error shape, one list shape."""
from flask import Blueprint, abort, current_app, g, request

from hub import validation
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


def pagination(most=None):
    """`page` and `per_page` from the query string (hub.validation.page_number): 400 for anything but ASCII
    digits in range; per_page defaults to API_PER_PAGE and goes up to `most` (API_MAX_PER_PAGE)."""
    most = most or current_app.config["API_MAX_PER_PAGE"]
    page = validation.page_number(request.args.get("page"))
    per_page = validation.page_number(request.args.get("per_page", str(min(current_app.config["API_PER_PAGE"], most))),
                                      "per_page", most)
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
