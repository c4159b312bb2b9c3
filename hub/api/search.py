"""GET /api/v1/search: the same search, access rules and facets as the results page."""
from flask import g

from hub import events
from hub.api import bp, schemas
from hub.api.spec import documented, query
from hub.search import services


@bp.get("/search")
@documented(query=schemas.SearchQuery, ok=schemas.SearchResults, errors=[422])
def search():
    """Ranked results with snippets, facet counts and a spelling suggestion."""
    args = query()
    clicked = args.clicked
    filters = {k: getattr(args, k) or "" for k in ("stage", "content_type", "product", "industry", "persona", "status")}
    found = services.search(g.user, args.q, filters, args.page, args.per_page, args.sort)
    # With `clicked` the caller reports which result it opened; the search itself was recorded when it ran.
    events.search_performed.send(g.user, text=args.q, filters=filters, total=found.total,
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
