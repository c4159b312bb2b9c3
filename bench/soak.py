"""Soak test (issue 11): a mixed load over real HTTP for a set time, with the background worker
killed (SIGKILL) twice and restarted, on gunicorn (2 workers x 4 threads) and a throwaway SQLite
instance, or HUB_BENCH_DATABASE_URL.

Threads upload items, edit them, move them through review to approval, search, download and fetch
the calendar feed. Prints requests, errors by status, p95 per operation, lost acknowledged writes
(created items that are gone, or edits that did not stick), index drift (`check-index` after the
queue drains) and orphan files (`check-files`). Targets: 0 lost writes, 0 drift, 0 orphans, 0 5xx.

    .venv/bin/python bench/soak.py [--seconds 60] [--threads 6]
"""
import argparse
import collections
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jobs import ROOT, Hub, multipart, pct, pdf

LEASE = 5  # seconds: HUB_JOBS_LEASE_SECONDS for the run, so a killed worker's jobs are taken over soon


class Soak:
    """The load, its figures, and what was acknowledged."""

    def __init__(self, hub):
        self.hub = hub
        self.times = collections.defaultdict(list)
        self.codes = collections.Counter()
        self.created, self.regions = [], {}
        self.lock = threading.Lock()
        self.feed = None

    def call(self, op, method, path, body=None, content_type="application/json"):
        seconds, status, payload = self.hub.call(method, path, body, content_type)
        with self.lock:
            self.times[op].append(seconds * 1000)
            self.codes[status] += 1
        return status, payload

    def step(self, n):
        """One operation, chosen at random with the weights of a working day."""
        op = random.choices(["upload", "edit", "approve", "search", "download", "feed"], [2, 3, 2, 6, 4, 2])[0]
        ids = list(self.created)
        if op == "upload" or not ids:
            body, kind = multipart({"title": f"Soak {n}", "content_type": "datasheet", "stages": "awareness"},
                                   f"soak{n}.pdf", pdf(1, f"soakword{n}"))
            status, payload = self.call("upload", "POST", "/api/v1/collateral", body, kind)
            if status == 201:
                with self.lock:
                    self.created.append(payload["id"])
        elif op == "edit":
            item, region = random.choice(ids), f"Region {n}"
            status, _ = self.call("edit", "PATCH", f"/api/v1/collateral/{item}", {"region": region})
            if status == 200:
                with self.lock:
                    self.regions.setdefault(item, set()).add(region)
        elif op == "approve":
            item = random.choice(ids)
            for target in ("in_review", "approved"):
                self.call("approve", "POST", f"/api/v1/collateral/{item}/status", {"status": target})
        elif op == "search":
            self.call("search", "GET", f"/api/v1/search?q=soakword{random.randrange(max(n, 1))}")
        elif op == "download":
            self.call("download", "GET", f"/api/v1/collateral/{random.choice(ids)}/download")
        elif self.feed:
            self.call("feed", "GET", self.feed)


def restart_worker(hub):
    """SIGKILL the background worker mid-job and start a new one, as a crash and a supervisor would."""
    worker = hub.procs[1]
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    hub.procs[1] = subprocess.Popen([sys.executable, "-m", "flask", "--app", "hub", "worker"], cwd=ROOT,
                                    env=hub.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(hub, seconds, threads):
    soak = Soak(hub)
    _, _, feeds = hub.call("POST", "/api/v1/me/feeds/rotate", {})
    if feeds and feeds.get("https"):
        soak.feed = "/" + feeds["https"].split("/", 3)[3]
    end = time.monotonic() + seconds
    counter = iter(range(10**9))

    def load():
        while time.monotonic() < end:
            soak.step(next(counter))

    workers = [threading.Thread(target=load) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for fraction in (1 / 3, 2 / 3):
        time.sleep(max(0.0, end - seconds * (1 - fraction) - time.monotonic()))
        restart_worker(hub)
    for thread in workers:
        thread.join()
    return soak


def audit(hub, soak):
    """Lost acknowledged writes, index drift and orphans once the worker has drained the queue."""
    lost = 0
    for item in soak.created:
        _, status, payload = hub.call("GET", f"/api/v1/collateral/{item}")
        if status != 200:
            lost += 1
        elif item in soak.regions and payload.get("region") not in soak.regions[item]:
            lost += 1  # the item shows none of its acknowledged edits
    time.sleep(LEASE + 1)  # the jobs the killed workers held become free to take over
    subprocess.run([sys.executable, "-m", "flask", "--app", "hub", "worker", "--once"], cwd=ROOT, env=hub.env,
                   capture_output=True, check=False)
    index = subprocess.run([sys.executable, "-m", "flask", "--app", "hub", "check-index"], cwd=ROOT, env=hub.env,
                           capture_output=True, text=True, check=False)
    files = subprocess.run([sys.executable, "-m", "flask", "--app", "hub", "check-files", "--min-age", "0"], cwd=ROOT,
                           env=hub.env, capture_output=True, text=True, check=False)
    drift = sum(int(line.split()[1]) for line in index.stdout.splitlines()
                if line.split()[:1] in (["missing"], ["stale"], ["extra"]))
    orphans = sum(int(line.split()[1]) for line in files.stdout.splitlines() if line.startswith(("orphans", "missing")))
    return lost, drift, orphans


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=6)
    args = parser.parse_args()
    hub = Hub(Path(tempfile.mkdtemp(prefix="hub-soak-")))
    hub.env["HUB_JOBS_LEASE_SECONDS"] = str(LEASE)  # a killed worker's jobs are taken over this soon
    hub.start()
    try:
        soak = run(hub, args.seconds, args.threads)
        lost, drift, orphans = audit(hub, soak)
    finally:
        hub.stop()
    total = sum(soak.codes.values())
    five = sum(count for code, count in soak.codes.items() if code >= 500)
    print(f"soak: {args.seconds:.0f} s, {args.threads} threads, worker killed twice, "
          f"{hub.env.get('HUB_SQLALCHEMY_DATABASE_URI', 'sqlite').split(':')[0]}")
    print(f"  requests {total}   by status: " + ", ".join(f"{c}: {n}" for c, n in sorted(soak.codes.items())))
    for op, values in sorted(soak.times.items()):
        print(f"  {op:9} n={len(values):5}   p95 {pct(values, 95):8.1f} ms")
    print(f"  5xx {five}   lost acknowledged writes {lost}   index drift {drift}   orphan/missing files {orphans}")


if __name__ == "__main__":
    main()
