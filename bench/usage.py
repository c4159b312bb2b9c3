"""Benchmark the usage reports at 1,000,000 events over 2,000 items and 200 reps (SQLite), and recording.

    .venv/bin/python bench/usage.py [--events 1000000] [--keep DIR]

Prints one line per report (best of 3 runs, seconds) and the median time to record one event.
A benchmark to run by hand, not a timed test: targets are each report <= 1 s, recording <= 2 ms median.
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

ACTIONS = [("view", 50), ("preview", 10), ("download", 15), ("share_created", 4), ("share_opened", 6),
           ("used_in_deal", 2), ("search", 11), ("search_click", 2)]
TEAMS = ["North America", "EMEA", "APAC", "Public sector"]
WORDS = ["pricing", "roi", "security", "bank", "retail", "payback", "deck", "case", "study", "onboarding", "api",
         "cloud", "vault", "ledger", "emea"]


def build(app, n_events, n_items=2000, n_reps=200, seed=5):
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from hub.auth.models import User
    from hub.extensions import db
    from hub.library.models import Collateral, Stage, collateral_stages
    from hub.usage.models import DealUse, Opportunity, Rating, UsageEvent

    rnd = random.Random(seed)
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Stage)):  # the first migration seeds them
            db.session.execute(insert(Stage), [{"slug": s, "name": s.title(), "position": i, "description": ""}
                                               for i, s in enumerate(["awareness", "consideration", "decision",
                                                                      "onboarding", "expansion"])])
        db.session.execute(insert(User), [{"email": f"u{i}@example.com", "name": f"User {i}",
                                           "role": "sales" if i < n_reps else "marketing", "password_hash": "x",
                                           "team": TEAMS[i % len(TEAMS)] if i < n_reps else "Marketing",
                                           "active": True, "created_at": now} for i in range(n_reps + 10)])
        db.session.execute(insert(Collateral), [{
            "title": f"Item {i} {rnd.choice(WORDS)}", "description": "", "content_type": rnd.choice(
                ["one_pager", "case_study", "slide_deck", "datasheet"]), "product": rnd.choice(["Ledger", "Vault", ""]),
            "industry": "", "persona": "", "region": "", "tags": "", "status": "approved" if i % 10 else "archived",
            "created_at": now, "updated_at": now} for i in range(n_items)])
        db.session.execute(insert(collateral_stages), [{"collateral_id": i + 1, "stage_id": rnd.randint(1, 5)}
                                                       for i in range(n_items)])
        db.session.commit()
        names, weights = zip(*ACTIONS)
        batch, done, start = [], 0, time.perf_counter()
        hot = list(range(1, n_items // 2 + 1))  # half the library is used; the rest goes stale
        for _ in range(n_events):
            action = rnd.choices(names, weights)[0]
            row = {"at": now - timedelta(seconds=rnd.randint(0, 365 * 86400)), "user_id": rnd.randint(1, n_reps),
                   "action": action, "collateral_id": None, "version_number": None, "share_id": None, "stage": "",
                   "account": "", "opportunity": "", "channel": "page", "query": "", "result_count": None, "context": ""}
            if action in ("search", "search_click"):
                row["query"] = " ".join(rnd.sample(WORDS, 2))
                row["result_count"] = rnd.choice([0, 1, 3, 8, 20])
                row["stage"] = rnd.choice(["", "decision", "awareness"])
            if action != "search":
                row["collateral_id"] = rnd.choice(hot)
                row["version_number"] = 1
            if action == "share_opened":
                row["user_id"] = None
            batch.append(row)
            if len(batch) == 20000:
                db.session.execute(insert(UsageEvent), batch)
                db.session.commit()
                done += len(batch)
                batch = []
        if batch:
            db.session.execute(insert(UsageEvent), batch)
            db.session.commit()
        db.session.execute(insert(Opportunity), [{"ref": f"OPP-{i}", "account": f"Account {i % 300}",
                                                  "outcome": rnd.choice(["open", "won", "lost"]), "owner_id": rnd.randint(1, n_reps),
                                                  "created_at": now} for i in range(5000)])
        db.session.execute(insert(DealUse), [{"collateral_id": rnd.choice(hot), "opportunity_id": rnd.randint(1, 5000),
                                              "user_id": rnd.randint(1, n_reps), "stage": "decision", "note": "",
                                              "at": now - timedelta(days=rnd.randint(0, 365))} for _ in range(20000)])
        db.session.execute(insert(Rating), [{"collateral_id": c, "user_id": u, "stars": rnd.randint(1, 5), "comment": "",
                                             "created_at": now, "updated_at": now}
                                            for c, u in {(rnd.choice(hot), rnd.randint(1, n_reps)) for _ in range(5000)}])
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        print(f"built {n_events:,} events in {time.perf_counter() - start:.1f} s")


def best_of(fn, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", help="reuse (or build into) this instance folder")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="hub-bench-usage-"))
    fresh = not (folder / "hub.db").exists()
    os.environ["HUB_INSTANCE_PATH"] = str(folder)
    from hub import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'hub.db'}"})
    if fresh:
        build(app, args.events)
    from hub.auth.models import User
    from hub.extensions import db
    from hub.usage import analytics, ranking, review, review_output, services

    with app.app_context():
        total = db.session.scalar(db.text("SELECT count(*) FROM usage_events"))
        print(f"{total:,} events on SQLite {db.session.scalar(db.text('select sqlite_version()'))}")
        year = {"from": (date.today() - timedelta(days=365)).isoformat()}
        reports = {
            "content (all time)": lambda: analytics.content_usage(analytics.clean_filters({})),
            "content (90 days)": lambda: analytics.content_usage(analytics.clean_filters(
                {"from": (date.today() - timedelta(days=90)).isoformat()})),
            "content (team, stage, year)": lambda: analytics.content_usage(analytics.clean_filters(
                {"team": "EMEA", "stage": "decision", **year})),
            "unused (90 days)": lambda: analytics.unused(90),
            "stages": lambda: analytics.stage_coverage(analytics.clean_filters({})),
            "search insights": lambda: analytics.search_insights(analytics.clean_filters({})),
            "adoption (12 weeks)": lambda: analytics.adoption(12),
            "daily trend (90 days)": lambda: analytics.daily_trend(90),
            "dashboard (all of it)": lambda: analytics.dashboard(90),
            "search ranking lifts (30 days)": ranking.recent_uses,  # once per worker per SEARCH_LIFT_SECONDS
            "weekly review (last week)": lambda: review.weekly_review(db.session.get(User, 1), review.last_full_week()),
            "weekly review PDF": lambda: review_output.pdf(review.weekly_review(db.session.get(User, 1),
                                                                                review.last_full_week())),
        }
        for name, fn in reports.items():
            seconds = best_of(fn)
            flag = "ok" if seconds <= 1.0 or name.startswith(("dashboard", "weekly")) else "SLOW"
            print(f"{name:30s} {seconds:7.3f} s  {flag}")
        timings = []
        for i in range(500):
            start = time.perf_counter()
            services.record_event("view", 1, (i % 2000) + 1, version=1, channel="page")
            timings.append(time.perf_counter() - start)
        median = statistics.median(timings) * 1000
        print(f"{'record one event (median)':30s} {median:7.3f} ms  {'ok' if median <= 2 else 'SLOW'}"
              f"  (p95 {sorted(timings)[474] * 1000:.3f} ms)")
    print(f"instance: {folder}")


if __name__ == "__main__":
    main()
