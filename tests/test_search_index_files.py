"""The index's files as the web workers read them (memory maps) and as a rebuild writes them (issue 16)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hub import ROOT
from hub.extensions import db
from hub.library import services as library
from hub.library.models import Collateral
from hub.search import services, sync


@pytest.fixture(autouse=True)
def whoosh(app):
    """These tests are about Whoosh's files, whichever engine holds the database."""
    app.config["SEARCH_BACKEND"] = "whoosh"


def found(user, text):
    return [item.id for item, _, _ in services.search(user, text).hits]


def mapped_index_files(folder):
    """Paths under the index folder that this process has memory-mapped (/proc/self/maps)."""
    with open("/proc/self/maps") as f:
        return {line.split(None, 5)[5].strip() for line in f
                if len(line.split(None, 5)) == 6 and line.split(None, 5)[5].startswith(str(folder))}


RETITLE = textwrap.dedent("""
    import sys
    from hub import create_app
    from hub.auth.models import User
    from hub.extensions import db
    from hub.jobs.worker import Worker
    from hub.library import services
    from hub.library.models import Collateral
    app = create_app()
    with app.app_context():
        item = db.session.get(Collateral, int(sys.argv[2]))
        services.update_item(db.session.get(User, int(sys.argv[1])), item, {"title": sys.argv[3]})
        db.session.commit()
        Worker(app).run_once()
""")


def test_searches_map_the_index_files_and_see_commits_made_by_another_process(app, database_url, make_user,
                                                                               make_item):
    marketer, rep = make_user("marketing"), make_user("sales")
    item = make_item("approved", owner=marketer, title="Badger plan")
    others = [make_item("approved", owner=marketer, title=f"Heron plan {n}").id for n in range(3)]
    assert found(rep, "badger") == [item.id]
    folder = os.path.realpath(app.config["INDEX_FOLDER"])
    assert mapped_index_files(folder)                      # shared pages of the files, not a copy on the heap
    env = {**os.environ, "HUB_INSTANCE_PATH": app.instance_path, "HUB_SQLALCHEMY_DATABASE_URI": database_url,
           "HUB_SEARCH_BACKEND": "whoosh", "PYTHONPATH": str(ROOT)}
    for title in ("Quokka plan", "Numbat plan"):  # several commits: segments merge and go away
        proc = subprocess.run([sys.executable, "-c", RETITLE, str(marketer.id), str(item.id), title],
                              env=env, cwd=ROOT, capture_output=True, timeout=900, check=False)
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        word = title.split()[0].lower()
        assert found(rep, word) == [item.id]               # this process sees the other's commit
        assert found(rep, "badger") == []
        assert sorted(found(rep, "heron")) == sorted(others)
        everything = services.search(rep, "")                  # the replaced document counts once
        assert everything.total == 4 and everything.facets["content_type"] == {"one_pager": 4}
    db.session.expire_all()
    library.update_item(marketer, db.session.get(type(item), item.id), {"title": "Ibex plan"})
    db.session.commit()
    sync.index_now(app, {item.id})
    assert found(rep, "ibex") == [item.id] and found(rep, "numbat") == []
    assert sync.backend(app).check(sync.expected_fingerprints(app)).clean


def test_a_rebuild_written_in_several_segments_holds_what_the_database_holds(app, make_user, make_item, monkeypatch):
    from hub.search import whoosh_backend

    marketer, rep = make_user("marketing"), make_user("sales")
    live = [make_item("approved", owner=marketer, title=f"Otter brief {n}",
                      file=(f"Kelp forests and otter number {n}. ".encode() * 40, f"otter{n}.txt")).id for n in range(5)]
    draft = make_item("draft", owner=marketer, title="Otter draft").id
    monkeypatch.setattr(whoosh_backend, "REBUILD_POOL_MB", 0.02)     # a segment every document or two
    assert sync.rebuild(app) == 6                                   # what the worker's rebuild job runs
    index = sync.backend(app)
    with index.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) > 2
    assert index.check(sync.expected_fingerprints(app)).clean
    assert sorted(found(rep, "otter")) == sorted(live)              # the text was reused, not extracted again
    assert sorted(found(rep, "kelp")) == sorted(live)
    assert sorted(found(marketer, "otter")) == sorted([*live, draft])
    assert services.search(rep, "").facets["content_type"] == {"one_pager": 5}
    leftovers = [p.name for p in Path(app.config["INDEX_FOLDER"]).rglob("*") if p.suffix in (".run", ".doclist")]
    assert leftovers == []
    library.update_item(marketer, db.session.get(Collateral, live[0]), {"title": "Beaver brief"})
    db.session.commit()
    sync.index_now(app, {live[0]})
    assert found(rep, "beaver") == [live[0]]
    assert sorted(found(rep, "otter")) == sorted(live)               # its file still says otter
    assert index.check(sync.expected_fingerprints(app)).clean
