"""The search results page."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from hub import events
from hub.errors import ApiError
from hub.library import services as library
from hub.search import services
from hub.ui import page_number

bp = Blueprint("search", __name__)
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
    stages = {s.slug: s.name for s in library.list_stages()}
    return render_template("search/results.html", found=found, text=text, filters=filters, sort=sort,
                           stages=stages)
