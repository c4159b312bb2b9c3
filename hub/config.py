"""Configuration: defaults here, then instance/config.py, then HUB_* environment variables."""
import os
import secrets
import time
from pathlib import Path
from typing import ClassVar

MB = 1024 * 1024


class Defaults:
    """Settings used when nothing else says otherwise."""

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_PROTECTION = "strong"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which already expires
    PASSWORD_HASH_METHOD = "scrypt"
    MAX_UPLOAD_BYTES = 50 * MB
    MAX_FORM_MEMORY_SIZE = 1 * MB
    ITEMS_PER_PAGE = 24
    API_PER_PAGE = 25              # fixed, not per instance: the OpenAPI document declares both
    API_MAX_PER_PAGE = 100         # (hub/api/schemas.py reads them from here)
    EXPIRING_SOON_DAYS = 30
    SEARCH_WRITER_TIMEOUT = 30.0   # seconds a worker waits for the index's write lock
    SEARCH_MAX_QUERY = 200         # characters of a query that are parsed
    SEARCH_LIFT_SECONDS = 300      # how long a worker reuses its reading of recent usage for ranking
    PROXY_FIX = 0                  # behind N trusted proxies: honour their X-Forwarded-* headers


def load(app, test_config=None):
    """Apply defaults, instance/config.py, HUB_* variables, then test overrides, in that order."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("HUB")
    if test_config:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'hub.db'}")
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    app.config.setdefault("INDEX_FOLDER", str(instance / "index"))
    # Room for the form fields around the largest allowed file.
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's own default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + MB
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(instance / "secret_key")
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)


def instance_secret(path):
    """Read the instance's secret key, creating it once (safe when workers race)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it right now
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: delete it to generate a new secret key")
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key
