"""Searching the Whoosh index: one query against one snapshot, for one page of results.

A search finds every match with its score in a single pass (hub.search.whoosh_query), and that
one {doc number: score} dictionary gives the total, the facet counts and the page's ranking.
What depends only on the index, not the query (filter sets, columns, field lengths), lives on
the Snapshot and is computed once per commit, then shared by every search until the next one.
"""
import heapq
import re

from whoosh import qparser
from whoosh import query as wq

from hub.search.analysis import TOKEN, fold
from hub.search.backend import Hit, Results
from hub.search.snippets import snippet
from hub.search.whoosh_query import Scorer, blocks, expansions, parser

WORD = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)  # the (folded) words spelling suggestions are made of
FILTER_FIELDS = {"stage": "stage", "content_type": "content_type", "product": "product",
                 "industry": "industry", "persona": "persona", "status": "status"}
OPERATORS = ("and", "or", "not", "andnot", "andmaybe")


def respell(text, known, closest):
    """`text` with each word `known(word)` says no item holds replaced by `closest(word)` (both take a
    folded word; closest returns a word or None); None when nothing changed. Operators and prefixes
    (`integr*`) are never typos. The "Did you mean" rule of both search backends."""
    tokens = re.split(r"(\W+)", text)
    changed, out = False, []
    for i, token in enumerate(tokens):
        word = fold(token)
        prefix = i + 1 < len(tokens) and tokens[i + 1].startswith("*")
        if WORD.fullmatch(word) and word not in OPERATORS and not prefix and not known(word):
            best = closest(word)
            if best:
                out.append(best)
                changed = True
                continue
        out.append(token)
    return "".join(out).strip() if changed else None


class Snapshot:
    """One committed state of the index, and what searches derive from it, computed once.

    A commit adds a small segment and leaves the others as they were, so what is read from a
    segment (lengths, columns, a term's doc numbers, deleted ones included) is kept in `segments`,
    a dict the backend shares between snapshots, under the segment's id: the first search after a
    commit reads only the new segments, then joins per-segment lists (C loops, no Whoosh calls).
    """

    def __init__(self, searcher, segments=None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self._cache = {}
        self.segments = {} if segments is None else segments
        leaves = self.reader.leaf_readers() if self.reader.doc_count_all() else []
        self.leaves = [(leaf, offset, leaf.segment().segment_id()) for leaf, offset in leaves]

    def close(self):
        self.searcher.close()

    def segment_ids(self):
        """The ids of the segments this snapshot reads."""
        return {segment_id for _, _, segment_id in self.leaves}

    def _cached(self, key, compute):
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = compute()
        return value

    def _per_segment(self, key, compute):
        """[(compute(leaf reader), doc offset)] per segment, each computed once per segment."""
        out = []
        for leaf, offset, segment_id in self.leaves:
            value = self.segments.get((segment_id, *key))
            if value is None:
                value = self.segments[(segment_id, *key)] = compute(leaf)
            out.append((value, offset))
        return out

    def _joined(self, key, compute):
        """The per-segment lists of compute(leaf), one after the other: a list by doc number."""
        def join():
            joined = []
            for part, _ in self._per_segment(key, compute):
                joined.extend(part)
            return joined
        return self._cached(key, join)

    def docs(self, field, value):
        """Doc numbers holding a term (deleted documents excluded); not cached."""
        term = value.encode("utf-8") if isinstance(value, str) else value
        if (field, term) not in self.reader:
            return frozenset()
        return frozenset(self.reader.postings(field, term).all_ids())

    def postings(self, field, value):
        """Doc numbers of the documents holding a facet or filter value (there are few), cached;
        deleted documents are left out."""
        term = value.encode("utf-8") if isinstance(value, str) else value
        if (field, term) not in self.reader:
            return frozenset()  # never cache what a caller made up

        def compute():
            parts = []
            for leaf, offset, segment_id in self.leaves:  # kept by offset too: new segments come last
                key = (segment_id, "postings", field, term, offset)
                found = self.segments.get(key)
                if found is None:
                    found = self.segments[key] = frozenset(offset + d for d in segment_docs(leaf, field, term))
                parts.append(found)
            found = frozenset().union(*parts) if len(parts) != 1 else parts[0]
            return found - self.deleted() if self.reader.has_deletions() else found
        return self._cached(("postings", field, term), compute)

    def column(self, field):
        """Every document's value of a sortable field, by doc number."""
        return self._joined(("column", field), lambda leaf: list(leaf.column_reader(field)))

    def deleted(self):
        """Doc numbers of the deleted documents (a few: each update deletes one until a merge)."""
        def compute():
            deleted = set()
            for leaf, offset, _ in self.leaves:
                if leaf.has_deletions():
                    deleted.update(offset + d for d in leaf.deleted_docs_set)
            return frozenset(deleted)
        return self._cached(("deleted",), compute)

    def current(self):
        """Doc numbers of the documents not deleted."""
        return self._cached(("current",), lambda: frozenset(range(self.reader.doc_count_all())) - self.deleted())

    def lengths(self, field):
        """Every document's length of a text field, by doc number, for scoring."""
        return self._joined(("lengths", field), lambda leaf: [leaf.doc_field_length(d, field, 1) or 1
                                                              for d in range(leaf.doc_count_all())])

    def _offset_segments(self, kind, compute):
        """[compute(leaf, offset)] per segment, kept per segment and offset (see postings())."""
        out = []
        for leaf, offset, segment_id in self.leaves:
            key = (segment_id, kind, offset)
            value = self.segments.get(key)
            if value is None:
                value = self.segments[key] = compute(leaf, offset)
            out.append(value)
        return out

    def live(self, today):
        """Doc numbers of approved items whose expiry date (YYYYMMDD) is after `today`: what reps see."""
        def unexpired(leaf, offset):
            return frozenset(offset + d for d, on in enumerate(leaf.column_reader("expires")) if on > today)

        def compute():
            parts = self._offset_segments(("unexpired", today), unexpired)
            return self.postings("status", "approved") & (parts[0] if len(parts) == 1 else frozenset().union(*parts))
        return self._cached(("live", today), compute)

    def docnums(self):
        """{item id: doc number} of the live documents."""
        def segment_docnums(leaf, offset):
            return {int(item_id): offset + d for d, item_id in enumerate(leaf.column_reader("id")) if item_id}

        def compute():
            found = {}
            for part in self._offset_segments("docnums", segment_docnums):
                found.update(part)  # segments in order: an item's newer document comes later
            ids = self.column("id") if self.deleted() else []
            for d in self.deleted():  # a deleted document's id may be held by a newer one
                if ids[d] and found.get(int(ids[d])) == d:
                    del found[int(ids[d])]
            return found
        return self._cached(("docnums",), compute)


def segment_docs(leaf, field, term):
    """Doc numbers in one segment holding a term, deleted ones included."""
    if (field, term) not in leaf:
        return ()
    ids = []
    for block, _, _ in blocks(leaf, field, term):
        ids.extend(block)
    return ids


class Search:
    """One query against one snapshot: a single scoring pass feeds the total, facets and ranking."""

    def __init__(self, snapshot, q):
        self.snapshot, self.q = snapshot, q
        self.text = q.text.strip()
        self.visible = snapshot.live(q.today) if q.live_only else None  # None: everything
        self.allowed = self.allowed_docs()

    def allowed_docs(self):
        """Doc numbers this search may return (None: all): the visible ones that pass the filters."""
        parts = [self.snapshot.postings(FILTER_FIELDS[name], value) for name, value in self.q.filters.items() if value]
        if self.visible is not None:
            parts.append(self.visible)
        if not parts:
            return None
        parts.sort(key=len)
        return parts[0].intersection(*parts[1:])

    def run(self):
        if not self.text:
            docs = self.snapshot.current() if self.allowed is None else self.allowed
            return self.results(dict.fromkeys(sorted(docs), 0.0), None)
        parsed = self.parse(qparser.AndGroup)
        scores = self.match(parsed)
        suggestion = self.suggest() if len(scores) < 3 else None
        corrected, notice = False, ""
        if not scores:
            widened = self.parse(qparser.OrGroup)
            if repr(widened) != repr(parsed):
                scores, parsed = self.match(widened), widened
                notice = "No item has all of those words; these have some of them." if scores else ""
            if not scores and suggestion:
                parsed = self.parse(qparser.AndGroup, suggestion)
                scores, corrected = self.match(parsed), True
        return self.results(scores, parsed, suggestion, corrected, notice)

    def parse(self, group, text=None):
        text = self.text if text is None else text
        schema = self.snapshot.searcher.schema
        try:
            return parser(schema, group).parse(text)
        except Exception:  # noqa: BLE001 - the parser is tolerant, but never let a query string raise
            words = " ".join(WORD.findall(text)) or "\u2205"
            return parser(schema, group).parse(words)

    def match(self, parsed):
        """{doc number: score} of every document the query matches and the reader may see."""
        snapshot = self.snapshot
        scores = Scorer(snapshot.searcher, snapshot.lengths).scores(parsed)
        allowed = self.allowed
        if allowed is None and snapshot.reader.has_deletions():
            allowed = snapshot.current()
        if allowed is not None:
            scores = {d: s for d, s in scores.items() if d in allowed}
        return scores

    def results(self, scores, parsed, suggestion=None, corrected=False, notice=""):
        terms = body_terms(self.snapshot.reader, parsed) if parsed is not None else set()
        hits = []
        for docnum, score in self.rank(scores):
            stored = self.snapshot.searcher.stored_fields(docnum)
            hits.append(Hit(id=int(stored["id"]), score=round(score, 4), snippet=snippet(stored["body"], terms)))
        return Results(total=len(scores), hits=hits, facets=self.facet_counts(scores.keys()),
                       suggestion=suggestion, corrected=corrected and bool(hits), notice=notice)

    def rank(self, scores):
        """This page's (doc number, score): newest first, or by score with usage lifts applied and
        exact title matches above everything else, the newer item first on equal scores."""
        q, snapshot = self.q, self.snapshot
        first, limit = (q.page - 1) * q.per_page, q.page * q.per_page
        updated = snapshot.column("updated")
        if q.sort == "newest":
            return [(d, scores[d]) for d in heapq.nlargest(limit, scores, key=updated.__getitem__)[first:]]
        docnums = snapshot.docnums()
        lifts = {docnums[i]: lift for i, lift in q.lifts.items() if i in docnums}
        exact = snapshot.docs("title_exact", exact_title(self.text)) if self.text else frozenset()
        # Only documents at or above the limit-th raw score, lifted or exact ones can make the page.
        raw = heapq.nlargest(limit, scores.values())
        floor = raw[-1] if raw else 0.0
        candidates = [d for d, s in scores.items() if s >= floor or d in lifts or d in exact]
        score = lambda d: scores[d] * lifts.get(d, 1.0)
        top = heapq.nlargest(limit, candidates, key=lambda d: (d in exact, score(d), updated[d]))
        return [(d, score(d)) for d in top[first:]]

    def facet_counts(self, matched):
        """{facet: {value: count}} over every match of the query, not just this page."""
        counts = {}
        for facet in self.q.facets:
            field = FILTER_FIELDS[facet]
            values = {}
            for term in self.snapshot.reader.lexicon(field):
                value = term.decode("utf-8")
                if not value:
                    continue  # items with no product, industry or persona
                n = len(matched & self.snapshot.postings(field, value))
                if n:
                    values[value] = n
            counts[facet] = dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        return counts

    # --- "Did you mean" ---------------------------------------------------------------------------

    def suggest(self):
        """The query with each unknown word replaced by the closest frequent word the reader may see.

        Words come from the unstemmed `words` field. For reps only words of items they may open
        count, so a suggestion never reveals what a draft says; facet filters do not count, so a
        word that merely has no match in this stage is not taken for a typo."""
        return respell(self.text, self.seen, self.closest)

    def seen(self, word):
        """Whether any document the reader may open holds this word."""
        term, reader = word.encode("utf-8"), self.snapshot.reader
        if ("words", term) not in reader:
            return False
        return self.visible is None or not self.visible.isdisjoint(reader.postings("words", term).all_ids())

    def closest(self, word):
        """The most common visible word within one edit (two for longer words), sharing the first letter.

        Asked of each segment: a single segment walks its term index with a Levenshtein automaton,
        while Whoosh's reader over several segments computes the distance to every word with the
        same first letter in Python (25 ms a word at 1,000 items)."""
        reader = self.snapshot.reader
        segments = [segment for segment, _ in reader.leaf_readers()]
        for distance in range(1, (1 if len(word) <= 4 else 2) + 1):
            found = set().union(*(segment.terms_within("words", word, distance, prefix=1) for segment in segments))
            for candidate in sorted(found, key=lambda c: (-reader.doc_frequency("words", c), c)):
                if self.seen(candidate):
                    return candidate
        return None


def exact_title(text):
    """A title or query reduced to its words, folded (hub.search.analysis): what counts as an exact
    title match."""
    return " ".join(fold(word) for word in TOKEN.findall(text))


def body_terms(reader, parsed):
    """The body stems the query looks for, prefixes expanded as the scorer expands them."""
    terms = set()
    for leaf in parsed.leaves():
        if getattr(leaf, "fieldname", None) != "body":
            continue
        if isinstance(leaf, wq.Prefix):
            terms.update(t.decode("utf-8") for t in expansions(reader, leaf))
        elif isinstance(leaf, wq.Phrase):
            terms.update(leaf.words)
        elif isinstance(getattr(leaf, "text", None), str):
            terms.add(leaf.text)
    return terms
