"""The search backend for Hub on PostgreSQL: the index is a table in the database itself.

Each item has a row in `search_documents` (hub.search.models) with a weighted tsvector under a
GIN index and copies of its facet and access columns, written by the worker from the outbox
(hub.search.sync) like the Whoosh index, so every app host searches the same index. Searching is
SQL: the match (`@@`), the access rules (reps: approved and unexpired), the filters, exact facet
counts over every match, ts_rank with the field weights and the usage lifts, both sorts and the
page. Snippets come from the item's text in the database (hub.search.snippets); "Did you mean"
looks for close words in `search_words` by trigram similarity (pg_trgm), then keeps the most
frequent one that an item the reader may open holds.
"""
import logging

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from whoosh.lang.porter import stem
from whoosh.support.levenshtein import levenshtein

from hub.library.models import Collateral
from hub.search.analysis import ANALYSIS_VERSION
from hub.search.backend import Hit, IndexBusy, IndexUnavailable, Results, SearchBackend
from hub.search.fallback import current_text
from hub.search.postgres_query import QueryTerms, analyse, parse, quote, tsquery, vector_literal
from hub.search.snippets import snippet
from hub.search.whoosh_search import exact_title, respell

log = logging.getLogger(__name__)
WRITE_LOCK = 0x48554253  # pg_advisory_xact_lock key ("HUBS"): one index writer at a time
# ts_rank's weights for D, C, B, A: body, description and labels, tags, title (PostgreSQL docs 12.3.3).
WEIGHTS = "{0.2, 0.4, 0.5, 1.0}"
RANK_NORMALIZATION = 1  # divide by 1 + log(document length): long texts do not win by length alone
FACETS = ("stage", "content_type", "product", "industry", "persona", "status")
COLUMNS = ("item_id", "fingerprint", "analysis", "vector", "title_exact", "stage", "content_type", "product",
           "industry", "persona", "status", "expires", "updated")
UPSERT = text(
    f"INSERT INTO search_documents ({', '.join(COLUMNS)}) VALUES "
    f"({', '.join('CAST(:vector AS tsvector)' if c == 'vector' else ':' + c for c in COLUMNS)}) "
    "ON CONFLICT (item_id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "item_id"))
ADD_WORDS = text("INSERT INTO search_words (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING")
GIN_INDEXES = ("ix_search_documents_vector", "ix_search_words_trigrams")
UNDEFINED_TABLE = "42P01"
INSUFFICIENT_PRIVILEGE = "42501"
LOCK_NOT_AVAILABLE = "55P03"
CANDIDATES = 50  # close words a suggestion weighs, most similar first


def rows_for(docs):
    """(search_documents rows, sorted folded words) of index documents (hub.search.documents)."""
    rows, words = [], set()
    for doc in docs:
        terms, doc_words = analyse(doc)
        words |= doc_words
        rows.append({"item_id": int(doc["id"]), "fingerprint": doc["fingerprint"], "analysis": ANALYSIS_VERSION,
                     "vector": vector_literal(terms), "title_exact": exact_title(doc["title"]), "stage": doc["stage"],
                     "content_type": doc["content_type"], "product": doc["product"], "industry": doc["industry"],
                     "persona": doc["persona"], "status": doc["status"], "expires": doc["expires"],
                     "updated": doc["updated"]})
    return rows, sorted(words)


class PostgresBackend(SearchBackend):
    """The index in PostgreSQL tables; `engine()` gives the app's engine (called in app context)."""

    location = "the PostgreSQL database (table search_documents)"

    def __init__(self, engine, writer_timeout=30.0):
        self.engine = engine
        self.writer_timeout = writer_timeout

    # --- state ------------------------------------------------------------------------------------

    def _scalar(self, sql, **params):
        try:
            with self.engine().connect() as conn:
                return conn.execute(text(sql), params).scalar()
        except DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) == UNDEFINED_TABLE:
                raise IndexUnavailable("The search tables are missing: run `flask --app hub db upgrade`.") from e
            raise

    def doc_count(self):
        return self._scalar("SELECT count(*) FROM search_documents")

    def exists(self):
        with self.engine().connect() as conn:
            return conn.execute(text("SELECT to_regclass('search_documents') IS NOT NULL")).scalar()

    def current(self):
        """Whether the index can take single updates: it holds documents, all of this analysis
        (else the worker rebuilds it whole, as it does a missing Whoosh index)."""
        if not self.exists():
            return False
        return bool(self._scalar("SELECT count(*) > 0 AND bool_and(analysis = :v) FROM search_documents",
                                 v=ANALYSIS_VERSION))

    def state(self):
        """'ok', 'empty' or 'missing' (the tables are not there: migrations were not run)."""
        if not self.exists():
            return "missing"
        return "ok" if self.doc_count() else "empty"

    def reset(self):
        """Nothing is held open between searches."""

    def size_bytes(self):
        """Bytes the index takes in the database: both tables with their indexes and TOAST."""
        return self._scalar("SELECT pg_total_relation_size('search_documents') + pg_total_relation_size('search_words')")

    def fingerprints(self):
        """{id: fingerprint}; a vector made by another version of the analysis never matches."""
        with self.engine().connect() as conn:
            rows = conn.execute(text("SELECT item_id, fingerprint, analysis FROM search_documents"))
            return {str(i): (f if a == ANALYSIS_VERSION else f"analysis-{a}") for i, f, a in rows}

    # --- writing ----------------------------------------------------------------------------------

    def _locked(self, conn, timeout):
        """Take the index's write lock for this transaction; IndexBusy after `timeout` seconds."""
        conn.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": f"{int(timeout * 1000)}ms"})
        try:
            with conn.begin_nested():
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
        except DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise IndexBusy("another worker is writing the search index") from e
            raise

    def apply(self, changes, timeout=None):
        """Under the write lock, call changes() for (documents, removed ids), then write them in one
        transaction. The caller reads the database inside changes(), after the lock is taken, so a
        slower writer never puts back an older reading of an item."""
        with self.engine().begin() as conn:
            self._locked(conn, self.writer_timeout if timeout is None else timeout)
            documents, removed_ids = changes()
            unique = {doc["id"]: doc for doc in documents}
            gone = [int(i) for i in removed_ids if str(i) not in unique]
            if gone:
                conn.execute(text("DELETE FROM search_documents WHERE item_id = ANY(:ids)"), {"ids": gone})
            if unique:
                self._write(conn, list(unique.values()))
            self._tidy(conn)

    def rebuild(self, documents, progress=None, procs=1, batch=500):
        """Replace every document in one transaction (searches read the old ones until it commits).
        `documents` is a generator, first advanced with the write lock held; `procs` is unused."""
        with self.engine().begin() as conn:
            self._locked(conn, self.writer_timeout)
            conn.execute(text("DELETE FROM search_documents"))
            conn.execute(text("DELETE FROM search_words"))
            pending = []
            for doc in documents:
                pending.append(doc)
                if len(pending) >= batch:
                    self._write(conn, pending, progress)
                    pending = []
            self._write(conn, pending, progress)
            self._tidy(conn, analyze=True)

    def _tidy(self, conn, analyze=False):
        """Leave the index as fast to search as it was before the write: move the GIN indexes'
        pending entries into their trees, and after a rebuild refresh the planner's statistics.

        GIN's fast update parks new entries in an unsorted pending list that every search scans
        until VACUUM or autovacuum merges it (PostgreSQL docs, "70.4.1. GIN Fast Update
        Technique"); after a rebuild that list holds every document, and the planner, costing the
        index by it and the table by stale statistics, reads every vector instead (at 3,000 items a
        one-word count went from 0.3 ms to 34 ms). gin_clean_pending_list needs the index's owner:
        a role that is not keeps the old behaviour, with a warning in the log."""
        try:
            with conn.begin_nested():
                for index in GIN_INDEXES:
                    conn.execute(text("SELECT gin_clean_pending_list(CAST(:i AS regclass))"), {"i": index})
        except DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
                raise
            log.warning("search index: cannot merge the GIN pending lists (not the owner): %s", e.orig)
        if analyze:
            conn.execute(text("ANALYZE search_documents, search_words"))

    def _write(self, conn, docs, progress=None):
        """Upsert documents and add their words to the lexicon."""
        if not docs:
            return
        rows, words = rows_for(docs)
        conn.execute(UPSERT, rows)
        conn.execute(ADD_WORDS, {"words": words})
        if progress:
            progress(len(docs))

    # --- searching --------------------------------------------------------------------------------

    def search(self, q):
        """Top hits with snippets, exact facet counts over every match, and a suggestion when useful."""
        try:
            with self.engine().connect() as conn:
                return PostgresSearch(conn, q).run()
        except DBAPIError as e:
            if getattr(e.orig, "sqlstate", None) == UNDEFINED_TABLE:
                raise IndexUnavailable("The search tables are missing.") from e
            raise


class PostgresSearch:
    """One query over one connection: the same steps as the Whoosh backend's Search."""

    def __init__(self, conn, q):
        self.conn, self.q = conn, q
        self.text = q.text.strip()

    def visible_sql(self, params, prefix="d."):
        """SQL conditions for what the reader may see and the filters ask for, params filled in."""
        conditions = []
        if self.q.live_only:
            conditions.append(f"{prefix}status = 'approved' AND {prefix}expires > :today")
            params["today"] = self.q.today
        for i, (name, value) in enumerate(sorted(self.q.filters.items())):
            if not value or name not in FACETS:
                continue
            params[f"f{i}"] = value
            if name == "stage":
                conditions.append(f":f{i} = ANY(string_to_array({prefix}stage, ','))")
            else:
                conditions.append(f"{prefix}{name} = :f{i}")
        return conditions

    def where(self, node, params):
        conditions = self.visible_sql(params)
        if node is not None:
            params["query"] = tsquery(node)
            conditions.append("d.vector @@ CAST(:query AS tsquery)")
        return " AND ".join(conditions) or "TRUE"

    def run(self):
        if not self.text:
            return self.results(None, *self.counts(None))
        parsed = parse(self.text, "and")
        total, facets = self.counts(parsed)
        suggestion = self.suggest() if total < 3 else None
        corrected, notice = False, ""
        if not total:
            widened = parse(self.text, "or")
            if widened != parsed:
                total, facets = self.counts(widened)
                parsed = widened
                notice = "No item has all of those words; these have some of them." if total else ""
            if not total and suggestion:
                parsed = parse(suggestion, "and")
                (total, facets), corrected = self.counts(parsed), True
        return self.results(parsed, total, facets, suggestion, corrected, notice)

    def counts(self, node):
        """(total, {facet: {value: count}}) over every match, facets sorted by count then value."""
        facets = {name: {} for name in self.q.facets}
        if node is None and self.text:
            return 0, facets  # only stop words or punctuation: nothing matches
        params = {}
        parts = ["SELECT '' AS facet, '' AS value, count(*) AS n FROM matched"]
        for name in self.q.facets:
            if name == "stage":
                parts.append("SELECT 'stage', s, count(*) FROM matched, unnest(string_to_array(stage, ',')) AS s "
                             "WHERE s <> '' GROUP BY s")
            elif name in FACETS:
                parts.append(f"SELECT '{name}', {name}, count(*) FROM matched WHERE {name} <> '' GROUP BY {name}")
        sql = (f"WITH matched AS MATERIALIZED (SELECT {', '.join(FACETS)} FROM search_documents d "
               f"WHERE {self.where(node, params)}) " + " UNION ALL ".join(parts))
        total = 0
        for facet, value, n in self.conn.execute(text(sql), params):
            if facet:
                facets[facet][value] = n
            else:
                total = n
        return total, {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in facets.items()}

    def results(self, node, total, facets, suggestion=None, corrected=False, notice=""):
        hits = []
        if total and (node is not None or not self.text):
            ranked = self.rank(node)
            texts = self.texts([item_id for item_id, _ in ranked])
            terms = QueryTerms(node)
            hits = [Hit(id=item_id, score=round(score, 4), snippet=snippet(texts.get(item_id) or "", terms))
                    for item_id, score in ranked]
        return Results(total=total, hits=hits, facets=facets, suggestion=suggestion,
                       corrected=corrected and bool(hits), notice=notice)

    def rank(self, node):
        """This page's [(item id, score)]: newest first, or by rank with the usage lifts applied and
        exact title matches above everything, the newer item first on equal scores."""
        q = self.q
        params = {"limit": q.per_page, "offset": (q.page - 1) * q.per_page}
        where = self.where(node, params)
        if node is None:
            score = "0.0"
        else:
            score = f"ts_rank(CAST(:weights AS real[]), d.vector, CAST(:query AS tsquery), {RANK_NORMALIZATION})"
            params["weights"] = WEIGHTS
        if q.sort == "newest":
            order = "d.updated DESC, d.item_id DESC"
            lifted = ""
        else:
            params["lift_ids"] = list(q.lifts)
            params["lift_factors"] = [float(f) for f in q.lifts.values()]
            exact = exact_title(self.text) if self.text else ""
            if exact:
                params["exact"] = exact
            lifted = ("LEFT JOIN unnest(CAST(:lift_ids AS integer[]), CAST(:lift_factors AS double precision[])) "
                      "AS l(id, factor) ON l.id = d.item_id")
            score = f"{score} * coalesce(l.factor, 1.0)"
            order = ("d.title_exact = :exact DESC, " if exact else "") + "score DESC, d.updated DESC, d.item_id DESC"
        sql = (f"SELECT d.item_id, {score} AS score FROM search_documents d {lifted} WHERE {where} "
               f"ORDER BY {order} LIMIT :limit OFFSET :offset")
        return [(item_id, float(s)) for item_id, s in self.conn.execute(text(sql), params)]

    def texts(self, ids):
        """{item id: its current file's text} for the page's hits, read from the database."""
        if not ids:
            return {}
        rows = self.conn.execute(select(Collateral.id, current_text()).where(Collateral.id.in_(ids)))
        return dict(rows.all())

    # --- "Did you mean" ---------------------------------------------------------------------------

    def suggest(self):
        """The query with each unknown word replaced by the closest frequent word the reader may see
        (the rules of the Whoosh backend's Search.suggest: filters do not count, prefixes are no typos)."""
        return respell(self.text, self.frequency, self.closest)

    def frequency(self, word):
        """How many items the reader may open hold the word (as its stem; facet filters ignored)."""
        params = {"query": quote(stem(word))}
        conditions = ["d.vector @@ CAST(:query AS tsquery)"]
        if self.q.live_only:
            conditions.append("d.status = 'approved' AND d.expires > :today")
            params["today"] = self.q.today
        sql = f"SELECT count(*) FROM search_documents d WHERE {' AND '.join(conditions)}"
        return self.conn.execute(text(sql), params).scalar()

    def closest(self, word):
        """The most frequent visible word within one edit (two for words over four letters) that
        shares the first letter; candidates come from the trigram index (pg_trgm's % operator)."""
        # One edit in a short word leaves few shared trigrams: below pg_trgm's default threshold of 0.3.
        self.conn.execute(text("SELECT set_config('pg_trgm.similarity_threshold', '0.2', true)"))
        candidates = self.conn.execute(text(
            "SELECT word FROM search_words WHERE word % :w AND left(word, 1) = left(:w, 1) "
            "ORDER BY similarity(word, :w) DESC, word LIMIT :n"), {"w": word, "n": CANDIDATES}).scalars().all()
        for distance in range(1, (1 if len(word) <= 4 else 2) + 1):
            near = [c for c in candidates if c != word and levenshtein(word, c, distance) <= distance]
            counted = sorted(((self.frequency(c), c) for c in near), key=lambda fc: (-fc[0], fc[1]))
            for count, candidate in counted:
                if count:
                    return candidate
        return None
