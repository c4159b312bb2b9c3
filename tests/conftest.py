"""Fixtures: a real database (SQLite file, or PostgreSQL via HUB_TEST_DATABASE_URL), a fresh
instance folder per test, and factories for users, tokens and items."""
import contextvars
import io
import os
import re

import pytest
from flask import current_app, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.datastructures import FileStorage

from hub import create_app
from hub.auth import services as auth_services
from hub.extensions import db
from hub.jobs.worker import Worker
from hub.library import services as library_services
from hub.library import workflow
from hub.library.models import DEFAULT_STAGES, Stage

pytest_plugins = ["tests.fixtures.calendar", "tests.fixtures.mail", "tests.fixtures.usage"]
TEST_DATABASE_URL = os.environ.get("HUB_TEST_DATABASE_URL")
PASSWORD = "correct horse battery"
# A cheap password hash keeps the suite fast; production uses scrypt (see test_auth).
BASE_CONFIG = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
               "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does. The test's own transaction
    is committed before (services flush; the test is their boundary) and ended after the request,
    so the test reads what the request committed."""

    def __enter__(self):
        return self  # never keep a request's context past the request

    def __exit__(self, *exc):
        return None

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read and close file responses at once
        if has_app_context():
            db.session.commit()  # what the test did through services, as an earlier request would have
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            if has_app_context():
                db.session.rollback()


def make_test_app(url, instance, **config):
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **config})
    finally:
        del os.environ["HUB_INSTANCE_PATH"]
    app.test_client_class = IsolatedClient
    return app


def worker_database(url, worker):
    """With pytest-xdist, each worker gets its own PostgreSQL database, created on first use."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """One migrated database per run (per xdist worker); each test empties it."""
    root = tmp_path_factory.mktemp("db")
    url = TEST_DATABASE_URL or f"sqlite:///{root / 'hub.db'}"
    if url.startswith("postgresql") and worker_id != "master":
        url = worker_database(url, worker_id)
    app = make_test_app(url, root / "instance")
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return url


def empty_database():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # DELETE, not TRUNCATE: on tables this small it takes milliseconds where TRUNCATE (a new
            # file per table) took half a second per test, ten minutes of a CI run.
            for table in tables:
                conn.execute(table.delete())
            sequences = conn.execute(text("SELECT oid::regclass::text FROM pg_class WHERE relkind = 'S'")).scalars()
            restart = ", ".join(f"setval('{name}', 1, false)" for name in sequences)
            if restart:  # ids start again at 1 for each test, as on SQLite below
                conn.execute(text(f"SELECT {restart}"))
        else:
            for table in tables:
                conn.execute(table.delete())
            # Ids start again at 1 for each test, as RESTART IDENTITY does above (AUTOINCREMENT tables).
            if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).scalar():
                conn.execute(text("DELETE FROM sqlite_sequence"))
        conn.execute(Stage.__table__.insert(), [
            {"slug": slug, "name": name, "position": i, "description": ""} for i, (slug, name) in enumerate(DEFAULT_STAGES)
        ])


@pytest.fixture
def app(database_url, tmp_path):
    """A Hub app with its own instance folder (uploads, index, secret) and an empty database."""
    app = make_test_app(database_url, tmp_path / "instance")
    with app.app_context():
        empty_database()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def run_jobs():
    """Run every queued job as `flask --app hub worker --once` does: the same code path, synchronously.

    The test's own session is committed first, as the request that made the changes would have."""
    db.session.commit()
    done, failed = Worker(current_app._get_current_object(), name="tests").run_once()
    db.session.expire_all()
    return done, failed


@pytest.fixture
def work(app):
    """work() runs every queued background job now (see run_jobs); returns (done, failed)."""
    return run_jobs


@pytest.fixture
def runner(app):
    """A CLI runner bound to the test app."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """make_user(role="sales", email=None, name=None) -> a User whose password is PASSWORD."""
    counter = iter(range(1, 10000))

    def make(role="sales", email=None, name=None):
        n = next(counter)
        user = auth_services.create_user(email or f"{role}{n}@example.com", name or f"{role.title()} {n}", role,
                                         PASSWORD)
        db.session.commit()
        return user

    return make


def csrf_token(client, path="/login"):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Browser:
    """A test client that signs in and posts forms with their CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password=PASSWORD):
        token = csrf_token(self.client)
        return self.client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})

    def token(self):
        """A CSRF token for this client's session (signed in or not)."""
        page = self.client.get("/account")
        return csrf_token(self.client, "/login" if page.status_code == 302 else "/account")

    def post(self, path, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.client.post(path, data=data, **kwargs)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)


@pytest.fixture
def browser(client):
    """browser.login(user); browser.post(path, data) adds the CSRF token."""
    return Browser(client)


@pytest.fixture
def as_user(app, make_user):
    """as_user(role) -> a signed-in Browser on its own client, and the user."""

    def sign_in(role="sales"):
        user = make_user(role)
        b = Browser(app.test_client())
        assert b.login(user).status_code == 302
        return b, user

    return sign_in


@pytest.fixture
def token_for(app):
    """token_for(user) -> headers with a fresh bearer token."""

    def make(user):
        _, secret = auth_services.create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


def blank_pdf():
    """A one-page PDF every reader opens (uploads refuse PDFs that none can)."""
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(200, 200)
    writer.write(buffer)
    return buffer.getvalue()


BLANK_PDF = blank_pdf()


def tiny_pdf(note="test"):
    """A valid one-page PDF whose bytes differ by `note` (a comment after the end, which readers skip)."""
    return BLANK_PDF + b"% " + (note.encode() if isinstance(note, str) else note) + b"\n"


def upload(data=None, name="file.pdf"):
    return FileStorage(stream=io.BytesIO(tiny_pdf() if data is None else data), filename=name)


@pytest.fixture
def make_item(app, make_user):
    """make_item(status="approved", file=(bytes, name) or url=..., **fields) -> a Collateral."""

    def make(status="approved", owner=None, file=None, **fields):
        owner = owner or make_user("marketing")
        data = {"title": "Item", "content_type": "one_pager", "stages": ["awareness"], **fields}
        if "url" not in data:
            file = upload(*(file or ()))
        item = library_services.create_item(owner, data, file)
        path = {"draft": [], "in_review": ["in_review"], "approved": ["in_review", "approved"],
                "archived": ["in_review", "approved", "archived"]}[status]
        for step in path:
            workflow.transition(owner, item, step)
        run_jobs()  # extracted and indexed, as a running worker would have done by now
        return item

    return make
