"""Password guessing, slowed down: failed sign-ins per account and per client address, and locks.

Each failure is counted in the database (table sign_in_throttles), so every worker and host shares
one count. A few failures are free; the last free one locks the account (or address), and each
further one locks it twice as long as the last, from SIGN_IN_LOCK_SECONDS up to SIGN_IN_LOCK_MAX_SECONDS. Failures
older than SIGN_IN_FAILURE_WINDOW seconds are forgotten, and a lock simply ends, so the owner signs
in again without anyone's help; admins see and clear locks earlier. The account key is the email
as typed (normalised), known or not, so a lock tells an attacker nothing about who has an account.
Source of the rules: OWASP Authentication Cheat Sheet ("Protect against automated attacks") and
ASVS 5.0 V6.3.1 (anti-automation for credential guessing).

Counting happens in its own short transaction, because a refused sign-in is an error response
and the request's own transaction is rolled back.

With THROTTLE_STORAGE_URL set (HUB_THROTTLE_STORAGE_URL, e.g. `redis://host:6379/0`), failures
and locks are kept there instead, through the `limits` package's storage (the one Flask-Limiter
uses: atomic counters with expiry, in Redis, Memcached, MongoDB or memory): a wrong password then
costs no database write. Failures are counted in a window that starts at the first one; each lock
is a key that expires when the lock ends. A lock is also written to the database table when it
starts, so admins see and clear locks the same way. When the store cannot be reached, the
database counts instead (logged), so sign-in keeps working.
"""
import logging
import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.auth.models import SignInThrottle
from hub.errors import ApiError, NotFound
from hub.extensions import db
from hub.models import utcnow

ACCOUNT, ADDRESS = "account", "address"
PREFIX = "hub-sign-in"
log = logging.getLogger(__name__)
_stores = {}
_stores_lock = threading.Lock()


class Locked(ApiError):
    """Too many failed sign-ins: try again after `retry_after` seconds (RFC 9110 §10.2.3)."""

    def __init__(self, retry_after):
        self.retry_after = max(1, int(retry_after + 0.999))
        minutes = (self.retry_after + 59) // 60
        wait = f"{self.retry_after} seconds" if self.retry_after < 120 else f"{minutes} minutes"
        super().__init__(429, "too_many_attempts", f"Too many failed sign-ins. Try again in {wait}.")


def keys(email_key, address):
    """The (scope, key) pairs one sign-in attempt counts against."""
    pairs = [(ACCOUNT, (email_key or "")[:254])]
    if address:
        pairs.append((ADDRESS, address[:254]))
    return pairs


def store():
    """The `limits` storage for THROTTLE_STORAGE_URL (one per URL and process), or None: the database."""
    url = current_app.config.get("THROTTLE_STORAGE_URL") or ""
    if not url:
        return None
    with _stores_lock:  # one thread imports the client: limits' lazy import check races in threads
        if url not in _stores:
            from limits.storage import storage_from_string

            _stores[url] = storage_from_string(url, key_prefix=PREFIX, wrap_exceptions=True) if url.startswith(
                ("redis", "memcached", "mongodb")) else storage_from_string(url)
        return _stores[url]


def _key(kind, scope, key):
    return f"{kind}:{scope}:{key}"


def _unavailable(error):
    log.warning("sign-in throttle store unavailable, counting in the database: %s", error)


def check(email_key, address):
    """Raise Locked when the account or the address is locked now; otherwise return None."""
    from limits.errors import StorageError

    if (kept := store()) is not None:
        try:
            ends = [kept.get_expiry(_key("lock", scope, key)) for scope, key in keys(email_key, address)
                    if kept.get(_key("lock", scope, key)) > 0]
        except StorageError as e:
            _unavailable(e)
        else:
            if ends:
                raise Locked(max(ends) - time.time())
            return
    now = utcnow()
    until = db.session.scalar(
        select(SignInThrottle.locked_until)
        .where(tuple_(SignInThrottle.scope, SignInThrottle.key).in_(keys(email_key, address)),
               SignInThrottle.locked_until > now)
        .order_by(SignInThrottle.locked_until.desc()).limit(1)
    )
    if until is not None:
        raise Locked((until - now).total_seconds())


def lock_seconds(failures, free_tries):
    """How long the failure numbered `failures` locks for: none before the free tries are used up,
    then SIGN_IN_LOCK_SECONDS, doubling with each further failure up to SIGN_IN_LOCK_MAX_SECONDS."""
    if failures < free_tries:
        return 0
    config = current_app.config
    return min(config["SIGN_IN_LOCK_SECONDS"] * 2 ** min(failures - free_tries, 20),
               config["SIGN_IN_LOCK_MAX_SECONDS"])


def record_failure(email_key, address):
    """Count one failed sign-in against the account and the address, in a transaction of its own.

    Returns the longest lock (seconds) it started, 0 for none."""
    from limits.errors import StorageError

    now = utcnow()
    free = {ACCOUNT: current_app.config["SIGN_IN_ACCOUNT_FREE_TRIES"],
            ADDRESS: current_app.config["SIGN_IN_ADDRESS_FREE_TRIES"]}
    if (kept := store()) is not None:
        try:
            return _record_in_store(kept, email_key, address, free, now)
        except StorageError as e:
            _unavailable(e)
    longest = 0
    with db.engine.begin() as connection:
        _forget_stale(connection, now)
        for scope, key in keys(email_key, address):
            failures = _count(connection, scope, key, now)
            seconds = lock_seconds(failures, free[scope])
            if seconds:
                connection.execute(update(SignInThrottle).where(SignInThrottle.scope == scope, SignInThrottle.key == key)
                                   .values(locked_until=now + timedelta(seconds=seconds)))
                longest = max(longest, seconds)
    return longest


def _record_in_store(kept, email_key, address, free, now):
    """record_failure() with the counts and locks in the `limits` storage; a lock that starts is also
    written to the database table (for the admins' list)."""
    window = int(current_app.config["SIGN_IN_FAILURE_WINDOW"])
    longest = 0
    for scope, key in keys(email_key, address):
        failures = kept.incr(_key("failures", scope, key), window)
        seconds = lock_seconds(failures, free[scope])
        if seconds:
            lock = _key("lock", scope, key)
            kept.clear(lock)  # a new lock replaces the last one (incr keeps an existing key's expiry)
            kept.incr(lock, int(seconds))
            _mirror_lock(scope, key, failures, now, now + timedelta(seconds=seconds))
            longest = max(longest, seconds)
    return longest


def _mirror_lock(scope, key, failures, now, until):
    """Write a lock kept in the store to the database table too, in a transaction of its own."""
    table = SignInThrottle.__table__
    with db.engine.begin() as connection:
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        statement = insert(table).values(scope=scope, key=key, failures=failures, last_failed_at=now, locked_until=until)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key],
            set_={"failures": failures, "last_failed_at": now, "locked_until": until}))


def _clear_in_store(scope, key, kinds=("failures", "lock")):
    """Forget a key's failures and lock in the store, if one is configured and reachable."""
    from limits.errors import StorageError

    if (kept := store()) is not None:
        try:
            for kind in kinds:
                kept.clear(_key(kind, scope, key))
        except StorageError as e:
            _unavailable(e)


def _forget_stale(connection, now):
    """Drop counts whose window has passed and that hold no lock, so typed-in emails do not pile up."""
    window = timedelta(seconds=current_app.config["SIGN_IN_FAILURE_WINDOW"])
    connection.execute(delete(SignInThrottle).where(
        SignInThrottle.last_failed_at < now - window,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until < now)))


def _count(connection, scope, key, now):
    """Add one failure (starting afresh after the window) in one atomic upsert; the new count."""
    table = SignInThrottle.__table__
    stale = table.c.last_failed_at < now - timedelta(seconds=current_app.config["SIGN_IN_FAILURE_WINDOW"])
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(scope=scope, key=key, failures=1, last_failed_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope, table.c.key],
        set_={"failures": case((stale, 1), else_=table.c.failures + 1), "last_failed_at": now},
    )
    connection.execute(statement)
    return connection.execute(select(table.c.failures).where(table.c.scope == scope, table.c.key == key)).scalar_one()


def forget_account(email_key):
    """A successful sign-in clears the account's failures (not the address's: one good password
    must not buy an attacker more guesses at other accounts)."""
    _clear_in_store(ACCOUNT, (email_key or "")[:254])
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.scope == ACCOUNT,
                                                    SignInThrottle.key == (email_key or "")[:254]))


def list_locks():
    """Accounts and addresses locked now, the longest first."""
    return db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.locked_until > utcnow())
        .order_by(SignInThrottle.locked_until.desc())
    ).all()


def clear_lock(throttle_id):
    """Unlock an account or address and forget its failures (admins); NotFound if no such lock."""
    throttle = db.session.get(SignInThrottle, throttle_id)
    if throttle is None:
        raise NotFound("No such sign-in lock.")
    _clear_in_store(throttle.scope, throttle.key)
    db.session.delete(throttle)
    db.session.flush()
    return throttle

