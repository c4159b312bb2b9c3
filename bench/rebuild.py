"""Rebuild benchmark: a full index rebuild, old writer settings against the current ones (issue 16).

Builds bench/search.py's synthetic library (about 600 words of extracted text per item) in a
throwaway SQLite instance, then rebuilds the index twice from the same rows:

- cli: what `flask reindex` did before (and still does), Whoosh's multiprocessing writer
  (procs=2, multisegment, limitmb=256) committed with mergetype=CLEAR;
- worker: what the background worker's rebuild did before, one writer whose pool spills runs;
- new: the worker's rebuild now, hub.search.sync.rebuild: segments that each fit the in-memory
  pool, one commit.

It prints wall seconds, CPU seconds (this process and its children: the steadier figure on a
shared machine), the final index size and the peak temporary disk beside it (files in the index
folder beyond the index itself, sampled every 50 ms). Targets: 10,000 items in <= 30 s, temporary
disk <= 2x the final index.

    .venv/bin/python bench/rebuild.py [--items 2000] [--only cli worker new]
"""
import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def folder_bytes(folder):
    """Bytes of every file under a folder (files vanishing meanwhile count 0)."""
    total = 0
    for path in Path(folder).rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except OSError:
            pass
    return total


class Peak(threading.Thread):
    """Samples a folder's size until stopped; `peak` is the largest seen."""

    def __init__(self, folder):
        super().__init__(daemon=True)
        self.folder, self.peak, self.running = folder, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, folder_bytes(self.folder))
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()
        self.peak = max(self.peak, folder_bytes(self.folder))


def cpu_seconds():
    """User + system CPU seconds of this process and its waited-for children."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def old_rebuild(app):
    """The rebuild as it was: Whoosh's MpWriter, two helper processes, one commit with CLEAR."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session
    from whoosh.writing import CLEAR

    from hub.library.models import Collateral
    from hub.search import sync
    from hub.search.documents import document_for
    from hub.search.whoosh_backend import extra_fields

    writer = sync.backend(app).ix().writer(timeout=30, delay=0.05, limitmb=256, procs=2, multisegment=True)
    with Session(app.extensions["sqlalchemy"].engine) as session:
        ids = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
        for start in range(0, len(ids), sync.BATCH):
            for item in sync.load_items(session, ids[start:start + sync.BATCH]):
                doc = document_for(item, sync.text_of(item))
                writer.add_document(**doc, **extra_fields(doc))
            session.expunge_all()
    writer.commit(mergetype=CLEAR)


def old_worker_rebuild(app):
    """The worker's rebuild as it was: one writer, one pool (limitmb=256) that spills runs to disk."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session
    from whoosh.writing import CLEAR

    from hub.library.models import Collateral
    from hub.search import sync
    from hub.search.documents import document_for
    from hub.search.whoosh_backend import extra_fields

    writer = sync.backend(app).ix().writer(timeout=30, delay=0.05, limitmb=256)
    with Session(app.extensions["sqlalchemy"].engine) as session:
        ids = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
        for start in range(0, len(ids), sync.BATCH):
            for item in sync.load_items(session, ids[start:start + sync.BATCH]):
                doc = document_for(item, sync.text_of(item))
                writer.add_document(**doc, **extra_fields(doc))
            session.expunge_all()
    writer.commit(mergetype=CLEAR)


def measure(app, label, rebuild):
    """Run one rebuild from an empty index folder and print its figures."""
    from hub.search import sync

    index = sync.backend(app)
    index.reset()
    shutil.rmtree(app.config["INDEX_FOLDER"], ignore_errors=True)
    index.ix()  # an empty index, as a rebuild finds when it starts
    empty = folder_bytes(app.config["INDEX_FOLDER"])
    peak = Peak(app.config["INDEX_FOLDER"])
    peak.start()
    wall, cpu = time.perf_counter(), cpu_seconds()
    rebuild(app)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    peak.stop()
    size = index.size_bytes()
    temporary = max(peak.peak - size - empty, 0)
    with index.searcher() as searcher:
        segments, docs = len(searcher.reader().leaf_readers()), searcher.doc_count()
    print(f"{label:6} {wall:8.1f} {cpu:8.1f} {size / 1e6:9.1f} {temporary / 1e6:9.1f} {temporary / size:6.2f}x "
          f"{segments:9} {docs:7}", flush=True)
    return wall, cpu, size, temporary


VARIANTS = {"cli": old_rebuild, "worker": old_worker_rebuild, "new": None}  # None: sync.rebuild, resolved late


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()

    from search import Zipf, build_library, vocabulary

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HUB_INSTANCE_PATH"] = tmp
        from flask_migrate import upgrade

        from hub import create_app
        from hub.search import sync

        app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        rng = random.Random(7)
        with app.app_context():
            upgrade()
            build_library(app, args.items, rng, Zipf(vocabulary(20000, rng), rng))
            print(f"{args.items:,} items, about 600 words of text each")
            print(f"{'':6} {'wall s':>8} {'CPU s':>8} {'index MB':>9} {'temp MB':>9} {'temp/index':>7} {'segments':>9} "
                  f"{'docs':>7}")
            results = {}
            for label in args.only:
                results[label] = measure(app, label, VARIANTS[label] or sync.rebuild)
            sync.backend(app).reset()
        if "new" in results:
            nw, nc, size, temporary = results["new"]
            for label in ("cli", "worker"):
                if label in results:
                    ow, oc, _, _ = results[label]
                    print(f"new/{label}: wall {nw / ow:.2f}x, CPU {nc / oc:.2f}x")
            print(f"new: temporary disk {temporary / size:.2f}x the index (target <= 2x)")


if __name__ == "__main__":
    main()
