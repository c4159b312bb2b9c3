"""GET /api/v1/search: the same search, access rules and facets as the results page."""
from flask import g, request

from hub.api import bp, pagination
from hub.search import services
from hub.usage.services import normalise_query, record_event, record_search


@bp.get("/search")
def search():
    """Ranked results with snippets, facet counts and a spelling suggestion."""
    page, per_page = pagination()
    filters = {k: request.args.get(k, "") for k in ("stage", "content_type", "product", "industry", "persona", "status")}
    found = services.search(g.user, request.args.get("q", ""), filters, page, min(per_page, 50),
                            request.args.get("sort", "relevance"))
    record_search(g.user, request.args.get("q", ""), filters, found.total, found.page, "api")  # usage (issue 5)
    clicked = request.args.get("clicked", "")
    if clicked.isdigit():  # the caller reports which result it opened
        record_event("search_click", g.user, int(clicked), version=None, channel="api",
                     query=normalise_query(request.args.get("q", "")))
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
