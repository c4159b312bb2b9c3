"""A long-lived helper process for work on untrusted files: one JSON line in, one JSON line out.

Text extraction (hub/search/readers.py) and page rendering (hub/library/render.py) run their parsers
in such a process, started with ``python -I SCRIPT --serve``: a file that exhausts the child's memory
limit or overruns its deadline costs that child, which is killed and started afresh for the next
file, never the web or job worker. Reusing the child between files keeps a typical file at
milliseconds instead of an interpreter start.
"""
import atexit
import json
import select
import subprocess
import sys
import threading


class Child:
    """The serving process of ``script`` for this process; requests are serialised by a lock.

    ``what`` names the work in error messages ("Reading the file", "Rendering")."""

    def __init__(self, script, what):
        self.script = str(script)
        self.what = what
        self.proc = None
        self.lock = threading.Lock()
        atexit.register(self.stop)

    def run(self, request, seconds, grace=0.0):
        """The child's answer to ``request`` (a JSON-serialisable list) as a dict, or
        {"error": reason} when it took longer than ``seconds`` + ``grace`` (wall clock) or died; the
        child is then killed and replaced on the next call. A child told the deadline in its request
        answers by itself at ``seconds`` with what it has; ``grace`` is how long the parent then
        still waits before killing it. Never raises for the child's faults."""
        with self.lock:
            if self.proc is not None and self.proc.poll() is not None:
                self._stop()  # died between files (killed from outside): close its pipes
            if self.proc is None:
                self.proc = subprocess.Popen([sys.executable, "-I", self.script, "--serve"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            try:
                self.proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
                self.proc.stdin.flush()
                ready, _, _ = select.select([self.proc.stdout], [], [], seconds + grace)
                line = self.proc.stdout.readline() if ready else None
            except OSError:
                line = b""
            if not line:
                self._stop()
                if line is None:
                    return {"error": f"{self.what} took longer than {seconds:.0f} seconds."}
                return {"error": f"{self.what} needed too much memory or crashed the helper process."}
            return json.loads(line)

    def stop(self):
        """End the child (at exit, or after a file that overran)."""
        with self.lock:
            self._stop()

    def _stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                pipe.close()
            self.proc = None
