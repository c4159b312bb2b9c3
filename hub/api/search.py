"""GET /api/v1/search: the same search, access rules and facets as the results page."""
from flask import g, request

from hub import events
from hub.api import bp, pagination
from hub.search import services
from hub.validation import row_id

MAX_PER_PAGE = 50  # results carry snippets: a page of 50 is the most one search builds


@bp.get("/search")
def search():
    """Ranked results with snippets, facet counts and a spelling suggestion."""
    page, per_page = pagination(MAX_PER_PAGE)
    clicked = request.args.get("clicked", "")
    clicked = row_id(clicked, "clicked") if clicked else None
    filters = {k: request.args.get(k, "") for k in ("stage", "content_type", "product", "industry", "persona", "status")}
    found = services.search(g.user, request.args.get("q", ""), filters, page, per_page,
                            request.args.get("sort", "relevance"))
    # With `clicked` the caller reports which result it opened; the search itself was recorded when it ran.
    events.search_performed.send(g.user, text=request.args.get("q", ""), filters=filters, total=found.total,
                                 page=found.page, channel="api", clicked=clicked)
    return {
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "query": found.query,
        "results": [
            {"id": item.id, "title": item.title, "score": score,
             "snippet": "".join(part for part, _ in snippet) or item.description[:220],
             "highlights": [part for part, marked in snippet if marked],
             "stages": item.stage_slugs, "content_type": item.content_type, "status": item.status}
            for item, score, snippet in found.hits
        ],
        "facets": found.facets,
        "suggestion": found.suggestion,
    }
