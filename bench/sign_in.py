"""Benchmark sign-in against guessing and timing (issue 11): production password hashing (scrypt).

1. Timing: alternating sign-ins with an unknown email and with a known email and a wrong password
   (each from its own address, throttling out of the way); prints both medians and how often the
   best single threshold between them tells the two apart (50 % = not at all; was 85 %).
2. Guessing: one client posts wrong passwords to one account for a set time, as fast as it can;
   prints attempts, how many were checked (401) and how many refused unchecked (429).

Runs on a throwaway SQLite instance, or on HUB_BENCH_DATABASE_URL.

    .venv/bin/python bench/sign_in.py [--runs 60] [--seconds 5]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def post(client, email, password, address):
    start = time.perf_counter()
    response = client.post("/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    return response.status_code, (time.perf_counter() - start) * 1000


def separability(a, b):
    """The share of samples the best single threshold classifies right (0.5: indistinguishable)."""
    labelled = sorted([(x, 0) for x in a] + [(x, 1) for x in b])
    best, below = 0.0, [0, 0]
    for _, label in labelled:
        below[label] += 1
        right = max(below[0] + (len(b) - below[1]), below[1] + (len(a) - below[0]))
        best = max(best, right / len(labelled))
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hub-bench-sign-in-"))
    os.environ["HUB_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from hub import create_app
    from hub.auth.services import create_user
    from hub.extensions import db

    url = os.environ.get("HUB_BENCH_DATABASE_URL") or f"sqlite:///{instance / 'hub.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade()
        create_user("known@example.com", "Known", "sales", "violet kettle harbour lamp")
        create_user("target@example.com", "Target", "sales", "violet kettle harbour lamp")
        db.session.commit()
    client = app.test_client()

    app.config.update(SIGN_IN_ACCOUNT_FREE_TRIES=10**6, SIGN_IN_ADDRESS_FREE_TRIES=10**6)
    post(client, "warm@example.com", "wrong password!", "192.0.2.1")  # the dummy hash is made once
    known, unknown = [], []
    for n in range(args.runs):
        known.append(post(client, "known@example.com", "wrong password!", f"10.0.{n // 250}.{n % 250}")[1])
        unknown.append(post(client, f"nobody{n}@example.com", "wrong password!", f"10.1.{n // 250}.{n % 250}")[1])
    print(f"sign-in benchmark: {app.config['PASSWORD_HASH_METHOD']} hashes, "
          f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"  known email, wrong password  median {statistics.median(known):6.1f} ms")
    print(f"  unknown email                median {statistics.median(unknown):6.1f} ms")
    print(f"  told apart by the best threshold: {separability(known, unknown):.0%} of {2 * args.runs} "
          "(50 % = chance; was 85 %)")

    app.config.from_object("hub.config.Defaults")  # the shipped throttle settings
    statuses = {}
    end = time.perf_counter() + args.seconds
    while time.perf_counter() < end:
        status, _ = post(client, "target@example.com", "guess " + str(len(statuses)), "198.51.100.7")
        statuses[status] = statuses.get(status, 0) + 1
    total = sum(statuses.values())
    print(f"  guessing one account for {args.seconds:.0f} s from one address: {total} attempts, "
          f"{statuses.get(401, 0)} checked (401), {statuses.get(429, 0)} refused unchecked (429)")


if __name__ == "__main__":
    main()
