"""`flask backup DEST` and `flask restore SRC`: a consistent copy of a running instance, and back.

A copy of `hub.db` taken with `cp` while Hub runs misses what is still in the write-ahead log; this
uses SQLite's online backup API (sqlite.org/backup.html), or `pg_dump` inside an exported snapshot
on PostgreSQL, then copies the uploads the copied database names and writes `manifest.json` with
a SHA-256 for every file. Restore checks the manifest, puts the database and uploads back, and
rebuilds the search index from the restored database.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hub.extensions import db
from hub.library.files import upload_folder
from hub.models import utcnow
from hub.search import sync

MANIFEST = "manifest.json"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pg_env(url):
    """libpq arguments and environment for the app's PostgreSQL URL."""
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    return args, env


def backup(dest):
    """Write database, uploads and manifest into the new folder `dest`; returns the manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise click.ClickException(f"{dest} is not empty: back up into a new folder.")
    (dest / "uploads").mkdir(parents=True, exist_ok=True)
    url = make_url(db.engine.url)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(dest / "hub.db")
        try:
            source.backup(copy)  # one consistent snapshot, WAL included, while writers go on
            names = [row[0] for row in copy.execute("SELECT stored_name FROM file_versions")]
        finally:
            copy.close()
            source.close()
        database = "hub.db"
    else:
        database = "hub.pgdump"
        args, env = pg_env(url)
        with db.engine.connect() as connection:
            connection.execute(text("BEGIN ISOLATION LEVEL REPEATABLE READ"))
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
            names = connection.execute(text("SELECT stored_name FROM file_versions")).scalars().all()
            subprocess.run(["pg_dump", *args, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                            f"--file={dest / database}", url.database], env=env, check=True)
            connection.rollback()
    files, missing = {}, []
    for name in names:
        source = upload_folder() / name
        try:
            shutil.copy2(source, dest / "uploads" / name)
        except FileNotFoundError:  # deleted after the snapshot: its row is gone from Hub too
            missing.append(name)
            continue
        files[name] = sha256(dest / "uploads" / name)
    manifest = {"created_at": utcnow().isoformat(), "database_kind": url.get_backend_name(), "database": database,
                "database_sha256": sha256(dest / database), "files": files, "missing": missing}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def verify(src):
    """The manifest of the backup in `src`, once every checksum in it matches; ClickException if not."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError):
        raise click.ClickException(f"{src} has no readable {MANIFEST}: is it a Hub backup?") from None
    if sha256(src / manifest["database"]) != manifest["database_sha256"]:
        raise click.ClickException("The database copy does not match its checksum.")
    for name, digest in manifest["files"].items():
        path = src / "uploads" / name
        if not path.is_file() or sha256(path) != digest:
            raise click.ClickException(f"uploads/{name} is missing or does not match its checksum.")
    return manifest


def restore(src):
    """Replace this instance's database and uploads with the backup in `src` (Hub stopped)."""
    src = Path(src)
    manifest = verify(src)
    url = make_url(db.engine.url)
    if manifest["database_kind"] != url.get_backend_name():
        raise click.ClickException(f"This backup is of a {manifest['database_kind']} database; Hub uses "
                                   f"{url.get_backend_name()}.")
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        live = Path(url.database)
        for suffix in ("-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        shutil.copy2(src / manifest["database"], live)
    else:
        args, env = pg_env(url)
        subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={url.database}", str(src / manifest["database"])], env=env, check=True)
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for name in manifest["files"]:
        shutil.copy2(src / "uploads" / name, folder / name)
    return manifest


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
def backup_command(dest):
    """Copy the running instance's database and uploads into DEST, with a manifest of checksums."""
    manifest = backup(dest)
    click.echo(f"Backed up the {manifest['database_kind']} database and {len(manifest['files'])} files to {dest}.")
    if manifest["missing"]:
        click.echo(f"{len(manifest['missing'])} files were deleted while the backup ran; their items are gone too.")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(src, yes):
    """Replace the database and uploads with the backup in SRC, then rebuild the search index."""
    if not yes:
        click.confirm("Replace this Hub's database and uploads with the backup? Stop Hub's web and worker "
                      "processes first.", abort=True)
    manifest = restore(src)
    app = current_app._get_current_object()
    sync.backend(app).reset()
    count = sync.rebuild(app)
    click.echo(f"Restored {len(manifest['files'])} files and the database from {src}; indexed {count} items.")
