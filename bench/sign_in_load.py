"""Benchmark what password guessing costs everyone else (issue 11: "8 threads slow every other
user's pages 39x"): production hashing (scrypt), gunicorn (2 workers x 4 threads), a throwaway
SQLite instance (or HUB_BENCH_DATABASE_URL).

For each setting, a fresh instance: first one user's API reads alone, then the same reads while
THREADS attacker threads post wrong passwords to the sign-in form as fast as they can. Prints the
reader's median and p95 with and without the attack, the slowdown, and the attackers' attempts
(checked 401 / refused 429). Settings: the throttle switched off (as before issue 11), the
shipped throttle in the database, and, with --redis URL, the shipped throttle in Redis.

    .venv/bin/python bench/sign_in_load.py [--seconds 10] [--threads 8] [--redis redis://127.0.0.1:6379/5]
"""
import argparse
import collections
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jobs import Hub, pct

OFF = {"HUB_SIGN_IN_ACCOUNT_FREE_TRIES": "1000000", "HUB_SIGN_IN_ADDRESS_FREE_TRIES": "1000000"}


def read_for(hub, seconds, stop=None):
    """Milliseconds of each GET /api/v1/collateral made one after another for `seconds`."""
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end and not (stop and stop.is_set()):
        elapsed, status, _ = hub.call("GET", "/api/v1/collateral?per_page=25")
        if status == 200:
            times.append(elapsed * 1000)
    return times


def guess(hub, stop, codes, lock, n):
    """Post wrong passwords for one account to the sign-in form until `stop` is set."""
    attempt = 0
    while not stop.is_set():
        attempt += 1
        body = urllib.parse.urlencode({"email": "bench@example.com", "password": f"guess {n} {attempt}"}).encode()
        request = urllib.request.Request(hub.base + "/login", data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, ConnectionError):
            status = "refused"
        with lock:
            codes[status] += 1


def measure(name, env, seconds, threads):
    hub = Hub(Path(tempfile.mkdtemp(prefix="hub-bench-guess-")))
    hub.env.update({"HUB_WTF_CSRF_ENABLED": "false", **env})
    hub.start()
    try:
        for _ in range(5):
            hub.create(1, "warm")
        quiet = read_for(hub, seconds)
        stop, lock, codes = threading.Event(), threading.Lock(), collections.Counter()
        attackers = [threading.Thread(target=guess, args=(hub, stop, codes, lock, n)) for n in range(threads)]
        for thread in attackers:
            thread.start()
        time.sleep(3)  # the attack under way, past the free tries that a throttle hashes
        busy = read_for(hub, seconds)
        stop.set()
        for thread in attackers:
            thread.join()
    finally:
        hub.stop()
    slow = statistics.median(busy) / statistics.median(quiet)
    print(f"  {name}:")
    print(f"    reads alone      median {statistics.median(quiet):7.1f} ms  p95 {pct(quiet, 95):7.1f} ms  ({len(quiet)} reads)")
    print(f"    under attack     median {statistics.median(busy):7.1f} ms  p95 {pct(busy, 95):7.1f} ms  ({len(busy)} reads)")
    print(f"    slowdown {slow:.1f}x;  attack: {sum(codes.values())} attempts, {codes.get(401, 0)} checked (401), "
          f"{codes.get(429, 0)} refused unchecked (429)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--redis", default="", help="also measure the throttle kept in this Redis")
    args = parser.parse_args()
    print(f"sign-in under guessing: {args.threads} attacker threads, {args.seconds:.0f} s per phase, gunicorn 2x4 "
          "(was: 39x slower pages with no throttle)")
    measure("throttle off (as before issue 11)", OFF, args.seconds, args.threads)
    measure("shipped throttle, database", {}, args.seconds, args.threads)
    if args.redis:
        measure("shipped throttle, Redis", {"HUB_THROTTLE_STORAGE_URL": args.redis}, args.seconds, args.threads)


if __name__ == "__main__":
    main()
