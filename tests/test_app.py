"""The application shell: configuration, instance folder, secret key, headers, errors, migrations."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub import ROOT, create_app
from hub.extensions import db

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def build(tmp_path, monkeypatch, **env):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return create_app()


def test_instance_folder_holds_database_uploads_and_secret(tmp_path, monkeypatch):
    app = build(tmp_path, monkeypatch)
    assert app.instance_path == str(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hub.db'}"
    assert app.config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")
    assert app.config["INDEX_FOLDER"] == str(tmp_path / "index")
    secret = (tmp_path / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == secret and len(secret) == 64
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert build(tmp_path, monkeypatch).config["SECRET_KEY"] == secret  # kept, not regenerated


def test_secret_key_is_not_in_the_code():
    for path in (ROOT / "hub").rglob("*.py"):
        assert not re.search(r"SECRET_KEY\s*=\s*['\"]", path.read_text()), path


def test_config_order_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("MAX_UPLOAD_BYTES = 1000\nITEMS_PER_PAGE = 7\nSECRET_KEY = 'from-file'\n")
    app = build(tmp_path, monkeypatch, HUB_ITEMS_PER_PAGE="9", HUB_SQLALCHEMY_DATABASE_URI="sqlite:///elsewhere.db")
    assert app.config["MAX_UPLOAD_BYTES"] == 1000          # instance file beats defaults
    assert app.config["MAX_CONTENT_LENGTH"] == 1000 + 1024 * 1024
    assert app.config["ITEMS_PER_PAGE"] == 9               # environment beats the file
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///elsewhere.db"
    assert not (tmp_path / "secret_key").exists()


def test_test_config_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path))
    assert create_app({"ITEMS_PER_PAGE": 3}).config["ITEMS_PER_PAGE"] == 3


def test_security_headers_on_every_page(app, client):
    for path in ("/login", "/static/css/hub.css", "/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_handlers(template):
    html = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script> is blocked by the CSP"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handlers are blocked by the CSP"
    assert "|safe" not in html.replace(" ", "") and "autoescape false" not in html


def test_errors_match_the_caller(app, as_user):
    rep, _ = as_user("sales")
    page = rep.get("/items/999")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "No such collateral item" in page.get_data(as_text=True)
    api = rep.get("/api/v1/collateral/999")
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "unauthorized"
    asked = rep.get("/items/999", headers={"Accept": "application/json"})
    assert asked.get_json() == {"error": {"code": "not_found", "message": "No such collateral item."}}


def test_method_not_allowed_is_clear(app, client, make_user, token_for):
    response = client.put("/api/v1/stages", headers=token_for(make_user()))
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_unexpected_errors_answer_500_without_details(app, as_user):
    app.config["TESTING"] = False  # outside tests, errors are logged and hidden

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    browser, _ = as_user("sales")
    page = browser.get("/boom")
    assert page.status_code == 500 and "secret internals" not in page.get_data(as_text=True)
    assert "Something went wrong" in page.get_data(as_text=True)
    api = browser.get("/boom", headers={"Accept": "application/json"})
    assert api.get_json()["error"]["code"] == "internal_error"


def flask_cli(tmp_path, *args, url=None):
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path)}
    env.pop("HUB_SQLALCHEMY_DATABASE_URI", None)
    if url:
        env["HUB_SQLALCHEMY_DATABASE_URI"] = url
    return subprocess.run([sys.executable, "-m", "flask", "--app", "hub", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_db_upgrade_on_a_fresh_instance_matches_the_models(tmp_path):
    upgrade = flask_cli(tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "hub.db").is_file()
    check = flask_cli(tmp_path, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_migrated_database_matches_the_models_here(app):
    """The session database (SQLite, or PostgreSQL with HUB_TEST_DATABASE_URL) was built by migrations."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_wsgi_exposes_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_INSTANCE_PATH", str(tmp_path))
    sys.modules.pop("wsgi", None)
    sys.path.insert(0, str(ROOT))
    try:
        import wsgi
    finally:
        sys.path.remove(str(ROOT))
    assert wsgi.app.name == "hub"


def test_instance_folder_is_kept_but_its_contents_ignored():
    assert (ROOT / "instance" / ".gitkeep").exists()
    ignored = Path(ROOT / ".gitignore").read_text()
    assert "instance/*" in ignored and "!instance/.gitkeep" in ignored


def test_proxy_fix_makes_links_https_behind_a_proxy(database_url, tmp_path):
    from hub.auth import services as auth
    from tests.conftest import empty_database, make_test_app

    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hub.example.com"}
    for hops, expected in ((1, "https://hub.example.com/"), (0, "http://localhost/")):
        app = make_test_app(database_url, tmp_path / str(hops), PROXY_FIX=hops)
        with app.app_context():
            empty_database()
            _, secret = auth.create_token(auth.create_user(f"p{hops}@example.com", "P", "sales", "long enough pw"), "t")
            feeds = app.test_client().get("/api/v1/me/feeds", headers={**proxied, "Authorization": f"Bearer {secret}"})
            assert feeds.get_json()["https"].startswith(expected)
            db.session.remove()
            db.engine.dispose()
