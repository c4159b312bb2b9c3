"""HTTP errors answered as JSON for API callers and as a page for people."""
import logging

from flask import current_app, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.exceptions import NotFound as PathNotFound

from hub.units import size_label

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A client error with a machine-readable code, raised by services and views."""

    def __init__(self, status, code, message, field=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.errors = [self]  # every problem found, for a form that shows them all at once (see InvalidFields)


def wants_json():
    """True when the caller is the API or asked for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes["text/html"]


def error_response(status, code, message, field=None):
    """One error, shaped for the caller."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if field:
            body["error"]["field"] = field
        response = jsonify(body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="hub"'
        return response
    return render_template("errors/error.html", status=status, message=message), status


def handle_http(exc):
    """Any werkzeug HTTP error."""
    if isinstance(exc, MethodNotAllowed):
        return method_not_allowed(exc)
    if isinstance(exc, RequestEntityTooLarge):
        limit = size_label(current_app.config["MAX_UPLOAD_BYTES"])
        return error_response(413, "too_large", f"The upload is too large: the limit is {limit}.")
    code = (exc.name or "error").lower().replace(" ", "_")
    return error_response(exc.code or 500, code, exc.description or exc.name)


def method_not_allowed(exc):
    """405 with the Allow header RFC 9110 §15.5.6 requires, or 404 when the path matched only rules
    whose converters refuse it: Werkzeug compares methods before converting, so an id beyond the
    database's range (hub.routing.IdConverter) looked like a method error on the other methods."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in exc.valid_methods or ():
        try:
            adapter.match(method=method)
        except HTTPException as e:
            if e.code not in (301, 302, 307, 308):  # a redirect still means the path is routable
                continue
        allowed.append(method)
    if not allowed:
        return error_response(404, "not_found", PathNotFound.description)
    response = make_response(error_response(405, "method_not_allowed", exc.description))
    response.headers["Allow"] = ", ".join(sorted(allowed))
    return response


def handle_csrf(exc):
    """A form posted without a valid CSRF token."""
    return error_response(400, "csrf", "The form expired or was not sent from Hub. Reload the page and try again.")


def handle_api_error(exc):
    """A rule a service enforced."""
    return error_response(exc.status, exc.code, exc.message, exc.field)


# What a database says when a wait ran out (SQLite busy timeout; PostgreSQL lock_not_available
# 55P03 and query_canceled 57014 from lock_timeout/statement_timeout), and when its disk is full.
BUSY = ("database is locked", "database table is locked", "lock timeout", "canceling statement due to")
FULL = ("database or disk is full", "no space left on device", "could not extend file")


def handle_database(exc):
    """503 with Retry-After for a locked or slow database, 507 for a full disk; anything else is
    unexpected. The request's transaction is already rolled back (hub.transactions)."""
    message = str(exc.orig).lower()
    if any(text in message for text in FULL):
        log.error("database disk full on %s %s: %s", request.method, request.path, exc.orig)
        return error_response(507, "insufficient_storage", "The server's disk is full: nothing was saved. "
                                                           "Try again later, or tell a Hub admin.")
    if any(text in message for text in BUSY):
        log.warning("database busy on %s %s: %s", request.method, request.path, exc.orig)
        response = make_response(error_response(503, "busy", "Hub is busy right now: nothing was saved. "
                                                               "Try again in a few seconds."))
        response.headers["Retry-After"] = str(current_app.config["DB_RETRY_AFTER"])
        return response
    return handle_unexpected(exc)


def handle_unexpected(exc):
    """Anything else: log it, answer 500 without details."""
    if isinstance(exc, HTTPException):
        return handle_http(exc)
    if current_app.testing:
        raise exc  # let the test show the real traceback
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", InternalServerError.description)


def init_app(app):
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database)
    app.register_error_handler(Exception, handle_unexpected)


class Invalid(ApiError):
    """Input that fails a rule; names the field at fault."""

    def __init__(self, message, field=None):
        super().__init__(422, "invalid", message, field)


class InvalidFields(Invalid):
    """Several fields that fail their rules, found at once: `errors` lists each (an Invalid naming its
    field), in form order; the message joins theirs and the field is the first one's."""

    def __init__(self, errors):
        super().__init__(" ".join(e.message for e in errors), errors[0].field)
        self.errors = list(errors)


class Forbidden(ApiError):
    """The caller's role does not allow this."""

    def __init__(self, message="Your role does not allow this."):
        super().__init__(403, "forbidden", message)


class NotFound(ApiError):
    """Nothing by that id that the caller may see."""

    def __init__(self, message="Not found."):
        super().__init__(404, "not_found", message)


class Conflict(ApiError):
    """The request clashes with the current state."""

    def __init__(self, message, code="conflict"):
        super().__init__(409, code, message)
