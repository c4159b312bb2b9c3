"""The default search backend: a Whoosh index in the instance folder.

One module owns the index: schema, opening, writing under Whoosh's file lock with a timeout,
reusing searchers, queries, facets, snippets and suggestions. Writes come only from
hub.search.sync, which feeds it from the database outbox.
"""
import fcntl
import logging
import re
from itertools import islice
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import collectors, fields, index, qparser, sorting
from whoosh.searching import ResultsPage
from whoosh import query as wq
from whoosh.analysis import StemmingAnalyzer
from whoosh.writing import CLEAR

from hub.search.backend import Drift, Hit, Results, SearchBackend

log = logging.getLogger(__name__)
SPACE = re.compile(r"\s+")
WORD = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)
TEXT_FIELDS = ("title", "description", "tags", "meta", "body")
FILTER_FIELDS = {"stage": "stage", "content_type": "content_type", "product": "product",
                 "industry": "industry", "persona": "persona", "status": "status"}


STEM = StemmingAnalyzer()


def schema():
    """Field boosts put the title above tags and description, and those above the body."""
    stem = STEM
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=stem, field_boost=5.0, stored=True),
        description=fields.TEXT(analyzer=stem, field_boost=2.0),
        tags=fields.TEXT(analyzer=stem, field_boost=2.5),
        meta=fields.TEXT(analyzer=stem, field_boost=1.5),
        body=fields.TEXT(analyzer=stem, stored=True),
        words=fields.KEYWORD(lowercase=True, scorable=False),  # raw words, for "did you mean"
        stage=fields.KEYWORD(commas=True, stored=True),
        content_type=fields.ID(stored=True),
        product=fields.ID(stored=True),
        industry=fields.ID(stored=True),
        persona=fields.ID(stored=True),
        status=fields.ID(stored=True),
        expires=fields.NUMERIC(int, bits=32, stored=True),
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
    return {"words": raw_words(doc)}


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
        self._postings = {}      # (generation, field, value) -> frozenset of docnums
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
            self._ix, self._current, self._postings = None, None, {}

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
                        self._current, self._postings = fresh, {}
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

    def parser(self, searcher, group=qparser.AndGroup):
        """Words, phrases, AND/OR/NOT, grouping and trailing prefixes; no field or range syntax."""
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), searcher.schema, group=group)
        for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.BoostPlugin):
            parser.remove_plugin_class(plugin)
        return parser

    def access_filter(self, q):
        """Reps: approved and not expired; plus the chosen facet filters."""
        terms = []
        if q.live_only:
            terms += [wq.Term("status", "approved"), wq.NumericRange("expires", q.today + 1, None)]
        for name, value in q.filters.items():
            if value:
                terms.append(wq.Term(FILTER_FIELDS[name], value))
        return wq.And(terms) if terms else None

    def search(self, q):
        """Top hits with snippets, facet counts over all matches, and a suggestion when useful."""
        with self.searcher() as searcher:
            return self._search(searcher, q)

    def _search(self, searcher, q):
        allow = self.access_filter(q)
        parsed = self.parse(searcher, q.text) if q.text.strip() else wq.Every()
        page, corrected, notice = self.run(searcher, parsed, allow, q), False, ""
        parsed_used = parsed
        suggestion = self.suggest(searcher, q.text) if q.text.strip() and page.total < 3 else None
        if page.total == 0 and q.text.strip():
            widened = self.parse(searcher, q.text, group=qparser.OrGroup)
            if repr(widened) != repr(parsed):
                page, parsed_used = self.run(searcher, widened, allow, q), widened
                notice = "No item has all of those words; these have some of them." if page.total else ""
            if page.total == 0 and suggestion:
                parsed_used = self.parse(searcher, suggestion)
                page, corrected = self.run(searcher, parsed_used, allow, q), True
        hits = self.hits(page, q, parsed_used)
        facets = self.facet_counts(searcher, page, q) if q.facets else {}
        return Results(total=page.total, hits=hits, facets=facets, suggestion=suggestion,
                       corrected=corrected and bool(hits), notice=notice)

    def parse(self, searcher, text, group=qparser.AndGroup):
        try:
            return self.parser(searcher, group).parse(text)
        except Exception:  # the parser is tolerant, but never let a query string raise
            words = " ".join(WORD.findall(text)) or "\u2205"
            return self.parser(searcher, group).parse(words)

    def run(self, searcher, parsed, allow, q):
        """One pass over the matches: the top of the page scored, and every match recorded."""
        limit = q.page * q.per_page
        if q.sort == "newest":
            top = collectors.SortingCollector(sorting.FieldFacet("updated", reverse=True), limit=limit)
        else:
            top = RecordingTopCollector(limit=limit, usequality=False)
        collector = collectors.TermsCollector(top)
        if allow is not None:  # the filter must wrap last: only then does it see the documents first
            collector = collectors.FilterCollector(collector, allow=allow)
        searcher.search_with_collector(parsed, collector)
        page = ResultsPage(collector.results(), q.page, q.per_page)
        page.results.docset = top.docset  # the matched set, filter applied, for the total and facets
        page.total = len(top.docset)
        return page

    def hits(self, page, q, parsed):
        """The page's hits, each with a snippet from the document text around the matches."""
        terms = body_terms(page.results.searcher.reader(), parsed) if q.text.strip() else set()
        return [Hit(id=int(hit["id"]), score=round(hit.score or 0.0, 4), snippet=snippet(hit["body"], terms))
                for hit in page]

    def postings(self, searcher, field, value):
        """Doc numbers holding a facet value, cached until the index changes."""
        key = (searcher.reader().generation(), field, value)
        cached = self._postings.get(key)
        if cached is None:
            reader = searcher.reader()
            term = value.encode("utf-8") if isinstance(value, str) else value
            cached = frozenset(reader.postings(field, term).all_ids()) if (field, term) in reader else frozenset()
            self._postings[key] = cached
        return cached

    def facet_counts(self, searcher, page, q):
        """{facet: {value: count}} over every match of the query, not just this page."""
        matched = page.results.docs()
        counts = {}
        reader = searcher.reader()
        for facet in q.facets:
            field = FILTER_FIELDS[facet]
            values = {}
            for term in reader.lexicon(field):
                value = term.decode("utf-8")
                if not value:
                    continue  # items with no product, industry or persona
                n = len(matched & self.postings(searcher, field, value))
                if n:
                    values[value] = n
            counts[facet] = dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        return counts

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


class RecordingTopCollector(collectors.TopCollector):
    """TopCollector that remembers every matching document while it scores, so the total and the
    facet counts need no second pass (the stock one re-runs the query for them)."""

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.docset = set()

    def _collect(self, global_docnum, score):
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)

    def all_ids(self):
        return self.docset

    def count(self):
        return len(self.docset)


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


def snippet(text, terms, width=240, scan_limit=100_000):
    """[(text, highlighted), ...] for the passage holding the most distinct query words."""
    text = text or ""
    if not terms:
        return [(SPACE.sub(" ", text[:width]), False)] if text else []
    matches = [(t.startchar, t.endchar, t.text) for t in STEM(text[:scan_limit], chars=True, mode="index")
               if t.text in terms]
    if not matches:
        return [(SPACE.sub(" ", text[:width]), False)]
    best, best_score, right = 0, -1, 0
    for left, (start, _, _) in enumerate(matches):  # two pointers over the matches, in text order
        right = max(right, left)
        while right + 1 < len(matches) and matches[right + 1][1] <= start + width * 0.8:
            right += 1
        score = len({m[2] for m in matches[left:right + 1]})
        if score > best_score:
            best, best_score = left, score
            if score == len(terms):
                break
    start = max(0, matches[best][0] - width // 5)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    out = [("… ", False)] if start else []
    cursor = start
    for a, b, _ in matches[best:]:
        if b > end:
            break
        out += [(text[cursor:a], False), (text[a:b], True)]
        cursor = b
    out.append((text[cursor:end], False))
    if end < len(text):
        out.append((" …", False))
    return [(SPACE.sub(" ", part), marked) for part, marked in out if part]
