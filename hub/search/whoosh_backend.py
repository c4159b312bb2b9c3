"""The default search backend: a Whoosh index in the instance folder.

One module owns the index: schema, opening, writing under Whoosh's file lock with a timeout,
reusing searchers, and searching (facets, ranking, snippets, suggestions). Writes come only from
hub.search.sync, which feeds it from the database outbox. Whatever a search needs that depends
only on the index (filter sets, columns, postings of facet values) is computed once per index
generation and shared by every search until the next commit.
"""
import fcntl
import heapq
import logging
import re
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from whoosh import fields, index, qparser
from whoosh import query as wq
from whoosh.analysis import StemmingAnalyzer
from whoosh.writing import CLEAR

from hub.search.backend import Drift, Hit, Results, SearchBackend
from hub.search.snippets import snippet
from hub.search.whoosh_query import TEXT_FIELDS, Scorer, parser

log = logging.getLogger(__name__)
WORD = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)
TITLE_WORD = re.compile(r"\w+", re.UNICODE)
FILTER_FIELDS = {"stage": "stage", "content_type": "content_type", "product": "product",
                 "industry": "industry", "persona": "persona", "status": "status"}


STEM = StemmingAnalyzer()


def schema():
    """Field boosts put the title above tags and description, and those above the body."""
    stem = STEM
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=stem, field_boost=5.0, stored=True),
        title_exact=fields.ID(),  # the title's words: an exact title match ranks first
        description=fields.TEXT(analyzer=stem, field_boost=2.0),
        tags=fields.TEXT(analyzer=stem, field_boost=2.5),
        meta=fields.TEXT(analyzer=stem, field_boost=1.5),
        body=fields.TEXT(analyzer=stem, stored=True),
        # Raw words, for "did you mean". Scorable only so that Whoosh writes a length column for the
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
    """Each distinct unstemmed word of the document, for spelling suggestions."""
    text = " ".join(doc[f] for f in TEXT_FIELDS).lower()
    return " ".join(sorted(set(WORD.findall(text))))


def extra_fields(doc):
    """Fields derived from the document at indexing time."""
    return {"words": raw_words(doc), "title_exact": exact_title(doc["title"])}


@dataclass
class Lease:
    """A searcher and how many searches are using it right now."""

    searcher: object
    users: int = 0
    retired: bool = False


class WhooshBackend(SearchBackend):
    def __init__(self, folder, writer_timeout=30.0):
        self.folder = Path(folder)
        self.writer_timeout = writer_timeout
        self._ix = None
        self._current = None     # the Lease of the newest searcher
        self._cache = {}         # (generation, ...) -> what searches derive from the index
        self._mutex = threading.RLock()  # _acquire opens the index while holding it
        self.created = False     # True when this process had to create an empty index

    # --- opening ----------------------------------------------------------------------------------

    def ix(self):
        """The open index, created empty when missing and set aside when corrupt."""
        if self._ix is None:
            with self._mutex:
                if self._ix is None:
                    self._ix = self._open()
        return self._ix

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
                ix = index.open_dir(self.folder)
                with ix.searcher() as s:
                    s.doc_count()
                if set(ix.schema.names()) == set(schema().names()):
                    return ix
                log.warning("search index schema changed: rebuilding")
            except Exception:  # any way a damaged index can fail to open
                log.exception("search index at %s is unreadable: setting it aside and rebuilding", self.folder)
            aside = self.folder.with_name(f"{self.folder.name}.broken-{int(time.time())}")
            shutil.move(str(self.folder), str(aside))
            self.folder.mkdir(parents=True)
        self.created = True
        return index.create_in(self.folder, schema())

    def reset(self):
        """Forget the open index and searcher (after an error, or when the folder was replaced)."""
        with self._mutex:
            if self._current is not None:
                self._retire(self._current)
            self._ix, self._current, self._cache = None, None, {}

    @contextmanager
    def searcher(self):
        """A searcher of the latest commit, shared by threads and closed when its last user is done.

        A new searcher is opened only when the index changed. Searcher.refresh() is not used: it
        reuses segment readers and misses deletions made since, so updated items showed twice.
        """
        lease = self._acquire()
        try:
            yield lease.searcher
        finally:
            with self._mutex:
                lease.users -= 1
                if lease.retired and lease.users == 0:
                    lease.searcher.close()

    def _acquire(self):
        for attempt in range(5):
            try:
                with self._mutex:
                    current = self._current
                    if current is None or not current.searcher.up_to_date():
                        fresh = Lease(self.ix().searcher())
                        if current is not None:
                            self._retire(current)
                        self._current, self._cache = fresh, {}
                    self._current.users += 1
                    return self._current
            except FileNotFoundError:  # a segment was merged away while we opened it: try again
                time.sleep(0.02 * (attempt + 1))
        raise RuntimeError("could not open the search index")

    def _retire(self, lease):
        lease.retired = True
        if lease.users == 0:
            lease.searcher.close()

    # --- writing ----------------------------------------------------------------------------------

    def apply(self, changes):
        """Take the write lock, then call changes() for (documents, removed ids) and commit them.

        The caller reads the database inside changes(), so with the lock held: whatever was
        committed after that read has its own outbox row and is written after us.
        """
        writer = self.ix().writer(timeout=self.writer_timeout, delay=0.05)
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
        """Write every document into a cleared index in one commit (procs > 1 forks helpers: CLI only).

        `documents` is a generator, first advanced with the write lock held."""
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = self.ix().writer(timeout=self.writer_timeout, delay=0.05, limitmb=256, **options)
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

    def check(self, expected):
        """Compare {id: fingerprint} from the database with the index."""
        indexed = self.fingerprints()
        return Drift(
            missing=sorted((i for i in expected if i not in indexed), key=int),
            stale=sorted((i for i in expected if i in indexed and indexed[i] != expected[i]), key=int),
            extra=sorted((i for i in indexed if i not in expected), key=int),
        )

    def size_bytes(self):
        return sum(p.stat().st_size for p in self.folder.glob("*") if p.is_file())

    # --- searching --------------------------------------------------------------------------------

    def search(self, q):
        """Top hits with snippets, facet counts over all matches, and a suggestion when useful."""
        with self.searcher() as searcher:
            return Search(self, searcher, q).run()

    def cached(self, searcher, key, compute):
        """A value derived from the index, computed once per index generation."""
        key = (searcher.reader().generation(), *key)
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = compute()
        return value

    def postings(self, searcher, field, value):
        """Doc numbers holding a term (deleted documents excluded)."""
        def compute():
            reader = searcher.reader()
            term = value.encode("utf-8") if isinstance(value, str) else value
            return frozenset(reader.postings(field, term).all_ids()) if (field, term) in reader else frozenset()
        return self.cached(searcher, ("postings", field, value), compute)

    def column(self, searcher, field):
        """Every document's value of a sortable field, by doc number."""
        return self.cached(searcher, ("column", field), lambda: list(searcher.reader().column_reader(field)))

    def all_docs(self, searcher):
        """Doc numbers of the live (not deleted) documents."""
        return self.cached(searcher, ("all",), lambda: frozenset(searcher.reader().all_doc_ids()))

    def lengths(self, searcher, field):
        """Every document's length of a text field, by doc number, for scoring."""
        def compute():
            reader = searcher.reader()
            return [reader.doc_field_length(d, field, 1) or 1 for d in range(reader.doc_count_all())]
        return self.cached(searcher, ("lengths", field), compute)

    def unexpired(self, searcher, today):
        """Doc numbers whose expiry date is after `today` (YYYYMMDD)."""
        def compute():
            return frozenset(d for d, expires in enumerate(self.column(searcher, "expires")) if expires > today)
        return self.cached(searcher, ("unexpired", today), compute)

    def allowed(self, searcher, q):
        """Doc numbers this query may return (None: all): reps see approved, unexpired items only."""
        parts = [self.postings(searcher, FILTER_FIELDS[name], value) for name, value in q.filters.items() if value]
        if q.live_only:
            parts += [self.postings(searcher, "status", "approved"), self.unexpired(searcher, q.today)]
        if not parts:
            return None
        parts.sort(key=len)
        return parts[0].intersection(*parts[1:])

    def docnums(self, searcher):
        """{item id: doc number} of the live documents."""
        def compute():
            reader = searcher.reader()
            return {int(item_id): d for d, item_id in enumerate(self.column(searcher, "id"))
                    if item_id and not reader.is_deleted(d)}
        return self.cached(searcher, ("docnums",), compute)

    def suggest(self, searcher, text):
        """The query with each unknown word replaced by the closest frequent indexed word."""
        reader = searcher.reader()
        changed, out = False, []
        for token in re.split(r"(\W+)", text):
            word = token.lower()
            if WORD.fullmatch(word) and word not in ("and", "or", "not") and (("words", word.encode()) not in reader):
                best = self.closest(reader, word)
                if best:
                    out.append(best)
                    changed = True
                    continue
            out.append(token)
        return "".join(out).strip() if changed else None

    def closest(self, reader, word):
        maxdist = 1 if len(word) <= 4 else 2
        candidates = []
        for dist in range(1, maxdist + 1):
            for cand in reader.terms_within("words", word, dist, prefix=1):
                candidates.append((dist, -reader.doc_frequency("words", cand), cand))
            if candidates:
                break
        return min(candidates)[2] if candidates else None


class Search:
    """One search against one searcher: a single scoring pass feeds the total, facets and ranking."""

    def __init__(self, backend, searcher, q):
        self.backend, self.searcher, self.q = backend, searcher, q
        self.text = q.text.strip()

    def run(self):
        backend, searcher, q = self.backend, self.searcher, self.q
        allowed = backend.allowed(searcher, q)
        if not self.text:
            docs = backend.all_docs(searcher) if allowed is None else allowed
            return self.results(dict.fromkeys(sorted(docs), 0.0), None)
        parsed = self.parse(qparser.AndGroup)
        scores = self.match(parsed, allowed)
        suggestion = backend.suggest(searcher, self.text) if len(scores) < 3 else None
        corrected, notice = False, ""
        if not scores:
            widened = self.parse(qparser.OrGroup)
            if repr(widened) != repr(parsed):
                scores, parsed = self.match(widened, allowed), widened
                notice = "No item has all of those words; these have some of them." if scores else ""
            if not scores and suggestion:
                parsed = self.parse(qparser.AndGroup, suggestion)
                scores, corrected = self.match(parsed, allowed), True
        return self.results(scores, parsed, suggestion, corrected, notice)

    def match(self, parsed, allowed):
        """{doc number: score} of every document the query matches and the reader may see."""
        searcher, backend = self.searcher, self.backend
        scores = Scorer(searcher, lambda field: backend.lengths(searcher, field)).scores(parsed)
        if allowed is None and searcher.reader().has_deletions():
            allowed = backend.all_docs(searcher)
        if allowed is not None:
            scores = {d: s for d, s in scores.items() if d in allowed}
        return scores

    def parse(self, group, text=None):
        text = self.text if text is None else text
        try:
            return parser(self.searcher.schema, group).parse(text)
        except Exception:  # the parser is tolerant, but never let a query string raise
            words = " ".join(WORD.findall(text)) or "\u2205"
            return parser(self.searcher.schema, group).parse(words)

    def results(self, scores, parsed, suggestion=None, corrected=False, notice=""):
        ranked = self.rank(scores)
        terms = body_terms(self.searcher.reader(), parsed) if parsed is not None else set()
        hits = []
        for docnum, score in ranked:
            stored = self.searcher.stored_fields(docnum)
            hits.append(Hit(id=int(stored["id"]), score=round(score, 4), snippet=snippet(stored["body"], terms)))
        return Results(total=len(scores), hits=hits, facets=self.facet_counts(scores.keys()),
                       suggestion=suggestion, corrected=corrected and bool(hits), notice=notice)

    def rank(self, scores):
        """This page's (doc number, score): newest first, or by score with usage lifts applied and
        exact title matches above everything else, the newer item first on equal scores."""
        q, backend, searcher = self.q, self.backend, self.searcher
        first, limit = (q.page - 1) * q.per_page, q.page * q.per_page
        updated = backend.column(searcher, "updated")
        if q.sort == "newest":
            return [(d, scores[d]) for d in heapq.nlargest(limit, scores, key=updated.__getitem__)[first:]]
        docnums = backend.docnums(searcher)
        lifts = {docnums[i]: lift for i, lift in q.lifts.items() if i in docnums}
        exact = backend.postings(searcher, "title_exact", exact_title(self.text)) if self.text else frozenset()
        # Only documents at or above the limit-th raw score, lifted or exact ones can make the page.
        raw = heapq.nlargest(limit, scores.values())
        floor = raw[-1] if raw else 0.0
        candidates = [d for d, s in scores.items() if s >= floor or d in lifts or d in exact]
        score = lambda d: scores[d] * lifts.get(d, 1.0)  # noqa: E731
        top = heapq.nlargest(limit, candidates, key=lambda d: (d in exact, score(d), updated[d]))
        return [(d, score(d)) for d in top[first:]]

    def facet_counts(self, matched):
        """{facet: {value: count}} over every match of the query, not just this page."""
        counts = {}
        reader = self.searcher.reader()
        for facet in self.q.facets:
            field = FILTER_FIELDS[facet]
            values = {}
            for term in reader.lexicon(field):
                value = term.decode("utf-8")
                if not value:
                    continue  # items with no product, industry or persona
                n = len(matched & self.backend.postings(self.searcher, field, value))
                if n:
                    values[value] = n
            counts[facet] = dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        return counts


def exact_title(text):
    """A title or query reduced to its words, lower-cased: what counts as an exact title match."""
    return " ".join(TITLE_WORD.findall(text.lower()))


def body_terms(reader, parsed):
    """The body stems the query looks for, prefixes expanded (at most 50 words each)."""
    terms = set()
    for leaf in parsed.leaves():
        if getattr(leaf, "fieldname", None) != "body":
            continue
        if isinstance(leaf, wq.Prefix):
            terms.update(t.decode("utf-8") for t in islice(reader.expand_prefix("body", leaf.text), 50))
        elif isinstance(leaf, wq.Phrase):
            terms.update(leaf.words)
        elif isinstance(getattr(leaf, "text", None), str):
            terms.add(leaf.text)
    return terms
