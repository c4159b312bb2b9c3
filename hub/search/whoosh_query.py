"""Parsing and scoring queries on the Whoosh index: every match with its score, in one pass.

A results page needs the exact total and facet counts over every match, so every match must be
found; Whoosh's own top-N search skips blocks and cannot count. Walking Whoosh's matcher tree
costs about 4 µs per matching document (a phrase of two very common words: 400-600 ms at 10,000
items). So the query tree is evaluated here a whole posting block at a time: a term's postings
become {doc number: BM25F score} with Whoosh's own formula and statistics, AND/OR/NOT become
dictionary and set operations, and a phrase is checked with set arithmetic on its words'
decoded positions. A query node this module does not know falls back to Whoosh's matcher loop,
which also serves as the reference the tests compare against.
"""
import heapq
import logging
import threading
from itertools import accumulate
from pickle import loads

from whoosh import qparser
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher
from whoosh.scoring import BM25F

log = logging.getLogger(__name__)
TEXT_FIELDS = ("title", "description", "tags", "meta", "body")
PREFIX_WORDS = 64  # words a prefix such as integr* expands to, most frequent first


def parser(schema, group=qparser.AndGroup):
    """Words, phrases, AND/OR/NOT, grouping and trailing prefixes; no field, range or boost syntax."""
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=group)
    for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.BoostPlugin):
        parser.remove_plugin_class(plugin)
    return parser


def score_matches(searcher, query):
    """{doc number: score} of every match, through Whoosh's matchers (slow, but knows every query)."""
    scores = {}
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, context).replace()  # drops the branches that match nothing
        while matcher.is_active():
            scores[offset + matcher.id()] = matcher.score()
            matcher.next()
    return scores


def blocks(reader, field, btext, values=False):
    """(doc numbers, weights, encoded values) of one segment's postings of a term, a block at a time.

    Reads the W3 codec's blocks whole (its private per-block arrays; Whoosh is pinned). Deleted
    documents are still in there: the caller drops them."""
    matcher = reader.postings(field, btext)
    if isinstance(matcher, FilterMatcher):  # the segment has deletions
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            if values:
                matcher._read_values()
            yield matcher._ids, matcher._weights, matcher._values
            matcher._next_block()
        return
    ids, weights, encoded = [], [], []  # postings inlined in the term dictionary: a handful
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        encoded.append(matcher.value() if values else None)
        matcher.next()
    yield ids, weights, encoded


def positions(encoded):
    """A Positions-format posting value decoded (what Format.decode_positions does, in C loops)."""
    return accumulate(loads(encoded[4:] if encoded.endswith(b".") else encoded[4:] + b"."))


class Scorer:
    """Evaluates a parsed query over one searcher to {doc number: score}, as Whoosh would score it."""

    def __init__(self, searcher, lengths, verify=True):
        """`lengths(field)` gives every document's length of the field; with `verify`, the fast path is
        used only once agrees_with_whoosh() has passed in this process."""
        self.searcher = searcher
        self.lengths = lengths  # field -> [length of the field in each document], by doc number
        self.memo = {}
        weighting = searcher.weighting
        self.bm25 = (isinstance(weighting, BM25F) and not getattr(weighting, "_field_B", None)
                     and (not verify or agrees_with_whoosh(searcher.schema)))

    def scores(self, node):
        if not self.bm25:
            return score_matches(self.searcher, node)
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            return score_matches(self.searcher, node)
        return method(node)

    # --- leaves ---

    def _term(self, node, values=False):
        """BM25F per matching document: idf * tf(K1+1) / (tf + K1(1 - B + B * length / average))."""
        field, searcher = node.fieldname, self.searcher
        if field not in searcher.schema:
            return {}
        btext = node.text if isinstance(node.text, bytes) else searcher.schema[field].to_bytes(node.text)
        if (field, btext) not in searcher.reader():
            return {}
        weighting = searcher.weighting
        k1, b = weighting.K1, weighting.B
        idf = searcher.idf(field, btext)
        average = searcher.avg_field_length(field) or 1
        c1, c2, c3 = node.boost * idf * (k1 + 1), k1 * (1 - b), k1 * b / average
        lengths = self.lengths(field)
        out = {}
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            if (field, btext) not in reader:
                continue
            for ids, weights, encoded in blocks(reader, field, btext, values):
                for i, (doc, tf) in enumerate(zip(ids, weights)):
                    doc += offset
                    score = c1 * tf / (tf + c2 + c3 * lengths[doc])
                    out[doc] = (score, encoded[i]) if values else score
        return out

    def _phrase(self, node):
        """Documents with the words at consecutive positions; scored as the sum of the words."""
        if node.slop != 1 or node.fieldname not in self.searcher.schema:
            return score_matches(self.searcher, node)
        postings = [self._postings(node.fieldname, word) for word in node.words]  # word i at start + i
        first, *middle, last = sorted(range(len(postings)), key=lambda i: len(postings[i]))  # rarest first
        others = [postings[i] for i in (*middle, last)]
        middle = [(postings[i], (-i).__add__) for i in middle]
        final, final_shift = postings[last], (-last).__add__
        out = {}
        for doc, (_, encoded) in postings[first].items():
            if not all(doc in p for p in others):
                continue
            starts = set(map((-first).__add__, positions(encoded)))
            for p, shift in middle:
                starts.intersection_update(map(shift, positions(p[doc][1])))
            if not starts.isdisjoint(map(final_shift, positions(final[doc][1]))):  # stops at the first
                out[doc] = node.boost * sum(p[doc][0] for p in postings)
        return out

    def _postings(self, field, word):
        """{doc: (score, encoded positions)} of one word, read once per query."""
        key = (field, word)
        if key not in self.memo:
            self.memo[key] = self._term(wq.Term(field, word), values=True)
        return self.memo[key]

    def _prefix(self, node):
        return self._multiterm(node)

    def _multiterm(self, node):
        """The expanded words, OR-ed and scored like terms (Whoosh's constant-score flag does not
        reach its term matchers, which fall back to the searcher's weighting)."""
        words = expansions(self.searcher.reader(), node)
        return sum_scores([self._term(wq.Term(node.fieldname, w)) for w in words], node.boost)

    def _nullquery(self, node):
        return {}

    # --- compounds ---

    def _or(self, node):
        if node.minmatch or node.scale:
            return score_matches(self.searcher, node)
        return sum_scores([self.scores(q) for q in node.subqueries], node.boost)

    def _and(self, node):
        wanted = [q for q in node.subqueries if not isinstance(q, wq.Not)]
        unwanted = [q.query for q in node.subqueries if isinstance(q, wq.Not)]
        if not wanted:
            return score_matches(self.searcher, node)
        parts = sorted((self.scores(q) for q in wanted), key=len)
        docs = set(parts[0]).intersection(*parts[1:])
        for q in unwanted:
            docs.difference_update(self.scores(q))
        inverse = float(len(unwanted))  # Whoosh scores each NOT clause's match as 1.0
        return {d: node.boost * (sum(p[d] for p in parts) + inverse) for d in docs}

    def _not(self, node):
        """Every document the inner query does not match (a query that is only NOT ...)."""
        excluded = self.scores(node.query)
        return {d: 1.0 for d in range(self.searcher.doc_count_all()) if d not in excluded}

    def _andnot(self, node):
        positive, negative = self.scores(node.a), self.scores(node.b)
        return {d: s * node.boost for d, s in positive.items() if d not in negative}

    def _andmaybe(self, node):
        required, optional = self.scores(node.a), self.scores(node.b)
        return {d: (s + optional.get(d, 0.0)) * node.boost for d, s in required.items()}


def expansions(reader, node, limit=PREFIX_WORDS):
    """The words a prefix (or other multi-term query) stands for: its `limit` most frequent ones.

    "con*" stands for hundreds of words at 10,000 items; reading them all took 200 ms a prefix."""
    words = [w for w in node._btexts(reader) if w]
    if len(words) > limit:
        words = heapq.nlargest(limit, words, key=lambda w: reader.doc_frequency(node.fieldname, w))
    return words


def sum_scores(parts, boost=1.0):
    """OR: every document in any part, scored by the sum of its parts' scores."""
    parts = [p for p in parts if p]
    if not parts:
        return {}
    parts.sort(key=len, reverse=True)
    out = dict(parts[0])
    get = out.get
    for part in parts[1:]:
        for doc, score in part.items():
            out[doc] = get(doc, 0.0) + score
    if boost != 1.0:
        out = {d: s * boost for d, s in out.items()}
    return out


# --- the start-up self-check ----------------------------------------------------------------------

SELF_CHECK_DOCS = [
    {"title": "Pricing guide", "body": "payback period for the cfo and pricing objections"},
    {"title": "Connector guide", "body": "integrations with sap take a week; integrating is easy"},
    {"title": "Battlecard", "body": "handling pricing objections against datavane in healthcare"},
    {"title": "Lynx lynx", "body": "lynx lynx lynx in a row, then lynx"},
]
SELF_CHECK_QUERIES = ["pricing", "pricing objections", '"pricing objections"', "sap OR payback", "integr*",
                      "healthcare NOT datavane", "(lynx OR cfo) AND NOT week", '"lynx lynx"']
_verdicts = {}
_verdict_lock = threading.Lock()


def agrees_with_whoosh(schema):
    """Whether the block scorer finds the same documents with the same scores as Whoosh's matchers on
    a tiny in-memory index of this schema, deletions included. It reads Whoosh's private codec fields,
    so an installed Whoosh that changed them must not give wrong results: on any disagreement (or
    error) searches use Whoosh's matchers instead, and the log says so. Checked once per process."""
    key = tuple(sorted(schema.names()))
    with _verdict_lock:
        if key not in _verdicts:
            _verdicts[key] = _self_check(schema)
            if not _verdicts[key]:
                log.error("the fast search scorer disagrees with Whoosh's own matchers: using the matchers "
                          "(slower); check the installed Whoosh version")
    return _verdicts[key]


def _self_check(schema):
    from whoosh.filedb.filestore import RamStorage

    try:
        ix = RamStorage().create_index(schema)
        for docs in (SELF_CHECK_DOCS[:2], SELF_CHECK_DOCS[2:]):  # two segments
            writer = ix.writer()
            for doc in docs:
                writer.add_document(id=doc["title"], **doc)
            writer.commit(merge=False)
        writer = ix.writer()
        writer.delete_by_term("id", "Connector guide")  # a deletion no merge sweeps away
        writer.commit(merge=False)
        with ix.searcher() as searcher:
            reader = searcher.reader()

            def lengths(field):
                return [reader.doc_field_length(d, field, 1) or 1 for d in range(reader.doc_count_all())]

            live = set(reader.all_doc_ids())
            for text in SELF_CHECK_QUERIES:
                parsed = parser(schema).parse(text)
                fast = Scorer(searcher, lengths, verify=False)
                mine = {d: s for d, s in fast.scores(parsed).items() if d in live}
                theirs = {d: s for d, s in score_matches(searcher, parsed).items() if d in live}
                if mine.keys() != theirs.keys() or any(abs(mine[d] - theirs[d]) > 1e-6 * max(1.0, theirs[d])
                                                       for d in mine):
                    return False
        return True
    except Exception:  # any failure of the fast path means: do not use it
        log.exception("the fast search scorer's self-check failed")
        return False
