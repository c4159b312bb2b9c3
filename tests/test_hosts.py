"""Hub on two app hosts (issue 13): two gunicorn servers with their own instance folders, one
PostgreSQL database, one shared upload folder and one secret key, and the background worker. What
a request needs must not live on one host: sessions, API tokens, sign-in throttling, uploads and
the search index."""
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from hub import ROOT
from tests.conftest import PASSWORD, TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                                reason="several hosts share a PostgreSQL database")
FREE = 5  # SIGN_IN_ACCOUNT_FREE_TRIES


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_host(tmp_path, name, database_url, uploads):
    """A gunicorn serving Hub as the Procfile does, with its own instance folder; (process, base URL)."""
    port = free_port()
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path / name), "HUB_SQLALCHEMY_DATABASE_URI": database_url,
           "HUB_UPLOAD_FOLDER": str(uploads), "HUB_SECRET_KEY": "one-secret-for-every-host-" + "x" * 20,
           "HUB_SESSION_COOKIE_SECURE": "false", "HUB_REMEMBER_COOKIE_SECURE": "false",
           "HUB_PASSWORD_HASH_METHOD": '"pbkdf2:sha256:1000"', "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "2",
                             "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, f"http://127.0.0.1:{port}"


def wait_until_up(proc, base, timeout=120):
    """Poll until the host answers (gunicorn imports Hub first); fails if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{base} exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base}/login", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still importing Hub
            time.sleep(0.2)
    pytest.fail(f"{base} did not answer within {timeout} s")


@pytest.fixture
def hosts(app, database_url, tmp_path):
    """(A, B): the base URLs of two running hosts sharing the database and upload folder."""
    uploads = tmp_path / "shared-uploads"
    uploads.mkdir()
    app.config["UPLOAD_FOLDER"] = str(uploads)  # the worker (this process) reads the same files
    started = []
    try:
        for name in ("host-a", "host-b"):
            started.append(start_host(tmp_path, name, database_url, uploads))
        for proc, base in started:
            wait_until_up(proc, base)
        yield tuple(base for _, base in started)
    finally:
        for proc, _ in started:
            proc.terminate()
        for proc, _ in started:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: gunicorn's graceful stop is slow
                proc.kill()
                proc.wait()
            proc.stderr.close()


def sign_in(session, base, email, password=PASSWORD):
    """Post the login form on one host; the response (302 on success)."""
    html = session.get(f"{base}/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return session.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                        allow_redirects=False)


def test_a_session_signed_in_on_one_host_works_on_the_other(hosts, make_user):
    a, b = hosts
    user = make_user("sales")
    browser = requests.Session()
    assert sign_in(browser, a, user.email).status_code == 302
    account = browser.get(f"{b}/account", allow_redirects=False)
    assert account.status_code == 200 and user.email in account.text
    assert browser.get(f"{a}/account", allow_redirects=False).status_code == 200


def test_sign_in_throttling_counts_failures_on_every_host(hosts, make_user):
    a, b = hosts
    user = make_user("sales")
    for n in range(FREE):
        assert sign_in(requests.Session(), (a, b)[n % 2], user.email, "wrong password!").status_code == 401
    assert sign_in(requests.Session(), b, user.email, "wrong password!").status_code == 429
    assert sign_in(requests.Session(), a, user.email).status_code == 429   # locked on A as well


def test_an_upload_on_one_host_is_found_and_downloaded_on_the_other(hosts, make_user, token_for, work):
    a, b = hosts
    editor, rep = token_for(make_user("marketing")), token_for(make_user("sales"))
    text = b"Quarterly terms for the wildebeest region."
    created = requests.post(f"{b}/api/v1/collateral", headers=editor, timeout=60,
                            data={"title": "Okapi pricing", "content_type": "datasheet", "stages": "decision"},
                            files={"file": ("okapi.txt", text, "text/plain")})
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    for status in ("in_review", "approved"):
        moved = requests.post(f"{a}/api/v1/collateral/{item_id}/status", json={"status": status}, headers=editor)
        assert moved.status_code == 200, moved.text
    work()  # the worker: reads the file from the shared folder, writes the index in the database
    for base in (a, b):  # one index for every host, the rep's token accepted by both
        found = requests.get(f"{base}/api/v1/search", params={"q": "wildebeest"}, headers=rep).json()
        assert [r["id"] for r in found["results"]] == [item_id]
    downloaded = requests.get(f"{a}/api/v1/collateral/{item_id}/download", headers=rep)
    assert downloaded.status_code == 200 and downloaded.content == text
