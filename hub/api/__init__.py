"""JSON API v1: token-authenticated, one error shape, one list shape."""
import math
import re

from flask import Blueprint, abort, current_app, g, request

from hub.auth import services as users
from hub.errors import ApiError, Invalid
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
    for field, value in body.items():
        check_json_value(value, field if isinstance(field, str) and not SURROGATE.search(field) else "body")
    return body


SURROGATE = re.compile("[\ud800-\udfff]")


def check_json_value(value, field):
    """Refuse, as 422 naming the top-level field, what Python's JSON parser lets through but no
    field can hold: unpaired surrogates ("\\ud800": not Unicode text, RFC 8259 §8.2; they fail
    later when encoded) and NaN or ±Infinity (not JSON at all, RFC 8259 §6)."""
    label = field.replace("_", " ").capitalize()
    if isinstance(value, str):
        if SURROGATE.search(value):
            raise Invalid(f"{label} contains an invalid character (an unpaired UTF-16 surrogate).", field)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(f"{label} must be a finite number.", field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json_value(key, field)
            check_json_value(item, field)
    elif isinstance(value, list):
        for item in value:
            check_json_value(item, field)


# The route modules register on bp, which they import from here: last, once bp exists.
from hub.api import calendar, health, idempotency, library, openapi, search, usage  # noqa: F401
