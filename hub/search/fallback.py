"""A plain database search for when the index cannot answer (missing, being rebuilt, unreadable).

Slower and simpler than the index: every word must occur (case-insensitive, as a substring) in an
item's title, description, tags, labels or its current file's text; newest first; the same access
rules, filters and exact facet counts. The results page says that this is what answered.
"""
import re

from sqlalchemy import and_, func, or_, select

from hub.extensions import db
from hub.library.models import Collateral, FileVersion, Stage, collateral_stages
from hub.search.backend import Hit, Results

NOTICE = ("The search index is being rebuilt, so these results come from a simpler search of the "
          "database: matches are not ranked and may include parts of words.")
WORD = re.compile(r"\w+", re.UNICODE)
OPERATORS = {"AND", "OR", "NOT"}
SNIPPET_CHARS = 160


def words_of(text):
    """The query's words, without operators and wildcards, lower-cased (at most 12)."""
    return [w.lower() for w in WORD.findall(text or "") if w not in OPERATORS][:12]


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
        conditions.append(or_(*(func.lower(column).like(pattern, escape="\\") for column in columns)))
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
    """About SNIPPET_CHARS of text around the first word found, with the words marked."""
    lowered = text.lower()
    starts = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = max(0, min(starts) - SNIPPET_CHARS // 3) if starts else 0
    window = " ".join(text[start:start + SNIPPET_CHARS].split())
    if not words:
        return [(window, False)] if window else []
    pattern = re.compile("(" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)
    return [(part, bool(pattern.fullmatch(part))) for part in pattern.split(window) if part]
