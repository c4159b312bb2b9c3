"""Search benchmark: index build and complete-search latency at 10,000 and 1,000 items.

Builds a synthetic library in a real database (SQLite in a temporary instance folder): about
600 words of extracted text per item from a Zipf-distributed vocabulary, metadata on every
facet. Rebuilds the Whoosh index through the same code as `flask reindex`, then times complete
searches (top 10 with snippets, facet counts, suggestion when needed) through
hub.search.services.search, the function the results page and the API call. For reference it
runs the same queries on one SQLite FTS5 table over the same text and prints the ratios.

    .venv/bin/python bench/search.py [--items 10000 1000] [--queries 60] [--workers]
    .venv/bin/python bench/search.py --database postgresql+psycopg://postgres@127.0.0.1/bench_search

--workers adds issue 16's two figures, from two worker processes that search the same index as
two gunicorn workers do: each one's private memory growth after its searches (Private_Dirty and
USS from /proc/<pid>/smaps_rollup), and the first search after a commit made by another process
against the same query once the worker is warm. --keep DIR builds the library once into DIR and
reuses it on later runs (delete DIR to rebuild).

With --database (a PostgreSQL database whose name contains "bench" or "test": its public schema is
dropped and migrated afresh) the library lives there and the PostgreSQL search backend answers
(HUB_SEARCH_BACKEND follows the database), timed as a rep and as marketing.
"""
import argparse
import contextlib
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STAGES = ["awareness", "consideration", "decision", "onboarding", "expansion"]
TYPES = ["one_pager", "case_study", "slide_deck", "datasheet", "whitepaper", "battlecard", "email_template",
         "roi_calculator", "other"]
PRODUCTS = ["Insight", "Forecast", "Pipeline", "Guard", "Platform"]
INDUSTRIES = ["Healthcare", "Financial services", "Manufacturing", "Retail", "Public sector", "Energy"]
PERSONAS = ["CFO", "CIO", "VP Sales", "IT Director", "Operations manager", "Data engineer"]


def prose(value):
    """Every string inside a catalogue value (dicts, lists and tuples walked)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from prose(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from prose(inner)


def vocabulary(size, rng):
    """Real words ranked by how often the demo collateral's prose uses them (stopwords included, as
    in real text: the analyzer drops them), then pronounceable made-up words for the long tail.

    Ranking by frequency matters: an earlier version ranked words by first appearance in
    vars(catalog), whose first value is the module name, so "hub", "demo" and "catalog" took the
    top three Zipf ranks and "hub" alone was 13% of every document's words."""
    from collections import Counter

    from hub.demo import catalog

    text = " ".join(s for name, value in vars(catalog).items() if not name.startswith("_") for s in prose(value))
    counts = Counter(re.findall(r"[a-z]{3,14}", text.lower()))
    real = sorted(counts, key=lambda w: -counts[w])  # stable: ties keep their first appearance
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words, seen = list(real), set(real)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words[:size]


class Zipf:
    def __init__(self, words, rng, s=1.07):
        self.words, self.rng = words, rng
        self.weights = [1 / (rank ** s) for rank in range(1, len(words) + 1)]

    def take(self, n):
        return self.rng.choices(self.words, weights=self.weights, k=n)


def build_library(app, n, rng, zipf):
    """Insert n items with current versions whose text is already extracted."""
    from hub.auth import services as users
    from hub.extensions import db
    from hub.library.models import Collateral, FileVersion, Stage, collateral_stages

    owner = users.create_user(f"bench{n}@example.com", "Bench", "marketing", "benchmark-password")
    db.session.commit()  # services only flush: release SQLite's write lock before the bulk inserts
    stages = {s.slug: s.id for s in db.session.query(Stage)}
    now = datetime.now(UTC)
    items, versions, links = [], [], []
    for i in range(1, n + 1):
        items.append({"id": i, "title": " ".join(zipf.take(rng.randint(3, 7))).capitalize(),
                      "description": " ".join(zipf.take(25)), "content_type": rng.choice(TYPES),
                      "product": rng.choice(PRODUCTS), "industry": rng.choice(INDUSTRIES), "persona": rng.choice(PERSONAS),
                      "region": "EMEA", "tags": ",".join(zipf.take(3)), "status": "approved" if rng.random() < .85 else "draft",
                      "owner_id": owner.id, "created_at": now, "updated_at": now.replace(microsecond=i % 1000000)})
        versions.append({"collateral_id": i, "number": 1, "stored_name": f"bench-{i}.pdf", "original_name": f"{i}.pdf",
                         "size": 1, "sha256": "0" * 64, "mimetype": "application/pdf", "kind": "pdf",
                         "uploaded_by_id": owner.id, "created_at": now, "text_indexed": True, "text_error": "",
                         "extracted_text": " ".join(zipf.take(rng.randint(500, 700)))})
        for slug in rng.sample(STAGES, rng.randint(1, 2)):
            links.append({"collateral_id": i, "stage_id": stages[slug]})
    with db.engine.begin() as conn:
        conn.execute(Collateral.__table__.insert(), items)
        conn.execute(FileVersion.__table__.insert(), versions)
        conn.execute(collateral_stages.insert(), links)
    return items, versions, owner


def queries(items, versions, zipf, rng, count):
    """Realistic queries of each kind, drawn from the library's own text."""
    mid = zipf.words[50:2000]
    bodies = [v["extracted_text"].split() for v in versions]
    out = {"term": [], "two-term": [], "phrase": [], "filtered": [], "fuzzy": []}
    for _ in range(count):
        out["term"].append((rng.choice(mid), {}))
        out["two-term"].append((f"{rng.choice(mid)} {rng.choice(mid)}", {}))
        words = rng.choice(bodies)
        k = rng.randrange(len(words) - 2)
        out["phrase"].append((f'"{words[k]} {words[k + 1]}"', {}))
        out["filtered"].append((rng.choice(mid), {"stage": rng.choice(STAGES), "content_type": rng.choice(TYPES)}))
        word = rng.choice([w for w in mid if len(w) >= 6])
        i = rng.randrange(1, len(word) - 1)
        out["fuzzy"].append((word[:i] + word[i + 1:], {}))   # one letter dropped
    return out


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def time_whoosh(user, qs):
    from hub.search import services

    for text, filters in qs[:5]:
        services.search(user, text, filters)  # warm caches
    times, totals = [], []
    for text, filters in qs:
        start = time.perf_counter()
        page = services.search(user, text, filters)
        times.append((time.perf_counter() - start) * 1000)
        totals.append(page.total)
    return times, totals


def fts5_setup(items, versions, path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, description, tags, body, tokenize='porter')")
    conn.execute("CREATE TABLE meta (rowid INTEGER PRIMARY KEY, stage TEXT, content_type TEXT, product TEXT, "
                 "industry TEXT, persona TEXT, status TEXT)")
    conn.executemany("INSERT INTO docs(rowid, title, description, tags, body) VALUES (?,?,?,?,?)",
                     [(i["id"], i["title"], i["description"], i["tags"], v["extracted_text"]) for i, v in zip(items, versions)])
    conn.executemany("INSERT INTO meta VALUES (?,?,?,?,?,?,?)",
                     [(i["id"], "", i["content_type"], i["product"], i["industry"], i["persona"], i["status"]) for i in items])
    conn.commit()
    return conn


def fts5_search(conn, text, filters):
    """Top 10 with snippets plus facet counts, as close to the Whoosh page as FTS5 allows."""
    match = text if text.startswith('"') else " ".join(text.split())
    where = " AND ".join(["docs MATCH ?", "m.status = 'approved'"] + [f"m.{k} = ?" for k in filters if k != "stage"])
    params = [match] + [v for k, v in filters.items() if k != "stage"]
    rows = conn.execute(f"SELECT docs.rowid, snippet(docs, 3, '[', ']', '…', 24) FROM docs JOIN meta m "
                        f"ON m.rowid = docs.rowid WHERE {where} ORDER BY bm25(docs, 5, 2, 2, 1) LIMIT 10", params).fetchall()
    for facet in ("content_type", "product", "industry", "persona"):
        conn.execute(f"SELECT m.{facet}, count(*) FROM docs JOIN meta m ON m.rowid = docs.rowid WHERE {where} "
                     f"GROUP BY m.{facet}", params).fetchall()
    return rows


def time_fts5(conn, qs):
    for text, filters in qs[:5]:
        fts5_search(conn, text, filters)
    times = []
    for text, filters in qs:
        start = time.perf_counter()
        try:
            fts5_search(conn, text, filters)
        except sqlite3.OperationalError:
            pass
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(n, query_count, seed=7, keep=None, workers=False):
    """Build an n-item library in a temporary instance (or in `keep`, once), then time it from a
    fresh process; with `workers`, measure the two worker processes too."""
    from flask_migrate import upgrade

    from hub import create_app
    from hub.auth import services as users
    from hub.extensions import db
    from hub.search import sync

    rng = random.Random(seed)
    zipf = Zipf(vocabulary(20000, rng), rng)
    if keep and (Path(keep) / "summary.json").exists():
        print(f"\n== {n:,} items kept in {keep}", flush=True)
        if workers:  # the query timings were printed when it was built
            worker_figures(keep)
            return None, json.loads((Path(keep) / "summary.json").read_text())
        return measure(keep, workers)
    with (contextlib.nullcontext(keep) if keep else tempfile.TemporaryDirectory()) as tmp:
        Path(tmp).mkdir(parents=True, exist_ok=True)
        os.environ["HUB_INSTANCE_PATH"] = tmp
        app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(db.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            items, versions, _ = build_library(app, n, rng, zipf)
            start = time.perf_counter()
            sync.rebuild(app)  # as `flask reindex` does
            build = time.perf_counter() - start
            size = sync.backend(app).size_bytes()
            users.create_user(f"rep{n}@example.com", "Rep", "sales", "benchmark-password")
            db.session.commit()
            (Path(tmp) / "queries.json").write_text(json.dumps(queries(items, versions, zipf, rng, query_count)))
            fts5_setup(items, versions, Path(tmp) / "fts5.db").close()
            sync.backend(app).reset()
        del os.environ["HUB_INSTANCE_PATH"]
        print(f"\n== {n:,} items, {sync.backend_name(app)} backend: rebuild {build:.1f} s, index {size / 1e6:.1f} MB "
              f"(about {sum(len(v['extracted_text'].split()) for v in versions) // n} words each)", flush=True)
        return build, measure(tmp, workers)[1]


def measure(folder, workers):
    """Time the queries from a fresh process: a web worker serves searches, it does not carry the
    memory of a 10,000-item build (timings in the building process were noisier and slower)."""
    subprocess.run([sys.executable, __file__, "--time", folder], check=True)
    if workers:
        worker_figures(folder)
    return None, json.loads((Path(folder) / "summary.json").read_text())


def smaps(pid="self"):
    """{field: kB} of a process's /proc/<pid>/smaps_rollup (Rss, Pss, Private_Dirty, ...)."""
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return {line.split(":")[0]: int(line.split()[1]) for line in f if line.strip().endswith("kB")}


def worker_figures(folder, workers=2, rounds=6):
    """Two searching processes (as gunicorn's workers), then commits from this process between
    their searches; prints memory growth and first-search-after-change against a warm search."""
    from sqlalchemy import text as sql

    from hub import create_app
    from hub.extensions import db
    from hub.search import sync

    procs = [subprocess.Popen([sys.executable, __file__, "--worker", folder], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    memory = [json.loads(p.stdout.readline()) for p in procs]  # after every query of queries.json
    os.environ["HUB_INSTANCE_PATH"] = folder
    app = create_app()
    first, warm = [], []
    with app.app_context():
        item_id = db.session.scalar(sql("SELECT min(id) FROM collateral WHERE status = 'approved'"))
        for i in range(rounds):
            db.session.execute(sql("UPDATE collateral SET description = :d WHERE id = :id"),
                               {"d": f"Changed for round {i} of the first-search benchmark", "id": item_id})
            db.session.commit()
            sync.index_now(app, {item_id})  # a commit from another process, as the background worker makes
            for p in procs:
                p.stdin.write("search\n")
                p.stdin.flush()
            for p in procs:
                figures = json.loads(p.stdout.readline())
                first.append(figures["first_ms"])
                warm.append(figures["warm_ms"])
        sync.backend(app).reset()
    for p in procs:
        p.stdin.close()
        p.wait()
    print(f"{'worker':8} {'Private_Dirty +MB':>18} {'USS +MB':>8} {'Pss +MB':>8} {'Rss +MB':>8}")
    for i, m in enumerate(memory):
        print(f"{i:<8} {m['dirty'] / 1024:18.1f} {m['uss'] / 1024:8.1f} {m['pss'] / 1024:8.1f} {m['rss'] / 1024:8.1f}")
    ratio = statistics.median(first) / statistics.median(warm)
    print(f"first search after a commit elsewhere: p50 {statistics.median(first):.1f} ms, max {max(first):.1f} ms; "
          f"the same query warm: p50 {statistics.median(warm):.1f} ms; ratio {ratio:.2f}x (target <= 2x)")
    worst = max(m["dirty"] for m in memory) / 1024
    print(f"target: private memory growth <= 40 MB per worker: {'met' if worst <= 40 else 'NOT met'} ({worst:.1f} MB)")


def search_worker(folder):
    """One searching process: every query of queries.json, then its memory growth; then, per line
    on stdin, the first search after the index changed and the same search warm."""
    from hub import create_app
    from hub.auth.models import User
    from hub.extensions import db
    from hub.search import services, whoosh_query
    from hub.search.whoosh_backend import schema

    os.environ["HUB_INSTANCE_PATH"] = folder
    app = create_app()
    qs = [(text, filters) for q in json.loads((Path(folder) / "queries.json").read_text()).values()
          for text, filters in q]
    with app.app_context():
        rep = db.session.scalar(db.select(User).where(User.role == "sales"))
        services.lifts()  # the database's pages and the scorer's self-check, before the index is opened
        whoosh_query.agrees_with_whoosh(schema())
        before = smaps()
        for text, filters in qs:
            services.search(rep, text, filters)
        after = smaps()
        grown = {key: after[field] - before[field] for key, field in
                 (("dirty", "Private_Dirty"), ("pss", "Pss"), ("rss", "Rss"))}
        grown["uss"] = (after["Private_Dirty"] + after["Private_Clean"]) - (before["Private_Dirty"] + before["Private_Clean"])
        print(json.dumps(grown), flush=True)
        text, filters = qs[0]
        for _ in sys.stdin:
            start = time.perf_counter()
            services.search(rep, text, filters)
            first_ms = (time.perf_counter() - start) * 1000
            warm = []
            for _ in range(5):
                start = time.perf_counter()
                services.search(rep, text, filters)
                warm.append((time.perf_counter() - start) * 1000)
            print(json.dumps({"first_ms": first_ms, "warm_ms": statistics.median(warm)}), flush=True)


def time_all(folder):
    """Time every query kind on a built instance: Whoosh through the app's search, then FTS5."""
    from hub import create_app
    from hub.auth.models import User
    from hub.extensions import db

    os.environ["HUB_INSTANCE_PATH"] = folder
    app = create_app()
    qs = {kind: [(text, filters) for text, filters in q] for kind, q in
          json.loads((Path(folder) / "queries.json").read_text()).items()}
    conn = sqlite3.connect(Path(folder) / "fts5.db")
    print(f"{'query':10} {'p50 ms':>8} {'p95 ms':>8} {'hits med':>9} {'mkt p95':>8} {'FTS5 p50':>9} {'FTS5 p95':>9} "
          f"{'ratio p95':>9}")
    summary = {}
    with app.app_context():
        rep = db.session.scalar(db.select(User).where(User.role == "sales"))
        marketer = db.session.scalar(db.select(User).where(User.role == "marketing"))
        for kind, q in qs.items():
            times, totals = time_whoosh(rep, q)
            editor_times, _ = time_whoosh(marketer, q)
            fts = time_fts5(conn, q)
            p50, p95 = percentile(times, 50), percentile(times, 95)
            summary[kind] = max(p95, percentile(editor_times, 95))
            print(f"{kind:10} {p50:8.1f} {p95:8.1f} {statistics.median(totals):9.0f} {percentile(editor_times, 95):8.1f} "
                  f"{percentile(fts, 50):9.2f} {percentile(fts, 95):9.2f} {p95 / max(percentile(fts, 95), 0.001):8.1f}x",
                  flush=True)
    conn.close()
    (Path(folder) / "summary.json").write_text(json.dumps(summary))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[10000, 1000])
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--workers", action="store_true", help="memory and first search per worker process")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR once and reuse it (one size only)")
    parser.add_argument("--database", help="a PostgreSQL URL (its name must contain 'bench' or 'test': it is wiped)")
    parser.add_argument("--time", metavar="FOLDER", help=argparse.SUPPRESS)  # the timing half, in its own process
    parser.add_argument("--worker", metavar="FOLDER", help=argparse.SUPPRESS)  # a searching worker process
    args = parser.parse_args()
    if args.database:
        from sqlalchemy.engine import make_url

        name = make_url(args.database).database or ""
        if not args.database.startswith("postgresql") or not ("bench" in name or "test" in name):
            parser.error("--database must be a PostgreSQL database named *bench* or *test* (it is wiped)")
        os.environ["HUB_SQLALCHEMY_DATABASE_URI"] = args.database  # the timing process inherits it
    if args.time:
        return time_all(args.time)
    if args.worker:
        return search_worker(args.worker)
    targets = {10000: (100, 200), 1000: (30, 30)}
    for n in args.items:
        build, p95 = run(n, args.queries, keep=args.keep, workers=args.workers)
        strict, fuzzy = targets.get(n, (None, None))
        if strict:
            ok = all(v <= strict for k, v in p95.items() if k != "fuzzy") and p95["fuzzy"] <= fuzzy
            print(f"target at {n:,}: p95 <= {strict} ms (<= {fuzzy} ms fuzzy): {'met' if ok else 'NOT met'}"
                  + (f"; rebuild <= 120 s: {'met' if build <= 120 else 'NOT met'}" if n == 10000 and build else ""))


if __name__ == "__main__":
    main()
