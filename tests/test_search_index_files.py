"""The index's files as the web workers read them (memory maps) and as a rebuild writes them (issue 16)."""
import os
import subprocess
import sys
import textwrap

from hub import ROOT
from hub.extensions import db
from hub.library import services as library
from hub.search import services, sync


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
           "PYTHONPATH": str(ROOT)}
    for title in ("Quokka plan", "Wombat plan", "Numbat plan"):  # several commits: segments merge and go away
        proc = subprocess.run([sys.executable, "-c", RETITLE, str(marketer.id), str(item.id), title],
                              env=env, cwd=ROOT, capture_output=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
        word = title.split()[0].lower()
        assert found(rep, word) == [item.id]               # this process sees the other's commit
        assert found(rep, "badger") == []
        assert sorted(found(rep, "heron")) == sorted(others)
    db.session.expire_all()
    library.update_item(marketer, db.session.get(type(item), item.id), {"title": "Ibex plan"})
    db.session.commit()
    sync.index_now(app, {item.id})
    assert found(rep, "ibex") == [item.id] and found(rep, "numbat") == []
    assert sync.backend(app).check(sync.expected_fingerprints(app)).clean
