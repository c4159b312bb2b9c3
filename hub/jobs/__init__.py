"""Background jobs: slow work (text extraction, index writes, rebuilds, thumbnails, mail) runs in a
worker process (`flask --app hub worker`), never inside a web request.

A feature registers what it can do with `@handler(kind)` and, for housekeeping, `@periodic(seconds)`;
it asks for work with `enqueue()` inside its own transaction (the outbox pattern: the job commits or
rolls back with the change that needs it). Workers lease jobs from the `jobs` table (`SELECT ... FOR
UPDATE SKIP LOCKED` on PostgreSQL, a single `UPDATE ... RETURNING` under SQLite's one-writer lock), so
several workers on one host or several never run the same job at once nor lose one: a job is deleted
only in the transaction that records its effects, and a dead worker's lease simply expires.
"""
from hub.jobs.queue import RetryLater, enqueue, handler, health, periodic, retry_failed

DEFAULTS = {
    "JOBS_POLL_SECONDS": 0.25,   # how often an idle worker looks for jobs (PostgreSQL also wakes it by NOTIFY)
    "JOBS_LEASE_SECONDS": 900,   # a claimed job is another worker's to take over after this long
    "JOBS_BATCH": 25,            # jobs claimed at once
    "JOBS_MAX_ATTEMPTS": 5,      # then the job is kept as failed, for the health page
}


def init_app(app):
    """Add the queue's settings and the `worker` command."""
    from hub.jobs import models  # noqa: F401 (the tables, for migrations)
    from hub.jobs.cli import worker_command

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.cli.add_command(worker_command)


__all__ = ["RetryLater", "enqueue", "handler", "health", "init_app", "periodic", "retry_failed"]
