"""Faults an operator meets (issue 11): a locked or slow database answers 503 with Retry-After after
a bounded wait; a full disk answers 507 and keeps nothing; the rest of Hub keeps working."""
import hashlib
import io
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import func, select, text

from hub.extensions import db
from hub.library.models import FileVersion
from tests.conftest import Browser, make_test_app, tiny_pdf


@pytest.fixture
def second_app(database_url, tmp_path):
    """Another Hub process on the same database, with its own settings."""
    apps = []

    def make(**config):
        other = make_test_app(database_url, tmp_path / f"other{len(apps)}", **config)
        apps.append(other)
        return other

    yield make
    for other in apps:
        with other.app_context():
            db.engine.dispose()


def test_a_locked_sqlite_database_answers_503_after_a_bounded_wait(app, database_url, second_app, make_user):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock; PostgreSQL has its own test")
    user = make_user("sales")
    impatient = second_app(DB_LOCK_TIMEOUT=0.2)
    browser = Browser(impatient.test_client())
    assert browser.login(user).status_code == 302
    token = browser.token()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        response = browser.client.post("/requests", data={"title": "Case study for banks", "csrf_token": token})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "busy" in response.get_data(as_text=True)
        assert browser.get("/").status_code == 200  # reading goes on (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    response = browser.client.post("/requests", data={"title": "Case study for banks", "csrf_token": token})
    assert response.status_code in (302, 303)


def test_a_locked_postgresql_row_answers_503_after_lock_timeout(app, database_url, second_app, make_user, make_item,
                                                               token_for):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (HUB_TEST_DATABASE_URL)")
    item = make_item("approved")
    headers = token_for(make_user("marketing"))
    impatient = second_app(DB_LOCK_TIMEOUT=0.2)
    with db.engine.connect() as holder:
        holder.execute(text("SELECT id FROM collateral WHERE id = :id FOR UPDATE"), {"id": item.id})
        response = impatient.test_client().patch(f"/api/v1/collateral/{item.id}", json={"region": "EMEA"},
                                                 headers=headers)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        holder.rollback()
    response = impatient.test_client().patch(f"/api/v1/collateral/{item.id}", json={"region": "EMEA"}, headers=headers)
    assert response.status_code == 200


def test_postgresql_sessions_get_statement_and_lock_timeouts(app, database_url, second_app):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (HUB_TEST_DATABASE_URL)")
    other = second_app(DB_LOCK_TIMEOUT=2, DB_STATEMENT_TIMEOUT=7)
    with other.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "2s"
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "7s"


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KB tmpfs as the upload folder (needs root, as in CI); skips where it cannot be mounted."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True,
                            check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_upload_disk_answers_507_and_keeps_nothing(app, database_url, second_app, small_disk, as_user,
                                                          make_user, token_for):
    cramped = second_app(UPLOAD_FOLDER=str(small_disk))
    headers = token_for(make_user("marketing"))
    client = cramped.test_client()
    big = tiny_pdf(os.urandom(200 * 1024).hex()[:200 * 1024])  # under the 500 KB werkzeug spools to a temp file
    response = client.post("/api/v1/collateral", headers=headers, data={
        "title": "Too big for the disk", "content_type": "other", "stages": "awareness", "file": (io.BytesIO(big), "a.pdf")})
    assert response.status_code == 507, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "insufficient_storage"
    assert list(Path(small_disk).iterdir()) == []  # no half-written file left
    assert db.session.scalar(select(FileVersion.id)) is None
    assert client.get("/api/v1/collateral", headers=headers).status_code == 200  # the rest of Hub works
    small = client.post("/api/v1/collateral", headers=headers, data={
        "title": "Fits", "content_type": "other", "stages": "awareness",
        "file": (io.BytesIO(tiny_pdf("small")), "b.pdf")})
    assert small.status_code == 201


def test_check_files_reports_orphans_and_missing_files_and_fixes_old_orphans(app, runner, make_item):
    item = make_item("approved")
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert runner.invoke(args=["check-files"]).exit_code == 0
    # A worker killed mid-upload leaves its temp file, or a file the database never took.
    old, young = folder / ".upload-killed", folder / "f00d.pdf"
    old.write_bytes(b"x" * 2048)
    young.write_bytes(b"y")
    os.utime(old, (0, 0))
    result = runner.invoke(args=["check-files"])
    assert result.exit_code == 1 and "orphans       2" in result.output
    result = runner.invoke(args=["check-files", "--fix"])
    assert not old.exists() and young.exists()  # only orphans older than an hour go
    assert result.exit_code == 1 and "removed       1" in result.output
    young.unlink()
    stored = db.session.get(FileVersion, item.current_version.id).stored_name
    (folder / stored).unlink()
    result = runner.invoke(args=["check-files"])
    assert result.exit_code == 1 and "missing       1" in result.output and stored in result.output


@pytest.fixture
def served(app):
    """The app behind a real threaded HTTP server (each request on its own thread and database
    connection, as under gunicorn); send(method, path, headers, json=None, files=None) -> (status, body)."""
    import json as jsonlib
    import threading
    import urllib.error
    import urllib.request

    from werkzeug.serving import make_server
    from werkzeug.test import encode_multipart

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def send(method, path, headers, json=None, files=None):
        headers = dict(headers)
        data = None
        if json is not None:
            data, headers["Content-Type"] = jsonlib.dumps(json).encode(), "application/json"
        elif files is not None:
            boundary, data = encode_multipart(files)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=data, headers=headers,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, jsonlib.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            with e:
                return e.code, jsonlib.loads(e.read() or b"null")

    try:
        yield send
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_at_once(calls):
    """Run the calls in threads released together; their results in order."""
    import threading

    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except OSError as e:  # a dropped connection: shown by the test's assertion
            results[i] = (e, None)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def stored_files(app):
    """The uploaded files (previews live in a folder beside them)."""
    return [path for path in Path(app.config["UPLOAD_FOLDER"]).iterdir() if path.is_file()]


def test_simultaneous_version_uploads_get_consecutive_numbers(app, served, make_user, make_item, token_for):
    from werkzeug.datastructures import FileStorage

    item = make_item("approved")
    headers = token_for(make_user("marketing"))
    item_id = item.id

    def upload(n):
        data = tiny_pdf(f"version {n}")
        return lambda: served("POST", f"/api/v1/collateral/{item_id}/versions", headers,
                              files={"file": FileStorage(io.BytesIO(data), f"v{n}.pdf", content_type="application/pdf")})

    statuses = [status for status, _ in run_at_once([upload(n) for n in range(8)])]
    assert all(code in (201, 503) for code in statuses), statuses  # never a 500 from the unique key
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(FileVersion.number).where(FileVersion.collateral_id == item_id)))
    assert numbers == list(range(1, 2 + statuses.count(201)))
    assert len(stored_files(app)) == len(numbers)  # refused ones left no file


def test_simultaneous_status_changes_from_one_state_let_one_win(app, served, make_user, make_item, token_for):
    from hub.library.models import Collateral, StatusChange

    item = make_item("approved")
    headers = token_for(make_user("marketing"))
    item_id = item.id
    targets = ["archived", "draft", "archived", "draft", "archived", "draft"]

    def move(status):
        return lambda: served("POST", f"/api/v1/collateral/{item_id}/status", headers, json={"status": status})

    results = run_at_once([move(status) for status in targets])
    codes = [status for status, _ in results]
    assert codes.count(200) >= 1 and all(code in (200, 409, 503) for code in codes), results
    db.session.expire_all()
    history = db.session.scalars(select(StatusChange).where(StatusChange.collateral_id == item_id)
                                 .order_by(StatusChange.id)).all()
    moves = [(change.from_status, change.to_status) for change in history][-codes.count(200):]
    # One history, no contradictions: each change starts where the one before ended (a later request
    # may legitimately move the item on from the state the first one left).
    assert moves[0][0] == "approved"
    assert all(moves[i][1] == moves[i + 1][0] for i in range(len(moves) - 1)), moves
    assert db.session.get(Collateral, item_id).status == moves[-1][1]
    conflicts = [body["error"]["code"] for status, body in results if status == 409]
    assert conflicts and set(conflicts) <= {"changed", "invalid_transition"}


def test_an_api_create_retried_with_its_idempotency_key_is_made_once(app, client, make_user, token_for):
    from hub.usage.models import ContentRequest

    headers = {**token_for(make_user("sales")), "Idempotency-Key": "c0ffee-1"}
    first = client.post("/api/v1/requests", json={"title": "Case study for banks"}, headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/requests", json={"title": "Case study for banks"}, headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(ContentRequest)) == 1
    other = client.post("/api/v1/requests", json={"title": "Something else"}, headers=headers)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    fresh = client.post("/api/v1/requests", json={"title": "Case study for banks"},
                        headers={**headers, "Idempotency-Key": "c0ffee-2"})
    assert fresh.status_code == 201 and fresh.get_json()["id"] != first.get_json()["id"]


def test_a_refused_create_is_not_remembered(app, client, make_user, token_for):
    headers = {**token_for(make_user("sales")), "Idempotency-Key": "k-1"}
    assert client.post("/api/v1/requests", json={"title": ""}, headers=headers).status_code == 422
    assert client.post("/api/v1/requests", json={"title": "Now with a title"}, headers=headers).status_code == 201


def test_idempotent_upload_retries_make_one_version(app, client, make_user, make_item, token_for):
    item = make_item("approved")
    headers = {**token_for(make_user("marketing")), "Idempotency-Key": "upload-7"}

    def send():
        return client.post(f"/api/v1/collateral/{item.id}/versions", headers=headers,
                           data={"file": (io.BytesIO(tiny_pdf("v2")), "v2.pdf")})

    assert send().status_code == 201 and send().status_code == 201
    assert db.session.scalar(select(func.count()).select_from(FileVersion)) == 2  # the first and one new
    assert len(stored_files(app)) == 2  # the replay stored no file


def test_simultaneous_retries_with_one_key_make_one_record(app, served, make_user, token_for):
    from hub.usage.models import ContentRequest

    headers = {**token_for(make_user("sales")), "Idempotency-Key": "race-1"}
    results = run_at_once([lambda: served("POST", "/api/v1/requests", headers, json={"title": "Raced"})
                           for _ in range(6)])
    codes = [status for status, _ in results]
    assert codes.count(201) >= 1 and all(code in (201, 409, 503) for code in codes), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ContentRequest)) == 1


@pytest.fixture
def read_only(tmp_path):
    """read_only(folder): bind-mount the folder read-only over itself (root, as in CI); undone after."""
    mounted = []

    def make(folder):
        if os.geteuid() != 0:
            pytest.skip("a read-only bind mount needs root")
        for args in (["mount", "--bind", str(folder), str(folder)],
                     ["mount", "-o", "remount,bind,ro", str(folder), str(folder)]):
            result = subprocess.run(args, capture_output=True, check=False)
            if result.returncode != 0:
                pytest.skip(f"cannot bind-mount read-only here: {result.stderr.decode().strip()}")
            if args[1] == "--bind":
                mounted.append(folder)

    yield make
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_read_only_index_folder_never_makes_a_500(app, as_user, make_item, runner, work, read_only):
    app.config["SEARCH_BACKEND"] = "whoosh"  # Whoosh's own files
    make_item("approved", title="Wolverine guide")
    work()
    browser, _ = as_user("sales")
    assert "Wolverine guide" in browser.get("/search?q=wolverine").get_data(as_text=True)
    read_only(Path(app.config["INDEX_FOLDER"]))
    make_item("approved", title="Wolverine pricing")
    work()  # the index write fails; the job stays queued for a retry, nothing breaks
    response = browser.get("/search?q=wolverine")
    assert response.status_code in (200, 503)
    assert "Wolverine guide" in response.get_data(as_text=True) or response.status_code == 503
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output  # reported, not a crash


def test_a_backup_taken_under_write_load_restores_everything(app, runner, make_user, make_item, tmp_path):
    import json
    import threading
    import time

    from hub.auth.models import User
    from hub.library.models import Collateral
    from hub.usage import feedback
    from hub.usage.models import ContentRequest
    from tests.search_files import pdf

    for n in range(3):
        make_item("approved", title=f"Wolverine {n}", file=(pdf(pages=1, marker=f"marker{n}"), f"w{n}.pdf"))
    rep_id = make_user("sales").id
    db.session.commit()
    stop, made = threading.Event(), []

    def writer():  # another process's users, writing all along
        with app.app_context():
            while not stop.is_set():
                feedback.create_request(db.session.get(User, rep_id), {"title": f"Request {len(made)}"})
                db.session.commit()
                made.append(1)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    while len(made) < 5:
        time.sleep(0.01)
    before = len(made)
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    stop.set()
    thread.join()
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["files"]) == 3 and not manifest["missing"]
    make_item("approved", title="Made after the backup")  # the restore takes this away
    result = runner.invoke(args=["restore", str(tmp_path / "backup"), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    restored = db.session.scalar(select(func.count()).select_from(ContentRequest))
    assert before <= restored <= len(made)  # every write acknowledged before the backup is in it
    titles = set(db.session.scalars(select(Collateral.title)))
    assert titles == {"Wolverine 0", "Wolverine 1", "Wolverine 2"}
    folder = Path(app.config["UPLOAD_FOLDER"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert runner.invoke(args=["check-index"]).exit_code == 0  # rebuilt from the restored database


def test_restore_refuses_a_damaged_backup(app, runner, make_item, tmp_path):
    make_item("approved")
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    next((tmp_path / "b" / "uploads").iterdir()).write_bytes(b"tampered")
    result = runner.invoke(args=["restore", str(tmp_path / "b"), "--yes"])
    assert result.exit_code != 0 and "checksum" in result.output
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code != 0  # never into a used folder


@pytest.fixture
def full_database(database_url, second_app):
    """Another Hub process whose SQLite database file cannot grow (PRAGMA max_page_count set to the
    file's size on each connection): SQLite's "database or disk is full" (SQLITE_FULL), as on a full
    disk, for any write that needs a new page. PostgreSQL's full disk cannot be made here."""
    if not database_url.startswith("sqlite"):
        pytest.skip("a full database disk is simulated with SQLite's max_page_count")
    cramped = second_app()
    with cramped.app_context():
        engine = db.engine

    @sqlalchemy.event.listens_for(engine, "connect")
    def no_room(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("VACUUM")  # no free pages left over from earlier tests' deletes: new rows need new pages
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
        cursor.close()

    return cramped


def test_a_full_database_disk_answers_507_and_keeps_nothing(app, full_database, make_user, token_for):
    """Issue 11: an upload and a calendar entry whose rows need room the database has not got."""
    from hub.calendar.models import CalendarEntry
    from hub.library.models import Collateral

    headers = token_for(make_user("marketing"))
    client = full_database.test_client()
    long_text = "Room for this text is what the database has not got. " * 180  # about 10 KB: new pages
    upload = {"title": "No room", "content_type": "other", "stages": "awareness", "description": long_text[:10000]}
    entry = {"title": "No room webinar", "kind": "webinar", "timezone": "America/New_York",
             "starts_at": "2026-03-10T09:00", "ends_at": "2026-03-10T10:00", "description": long_text * 2}
    answers = [client.post("/api/v1/collateral", headers=headers, data={**upload, "file": (io.BytesIO(tiny_pdf("x")), "a.pdf")}),
               client.post("/api/v1/calendar/entries", headers=headers, json=entry)]
    for answer in answers:
        assert answer.status_code == 507, answer.get_data(as_text=True)
        assert answer.get_json()["error"]["code"] == "insufficient_storage"
        assert "disk is full" in answer.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Collateral)) == 0
    assert db.session.scalar(select(func.count()).select_from(FileVersion)) == 0
    assert db.session.scalar(select(func.count()).select_from(CalendarEntry)) == 0
    assert not [p for p in Path(full_database.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]  # no orphan file
    assert client.get("/api/v1/collateral", headers=headers).status_code == 200  # reads still work
    assert client.get("/api/v1/calendar/entries", headers=headers).status_code == 200
    # once there is room again (another process, without the cap), the same requests succeed
    other = app.test_client()
    assert other.post("/api/v1/collateral", headers=headers,
                      data={**upload, "file": (io.BytesIO(tiny_pdf("x")), "a.pdf")}).status_code == 201
    assert other.post("/api/v1/calendar/entries", headers=headers, json=entry).status_code == 201
