"""The default search backend: a Whoosh index in the instance folder.

This module owns the index: schema, opening, writing under Whoosh's file lock with a timeout,
and the searchers (snapshots) that searches share; hub.search.whoosh_search runs the searches.
Writes come only from hub.search.sync, which feeds it from the database outbox.
"""
import fcntl
import logging
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import fields, index
from whoosh.writing import CLEAR, SegmentWriter

from hub.search.analysis import ANALYSIS_VERSION, analysis_version, analyzer, folded_words
from hub.search.backend import IndexBusy, IndexUnavailable, SearchBackend
from hub.search.whoosh_query import TEXT_FIELDS
from hub.search.whoosh_search import Search, Snapshot, exact_title
from hub.search.whoosh_storage import MappedStorage

log = logging.getLogger(__name__)
# Whoosh's ways of saying that the files under an open index went away or are damaged.
INDEX_ERRORS = (OSError, EOFError, index.IndexError)


STEM = analyzer()
REBUILD_POOL_MB = 256  # postings sorted in memory per rebuild segment (Whoosh's estimate, about the real size)


def schema():
    """Field boosts put the title above tags and description, and those above the body. A query
    word that the analyzer splits (CJK bigrams) is a phrase of its parts."""
    stem = STEM
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=stem, field_boost=5.0, stored=True, multitoken_query="phrase"),
        title_exact=fields.ID(),  # the title's words: an exact title match ranks first
        description=fields.TEXT(analyzer=stem, field_boost=2.0, multitoken_query="phrase"),
        tags=fields.TEXT(analyzer=stem, field_boost=2.5, multitoken_query="phrase"),
        meta=fields.TEXT(analyzer=stem, field_boost=1.5, multitoken_query="phrase"),
        body=fields.TEXT(analyzer=stem, stored=True, multitoken_query="phrase"),
        # Folded, unstemmed words, for "did you mean". Scorable only so that Whoosh writes a length column for the
        # field: without one its writer stat()s the disk for every posting (370,000 per 1,000 items).
        words=fields.KEYWORD(lowercase=True, scorable=True),
        stage=fields.KEYWORD(commas=True, stored=True),
        content_type=fields.ID(stored=True),
        product=fields.ID(stored=True),
        industry=fields.ID(stored=True),
        persona=fields.ID(stored=True),
        status=fields.ID(stored=True),
        expires=fields.NUMERIC(int, bits=32, stored=True, sortable=True),
        updated=fields.NUMERIC(int, bits=64, stored=True, sortable=True),
        version=fields.NUMERIC(int, stored=True),
        fingerprint=fields.ID(stored=True),
    )


def raw_words(doc):
    """Each distinct unstemmed word of the document, folded as the analyzer folds, for suggestions."""
    return " ".join(folded_words(" ".join(doc[f] for f in TEXT_FIELDS)))  # any order: a KEYWORD field


def compatible(ix):
    """Whether an index was built with this schema and this version of the analysis."""
    return set(ix.schema.names()) == set(schema().names()) and analysis_version(ix.schema) == ANALYSIS_VERSION


def extra_fields(doc):
    """Fields derived from the document at indexing time."""
    return {"words": raw_words(doc), "title_exact": exact_title(doc["title"])}


@dataclass
class Lease:
    """A snapshot of the index and how many searches are using it right now."""

    snapshot: Snapshot
    users: int = 0
    retired: bool = False


class WhooshBackend(SearchBackend):
    """The index in files under the instance folder (one host)."""

    def __init__(self, folder, writer_timeout=30.0):
        self.folder = Path(folder)
        self.location = str(self.folder)
        self.writer_timeout = writer_timeout
        self._ix = None
        self._current = None     # the Lease of the newest searcher
        self._segments = {}      # what snapshots read from each segment, kept while the segment lives
        self._mutex = threading.RLock()  # _acquire opens the index while holding it

    # --- opening ----------------------------------------------------------------------------------

    def ix(self, create=True):
        """The open index. Writers (create=True) create it empty when missing and set it aside when
        corrupt; readers get IndexUnavailable instead and leave the repair to the worker."""
        if self._ix is None:
            with self._mutex:
                if self._ix is None:
                    self._ix = self._open() if create else self._open_existing()
        return self._ix

    def exists(self):
        """Whether an index has been created in the folder (readable or not): a table of contents is
        there (whoosh.index.exists_in would open, and raise for a damaged one)."""
        return self.folder.is_dir() and any(self.folder.glob(f"_{index._DEF_INDEX_NAME}_*.toc"))

    def current(self):
        """Whether an index exists and was built with this schema and analysis (else it needs a
        rebuild: writing a few items into a fresh one would lose the rest)."""
        if not self.exists():
            return False
        try:
            return compatible(self.ix(create=False))
        except IndexUnavailable:
            return False

    def state(self):
        """'ok', 'empty', 'missing' or 'unreadable' (for the worker's watch and `check-index`)."""
        if not self.exists():
            return "missing"
        try:
            return "ok" if self.doc_count() else "empty"
        except IndexUnavailable:
            return "unreadable"

    def _open_existing(self):
        if not self.exists():
            raise IndexUnavailable("The search index has not been built yet.")
        try:
            ix = MappedStorage(str(self.folder)).open_index()
        except Exception as e:  # any way a damaged index can fail to open
            raise IndexUnavailable(f"The search index is unreadable ({type(e).__name__}).") from e
        if not compatible(ix):
            raise IndexUnavailable("The search index was built for another version of Hub.")
        return ix

    def _open(self):
        """Open the index, or create it; under a file lock so two processes never both create it."""
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        with open(self.folder.parent / f".{self.folder.name}.create-lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return self._open_locked()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _open_locked(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if any(self.folder.iterdir()):
            try:
                ix = MappedStorage(str(self.folder)).open_index()
                with ix.searcher() as s:
                    s.doc_count()
                if compatible(ix):
                    return ix
                log.warning("search index schema or analysis changed: rebuilding")
            except Exception:  # any way a damaged index can fail to open
                log.exception("search index at %s is unreadable: setting it aside and rebuilding", self.folder)
            aside = self.folder.with_name(f"{self.folder.name}.broken-{int(time.time())}")
            shutil.move(str(self.folder), str(aside))
            self.folder.mkdir(parents=True)
        return MappedStorage(str(self.folder)).create_index(schema())

    def reset(self):
        """Forget the open index and searcher (after an error, or when the folder was replaced)."""
        with self._mutex:
            if self._current is not None:
                self._retire(self._current)
            self._ix, self._current = None, None
            self._segments.clear()

    @contextmanager
    def snapshot(self):
        """The latest commit's snapshot, shared by threads and closed when its last user is done.

        A new searcher is opened only when the index changed. Searcher.refresh() is not used: it
        reuses segment readers and misses deletions made since, so updated items showed twice.
        """
        lease = self._acquire()
        try:
            yield lease.snapshot
        finally:
            with self._mutex:
                lease.users -= 1
                if lease.retired and lease.users == 0:
                    lease.snapshot.close()

    @contextmanager
    def searcher(self):
        """A Whoosh searcher of the latest commit (see snapshot())."""
        with self.snapshot() as snapshot:
            yield snapshot.searcher

    def _acquire(self):
        for attempt in range(5):
            try:
                with self._mutex:
                    current = self._current
                    if current is None or not current.snapshot.searcher.up_to_date():
                        fresh = Lease(Snapshot(self.ix(create=False).searcher(), self._segments))
                        self._forget_segments(fresh.snapshot.segment_ids())
                        if current is not None:
                            self._retire(current)
                        self._current = fresh
                    self._current.users += 1
                    return self._current
            except FileNotFoundError:  # a segment was merged away while we opened it: try again
                time.sleep(0.02 * (attempt + 1))
        raise IndexUnavailable("The search index could not be opened.")

    def _forget_segments(self, alive):
        """Drop what was read from segments that a commit merged away or a rebuild cleared."""
        for key in list(self._segments):  # list(): other threads may add entries meanwhile
            if key[0] not in alive:
                self._segments.pop(key, None)

    def _retire(self, lease):
        lease.retired = True
        if lease.users == 0:
            lease.snapshot.close()

    # --- writing ----------------------------------------------------------------------------------

    def apply(self, changes, timeout=None):
        """Take the write lock, then call changes() for (documents, removed ids) and commit them.

        The caller reads the database inside changes(), so with the lock held: whatever was
        committed after that read has its own outbox row and is written after us. Raises
        IndexBusy when the lock stays taken for `timeout` seconds.
        """
        timeout = self.writer_timeout if timeout is None else timeout
        try:
            writer = self.ix().writer(timeout=timeout, delay=0.05)
        except index.LockError as e:
            raise IndexBusy("another worker is writing the search index") from e
        try:
            documents, removed_ids = changes()
            unique = {doc["id"]: doc for doc in documents}  # update twice in one writer = two copies
            for item_id in removed_ids:
                if str(item_id) not in unique:
                    writer.delete_by_term("id", str(item_id))
            for doc in unique.values():
                writer.update_document(**doc, **extra_fields(doc))
        except BaseException:
            writer.cancel()  # never commit after cancel: that would hide the real error
            raise
        writer.commit()

    def rebuild(self, documents, progress=None, procs=1):
        """Write every document into a cleared index in one commit; `documents` is a generator,
        first advanced with the write lock held.

        Whoosh's writer sorts postings in a pool; a pool bigger than `limitmb` spills pickled runs to
        disk and merges them back in pure Python (2.45 GB of runs for a 261 MB index at 30,000
        items, most of the time). So the documents go into segments that each fit one pool: a
        segment is written out when its pool (REBUILD_POOL_MB) is half full, and the one commit lists them all
        (MERGE_SMALL never merges segments this size, later commits add small ones beside them).
        The helper writers and _commit_toc are Whoosh's own multiprocessing writer's way of
        committing several segments at once (whoosh.multiproc, 2.7.5, pinned).

        procs > 1 (the CLI only: it forks) uses Whoosh's multiprocessing writer instead, as before:
        faster on idle cores, but each process's pool still spills runs to disk."""
        if procs > 1:
            return self._rebuild_parallel(documents, progress, procs)
        writer = self.ix().writer(timeout=self.writer_timeout, delay=0.05)
        segments, part = [], None
        try:
            for doc in documents:
                if part is None:
                    part = SegmentWriter(self.ix(), _lk=False, limitmb=REBUILD_POOL_MB)
                part.add_document(**doc, **extra_fields(doc))
                if part.pool.currentsize > part.pool.limit // 2:
                    segments.append(part._finalize_segment())
                    part = None
                if progress:
                    progress(1)
            if part is not None:
                segments.append(part._finalize_segment())
                part = None
        except BaseException:
            if part is not None:
                part._close_segment()
            writer.cancel()
            raise
        writer._close_segment()  # the locking writer's own segment stays empty
        writer._commit_toc(segments)
        writer._finish()

    def _rebuild_parallel(self, documents, progress, procs):
        """The rebuild with Whoosh's MpWriter: one segment per helper process, one commit."""
        writer = self.ix().writer(timeout=self.writer_timeout, delay=0.05, limitmb=REBUILD_POOL_MB, procs=procs,
                                  multisegment=True)
        try:
            for doc in documents:
                writer.add_document(**doc, **extra_fields(doc))
                if progress:
                    progress(1)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)

    def fingerprints(self):
        with self.searcher() as searcher:
            return {stored["id"]: stored["fingerprint"] for stored in searcher.all_stored_fields()}

    def size_bytes(self):
        return sum(p.stat().st_size for p in self.folder.glob("*") if p.is_file())

    # --- searching --------------------------------------------------------------------------------

    def search(self, q):
        """Top hits with snippets, facet counts over all matches, and a suggestion when useful.

        Files that went away under this process (a rebuild elsewhere) are reopened once; after
        that, or when there is no readable index, IndexUnavailable."""
        for attempt in range(2):
            try:
                with self.snapshot() as snapshot:
                    return Search(snapshot, q).run()
            except INDEX_ERRORS:
                log.warning("the search index failed under a running search: reopening it", exc_info=True)
                self.reset()
        raise IndexUnavailable("The search index could not be read.")

    def doc_count(self):
        try:
            with self.searcher() as searcher:
                return searcher.doc_count()
        except INDEX_ERRORS as e:
            self.reset()
            raise IndexUnavailable("The search index could not be read.") from e
