"""Faults an operator meets (issue 11): a locked or slow database answers 503 with Retry-After after
a bounded wait; a full disk answers 507 and keeps nothing; the rest of Hub keeps working."""
import io
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hub.extensions import db
from hub.library.models import FileVersion
from tests.conftest import Browser, make_test_app


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
    big = b"%PDF-1.4\n" + os.urandom(200 * 1024)  # under the 500 KB werkzeug spools to a temp file
    response = client.post("/api/v1/collateral", headers=headers, data={
        "title": "Too big for the disk", "content_type": "other", "stages": "awareness", "file": (io.BytesIO(big), "a.pdf")})
    assert response.status_code == 507, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "insufficient_storage"
    assert list(Path(small_disk).iterdir()) == []  # no half-written file left
    assert db.session.scalar(select(FileVersion.id)) is None
    assert client.get("/api/v1/collateral", headers=headers).status_code == 200  # the rest of Hub works
    small = client.post("/api/v1/collateral", headers=headers, data={
        "title": "Fits", "content_type": "other", "stages": "awareness",
        "file": (io.BytesIO(b"%PDF-1.4\n% small\n"), "b.pdf")})
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
