"""`Idempotency-Key` on API creates: a client that lost the answer retries without a duplicate.

The first request with a key runs as usual; its answer (status and JSON body) is stored in the same
transaction as what it created, so either both are committed or neither. A retry with the same key
(same user, method and path, and the same JSON body) gets the stored answer again, marked
`Idempotent-Replayed: true`, and changes nothing; the key reused for another request is 422; a
retry racing the first one gets 409 (retry a moment later for the answer). Keys are kept for
IDEMPOTENCY_HOURS. Follows the IETF draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header), sections 2 and 2.6.
"""
import hashlib
import json
from datetime import timedelta
from functools import wraps

from flask import current_app, g, make_response, request
from sqlalchemy import ForeignKey, String, Text, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from hub.errors import ApiError, Conflict, Invalid
from hub.extensions import db
from hub.models import UTCDateTime, utcnow

HEADER = "Idempotency-Key"


class IdempotencyKey(db.Model):
    """One answered create, by the key its client sent."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (db.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column()
    body = mapped_column(Text, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)


def fingerprint():
    """Method, path and, for JSON, the body: what must match for a retry to be the same request."""
    digest = hashlib.sha256(f"{request.method} {request.path}".encode())
    if request.is_json:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def idempotent(view):
    """Honour `Idempotency-Key` on this create view (API only; the caller is g.user)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise Invalid(f"{HEADER} must be 1 to 255 printable characters.", HEADER)
        expected = fingerprint()
        earlier = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == g.user.id,
                                                                 IdempotencyKey.key == key))
        if earlier is not None and earlier.created_at >= utcnow() - lifetime():
            if earlier.fingerprint != expected:
                raise ApiError(422, "idempotency_key_reused", f"This {HEADER} was used for another request.", HEADER)
            response = make_response(json.loads(earlier.body), earlier.status)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400 and response.is_json:
            remember(key, expected, response)
        return response

    wrapped.idempotent = True  # hub.api.spec.documented declares the header and its answers
    return wrapped


def lifetime():
    return timedelta(hours=current_app.config.get("IDEMPOTENCY_HOURS", 24))


def remember(key, expected, response):
    """Store the answer in the action's transaction; a concurrent twin makes this one a 409."""
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == g.user.id, IdempotencyKey.key == key,
                                                    IdempotencyKey.created_at < utcnow() - lifetime()))  # expired
    db.session.add(IdempotencyKey(user_id=g.user.id, key=key, fingerprint=expected, status=response.status_code,
                                  body=response.get_data(as_text=True)))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"A request with this {HEADER} is being answered right now: retry in a moment for its answer.",
                       "idempotency_key_in_use") from None
