"""Keeps the index in step with the database: the one place that writes to it.

Any flush that touches an item, its files or a stage records the item ids in the
`search_outbox` table, inside the same transaction. After the commit, the outbox is drained
under the index's write lock: each pending item is re-read from the database and written to
the index (or removed), then its outbox rows are deleted. A worker that dies, or cannot get the
lock in time, leaves its rows behind for the next commit, search or `flask reindex` to finish:
no update is lost, and no lock error reaches a user.
"""
import logging
import threading

from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import delete, event, exists, func, insert, select, update
from sqlalchemy.orm import Session, selectinload, undefer
from whoosh.index import LockError

from hub.library import files
from hub.library.models import Collateral, FileVersion, Stage, collateral_stages
from hub.search.documents import document_for
from hub.search.extract import extract
from hub.search.models import SearchOutbox

log = logging.getLogger(__name__)
BATCH = 500
_starting = threading.Lock()  # one background rebuild per process


# --- recording changes (inside the user's transaction) ---------------------------------------------


def changed_item_ids(session):
    """Ids of items whose index entry this flush makes stale."""
    ids, stage_ids = set(), set()
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, Collateral) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, FileVersion) and obj.collateral_id is not None:
            ids.add(obj.collateral_id)
        elif isinstance(obj, Stage) and obj.id is not None and obj in session.dirty:
            stage_ids.add(obj.id)
    if stage_ids:
        link = collateral_stages.c
        ids.update(session.execute(select(link.collateral_id).where(link.stage_id.in_(stage_ids))).scalars())
    return ids


@event.listens_for(FlaskSession, "after_flush")
def record_changes(session, flush_context):
    """Write outbox rows in the same transaction as the change itself."""
    ids = changed_item_ids(session)
    if ids:
        session.connection().execute(insert(SearchOutbox), [{"collateral_id": i} for i in sorted(ids)])
        session.info["search_pending"] = True


@event.listens_for(FlaskSession, "after_commit")
def drain_after_commit(session):
    """Bring the index up to date right after the change is committed."""
    if session.info.pop("search_pending", False) and has_app_context():
        drain(current_app._get_current_object())


@event.listens_for(FlaskSession, "after_rollback")
def forget_after_rollback(session):
    """A rolled-back change wrote no outbox rows, so there is nothing to drain."""
    session.info.pop("search_pending", None)


# --- applying them (after the commit, under the index lock) ---------------------------------------


def backend(app):
    """This process's backend for the app, created on first use."""
    from hub.search.whoosh_backend import WhooshBackend

    found = app.extensions.get("hub_search")
    if found is None:
        found = app.extensions["hub_search"] = WhooshBackend(app.config["INDEX_FOLDER"],
                                                             app.config["SEARCH_WRITER_TIMEOUT"])
    return found


def ready_backend(app):
    """The backend, its index rebuilt from the database first when it is new, or empty while the
    database is not (a rebuild that was killed before its commit leaves an empty index behind)."""
    search = backend(app)
    search.ix()
    if search.created or (not rebuilding(app) and search.doc_count() == 0):
        search.created = False
        count = item_count(app)
        if count and count <= app.config["SEARCH_INLINE_REBUILD_ITEMS"]:
            rebuild(app)
        elif count:
            rebuild_in_background(app)
    return search


def search(app, query):
    """Run a search; an index that vanished or broke under a running worker is reopened (and rebuilt)."""
    from hub.search.whoosh_backend import INDEX_ERRORS

    try:
        return ready_backend(app).search(query)
    except INDEX_ERRORS:
        log.exception("the search index failed under a running search: reopening it")
        backend(app).reset()
        return ready_backend(app).search(query)


def rebuild_in_background(app):
    """Rebuild a large library's index in a thread: a request must not wait minutes for it (nor be
    killed by the server's timeout halfway). Searches meanwhile say results may be incomplete."""
    with _starting:
        if rebuilding(app):
            return
        thread = threading.Thread(target=_rebuild_thread, args=(app,), name="hub-search-rebuild", daemon=True)
        app.extensions["hub_search_rebuild"] = thread
        thread.start()


def _rebuild_thread(app):
    with app.app_context():
        try:
            count = rebuild(app)
            log.info("search index rebuilt in the background: %d items", count)
        except LockError:
            log.warning("search index rebuild waited too long for the write lock (another worker "
                        "is probably rebuilding it); the next search tries again")
        except Exception:
            log.exception("background search index rebuild failed; the next search tries again")


def rebuilding(app):
    """True while this process rebuilds the index in the background."""
    thread = app.extensions.get("hub_search_rebuild")
    return bool(thread and thread.is_alive())


def drain(app, limit=BATCH, wait=True):
    """Index every pending change; failures are logged and left for the next drain.

    A search drains with wait=False: it gives up at once when another worker holds the write
    lock, and leaves items whose files were never read to a writer's drain, so a search never
    waits for the lock (up to SEARCH_WRITER_TIMEOUT) or for text extraction."""
    try:
        while drain_once(app, limit, wait) == limit:
            pass
    except LockError:
        log.info("the search index is busy; queued changes wait for the next drain")
    except Exception:
        log.exception("search index update failed; the changes stay queued and will be retried")
        backend(app).reset()


def drain_once(app, limit, wait=True):
    """One batch of the outbox: extract text first (no lock), then index under the lock."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        rows = session.execute(select(SearchOutbox.id, SearchOutbox.collateral_id)
                               .order_by(SearchOutbox.id).limit(limit)).all()
        ids = {item_id for _, item_id in rows}
        if wait:
            extract_missing(session, ids)
        else:
            unread = set(session.scalars(select(FileVersion.collateral_id).where(
                FileVersion.collateral_id.in_(ids), FileVersion.text_indexed.is_(None))))
            rows, ids = [row for row in rows if row[1] not in unread], ids - unread
        if not rows:
            return 0
        session.commit()  # end this snapshot: the items are read afresh once the lock is held
        search = ready_backend(app)

        def changes():
            items = load_items(session, ids)
            return [document_for(item, text_of(item)) for item in items], ids - {item.id for item in items}

        search.apply(changes, timeout=None if wait else 0)
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row_id for row_id, _ in rows])))
        session.commit()
        return len(rows)


def load_items(session, ids):
    """Items with their stages and current text, in one round trip each."""
    return session.scalars(
        select(Collateral).where(Collateral.id.in_(ids))
        .options(selectinload(Collateral.stages), selectinload(Collateral.versions).options(undefer(FileVersion.extracted_text)))
    ).all()


def text_of(item):
    """The extracted text of the item's current file ('' for links and unread files)."""
    version = item.current_version
    return (version.extracted_text or "") if version else ""


def extract_missing(session, item_ids):
    """Extract and store the text of current versions that were never read."""
    versions = session.scalars(
        select(FileVersion).where(FileVersion.collateral_id.in_(item_ids), FileVersion.text_indexed.is_(None))
    ).all()
    for version in versions:
        result = extract(files.path_for(version.stored_name), version.kind)
        session.execute(update(FileVersion).where(FileVersion.id == version.id).values(
            extracted_text=result.text, text_indexed=result.ok, text_error=result.error[:300]))
    if versions:
        session.commit()


def rebuild(app, progress=None, procs=1):
    """Rebuild the whole index from the database; the outbox as it was is then applied on top."""
    state = {"last": 0, "count": 0}
    with Session(app.extensions["sqlalchemy"].engine) as session:
        ids = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
        for start in range(0, len(ids), BATCH):
            extract_missing(session, ids[start:start + BATCH])
        session.commit()  # end this snapshot: the rebuild reads afresh once the lock is held

        def documents():
            # Runs with the write lock held, so nothing indexed by another process is lost.
            state["last"] = session.scalar(select(func.max(SearchOutbox.id))) or 0
            current = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
            state["count"] = len(current)
            for start in range(0, len(current), BATCH):
                for item in load_items(session, current[start:start + BATCH]):
                    yield document_for(item, text_of(item))
                session.expunge_all()

        backend(app).rebuild(documents(), progress, procs)
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= state["last"]))
        session.commit()
    drain(app)
    return state["count"]


def expected_fingerprints(app):
    """{id: fingerprint} as the database says the index should hold."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        expected = {}
        ids = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
        for start in range(0, len(ids), BATCH):
            for item in load_items(session, ids[start:start + BATCH]):
                doc = document_for(item, text_of(item))
                expected[doc["id"]] = doc["fingerprint"]
            session.expunge_all()
        return expected


def pending_count(app):
    """How many changes wait in the outbox."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        return session.scalar(select(func.count(SearchOutbox.id)))


def has_pending(app):
    """Whether any change waits in the outbox (cheaper than counting them)."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        return session.scalar(select(exists().where(SearchOutbox.id.is_not(None))))


def item_count(app):
    with Session(app.extensions["sqlalchemy"].engine) as session:
        return session.scalar(select(func.count(Collateral.id)))
