"""Background work: requests only queue it, workers run it once each, failures are kept and shown;
one transaction per action; features react to each other through signals."""
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hub import ROOT, events, jobs
from hub.errors import Invalid
from hub.extensions import db
from hub.jobs.models import Job, WorkerBeat
from hub.jobs.queue import claim
from hub.jobs.worker import Worker
from hub.library.models import Collateral, FileVersion, Stage, StatusChange
from hub.models import utcnow
from hub.search import services as search
from tests import search_files as files

SEEN = []


@jobs.handler("test.record")
def record_keys(claimed):
    """Remembers what it ran; refuses the key 'bad' (a job whose own data is at fault)."""
    for job in claimed:
        if job.key == "bad":
            raise ValueError("this job is bad")
    SEEN.extend(job.key for job in claimed)


def queue(*keys, kind="test.record"):
    jobs.enqueue(kind, keys)
    db.session.commit()


def waiting():
    return db.session.scalar(select(func.count(Job.id)).where(Job.failed_at.is_(None)))


def found(user, text):
    return [item.id for item, _, _ in search.search(user, text).hits]


# --- nothing slow in a request ---------------------------------------------------------------------

def test_an_upload_only_queues_its_extraction_and_indexing(app, as_user, make_user, runner):
    browser, _ = as_user("marketing")
    response = browser.post("/items/new", data={
        "title": "Osprey guide", "content_type": "datasheet", "stages": ["awareness"],
        "file": (io.BytesIO(files.pdf(pages=4, marker="osprey telemetry")), "guide.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    version = db.session.scalar(select(FileVersion))
    assert version.text_indexed is None and version.extracted_text is None   # the request read nothing
    assert waiting() >= 1
    marketer = make_user("marketing")
    page = search.search(marketer, "osprey")
    assert page.total == 1 and "being rebuilt" in page.notice                # no index yet: the database answers
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and ", 0 failed" in result.output, result.output
    assert waiting() == 0
    db.session.expire_all()
    assert "osprey telemetry" in db.session.scalar(select(FileVersion)).extracted_text
    assert found(marketer, "telemetry") == [db.session.scalar(select(Collateral.id))]
    assert search.search(marketer, "telemetry").notice == ""


def test_a_change_committed_while_no_worker_runs_is_done_when_one_starts(app, database_url, make_user, make_item):
    marketer = make_user("marketing")
    item = make_item("approved", owner=marketer, title="Heron pricing")
    from hub.library import services as library

    library.update_item(marketer, item, {"title": "Ibis pricing"})
    db.session.commit()                                                     # no worker is running
    env = {**os.environ, "HUB_INSTANCE_PATH": app.instance_path, "HUB_SQLALCHEMY_DATABASE_URI": database_url,
           "HUB_JOBS_POLL_SECONDS": "0.1", "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "hub", "worker", "--name", "w1"], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and found(marketer, "ibis") != [item.id]:
            time.sleep(0.1)
            db.session.rollback()
        assert found(marketer, "ibis") == [item.id]
        db.session.rollback()
        assert db.session.get(WorkerBeat, "w1") is not None                 # it tells the health page it is alive
        library.update_item(marketer, item, {"title": "Egret pricing"})     # while it runs: picked up at once
        db.session.commit()
        started = time.monotonic()
        while time.monotonic() - started < 10 and found(marketer, "egret") != [item.id]:
            time.sleep(0.05)
            db.session.rollback()
        assert found(marketer, "egret") == [item.id]
    finally:
        worker.send_signal(signal.SIGTERM)                                  # stops after the batch in hand
        _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()[-2000:]
    db.session.rollback()
    assert db.session.get(WorkerBeat, "w1") is None                         # signed off


# --- leases, failures, retries --------------------------------------------------------------------

def test_jobs_run_once_each_and_a_bad_one_does_not_hold_back_the_others(app, work):
    SEEN.clear()
    queue("a", "bad", "b")
    done, failed = work()
    assert (done, failed) == (2, 1) and sorted(SEEN) == ["a", "b"]
    bad = db.session.scalar(select(Job))
    assert bad.key == "bad" and bad.attempts == 1 and bad.failed_at is None
    assert "this job is bad" in bad.last_error and bad.run_after > utcnow()   # retried later, backing off
    assert work() == (0, 0) and sorted(SEEN) == ["a", "b"]                    # not yet due, and none ran twice


def test_a_job_that_keeps_failing_is_kept_shown_and_can_be_retried(app, work, as_user, token_for, make_user):
    app.config["JOBS_MAX_ATTEMPTS"] = 2
    queue("bad")
    for _ in range(2):
        work()
        db.session.execute(update(Job).values(run_after=utcnow()))          # time passes
        db.session.commit()
    job = db.session.scalar(select(Job))
    assert job.failed_at is not None and job.attempts == 2
    assert work() == (0, 0)                                                 # given up on: not run again
    report = jobs.health()
    assert report["failed"] == 1 and report["backlog"] == 0
    assert report["last_error"]["kind"] == "test.record" and "this job is bad" in report["last_error"]["message"]
    admin, _ = as_user("admin")
    page = admin.get("/admin/health").get_data(as_text=True)
    assert "this job is bad" in page and "Retry failed jobs" in page and "No worker has been seen" in page
    api = admin.client.get("/api/v1/health", headers=token_for(make_user("admin"))).get_json()
    assert api["status"] == "degraded" and api["jobs"]["failed"] == 1 and api["workers"] == []
    assert api["jobs"]["last_error"]["message"].startswith("ValueError: this job is bad")
    assert admin.post("/admin/health/retry").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Job)).failed_at is None and jobs.health()["backlog"] == 1


def test_a_dead_workers_lease_runs_out_and_another_worker_takes_the_job(app, work):
    SEEN.clear()
    queue("orphan")
    assert [job.key for job in claim("dead-worker", 10, lease_seconds=60)] == ["orphan"]
    assert work() == (0, 0) and SEEN == []                                  # leased: nobody else runs it
    db.session.execute(update(Job).values(leased_until=utcnow() - timedelta(seconds=1)))  # the lease ran out
    db.session.commit()
    assert work() == (1, 0) and SEEN == ["orphan"]
    assert waiting() == 0


def test_a_job_of_a_kind_nobody_handles_is_a_failure_with_a_reason(app, work):
    queue("x", kind="test.nobody")
    assert work() == (0, 1)
    assert "No handler is registered" in db.session.scalar(select(Job.last_error))


def test_the_health_report_is_for_admins_and_counts_live_workers(app, client, make_user, token_for):
    assert client.get("/api/v1/health", headers=token_for(make_user("marketing"))).status_code == 403
    Worker(app, name="beating").beat()
    body = client.get("/api/v1/health", headers=token_for(make_user("admin"))).get_json()
    assert body["status"] == "ok" and [w["name"] for w in body["workers"]] == ["beating"]
    assert body["workers"][0]["alive"] is True and body["jobs"]["backlog"] == 0
    assert body["search"]["state"] in ("missing", "empty")


# --- one transaction per action --------------------------------------------------------------------

def test_an_approval_whose_follow_up_is_refused_changes_nothing(app, as_user, make_item):
    browser, _ = as_user("marketing")
    item = make_item("in_review", title="Atomic one-pager")

    def refuse(sender, **_):
        raise Invalid("The calendar refused the entry.", "calendar_entry")

    events.collateral_approved.connect(refuse)
    try:
        response = browser.post(f"/items/{item.id}/status", data={"status": "approved", "calendar_entry": "1"})
    finally:
        events.collateral_approved.disconnect(refuse)
    assert response.status_code == 422 and "The calendar refused the entry." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Collateral, item.id).status == "in_review"
    assert db.session.scalar(select(func.count(StatusChange.id)).where(StatusChange.to_status == "approved")) == 0


def test_an_approval_adds_its_calendar_entry_even_with_a_long_product_name(app, as_user, make_item):
    """The repro: a 67-character product used to commit the approval, then fail on the calendar's
    60-character labels. Both features now accept the same lengths, and do it in one transaction."""
    from hub.calendar.models import CalendarEntry

    browser, _ = as_user("marketing")
    product = "Lumora Insight Enterprise Analytics Suites for Regulated Industries"
    assert len(product) == 67
    item = make_item("in_review", title="Suite one-pager", product=product)
    response = browser.post(f"/items/{item.id}/status", data={"status": "approved", "calendar_entry": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Collateral, item.id).status == "approved"
    entry = db.session.scalar(select(CalendarEntry))
    assert entry.title == "New: Suite one-pager" and entry.products == [product]
    assert "to the marketing calendar" in browser.get(f"/items/{item.id}").get_data(as_text=True)


def test_a_get_never_changes_stored_state(app, as_user):
    def sneaky():
        db.session.add(Stage(slug="sneaky", name="Sneaky", position=99))
        db.session.flush()
        return "written"

    app.add_url_rule("/test-sneaky-write", "sneaky", sneaky)
    browser, _ = as_user("sales")
    with pytest.raises(AssertionError, match="tried to change stored state"):
        browser.get("/test-sneaky-write")
    db.session.rollback()
    assert db.session.scalar(select(Stage).where(Stage.slug == "sneaky")) is None


def test_opening_the_subscribe_page_writes_no_feed_key(app, as_user, make_user):
    """A user without a feed key (made before keys came with the account) gets one by asking for it."""
    from hub.calendar.models import FeedKey

    browser, user = as_user("sales")
    db.session.execute(FeedKey.__table__.delete())
    db.session.commit()
    page = browser.get("/calendar/subscribe").get_data(as_text=True)
    assert "Make my feed link" in page and "/calendar/feed/" not in page
    assert db.session.scalar(select(func.count()).select_from(FeedKey)) == 0
    assert browser.post("/calendar/subscribe/rotate").status_code == 303
    assert "/calendar/feed/" in browser.get("/calendar/subscribe").get_data(as_text=True)
    assert db.session.get(FeedKey, user.id) is not None


def test_a_new_user_comes_with_a_working_feed_link(app, client, make_user, token_for):
    user = make_user("sales")
    links = client.get("/api/v1/me/feeds", headers=token_for(user)).get_json()
    assert links["https"] and client.get(links["https"]).status_code == 200


def test_an_upload_whose_transaction_fails_leaves_no_file_behind(app, as_user):
    """The file is written before the database takes the item; if the transaction then fails (a full
    or locked database), the file goes with it."""
    from flask_sqlalchemy.session import Session as FlaskSession
    from sqlalchemy import event

    browser, _ = as_user("marketing")

    def database_fails(session, context, instances):
        if any(isinstance(obj, FileVersion) for obj in session.new):
            raise RuntimeError("the database refused the write")

    event.listen(FlaskSession, "before_flush", database_fails)
    try:
        with pytest.raises(RuntimeError, match="refused the write"):
            browser.post("/items/new", data={
                "title": "Doomed guide", "content_type": "datasheet", "stages": ["awareness"],
                "file": (io.BytesIO(files.pdf()), "guide.pdf")}, content_type="multipart/form-data")
    finally:
        event.remove(FlaskSession, "before_flush", database_fails)
    assert os.listdir(app.config["UPLOAD_FOLDER"]) == []
    assert db.session.scalar(select(func.count(Collateral.id))) == 0
