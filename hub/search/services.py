"""Search as the pages and the API need it: one function, access rules applied in the engine."""
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from hub import events
from hub.errors import Invalid
from hub.extensions import db
from hub.library.models import CONTENT_TYPES, STATUSES, Collateral
from hub.models import today
from hub.search import sync
from hub.search.backend import IndexUnavailable, Query
from hub.search.fallback import database_search
from hub.validation import filter_value, strip_controls

SORTS = ("relevance", "newest")
MAX_TERMS = 12


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    per_page: int
    hits: list          # [(item, score, snippet segments)]
    facets: dict
    suggestion: str | None
    corrected: bool
    notice: str

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))


def clean_query(text):
    """Cap, strip control characters, and repair what the parser would trip over."""
    text = strip_controls((text or "")[: current_app.config["SEARCH_MAX_QUERY"] * 4])
    text = " ".join(text.split())[: current_app.config["SEARCH_MAX_QUERY"]]
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    depth, balanced = 0, True
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        balanced = balanced and 0 <= depth <= 3
    if not balanced or depth:
        text = text.replace("(", " ").replace(")", " ")
    # Only trailing wildcards after three letters (integr*): no leading, inner or lone ones, no '?'.
    text = re.sub(r"\*+(?=\w)|(?<![\w*])\*+|\?", " ", text)
    text = re.sub(r"\*{2,}", "*", text)
    text = re.sub(r"(\b\w{1,2})\*", r"\1", text)
    words = text.split()
    if len(words) > MAX_TERMS:
        text = " ".join(words[:MAX_TERMS])
    return " ".join(text.split())


def clean_filters(user, raw):
    """Known facet values only; status only for marketing and admins."""
    filters = {}
    for name in ("stage", "content_type", "product", "industry", "persona", "status"):
        value = filter_value(raw.get(name))
        if not value:
            continue
        if name == "status" and not user.is_editor:
            continue
        if name == "content_type" and value not in CONTENT_TYPES:
            raise Invalid(f"Content type must be one of: {', '.join(CONTENT_TYPES.values())}.", name)
        if name == "status" and value not in STATUSES:
            raise Invalid(f"Status must be one of: {', '.join(STATUSES.values())}.", name)
        filters[name] = value
    return filters


def search(user, text="", filters=None, page=1, per_page=10, sort="relevance"):
    """One complete search: hits with snippets, facet counts and a suggestion when needed."""
    if sort not in SORTS:
        raise Invalid("Sort by relevance or newest.", "sort")
    query = Query(text=clean_query(text), filters=clean_filters(user, filters or {}),
                  live_only=not user.is_editor, today=int(today().strftime("%Y%m%d")),
                  page=page, per_page=per_page, sort=sort, lifts=lifts() if sort == "relevance" else {})
    if user.is_editor:
        query.facets = (*query.facets, "status")
    results = answer(current_app._get_current_object(), query)
    items = items_by_id(user, [hit.id for hit in results.hits])
    hits = [(items[hit.id], hit.score, hit.snippet) for hit in results.hits if hit.id in items]
    return SearchPage(query=query.text, total=results.total, page=page, per_page=per_page, hits=hits,
                      facets=results.facets, suggestion=results.suggestion, corrected=results.corrected,
                      notice=results.notice)


def lifts():
    """{item id: score factor} from every feature that ranks items up (hub.events.ranking_lifts)."""
    factors = {}
    for found in events.collected(events.ranking_lifts.send(None)):
        for item_id, factor in found.items():
            factors[item_id] = factors.get(item_id, 1.0) * factor
    return factors


def answer(app, query):
    """Results from the index; from the database, with a notice, while the index is missing,
    unreadable or empty beside a non-empty library (the worker is rebuilding it). Never writes."""
    index = sync.backend(app)
    try:
        results = index.search(query)
        if not results.total and not index.doc_count() and sync.item_count(app):
            return database_search(query)
        return results
    except IndexUnavailable:
        return database_search(query)


def items_by_id(user, ids):
    """The hits' rows, checked against the database's visibility rules once more."""
    if not ids:
        return {}
    query = select(Collateral).where(Collateral.id.in_(ids))
    if not user.is_editor:
        query = query.where(Collateral.live_clause())
    return {item.id: item for item in db.session.scalars(query)}
