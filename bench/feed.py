"""Benchmark the iCal feed: 2,000 published entries (200 repeating, several time zones).

Prints p50/p95 for a full render, for a one-kind filtered feed, and for a repeat request answered
304 from If-None-Match, and a repeat poll without validators (the rendered feed kept by ETag, sent
gzipped). Targets: full p95 <= 250 ms, 304 median <= 10 ms, filtered no slower than full (issue 4);
repeat poll p95 <= 100 ms (issue 16). Runs on a throwaway SQLite instance, or on HUB_BENCH_DATABASE_URL.

    .venv/bin/python bench/feed.py [--entries 2000] [--runs 40]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZONES = ("America/New_York", "Europe/Berlin", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "UTC")
KINDS = ("campaign", "event", "trade_show", "webinar", "press_release", "product_launch", "email", "social")


def build(app, count, recurring):
    """Insert the entries in bulk (the services would take minutes for 2,000 and measure nothing here)."""
    from hub.auth.services import create_user
    from hub.calendar.models import CalendarEntry, EntryLabel
    from hub.extensions import db

    editor = create_user("bench-marketing@example.com", "Bench Marketing", "marketing", "bench password 1")
    rep = create_user("bench-rep@example.com", "Bench Rep", "sales", "bench password 1")
    now = datetime.now(UTC).replace(microsecond=0)
    base = now - timedelta(days=60)
    rows = []
    for n in range(count):
        zone = ZONES[n % len(ZONES)]
        kind = KINDS[n % len(KINDS)]
        local = (base + timedelta(days=n % 240, hours=n % 9)).astimezone(ZoneInfo(zone)).replace(minute=0, second=0)
        all_day = n % 7 == 0
        entry = CalendarEntry(title=f"Bench entry {n}: {kind.replace('_', ' ')} with a realistic title",
                              kind=kind, description=("Talking points, links and who to call. " * 6).strip(),
                              location="Online" if n % 2 else "Messe Berlin, Hall 4", published=True,
                              status="confirmed", owner_id=editor.id, updated_at=now, created_at=now,
                              sequence=n % 3)
        if all_day:
            day = local.date()
            entry.all_day, entry.starts_on, entry.ends_on = True, day, day + timedelta(days=n % 3)
            entry.span_starts_at = datetime.combine(day, datetime.min.time(), UTC)
            entry.span_ends_at = datetime.combine(entry.ends_on + timedelta(days=1), datetime.min.time(), UTC)
        else:
            entry.timezone, entry.starts_at, entry.ends_at = zone, local.astimezone(UTC), (local + timedelta(hours=1)).astimezone(UTC)
            entry.span_starts_at, entry.span_ends_at = entry.starts_at, entry.ends_at
        if n < recurring:
            entry.rrule = "FREQ=WEEKLY;COUNT=26" if n % 2 else "FREQ=MONTHLY;INTERVAL=1"
            entry.span_ends_at = None
        entry.labels = [EntryLabel(facet="product", value=("Lumora Insight", "Lumora Forecast", "Lumora Guard")[n % 3]),
                        EntryLabel(facet="audience", value=("EMEA", "NA", "APAC")[n % 3])]
        rows.append(entry)
    db.session.add_all(rows)
    db.session.commit()
    return editor, rep


def timed_requests(client, path, runs, headers=None, expect=200, cold=False):
    from hub.calendar import ical

    times, cpu = [], []
    for _ in range(runs):
        if cold:
            ical.clear_cache()  # as after a restart: every event written afresh
            client.application.extensions.pop("hub.feed_bodies", None)  # and no rendered feed kept
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers or {})
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == expect, (response.status_code, response.data[:200])
    CPU[path, cold, expect, "Accept-Encoding" in (headers or {})] = cpu
    return times


CPU = {}  # the same requests in CPU time: what they cost when other work shares the cores


def p(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--recurring", type=int, default=200)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hub-bench-feed-"))
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from hub import create_app
    from hub.calendar import subscriptions

    url = os.environ.get("HUB_BENCH_DATABASE_URL") or f"sqlite:///{instance / 'hub.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "hub.example.com", "PREFERRED_URL_SCHEME": "https"})
    with app.app_context():
        upgrade()
        _, rep = build(app, args.entries, args.recurring)
        token = subscriptions.feed_token(rep)
    client = app.test_client()
    path = f"/calendar/feed/{token}.ics"
    warm = client.get(path)  # zone rules and templates are cached after the first request
    size = len(warm.data)
    cold = timed_requests(client, path, args.runs, cold=True)
    full = timed_requests(client, path, args.runs)
    filtered_cold = timed_requests(client, path + "?kind=webinar", args.runs, cold=True)
    filtered = timed_requests(client, path + "?kind=webinar", args.runs)
    etag = client.get(path).headers["ETag"]
    cached = timed_requests(client, path, args.runs * 5, {"If-None-Match": etag}, expect=304)
    gz = {"Accept-Encoding": "gzip"}
    gz_size = len(client.get(path, headers=gz).data)
    repeat = timed_requests(client, path, args.runs * 5, gz)  # a poll without validators, as Google's servers send

    print(f"feed benchmark: {args.entries} published entries, {args.recurring} repeating, {len(ZONES)} zones, "
          f"{args.runs} runs, {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"  full feed, {size / 1024:.0f} KB: every event written afresh (cold, as after a restart)")
    print(f"                              p50 {p(cold, 50):7.1f} ms   p95 {p(cold, 95):7.1f} ms   (target p95 <= 250)")
    print(f"  full feed, repeat (kept)    p50 {p(full, 50):7.1f} ms   p95 {p(full, 95):7.1f} ms")
    print(f"  kind=webinar, cold          p50 {p(filtered_cold, 50):7.1f} ms   p95 {p(filtered_cold, 95):7.1f} ms   (target <= full)")
    print(f"  kind=webinar, repeat (kept) p50 {p(filtered, 50):7.1f} ms   p95 {p(filtered, 95):7.1f} ms")
    print(f"  repeat poll, no validators, gzip ({gz_size / 1024:.0f} KB)"
          f"  p50 {p(repeat, 50):5.1f} ms   p95 {p(repeat, 95):7.1f} ms   (target p95 <= 100, issue 16)")
    print(f"  304 If-None-Match           p50 {statistics.median(cached):7.1f} ms   p95 {p(cached, 95):7.1f} ms   (target median <= 10)")
    print("  CPU time of the same requests (the figures above are wall-clock; this machine may be shared):")
    for (what, was_cold, status, gzipped), values in CPU.items():
        label = ("304" if status == 304 else ("kind=webinar" if "kind=" in what else "full")) + (" cold" if was_cold else "")
        label += ", repeat gzip" if gzipped else ""
        print(f"    {label:<18}          p50 {p(values, 50):7.1f} ms   p95 {p(values, 95):7.1f} ms")
    ok = p(cold, 95) <= 250 and p(repeat, 95) <= 100 and statistics.median(cached) <= 10 and p(filtered_cold, 50) <= p(cold, 50)
    print("  targets met" if ok else "  TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
