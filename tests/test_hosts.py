"""Hub on two app hosts (issue 13): two gunicorn servers with their own instance folders, one
PostgreSQL database, one shared upload folder and one secret key, and a background worker in its own
process. What a request needs must not live on one host: sessions, API tokens, sign-in throttling,
uploads, feeds and the search index."""
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests
from sqlalchemy import func, select

from hub import ROOT
from hub.extensions import db
from hub.jobs.models import WorkerBeat
from tests.conftest import PASSWORD, TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                                reason="several hosts share a PostgreSQL database")
FREE = 5  # SIGN_IN_ACCOUNT_FREE_TRIES
SECRET = "one-secret-for-every-host-" + "x" * 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_env(tmp_path, name, database_url, uploads):
    """The settings every process of one deployment shares, and its own instance folder."""
    return {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path / name), "HUB_SQLALCHEMY_DATABASE_URI": database_url,
            "HUB_UPLOAD_FOLDER": str(uploads), "HUB_SECRET_KEY": SECRET,
            "HUB_SESSION_COOKIE_SECURE": "false", "HUB_REMEMBER_COOKIE_SECURE": "false",
            "HUB_PASSWORD_HASH_METHOD": '"pbkdf2:sha256:1000"', "PYTHONPATH": str(ROOT)}


def start_host(tmp_path, name, database_url, uploads):
    """A gunicorn serving Hub as the Procfile does, with its own instance folder; (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "2",
                             "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT,
                            env=host_env(tmp_path, name, database_url, uploads),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, f"http://127.0.0.1:{port}"


def start_worker(tmp_path, database_url, uploads):
    """The Procfile's worker (`flask --app hub worker`) on a third machine's instance folder."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "hub", "worker"], cwd=ROOT,
                            env=host_env(tmp_path, "worker", database_url, uploads),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a loaded machine: gunicorn's graceful stop is slow
        proc.kill()
        proc.wait()
    proc.stderr.close()


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
    app.config.update(UPLOAD_FOLDER=str(uploads), SECRET_KEY=SECRET)  # this process, as a third host
    started = []
    try:
        for name in ("host-a", "host-b"):
            started.append(start_host(tmp_path, name, database_url, uploads))
        for proc, base in started:
            wait_until_up(proc, base)
        yield tuple(base for _, base in started)
    finally:
        for proc, _ in started:
            stop(proc)


@pytest.fixture
def worker(hosts, database_url, tmp_path):
    """The background worker, running in its own process beside the two hosts."""
    proc = start_worker(tmp_path, database_url, tmp_path / "shared-uploads")
    deadline = time.monotonic() + 120
    while not db.session.scalar(select(func.count()).select_from(WorkerBeat)):  # up, and listening
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the worker did not start: {proc.stderr.read().decode()[-2000:]}")
        db.session.rollback()  # a fresh snapshot for the next look
        time.sleep(0.1)
    yield proc
    stop(proc)


def sign_in(session, base, email, password=PASSWORD):
    """Post the login form on one host; the response (302 on success)."""
    html = session.get(f"{base}/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return session.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                        allow_redirects=False)


def approved_item(created_on, approved_on, editor, title, filename, text):
    """An item uploaded through one host's API and moved to approved through another's; its id."""
    created = requests.post(f"{created_on}/api/v1/collateral", headers=editor, timeout=60,
                            data={"title": title, "content_type": "datasheet", "stages": "decision"},
                            files={"file": (filename, text, "text/plain")})
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    for status in ("in_review", "approved"):
        moved = requests.post(f"{approved_on}/api/v1/collateral/{item_id}/status", json={"status": status},
                              headers=editor, timeout=60)
        assert moved.status_code == 200, moved.text
    return item_id


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
    item_id = approved_item(b, a, editor, "Okapi pricing", "okapi.txt", text)
    work()  # the worker: reads the file from the shared folder, writes the index in the database
    for base in (a, b):  # one index for every host, the rep's token accepted by both
        found = requests.get(f"{base}/api/v1/search", params={"q": "wildebeest"}, headers=rep).json()
        assert [r["id"] for r in found["results"]] == [item_id]
    downloaded = requests.get(f"{a}/api/v1/collateral/{item_id}/download", headers=rep)
    assert downloaded.status_code == 200 and downloaded.content == text


def test_search_on_one_host_finds_what_the_other_created_within_two_seconds(hosts, worker, make_user, token_for):
    a, b = hosts
    editor, rep = token_for(make_user("marketing")), token_for(make_user("sales"))
    item_id = approved_item(a, a, editor, "Tapir roadmap", "tapir.txt", b"The capybara migration plan.")
    approved, hits = time.monotonic(), []
    while time.monotonic() - approved < 10 and not hits:  # polled past the promise, to say by how much
        found = requests.get(f"{b}/api/v1/search", params={"q": "capybara"}, headers=rep, timeout=30)
        hits = [r["id"] for r in found.json()["results"]]
    waited = time.monotonic() - approved
    print(f"found on B {waited:.2f} s after the approval on A")
    assert hits == [item_id] and waited <= 2, f"found on B after {waited:.2f} s: {hits}"
    assert worker.poll() is None                                   # the worker did it, and is still running


def test_a_version_uploaded_on_one_host_downloads_from_the_other(hosts, worker, make_user, token_for):
    a, b = hosts
    editor, rep = token_for(make_user("marketing")), token_for(make_user("sales"))
    item_id = approved_item(a, a, editor, "Quokka terms", "quokka.txt", b"First terms.")
    second = b"Second terms, uploaded on host B."
    added = requests.post(f"{b}/api/v1/collateral/{item_id}/versions", headers=editor, timeout=60,
                          files={"file": ("quokka.txt", second, "text/plain")})
    assert added.status_code == 201 and added.json()["pending_version"]["number"] == 2, added.text  # waits
    approved = requests.post(f"{a}/api/v1/collateral/{item_id}/versions/2/approve", json={}, headers=editor)
    assert approved.status_code == 200, approved.text
    downloaded = requests.get(f"{a}/api/v1/collateral/{item_id}/download", headers=rep)
    assert downloaded.status_code == 200 and downloaded.content == second


def test_a_feed_is_byte_identical_from_either_host(hosts, make_user, make_entry):
    from hub.calendar import subscriptions

    a, b = hosts
    rep = make_user("sales")
    for n in range(3):
        make_entry(title=f"Launch {n}, with a comma", location="Hall B; floor 2")
    db.session.commit()
    path = f"/calendar/feed/{subscriptions.feed_token(rep)}.ics"
    proxy = {"Host": "hub.example.com", "X-Forwarded-Proto": "https"}  # as the load balancer sends to each
    bodies = [requests.get(base + path, headers={**proxy, "Accept-Encoding": coding}, timeout=30)
              for base in (a, b, a) for coding in ("identity", "gzip")]
    assert all(r.status_code == 200 for r in bodies), [r.text for r in bodies]
    assert bodies[0].content.count(b"BEGIN:VEVENT") == 3
    assert len({r.content for r in bodies}) == 1                   # the same bytes, decoded, from every host
    assert len({r.headers["ETag"] for r in bodies[0::2]}) == 1     # and the same validator per encoding
    assert len({r.headers["ETag"] for r in bodies[1::2]}) == 1
    again = requests.get(b + path, headers={**proxy, "If-None-Match": bodies[0].headers["ETag"]}, timeout=30)
    assert again.status_code == 304                               # A's validator is good on B
