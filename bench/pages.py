"""Page benchmark: the library pages as the library grows, measured in one process over the WSGI app.

Seeds a synthetic library straight into the tables (1,000 items, then grown to 30,000: five stages,
every facet, three in four approved, some expired), then times the pages a rep and an editor open
most — library home, a stage page, an item page — sequentially, after one warm-up request each.
Issue 16's target: the home page at 30,000 items within 1.5x of its time at 1,000.

    .venv/bin/python bench/pages.py [--sizes 1000 30000] [--runs 30]

Runs on a throwaway SQLite instance, or on HUB_BENCH_DATABASE_URL (an empty database).
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TYPES = ["one_pager", "case_study", "slide_deck", "datasheet", "whitepaper", "battlecard"]
PRODUCTS = ["Insight", "Forecast", "Pipeline", "Guard", "Platform"]
INDUSTRIES = ["Healthcare", "Financial services", "Manufacturing", "Retail", "Public sector", "Energy"]
PERSONAS = ["CFO", "CIO", "VP Sales", "IT Director", "Operations manager"]


def grow(app, upto, rng):
    """Add items until the library holds ``upto``: one bulk insert per table, as a migration would."""
    from sqlalchemy import func, insert, select

    from hub.extensions import db
    from hub.library.models import Collateral, Stage, collateral_stages, library_changed

    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Collateral))
        stages = db.session.scalars(select(Stage.id)).all()
        now = datetime.now(UTC)
        rows, links = [], []
        for n in range(have, upto):
            status = "approved" if n % 4 else rng.choice(["draft", "in_review", "archived"])
            expires = date.today() - timedelta(days=3) if n % 23 == 0 else None
            rows.append({"id": n + 1, "title": f"Bench item {n}: {rng.choice(TYPES).replace('_', ' ')}",
                             "description": "A realistic description of what the item is for. " * 3,
                             "content_type": rng.choice(TYPES), "product": rng.choice(PRODUCTS),
                             "industry": rng.choice(INDUSTRIES), "persona": rng.choice(PERSONAS), "region": "",
                             "tags": "bench,pages", "status": status, "expires_on": expires,
                             "created_at": now - timedelta(minutes=n), "updated_at": now - timedelta(minutes=upto - n)})
            for stage_id in rng.sample(stages, rng.choice([1, 1, 2])):
                links.append({"collateral_id": n + 1, "stage_id": stage_id})
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(Collateral), rows[start:start + 2000])
        for start in range(0, len(links), 5000):
            db.session.execute(insert(collateral_stages), links[start:start + 5000])
        library_changed(db.session)  # Core inserts skip the ORM's flush hook
        db.session.commit()


def timed(client, path, runs):
    """Wall-clock milliseconds of ``runs`` sequential GETs after one warm-up."""
    assert client.get(path).status_code == 200, path
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 30000])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hub-bench-pages-"))
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from hub import create_app
    from hub.auth.services import create_user
    from hub.extensions import db

    url = os.environ.get("HUB_BENCH_DATABASE_URL") or f"sqlite:///{instance / 'hub.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        for role in ("sales", "marketing"):
            create_user(f"bench-{role}@example.com", f"Bench {role}", role, "bench password 1")
        db.session.commit()
    clients = {}
    for role in ("sales", "marketing"):
        client = clients[role] = app.test_client()
        client.post("/login", data={"email": f"bench-{role}@example.com", "password": "bench password 1"})

    rng = random.Random(16)
    results = {}
    print(f"page benchmark: sequential p50 / p95 over {args.runs} runs, {url.split(':')[0]}")
    for size in sorted(args.sizes):
        grow(app, size, rng)
        pages = {("sales", "home"): "/", ("sales", "stage"): "/stages/consideration",
                 ("sales", "item"): f"/items/{size - 1}", ("marketing", "home"): "/",
                 ("sales", "home, filtered"): "/?product=Guard"}
        for (role, name), path in pages.items():
            times = timed(clients[role], path, args.runs)
            results[size, role, name] = statistics.median(times)
            print(f"  {size:>6} items  {role:<9} {name:<15} p50 {statistics.median(times):7.1f} ms   "
                  f"p95 {sorted(times)[int(0.95 * (len(times) - 1))]:7.1f} ms")
    small, large = min(args.sizes), max(args.sizes)
    ratio = results[large, "sales", "home"] / results[small, "sales", "home"]
    print(f"  rep home at {large} / at {small}: {ratio:.2f}x   (target <= 1.5x, issue 16)")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
