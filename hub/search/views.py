"""The search results page."""
import re

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from hub import events
from hub.errors import ApiError
from hub.library import funnel, previews
from hub.search import services
from hub.ui import page_number

bp = Blueprint("search", __name__)
WORD = re.compile(r"\w+")
FILTERS = ("stage", "content_type", "product", "industry", "persona", "status")


@bp.get("/search")
def results():
    """Results with facets and snippets; an empty state that suggests broader searches."""
    text = request.args.get("q", "")
    filters = {k: request.args.get(k, "") for k in FILTERS if request.args.get(k)}
    sort = request.args.get("sort", "relevance")
    try:
        found = services.search(current_user, text, filters, page_number(), 10, sort)
    except ApiError as e:
        abort(400, e.message)
    if request.args.get("track") != "0":  # insights' own query links are not reps searching
        events.search_performed.send(current_user._get_current_object(), text=text, filters=filters,
                                     total=found.total, page=found.page, channel="page")
    stages = {s.slug: s.name for s in funnel.list_stages()}
    return render_template("search/results.html", found=found, text=text, filters=filters, sort=sort,
                           stages=stages, hit_pages=hit_pages(found.hits, text))


def hit_pages(hits, text):
    """{item id: (page, pages)} for hits inside a paged file: the page holding the most of the
    snippet's marked words (or the query's words), so the result opens the viewer there."""
    query_words = {w for w in WORD.findall(text.lower()) if len(w) > 1}
    found = {}
    for item, _score, snippet in hits:
        version = item.current_version
        total = previews.page_count(version)
        if total < 2:
            continue
        marked = {part.lower().strip() for part, is_marked in (snippet or []) if is_marked and part.strip()}
        page = previews.matching_page(version, marked or query_words)
        if page:
            found[item.id] = (page, total)
    return found
