"""A plain database search for when the index cannot answer (missing, being rebuilt, unreadable).

Slower and simpler than the index: every word must occur (as a substring) in an item's title,
description, tags, labels or its current file's text; newest first; the same access rules, filters
and exact facet counts. The results page says that this is what answered. Words and texts are
folded as the index folds them (hub.search.analysis: NFKC, case-folded, without diacritics), so
`resume` finds "Résumé" and `strasse` "Straße" here too: on SQLite through hub_fold(), the same
Python function registered on each connection; on PostgreSQL through normalize() (PostgreSQL 13+,
UTF-8 databases), lower() and the same class of diacritics removed by regexp_replace().
"""

from sqlalchemy import Engine, String, and_, event, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from hub.extensions import db
from hub.library.models import Collateral, FileVersion, Stage, collateral_stages
from hub.search.analysis import DIACRITICS, fold, fold_text, token_pattern
from hub.search.backend import Hit, Results

NOTICE = ("The search index is being rebuilt, so these results come from a simpler search of the "
          "database: matches are not ranked and may include parts of words.")
OPERATORS = {"AND", "OR", "NOT"}
SNIPPET_CHARS = 160


@event.listens_for(Engine, "connect")
def register_fold(dbapi_connection, connection_record):
    """SQLite: hub_fold(text) on every connection, the index's folding (SQLite's own lower() folds
    ASCII only)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("hub_fold", 1, lambda text: fold_text(text) if text else text,
                                         deterministic=True)


class folded(GenericFunction):
    """folded(column): the column's text folded as hub.search.analysis.fold_text folds it."""

    type = String()
    inherit_cache = True


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    return f"hub_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded)
def _folded_postgresql(element, compiler, **kw):
    # NFKD = NFD(NFKC); casefold() differs from lower() in ß and final sigma, replaced by hand.
    text = f"lower(normalize({compiler.process(element.clauses, **kw)}, NFKD))"
    text = f"replace(replace({text}, 'ß', 'ss'), 'ς', 'σ')"
    marks = compiler.process(literal(DIACRITICS.pattern), **kw)
    return f"normalize(regexp_replace({text}, {marks}, '', 'g'), NFC)"


def words_of(text):
    """The query's words as the index folds them, without operators (at most 12)."""
    text = text or ""
    words = [fold(m.group()) for m in token_pattern(text).finditer(text) if m.group() not in OPERATORS]
    return [w for w in words if w][:12]


def escape_like(word):
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def current_text():
    """The text of each item's newest file version, as a correlated subquery."""
    return (select(FileVersion.extracted_text).where(FileVersion.collateral_id == Collateral.id)
            .order_by(FileVersion.number.desc()).limit(1).correlate(Collateral).scalar_subquery())


def matching(query):
    """A select of the ids of the visible items that match the query's words and filters."""
    text = current_text()
    conditions = []
    for word in words_of(query.text):
        pattern = f"%{escape_like(word)}%"
        columns = (Collateral.title, Collateral.description, Collateral.tags, Collateral.product,
                   Collateral.industry, Collateral.persona, text)
        conditions.append(or_(*(folded(column).like(pattern, escape="\\") for column in columns)))
    if query.live_only:
        conditions.append(Collateral.live_clause())
    for name, value in query.filters.items():
        if name == "stage":
            conditions.append(Collateral.stages.any(Stage.slug == value))
        else:
            conditions.append(getattr(Collateral, name) == value)
    return select(Collateral.id).where(and_(True, *conditions))


def database_search(query):
    """Run a backend Query against the database; Results with the notice set, no suggestion."""
    ids = matching(query).subquery()
    total = db.session.scalar(select(func.count()).select_from(ids))
    order = Collateral.updated_at.desc(), Collateral.id.desc()
    rows = db.session.execute(
        select(Collateral.id, Collateral.description, current_text().label("body"))
        .where(Collateral.id.in_(select(ids.c.id))).order_by(*order)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    words = words_of(query.text)
    hits = [Hit(id=row.id, score=0.0, snippet=snippet(row.body or row.description or "", words)) for row in rows]
    return Results(total=total, hits=hits, facets=facet_counts(query, ids), notice=NOTICE)


def facet_counts(query, ids):
    """{facet: {value: count}} over every match, as the index would count them."""
    facets = {}
    for name in query.facets:
        if name == "stage":
            link = collateral_stages
            rows = db.session.execute(
                select(Stage.slug, func.count()).join(link, link.c.stage_id == Stage.id)
                .where(link.c.collateral_id.in_(select(ids.c.id))).group_by(Stage.slug)).all()
        else:
            column = getattr(Collateral, name)
            rows = db.session.execute(
                select(column, func.count()).where(Collateral.id.in_(select(ids.c.id)), column != "")
                .group_by(column)).all()
        facets[name] = dict(rows)
    return facets


def snippet(text, words):
    """About SNIPPET_CHARS of text around the first word found (compared folded, so "Résumé" is
    found by `resume`), with the words that hold a query word marked."""
    start = 0
    for match in token_pattern(text).finditer(text) if words else ():
        if any(w in fold(match.group()) for w in words):
            start = max(0, match.start() - SNIPPET_CHARS // 3)
            break
    window = " ".join(text[start:start + SNIPPET_CHARS].split())
    if not words:
        return [(window, False)] if window else []
    parts, last = [], 0
    for match in token_pattern(window).finditer(window):
        if any(w in fold(match.group()) for w in words):
            parts += [(window[last:match.start()], False), (match.group(), True)]
            last = match.end()
    parts.append((window[last:], False))
    return [(part, marked) for part, marked in parts if part]
