"""Enqueueing, leasing, finishing and failing jobs, and the queue's health."""
import json
import logging
import traceback
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby

from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, text, update

from hub.extensions import db
from hub.jobs.models import Job, WorkerBeat
from hub.models import utcnow

log = logging.getLogger(__name__)
CHANNEL = "hub_jobs"  # PostgreSQL NOTIFY channel that wakes idle workers


class RetryLater(Exception):
    """Raised by a handler that could not run now for a reason that is not the job's fault (the index
    is locked by another writer): the jobs go back to the queue without using up an attempt."""

    def __init__(self, message="busy", seconds=0.0):
        super().__init__(message)
        self.seconds = seconds


@dataclass(frozen=True)
class Claimed:
    """A leased job as its handler sees it."""

    id: int
    kind: str
    key: str
    payload: str
    attempts: int

    @property
    def data(self):
        """The payload decoded from JSON ({} when empty)."""
        return json.loads(self.payload) if self.payload else {}


@dataclass(frozen=True)
class Handler:
    kind: str
    run: object   # callable(list[Claimed]) -> None; may raise


@dataclass
class Periodic:
    name: str
    run: object   # callable() -> None
    seconds: float


HANDLERS: dict[str, Handler] = {}
PERIODIC: dict[str, Periodic] = {}


def handler(kind):
    """Register `fn(jobs: list[Claimed])` as the handler of `kind` (up to JOBS_BATCH jobs at a time).

    It runs in an app context; what it changes through `db.session` is committed together with the
    deletion of its jobs. It must be idempotent: a worker killed after the work but before that
    commit leaves the jobs for another worker to run again."""

    def register(fn):
        HANDLERS[kind] = Handler(kind, fn)
        return fn

    return register


def periodic(seconds):
    """Register `fn()` to run in every worker every `seconds` (and once per `worker --once`)."""

    def register(fn):
        name = f"{fn.__module__}.{fn.__qualname__}"
        PERIODIC[name] = Periodic(name, fn, seconds)
        return fn

    return register


def enqueue(kind, keys=("",), payload=None, *, session=None, run_after=None, unique=False):
    """Queue one job per key in the caller's transaction (no commit); returns how many were queued.

    `payload` (JSON-serialisable) is shared by the jobs. With `unique`, a key that already has a
    waiting job of this kind is skipped (housekeeping such as "rebuild the index"). Usable from
    SQLAlchemy flush events: it writes through the session's connection, not through the unit of work.
    """
    session = session or db.session
    connection = session.connection()
    keys = [str(k) for k in keys]
    if unique and keys:
        waiting = set(connection.execute(select(Job.key).where(
            Job.kind == kind, Job.key.in_(keys), Job.failed_at.is_(None))).scalars())
        keys = [k for k in keys if k not in waiting]
    if not keys:
        return 0
    now = utcnow()
    body = json.dumps(payload, separators=(",", ":")) if payload is not None else ""
    connection.execute(insert(Job), [{"kind": kind, "key": k, "payload": body, "queued_at": now,
                                      "run_after": run_after or now, "attempts": 0, "leased_by": "",
                                      "last_error": ""} for k in keys])
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})  # sent at commit
    return len(keys)


def claim(worker, limit, lease_seconds):
    """Lease up to `limit` ready jobs, oldest first, for `worker`; commits; returns [Claimed].

    One statement does the choosing and the leasing: on PostgreSQL the subquery locks the rows it
    picks and skips rows another worker is leasing (FOR UPDATE SKIP LOCKED); SQLite runs the
    statement under its single writer lock, so two workers can never pick the same row."""
    now = utcnow()
    ready = (select(Job.id)
             .where(Job.failed_at.is_(None), Job.run_after <= now,
                    or_(Job.leased_until.is_(None), Job.leased_until < now))
             .order_by(Job.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        ready = ready.with_for_update(skip_locked=True)
    rows = db.session.execute(
        update(Job).where(Job.id.in_(ready.scalar_subquery()))
        .values(leased_until=now + timedelta(seconds=lease_seconds), leased_by=worker, attempts=Job.attempts + 1)
        .returning(Job.id, Job.kind, Job.key, Job.payload, Job.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda job: job.id)


DONE, FAILED, DEFERRED = "done", "failed", "deferred"


def run_claimed(jobs, worker):
    """Run leased jobs grouped by kind; returns {DONE: n, FAILED: n, DEFERRED: n}. Never raises for a
    job's fault."""
    counts = {DONE: 0, FAILED: 0, DEFERRED: 0}
    ordered = sorted(jobs, key=lambda job: (job.kind, job.id))
    for kind, group in groupby(ordered, key=lambda job: job.kind):
        group = list(group)
        outcome = run_group(kind, group, worker)
        if outcome != FAILED or len(group) == 1:
            counts[outcome] += len(group)
            continue
        for job in group:  # find the bad one, one job at a time: the others must not wait for it
            counts[run_group(kind, [job], worker)] += 1
    return counts


def run_group(kind, group, worker):
    """One handler call and, in the same transaction, the deletion of its jobs: DONE, FAILED or DEFERRED.

    A single job's failure is recorded (see fail); a group's is left to the one-by-one retry."""
    found = HANDLERS.get(kind)
    try:
        if found is None:
            raise LookupError(f"No handler is registered for jobs of kind {kind!r}.")
        found.run(group)
        db.session.execute(delete(Job).where(Job.id.in_([job.id for job in group]), Job.leased_by == worker))
        db.session.commit()
        return DONE
    except RetryLater as exc:
        db.session.rollback()
        log.info("jobs %s %s deferred: %s", kind, [job.key for job in group], exc)
        release(group, exc.seconds)
        return DEFERRED
    except Exception as exc:
        db.session.rollback()
        if len(group) == 1:
            log.exception("job %s %r failed", kind, group[0].key)
            fail(group, exc)
        return FAILED


def release(group, seconds):
    """Give leased jobs back to the queue, due again after `seconds`, their attempt not counted."""
    db.session.execute(update(Job).where(Job.id.in_([job.id for job in group])).values(
        leased_until=None, leased_by="", attempts=Job.attempts - 1,
        run_after=utcnow() + timedelta(seconds=seconds)))
    db.session.commit()


def fail(group, exc):
    """Record a failed attempt: retry later with exponential back-off, or give up after the limit."""
    now = utcnow()
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    limit = current_app.config["JOBS_MAX_ATTEMPTS"]
    for job in group:
        gave_up = job.attempts >= limit
        delay = timedelta(seconds=min(5 * 2 ** job.attempts, 900))
        db.session.execute(update(Job).where(Job.id == job.id).values(
            last_error=message, last_error_at=now, leased_until=None, leased_by="",
            failed_at=now if gave_up else None, run_after=now if gave_up else now + delay))
    db.session.commit()


def retry_failed(kind=None):
    """Give failed jobs (of one kind, or all) a fresh start; returns how many. No commit."""
    query = update(Job).where(Job.failed_at.is_not(None))
    if kind:
        query = query.where(Job.kind == kind)
    return db.session.execute(query.values(failed_at=None, attempts=0, run_after=utcnow())).rowcount


def health(now=None, alive_seconds=60):
    """The queue as an operator needs it: {"backlog", "by_kind", "oldest_queued_at",
    "oldest_age_seconds", "failed", "last_error": {kind, key, message, at} | None,
    "workers": [{name, started_at, seen_at, jobs_done, alive}], "workers_alive"}."""
    now = now or utcnow()
    waiting = Job.failed_at.is_(None)
    by_kind = dict(db.session.execute(select(Job.kind, func.count()).where(waiting).group_by(Job.kind)).all())
    oldest = db.session.scalar(select(func.min(Job.queued_at)).where(waiting))
    failed = db.session.scalar(select(func.count()).select_from(Job).where(Job.failed_at.is_not(None)))
    last = db.session.execute(select(Job.kind, Job.key, Job.last_error, Job.last_error_at)
                              .where(Job.last_error_at.is_not(None))
                              .order_by(Job.last_error_at.desc()).limit(1)).first()
    workers = [{"name": w.name, "started_at": w.started_at, "seen_at": w.seen_at, "jobs_done": w.jobs_done,
                "alive": (now - w.seen_at).total_seconds() <= alive_seconds}
               for w in db.session.scalars(select(WorkerBeat).order_by(WorkerBeat.seen_at.desc()))]
    return {
        "backlog": sum(by_kind.values()),
        "by_kind": by_kind,
        "oldest_queued_at": oldest,
        "oldest_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
        "failed": failed,
        "last_error": {"kind": last.kind, "key": last.key, "message": last.last_error, "at": last.last_error_at}
        if last else None,
        "workers": workers,
        "workers_alive": sum(w["alive"] for w in workers),
    }
