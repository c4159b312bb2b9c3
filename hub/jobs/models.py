"""The job queue's tables: jobs written in the user's transaction, and the workers that run them."""
from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db
from hub.models import UTCDateTime, utcnow


class Job(db.Model):
    """One unit of slow work (extract and index an item, rebuild the index, send a mail...).

    Written by the same transaction as the change that needs it (the transactional outbox), so a
    committed change always has its job and a rolled-back one never does. A worker leases a job
    (`leased_until`), runs it and deletes it in the transaction that records its effects; a worker
    that dies leaves the lease to expire and another takes the job over.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_ready", "failed_at", "run_after", "id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))                    # a registered handler's name
    key: Mapped[str] = mapped_column(String(100), default="")        # what it concerns, e.g. an item id
    payload: Mapped[str] = mapped_column(Text, default="")           # JSON, when the key is not enough
    queued_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    run_after = mapped_column(UTCDateTime, default=utcnow, nullable=False)  # retries back off
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    leased_until = mapped_column(UTCDateTime, nullable=True)
    leased_by: Mapped[str] = mapped_column(String(120), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at = mapped_column(UTCDateTime, nullable=True)
    failed_at = mapped_column(UTCDateTime, nullable=True)            # gave up after MAX_ATTEMPTS


class WorkerBeat(db.Model):
    """A worker process's last sign of life, for the health page."""

    __tablename__ = "job_workers"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid
    started_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    seen_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    jobs_done: Mapped[int] = mapped_column(Integer, default=0)
