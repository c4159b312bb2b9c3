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
    PASSWORD_MIN_SCORE = 3          # zxcvbn score (0-4) a new password needs; 3: "safely unguessable"
    PASSWORD_RESET_HOURS = 24       # how long an admin's reset link works (once)
    # Failed sign-ins (hub/auth/throttle.py): free tries, then locks doubling from LOCK to LOCK_MAX seconds.
    SIGN_IN_ACCOUNT_FREE_TRIES = 5
    SIGN_IN_ADDRESS_FREE_TRIES = 30  # one office behind one address shares this
    SIGN_IN_LOCK_SECONDS = 30
    SIGN_IN_LOCK_MAX_SECONDS = 15 * 60
    SIGN_IN_FAILURE_WINDOW = 3600   # failures older than this are forgotten
    THROTTLE_STORAGE_URL = ""       # e.g. redis://host:6379/0: failures and locks kept there (`limits`), else the database
    MAX_UPLOAD_BYTES = 50 * MB
    MAX_FORM_MEMORY_SIZE = 1 * MB
    ITEMS_PER_PAGE = 24
    REPORT_ROWS_PER_PAGE = 100     # rows of the content usage report a page shows (its CSV has all)
    API_PER_PAGE = 25              # fixed, not per instance: the OpenAPI document declares both
    API_MAX_PER_PAGE = 100         # (hub/api/schemas.py reads them from here)
    EXPIRING_SOON_DAYS = 30
    REQUIRE_REAPPROVAL = True       # a new file of an approved item waits for approval; reps keep the old one
    SEPARATE_APPROVER = False       # nobody approves an item they created, uploaded or last changed (admins may)
    BULK_STAGED_HOURS = 24          # a bulk upload not made into a draft is deleted, with its file, after this
    BULK_MAX_FILES = 100            # files one bulk upload (its review table) takes
    SEARCH_WRITER_TIMEOUT = 30.0   # seconds a worker waits for the index's write lock
    SEARCH_BACKEND = None          # "whoosh" (files in the instance folder) or "postgres"; None: follow the database
    SEARCH_MAX_QUERY = 200         # characters of a query that are parsed
    SEARCH_LIFT_SECONDS = 300      # how long a worker reuses its reading of recent usage for ranking
    SHARE_PREVIEW_MAX_PAGES = 30    # page images a share link without download rights shows
    DB_LOCK_TIMEOUT = 15.0          # seconds a statement waits for a lock (SQLite busy timeout, PostgreSQL lock_timeout)
    DB_STATEMENT_TIMEOUT = 30.0     # seconds, PostgreSQL statement_timeout: no request hangs on a slow query
    DB_RETRY_AFTER = 5              # seconds, the Retry-After of a 503 answered for a locked or slow database
    IDEMPOTENCY_HOURS = 24          # how long an API create's Idempotency-Key answer is kept for retries
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
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    app.config.setdefault("INDEX_FOLDER", str(instance / "index"))
    check_search_backend(app.config)
    # Room for the form fields around the largest allowed file.
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's own default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + MB
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(instance / "secret_key")
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)


def check_search_backend(config):
    """HUB_SEARCH_BACKEND must name a backend the database can carry; ValueError otherwise."""
    name = config.get("SEARCH_BACKEND")
    if name not in (None, "", "whoosh", "postgres"):
        raise ValueError(f"HUB_SEARCH_BACKEND must be 'whoosh' or 'postgres', not {name!r}.")
    if name == "postgres" and not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        raise ValueError("HUB_SEARCH_BACKEND=postgres needs Hub on PostgreSQL (HUB_SQLALCHEMY_DATABASE_URI).")


def engine_options(config):
    """Bound every wait on the database: SQLite's busy timeout (pysqlite's `timeout`), PostgreSQL's
    lock_timeout and statement_timeout set for each session (libpq `options`). A statement that
    runs into them fails, and hub.errors answers 503 with Retry-After."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args") or {})
    uri = str(config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", float(config["DB_LOCK_TIMEOUT"]))
    elif uri.startswith("postgresql"):
        connect_args.setdefault("options", f"-c lock_timeout={int(float(config['DB_LOCK_TIMEOUT']) * 1000)} "
                                           f"-c statement_timeout={int(float(config['DB_STATEMENT_TIMEOUT']) * 1000)}")
    options["connect_args"] = connect_args
    return options


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
