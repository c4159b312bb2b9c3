"""Benchmark the bulk upload (issue 15) against the single-item form, for the 20 files of
tests/bulk_files.py (19 accepted, one password-protected refused).

Before: one "Upload collateral" form post per file (POST /items/new, every field typed each time).
After: one POST /items/bulk/files per file (what the page's script sends) and one "Create drafts".
Prints wall-clock and this process's CPU time for each, the requests sent, and the drafts made.
Runs the app in-process (Flask's test client, no network) on a throwaway SQLite instance, or on
HUB_BENCH_DATABASE_URL.

    .venv/bin/python bench/bulk.py [--rounds 3]
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bulk_files import twenty_files

FIELDS = {"content_type": "datasheet", "stages": ["decision"], "product": "Hub Edge", "industry": "Retail"}


def single_item_form(client, files):
    """One POST /items/new per file; returns (requests, drafts)."""
    made = 0
    for name, data, _ in files:
        response = client.post("/items/new", data={**FIELDS, "title": name, "file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        made += response.status_code == 303
    return len(files), made


def bulk_upload(client, files):
    """One POST /items/bulk/files per file, then one POST /items/bulk/create; returns (requests, drafts)."""
    ids = []
    for name, data, _ in files:
        response = client.post("/items/bulk/files", data={"file": (io.BytesIO(data), name)},
                               headers={"Accept": "application/json"}, content_type="multipart/form-data")
        if response.status_code == 201:
            ids.append(str(response.get_json()["id"]))
    response = client.post("/items/bulk/create", data={**FIELDS, "staged": ids})
    assert response.status_code == 303, response.status_code
    return len(files) + 1, len(ids)


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hub-bench-bulk-"))
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from hub import create_app
    from hub.auth.services import create_user
    from hub.extensions import db

    url = os.environ.get("HUB_BENCH_DATABASE_URL") or f"sqlite:///{instance / 'hub.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    files = twenty_files()
    with app.app_context():
        upgrade()
        from hub.library.models import DEFAULT_STAGES, Stage

        if not db.session.query(Stage).count():
            db.session.add_all(Stage(slug=s, name=n, position=i) for i, (s, n) in enumerate(DEFAULT_STAGES))
        create_user("maria@example.com", "Maria", "marketing", "violet kettle harbour lamp")
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "maria@example.com", "password": "violet kettle harbour lamp"})

    results = {"single-item form": [], "bulk upload": []}
    for _ in range(args.rounds):
        for label, fn in (("single-item form", single_item_form), ("bulk upload", bulk_upload)):
            (requests, made), wall, cpu = timed(fn, client, files)
            results[label].append((wall, cpu, requests, made))
    print(f"20 files ({sum(len(d) for _, d, _ in files) / 1024:.0f} KB), {args.rounds} rounds, median:")
    for label, runs in results.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"  {label:17} {wall:8.0f} ms wall  {cpu:8.0f} ms CPU  {runs[0][2]:3} requests  {runs[0][3]} drafts")


if __name__ == "__main__":
    main()
