"""Keeps the index in step with the database: the one place that writes to it.

Any flush that touches an item, its files or a stage queues a `search.index` job per item, inside
the same transaction (hub.jobs: the transactional outbox). A background worker then reads each
pending item afresh, extracts its file's text when that was never done, and writes the item to the
index (or removes it) under the index's write lock; the job is deleted only after that. A worker
that dies, or cannot get the lock in time, leaves its jobs for another worker or a later attempt:
no update is lost, and no web request ever waits for extraction or for the index.

The worker also watches the index: one that is missing, unreadable or empty beside a non-empty
database is rebuilt in the background (`search.rebuild`), while searches answer from the database.
"""
import logging

from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session, selectinload, undefer

from hub import jobs
from hub.jobs.models import Job
from hub.library import files
from hub.library.models import Collateral, FileVersion, Stage, collateral_stages
from hub.search.backend import IndexBusy
from hub.search.documents import document_for
from hub.search.extract import extract

log = logging.getLogger(__name__)
BATCH = 500
INDEX_JOB, REBUILD_JOB = "search.index", "search.rebuild"


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
    """Queue an index job per changed item in the same transaction as the change itself."""
    ids = changed_item_ids(session)
    if ids:
        jobs.enqueue(INDEX_JOB, sorted(ids), session=session)


# --- the worker's side ----------------------------------------------------------------------------


def backend_name(app):
    """'postgres' or 'whoosh': HUB_SEARCH_BACKEND, else PostgreSQL's own search when Hub runs on
    PostgreSQL (one index for every app host) and the Whoosh files beside SQLite."""
    name = app.config.get("SEARCH_BACKEND")
    if name:
        return name
    return "postgres" if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql") else "whoosh"


def backend(app):
    """This process's backend for the app, created on first use."""
    found = app.extensions.get("hub_search")
    if found is None:
        timeout = app.config["SEARCH_WRITER_TIMEOUT"]
        if backend_name(app) == "postgres":
            from hub.search.postgres_backend import PostgresBackend

            found = PostgresBackend(lambda: app.extensions["sqlalchemy"].engine, timeout)
        else:
            from hub.search.whoosh_backend import WhooshBackend

            found = WhooshBackend(app.config["INDEX_FOLDER"], timeout)
        app.extensions["hub_search"] = found
    return found


@jobs.handler(INDEX_JOB)
def index_items(claimed):
    """Extract what was never read, then write the items to the index (a missing index is rebuilt)."""
    index_now(current_app._get_current_object(), {int(job.key) for job in claimed})


def index_now(app, ids):
    """Extract what was never read of these items, then write them to the index (an index that is
    missing, or was built with another schema or analysis, is rebuilt whole)."""
    if not backend(app).current():
        backend(app).reset()
        rebuild(app)  # covers these items too
        return
    with Session(app.extensions["sqlalchemy"].engine) as session:
        extract_missing(session, ids)
        session.commit()  # end this snapshot: the items are read afresh once the lock is held

        def changes():
            items = load_items(session, ids)
            return [document_for(item, text_of(item)) for item in items], ids - {item.id for item in items}

        try:
            backend(app).apply(changes)
        except IndexBusy as e:  # another worker is writing the index: this is not the job's fault
            raise jobs.RetryLater("the search index is locked by another writer") from e


@jobs.handler(REBUILD_JOB)
def rebuild_job(claimed):
    """The whole index from the database (queued by watch_index), unless the index has become whole
    since: on a new instance the first item's index job builds the missing index in the same batch,
    and a second full rebuild would only repeat it."""
    app = current_app._get_current_object()
    backend(app).reset()
    if backend(app).state() == "ok" and backend(app).current():
        log.info("search index rebuild skipped: the index was rebuilt since the job was queued")
        return
    count = rebuild(app)
    log.info("search index rebuilt: %d items", count)


@jobs.periodic(60)
def watch_index():
    """Queue a rebuild when the index is missing, unreadable, or empty beside a non-empty database
    (what a rebuild killed before its commit leaves behind)."""
    app = current_app._get_current_object()
    state = backend(app).state()
    if state == "ok" or (state in ("empty", "missing") and not item_count(app)):
        return  # nothing to index yet: the first item's job creates the index
    log.warning("the search index is %s: queueing a rebuild", state)
    jobs.enqueue(REBUILD_JOB, ["all"], unique=True)


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
    """Extract and store (no commit) the text of the items' file versions that were never read."""
    versions = session.scalars(
        select(FileVersion).where(FileVersion.collateral_id.in_(item_ids), FileVersion.text_indexed.is_(None))
    ).all()
    for version in versions:
        result = extract(files.path_for(version.stored_name), version.kind)
        session.execute(update(FileVersion).where(FileVersion.id == version.id).values(
            extracted_text=result.text, text_indexed=result.ok, text_error=(result.error or result.partial)[:300]))


def reread(app, item_id):
    """Read an item's current file again (after a failure or a partial read) and index it; returns
    the version's text status, or None when the item has no file."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        item = session.get(Collateral, item_id)
        if item is None:
            raise LookupError(f"There is no item {item_id}.")
        version_id = item.current_version.id if item.current_version else None
        if version_id is None:
            return None
        session.execute(update(FileVersion).where(FileVersion.id == version_id).values(text_indexed=None))
        session.commit()
    index_now(app, {item_id})
    with Session(app.extensions["sqlalchemy"].engine) as session:
        return session.get(FileVersion, version_id).text_status


def rebuild(app, progress=None, procs=1):
    """Rebuild the whole index from the database; index jobs queued before it are then done too."""
    state = {"last": 0, "count": 0}
    with Session(app.extensions["sqlalchemy"].engine) as session:
        ids = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
        for start in range(0, len(ids), BATCH):
            extract_missing(session, ids[start:start + BATCH])
            session.commit()
        session.commit()  # end this snapshot: the rebuild reads afresh once the lock is held

        def documents():
            # Runs with the write lock held, so nothing indexed by another process is lost.
            state["last"] = session.scalar(select(func.max(Job.id)).where(Job.kind == INDEX_JOB)) or 0
            current = session.scalars(select(Collateral.id).order_by(Collateral.id)).all()
            state["count"] = len(current)
            for start in range(0, len(current), BATCH):
                for item in load_items(session, current[start:start + BATCH]):
                    yield document_for(item, text_of(item))
                session.expunge_all()

        backend(app).rebuild(documents(), progress, procs)
        # Jobs queued before the read are in the new index; unleased ones need not run again.
        session.execute(delete(Job).where(Job.kind == INDEX_JOB, Job.id <= state["last"],
                                          Job.leased_until.is_(None)))
        session.commit()
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
    """How many index jobs wait (committed changes not yet in the index)."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        return session.scalar(select(func.count(Job.id)).where(Job.kind == INDEX_JOB, Job.failed_at.is_(None)))


def index_health(app):
    """The index as the health page shows it: {"state": 'ok' | 'empty' | 'missing' | 'unreadable',
    "documents": int or None, "items": items in the database, "pending": index jobs waiting,
    "rebuilding": bool (a rebuild is queued or running), "answering": whether searches use the index
    (False: they answer from the database)}."""
    index = backend(app)
    state = index.state()
    with Session(app.extensions["sqlalchemy"].engine) as session:
        rebuilding = bool(session.scalar(select(func.count(Job.id)).where(Job.kind == REBUILD_JOB,
                                                                          Job.failed_at.is_(None))))
    items = item_count(app)
    return {"state": state, "documents": index.doc_count() if state in ("ok", "empty") else None, "items": items,
            "pending": pending_count(app), "rebuilding": rebuilding,
            "answering": state == "ok" or (state != "unreadable" and not items)}


def item_count(app):
    """How many items the database holds (drafts included)."""
    with Session(app.extensions["sqlalchemy"].engine) as session:
        return session.scalar(select(func.count(Collateral.id)))
