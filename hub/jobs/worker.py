"""The worker loop: lease jobs, run them, run housekeeping, sleep until there is more to do."""
import logging
import os
import signal
import socket
import threading
import time

from sqlalchemy import delete

from hub.extensions import db
from hub.jobs import queue
from hub.jobs.models import WorkerBeat
from hub.models import utcnow

log = logging.getLogger(__name__)
BEAT_SECONDS = 10


class Worker:
    """One worker process's loop over the queue (`flask --app hub worker`)."""

    def __init__(self, app, name=None):
        self.app = app
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self.due = {}          # periodic task name -> monotonic time it is next due
        self.done = self.failed = 0
        self.beaten = 0.0
        self.listener = None

    # --- one pass ---------------------------------------------------------------------------------

    def run_batch(self):
        """Lease and run one batch; returns how many jobs were done or failed (0: nothing ready, or
        everything deferred because a resource was busy)."""
        with self.app.app_context():
            jobs = queue.claim(self.name, self.app.config["JOBS_BATCH"], self.app.config["JOBS_LEASE_SECONDS"])
            if not jobs:
                return 0
            counts = queue.run_claimed(jobs, self.name)
            self.done += counts[queue.DONE]
            self.failed += counts[queue.FAILED]
            return counts[queue.DONE] + counts[queue.FAILED]

    def run_periodic(self, force=False):
        """Run the housekeeping tasks that are due (all of them with force)."""
        now = time.monotonic()
        for task in list(queue.PERIODIC.values()):
            if force or now >= self.due.get(task.name, 0):
                self.due[task.name] = now + task.seconds
                with self.app.app_context():
                    try:
                        task.run()
                        db.session.commit()
                    except Exception:
                        db.session.rollback()
                        log.exception("periodic task %s failed", task.name)

    def run_once(self):
        """Housekeeping once, then every job until none is ready (jobs queued meanwhile too; jobs
        deferred because a resource stays busy are left for later).

        This is `flask --app hub worker --once`, and what the tests call to drain the queue."""
        self.run_periodic(force=True)
        while self.run_batch():
            pass
        return self.done, self.failed

    # --- forever ----------------------------------------------------------------------------------

    def run_forever(self):
        """Work until SIGTERM or SIGINT; the batch in hand is finished first."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        log.info("worker %s started", self.name)
        self.listen()
        try:
            while not self.stopping.is_set():
                self.beat()
                self.run_periodic()
                if not self.run_batch():
                    self.wait(self.app.config["JOBS_POLL_SECONDS"])
        finally:
            self.unlisten()
            self.sign_off()
            log.info("worker %s stopped after %d jobs (%d failed)", self.name, self.done, self.failed)

    def listen(self):
        """On PostgreSQL, LISTEN for new jobs so an idle worker wakes at once."""
        with self.app.app_context():
            url = db.engine.url
        if url.get_backend_name() != "postgresql":
            return
        try:
            import psycopg

            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.listener = psycopg.connect(conninfo, autocommit=True)
            self.listener.execute(f"LISTEN {queue.CHANNEL}")
        except Exception:
            log.exception("could not LISTEN for jobs; polling instead")
            self.listener = None

    def unlisten(self):
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def wait(self, seconds):
        """Sleep until a NOTIFY (PostgreSQL), a stop request, or `seconds` pass."""
        if self.listener is None:
            self.stopping.wait(seconds)
            return
        try:
            for _ in self.listener.notifies(timeout=max(seconds, 1.0), stop_after=1):
                break
        except Exception:
            log.exception("lost the LISTEN connection; polling instead")
            self.unlisten()
            self.stopping.wait(seconds)

    def beat(self):
        """Tell the health page this worker is alive (every BEAT_SECONDS)."""
        if time.monotonic() - self.beaten < BEAT_SECONDS:
            return
        self.beaten = time.monotonic()
        with self.app.app_context():
            try:
                row = db.session.get(WorkerBeat, self.name)
                if row is None:
                    row = WorkerBeat(name=self.name, started_at=utcnow())
                    db.session.add(row)
                row.seen_at, row.jobs_done = utcnow(), self.done
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("could not record the worker's heartbeat")

    def sign_off(self):
        with self.app.app_context():
            try:
                db.session.execute(delete(WorkerBeat).where(WorkerBeat.name == self.name))
                db.session.commit()
            except Exception:  # noqa: BLE001 - stopping must not fail; the beat ages out on the health page
                db.session.rollback()

