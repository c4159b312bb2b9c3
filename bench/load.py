"""Load benchmark: the main pages under load, as a share of a Flask hello world's ceiling (issue 16).

Seeds a throwaway instance (a library of --items items through bench/pages.py's seeding, the
search index rebuilt, forty calendar entries), then serves it with gunicorn exactly as the
Procfile does (2 workers x 4 threads) and, with the same settings, a Flask hello world. wrk
(Debian package `wrk`) loads each page for --seconds with 8 connections. The machine may be
shared, so besides requests per second it prints the web workers' CPU milliseconds per request
(utime + stime from /proc/<pid>/stat): the share of the ceiling by CPU is the steadier figure.
Targets: every main page >= 5 % of the ceiling, the insights dashboard >= 2 %.

    .venv/bin/python bench/load.py [--items 1000] [--seconds 5] [--profile]

--profile runs each page 30 times in this process under pyinstrument and prints where the time
goes (no load; requirements-dev.txt has pyinstrument).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HELLO = '''from flask import Flask
app = Flask(__name__)
@app.get("/")
def hello():
    return "Hello, World!"
'''
GUNICORN = ["--workers", "2", "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"]
PASSWORD = "bench password 1"
# Sessions are bound to the browser that signed in (Flask-Login's strong session protection hashes
# the User-Agent): wrk must send the one the sign-in used, or every request is a 302 to /login.
AGENT = "hub-bench"
# wrk counts only 4xx/5xx as errors; this counts every answer that is not a 200 (a redirect to the
# login page is not a page served).
NOT_200 = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("Not 200: %d\\n", total))
end
"""


def pages(today):
    """(role, name, path, target share) of the pages measured."""
    month = today.strftime("%Y-%m")
    return [("sales", "library home", "/", 5), ("sales", "stage", "/stages/consideration", 5),
            ("sales", "item", "/items/2", 5), ("sales", "search results", "/search?q=case+study", 5),
            ("sales", "calendar month", f"/calendar/?month={month}", 5),
            ("marketing", "insights dashboard", "/insights", 2)]


def seed(instance, items):
    """A library of `items` items, its index, calendar entries and a user per role."""
    import random

    from flask_migrate import upgrade
    from pages import grow

    from hub import create_app
    from hub.auth.services import create_user
    from hub.calendar import services as calendar
    from hub.extensions import db
    from hub.search import sync

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'hub.db'}"})
    with app.app_context():
        upgrade()
        users = {role: create_user(f"bench-{role}@example.com", f"Bench {role}", role, PASSWORD)
                 for role in ("sales", "marketing")}
        db.session.commit()
        grow(app, items, random.Random(16))
        first = date.today().replace(day=1)
        for n in range(40):
            day = first + timedelta(days=n % 28)
            calendar.create_entry(users["marketing"], {
                "title": f"Bench webinar {n}", "kind": "webinar", "published": n % 5 != 0, "timezone": "UTC",
                "starts_at": f"{day.isoformat()}T{9 + n % 8:02d}:00", "ends_at": f"{day.isoformat()}T{10 + n % 8:02d}:00"})
        db.session.commit()
        sync.rebuild(app)
        sync.backend(app).reset()
    return app


def serve(app_module, port, env, cwd):
    """gunicorn with the Procfile's settings; returns the master process once it answers."""
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", app_module],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            requests.get(f"http://127.0.0.1:{port}/login" if "wsgi" in app_module else f"http://127.0.0.1:{port}/",
                         timeout=5)
            return proc
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(proc.stderr.read().decode())


def worker_pids(master):
    """The gunicorn master's worker processes."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True,
                         check=False).stdout
    return [int(pid) for pid in out.split()]


def cpu_ms(pids):
    """utime + stime of these processes, in milliseconds (/proc/<pid>/stat fields 14 and 15)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / tick


def load(url, seconds, cookie, pids, script):
    """(requests per second, CPU ms per request, count of answers other than 200) of wrk against one URL."""
    headers = ["-H", f"User-Agent: {AGENT}", *(["-H", f"Cookie: {cookie}"] if cookie else [])]
    before = cpu_ms(pids)
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), *headers, url],
                         capture_output=True, text=True, check=True).stdout
    used = cpu_ms(pids) - before
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, used / max(total, 1), int(re.search(r"Not 200: (\d+)", out).group(1))


def sign_in(base, role):
    """The session cookie of a signed-in user of `role` (through the login form and its CSRF token)."""
    session = requests.Session()
    session.headers["User-Agent"] = AGENT
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(f"{base}/login").text).group(1)
    response = session.post(f"{base}/login", data={"csrf_token": token, "email": f"bench-{role}@example.com",
                                                  "password": PASSWORD}, allow_redirects=False)
    assert response.status_code in (302, 303), response.status_code
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def profile(app, today):
    """Each page 30 times in this process under pyinstrument: where the time goes."""
    from pyinstrument import Profiler

    app.config["WTF_CSRF_ENABLED"] = False
    for role, name, path, _ in pages(today):
        client = app.test_client()
        client.post("/login", data={"email": f"bench-{role}@example.com", "password": PASSWORD})
        assert client.get(path).status_code == 200, path
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(30):
                client.get(path)
        print(f"\n===== {name} ({path}) =====")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--port", type=int, default=18716)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk") and not args.profile:
        sys.exit("bench/load.py needs wrk: apt-get install wrk")

    instance = Path(tempfile.mkdtemp(prefix="hub-bench-load-"))
    env = {**os.environ, "HUB_INSTANCE_PATH": str(instance), "HUB_SESSION_COOKIE_SECURE": "false",
           "HUB_REMEMBER_COOKIE_SECURE": "false", "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    try:
        app = seed(instance, args.items)
        if args.profile:
            return profile(app, date.today())
        (instance / "hello.py").write_text(HELLO)
        script = instance / "not200.lua"
        script.write_text(NOT_200)
        hello = serve("hello:app", args.port + 1, env, instance)
        try:
            ceiling, ceiling_cpu, _ = load(f"http://127.0.0.1:{args.port + 1}/", args.seconds, None, worker_pids(hello),
                                         script)
        finally:
            hello.send_signal(signal.SIGTERM)
            hello.wait()
        hub = serve("wsgi:app", args.port, env, ROOT)
        base = f"http://127.0.0.1:{args.port}"
        cookies = {role: sign_in(base, role) for role in ("sales", "marketing")}
        print(f"{args.items} items; hello world: {ceiling:.0f} req/s, {ceiling_cpu:.2f} CPU ms/request")
        print(f"{'page':20} {'req/s':>7} {'share':>7} {'CPU ms/req':>11} {'CPU share':>10} {'target':>7}")
        failed = 0
        try:
            pids = worker_pids(hub)
            for role, name, path, target in pages(date.today()):
                warm = requests.get(base + path, headers={"Cookie": cookies[role], "User-Agent": AGENT},
                                    allow_redirects=False)
                assert warm.status_code == 200, (path, warm.status_code)  # signed in, and warm in some worker
                rate, cpu, bad = load(base + path, args.seconds, cookies[role], pids, script)
                share, cpu_share = 100 * rate / ceiling, 100 * ceiling_cpu / cpu
                failed += cpu_share < target or bad > 0
                print(f"{name:20} {rate:7.1f} {share:6.1f}% {cpu:11.2f} {cpu_share:9.1f}% {target:6}%"
                      + (f"  ({bad} answers not 200)" if bad else ""))
        finally:
            hub.send_signal(signal.SIGTERM)
            hub.wait()
        return 1 if failed else 0
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
