"""Benchmark slow work off the request path, over real HTTP: gunicorn (2 workers x 4 threads) and
one `flask --app hub worker` on a throwaway SQLite instance (or HUB_BENCH_DATABASE_URL).

Prints, with the targets of the issue that moved extraction and indexing to the worker:
- creating an item with a 100-page PDF against one with a 1-page PDF (p50 of the request; target
  <= 1.5x);
- freshness: from the create's answer until a search finds the item's unique word (p50/p95;
  target p95 <= 2 s with one worker under normal load);
- a mixed load (readers browsing and searching, writers creating, editing and approving) for a set
  time: p95 of reads and of writes (target: write p95 <= 2x read p95), and errors.

    .venv/bin/python bench/jobs.py [--uploads 15] [--seconds 30] [--readers 6] [--writers 2]
"""
import argparse
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pdf(pages, word):
    """A text PDF of `pages` pages, its unique word on the last one."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        for line in range(40):
            c.drawString(60, 780 - 18 * line, f"Page {n} line {line}: pricing, objections, onboarding and payback.")
        if n == pages:
            c.drawString(60, 40, word)
        c.showPage()
    c.save()
    return buf.getvalue()


def multipart(fields, file_name, data):
    boundary = f"bench{random.getrandbits(64):x}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Hub:
    """gunicorn and one worker on a fresh instance; `call()` times one API request."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "HUB_INSTANCE_PATH": str(folder), "PYTHONPATH": str(ROOT),
                    "HUB_SESSION_COOKIE_SECURE": "false"}
        if os.environ.get("HUB_BENCH_DATABASE_URL"):
            self.env["HUB_SQLALCHEMY_DATABASE_URI"] = os.environ["HUB_BENCH_DATABASE_URL"]
        self.procs = []

    def flask(self, *args):
        out = subprocess.run([sys.executable, "-m", "flask", "--app", "hub", *args], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()

    def start(self):
        self.flask("db", "upgrade")
        self.flask("create-user", "bench@example.com", "--role", "marketing", "--name", "Bench",
                   "--password", "bench password 1")
        self.token = self.flask("create-token", "bench@example.com")[-1]
        bin_dir = Path(sys.executable).parent
        self.procs.append(subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{self.port}",
             "wsgi:app"], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "hub", "worker"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(200):
            try:
                self.call("GET", "/api/v1/stages")
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # a slow boot on a busy machine
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=30)

    def call(self, method, path, body=None, content_type="application/json"):
        """(seconds, status, parsed JSON or None)."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", **({"Content-Type": content_type} if data else {})})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                payload, status = response.read(), response.status
        except urllib.error.HTTPError as e:
            payload, status = e.read(), e.code
        elapsed = time.perf_counter() - started
        try:
            return elapsed, status, json.loads(payload)
        except ValueError:
            return elapsed, status, None

    def create(self, pages, word):
        body, kind = multipart({"title": f"Bench {word}", "content_type": "datasheet", "stages": "awareness"},
                               f"{word}.pdf", pdf(pages, word))
        return self.call("POST", "/api/v1/collateral", body, kind)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else float("nan")


def uploads_and_freshness(hub, count):
    small, large, fresh = [], [], []
    for n in range(count):
        for pages, times in ((1, small), (100, large)):
            word = f"zq{pages}x{n}w{random.getrandbits(32):x}"
            elapsed, status, _ = hub.create(pages, word)
            assert status == 201, status
            times.append(elapsed)
            started = time.perf_counter()
            while time.perf_counter() - started < 30:
                _, _, found = hub.call("GET", f"/api/v1/search?q={word}")
                if found and found["total"]:
                    break
                time.sleep(0.02)
            fresh.append(time.perf_counter() - started + elapsed)
    return small, large, fresh


def mixed_load(hub, seconds, readers, writers):
    reads, writes, errors, stop = [], [], {}, time.monotonic() + seconds
    lock = threading.Lock()

    def note(bucket, result):
        elapsed, status, _ = result
        with lock:
            bucket.append(elapsed)
            if status >= 500:
                errors[status] = errors.get(status, 0) + 1

    def reader():
        words = ["pricing", "onboarding", "payback", "objections", "bench"]
        while time.monotonic() < stop:
            note(reads, hub.call("GET", f"/api/v1/search?q={random.choice(words)}"))
            note(reads, hub.call("GET", "/api/v1/collateral?per_page=10"))

    def writer(n):
        while time.monotonic() < stop:
            word = f"mix{n}w{random.getrandbits(32):x}"
            result = hub.create(random.choice((1, 20, 100)), word)
            note(writes, result)
            item = result[2] or {}
            if "id" in item:
                note(writes, hub.call("PATCH", f"/api/v1/collateral/{item['id']}", {"description": "Edited " + word}))
                note(writes, hub.call("POST", f"/api/v1/collateral/{item['id']}/status", {"status": "in_review"}))

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return reads, writes, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=15)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        hub = Hub(Path(folder) / "instance").start()
        try:
            small, large, fresh = uploads_and_freshness(hub, args.uploads)
            ratio = statistics.median(large) / statistics.median(small)
            print(f"create, 1-page PDF:   p50 {statistics.median(small) * 1000:7.1f} ms")
            print(f"create, 100-page PDF: p50 {statistics.median(large) * 1000:7.1f} ms  "
                  f"({ratio:.2f}x; target <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})")
            print(f"searchable after create: p50 {statistics.median(fresh) * 1000:7.1f} ms, "
                  f"p95 {pct(fresh, 95) * 1000:7.1f} ms (target p95 <= 2000 ms: "
                  f"{'met' if pct(fresh, 95) <= 2 else 'NOT met'})")
            reads, writes, errors = mixed_load(hub, args.seconds, args.readers, args.writers)
            r95, w95 = pct(reads, 95), pct(writes, 95)
            print(f"mixed load {args.seconds} s, {args.readers} readers, {args.writers} writers: "
                  f"{len(reads)} reads p95 {r95 * 1000:.1f} ms, {len(writes)} writes p95 {w95 * 1000:.1f} ms "
                  f"({w95 / r95:.2f}x; target <= 2x: {'met' if w95 <= 2 * r95 else 'NOT met'}); 5xx: {errors or 0}")
        finally:
            hub.stop()


if __name__ == "__main__":
    main()
