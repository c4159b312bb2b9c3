"""API routes for usage: deals, share links, outcomes, activity, analytics, ratings and content requests."""
from flask import g, request, url_for

from hub.api import bp, json_body, page_of, pagination
from hub.errors import Forbidden, Invalid
from hub.library import services as library
from hub.usage import analytics, feedback, services, shares
from hub.validation import row_id

API_ACTIONS = ("used_in_deal",)


def require_editor():
    if not g.user.is_editor:
        raise Forbidden("Only marketing and admins can read usage reports.")


def id_arg(name):
    """An optional row id from the query string, checked against the id columns' range."""
    raw = request.args.get(name)
    return None if raw in (None, "") else row_id(raw, name)


@bp.post("/usage")
def record_usage():
    """Record that an item was used in a deal (account, opportunity, stage, note)."""
    body = json_body()
    action = body.get("action")
    if action not in API_ACTIONS:
        raise Invalid(f"action must be one of: {', '.join(API_ACTIONS)}.", "action")
    if "collateral_id" not in body:
        raise Invalid("collateral_id is required.", "collateral_id")
    item = services.live_item(g.user, body.get("collateral_id"))
    use = services.record_deal(g.user, item, body)
    return {"id": use.id, "collateral_id": item.id, "action": action, "account": use.opportunity.account,
            "opportunity": use.opportunity.ref, "outcome": use.opportunity.outcome, "stage": use.stage,
            "note": use.note or None, "at": use.at.isoformat()}, 201


@bp.get("/usage")
def list_usage():
    """Events: a rep's own; marketing and admins everyone's (filter by user_id)."""
    page, per_page = pagination()
    filters = {"action": request.args.get("action", ""), "collateral_id": id_arg("collateral_id"),
               "user_id": services.user_filter(g.user, request.args.get("user_id"))}
    events, more = services.list_events(g.user, filters, page, per_page)
    body = page_of([services.event_json(e) for e in events], None, page, per_page)
    body["has_more"] = more
    return body


@bp.post("/collateral/<int:item_id>/shares")
def create_share(item_id):
    """A tracked link for a prospect; the token is returned only here."""
    share, token = shares.create_share(g.user, item_id, json_body(), channel="api")
    url = url_for("usage.share_page", token=token, _external=True)
    return {"id": share.id, "token": token, "url": url, **shares.share_json(share)}, 201


@bp.get("/shares")
def list_shares():
    """The caller's share links with their opens."""
    rows = shares.shares_of(g.user)
    items = [{**shares.share_json(s), "opens": n, "last_opened_at": last.isoformat() if last else None}
             for s, n, last in rows]
    return page_of(items, len(items), 1, max(len(items), 1))


@bp.delete("/shares/<int:share_id>")
def revoke_share(share_id):
    """Revoke a link: it stops working at once."""
    share = shares.revoke_share(g.user, shares.get_share(g.user, share_id))
    return shares.share_json(share)


@bp.put("/opportunities/<ref>/outcome")
def set_outcome(ref):
    """Set an opportunity's outcome: open, won or lost."""
    opportunity = services.get_opportunity(ref)
    body = json_body()
    services.set_outcome(g.user, opportunity, body.get("outcome"))
    return {"ref": opportunity.ref, "account": opportunity.account, "outcome": opportunity.outcome,
            "closed_at": opportunity.closed_at.isoformat() if opportunity.closed_at else None}


@bp.post("/ratings")
def rate():
    """Rate an item 1-5 with an optional comment (replaces the caller's earlier rating)."""
    body = json_body()
    if "collateral_id" not in body:
        raise Invalid("collateral_id is required.", "collateral_id")
    item_id = row_id(body.get("collateral_id"), "collateral_id", "collateral_id must be an item id.", text=False)
    item = library.get_item(g.user, item_id)
    return feedback.rating_json(feedback.rate_item(g.user, item, body.get("rating"), body.get("comment", "")))


@bp.get("/analytics/content")
def analytics_content():
    """Per item: views, downloads, shares, share_opens, deals, unique_users, rating, win_rate."""
    require_editor()
    filters = analytics.clean_filters(request.args)
    return {"items": analytics.content_usage(filters), "overall_win_rate": analytics.overall_win_rate()}


@bp.get("/analytics/unused")
def analytics_unused():
    """Approved items nobody viewed, downloaded or shared in `days` days, and their share of the library."""
    require_editor()
    return analytics.unused(analytics.clean_days(request.args.get("days")))


@bp.get("/analytics/stages")
def analytics_stages():
    """Per stage: approved items, usage and searches that found nothing."""
    require_editor()
    return {"stages": analytics.stage_coverage(analytics.clean_filters(request.args))}


@bp.get("/analytics/search")
def analytics_search():
    """Top queries, queries with no results and queries where nothing was opened."""
    require_editor()
    return analytics.search_insights(analytics.clean_filters(request.args))


@bp.get("/analytics/adoption")
def analytics_adoption():
    """Active reps per week, calendar subscribers and their last poll."""
    require_editor()
    return analytics.adoption(analytics.clean_weeks(request.args.get("weeks")))


@bp.get("/analytics/feedback")
def analytics_feedback():
    """The latest ratings with a comment in the date range, newest first; a deleted person is null."""
    require_editor()
    return {"items": analytics.rating_comments(*analytics.clean_range(request.args))}


@bp.post("/requests")
def create_request():
    """Ask marketing for missing content."""
    req = feedback.create_request(g.user, json_body())
    return feedback.request_json(req), 201, {"Location": url_for("api.get_request", request_id=req.id)}


@bp.get("/requests")
def list_requests():
    """Content requests, most wanted first; ?status= and ?mine=1 narrow them."""
    mine = request.args.get("mine") in ("1", "true")
    rows = feedback.list_requests(request.args.get("status") or None, g.user if mine else None)
    items = [feedback.request_json(req, votes) for req, votes in rows]
    return page_of(items, len(items), 1, max(len(items), 1))


@bp.get("/requests/<int:request_id>")
def get_request(request_id):
    """One content request."""
    return feedback.request_json(feedback.get_request(request_id))


@bp.patch("/requests/<int:request_id>")
def update_request(request_id):
    """Marketing: status, reason, delivered_collateral_id. The requester: the details."""
    req = feedback.get_request(request_id)
    body = json_body()
    unknown = sorted(set(body) - {"title", "stage", "industry", "product", "why", "needed_by", "status", "reason",
                                  "delivered_collateral_id"})
    if unknown:
        raise Invalid(f"Unknown field: {unknown[0]}.", unknown[0])
    return feedback.request_json(feedback.update_request(g.user, req, body))


@bp.post("/requests/<int:request_id>/votes")
def vote_request(request_id):
    """Add the caller's vote to a request."""
    req = feedback.vote(g.user, feedback.get_request(request_id))
    return feedback.request_json(req), 201


@bp.delete("/requests/<int:request_id>/votes")
def unvote_request(request_id):
    """Take the caller's vote back."""
    req = feedback.vote(g.user, feedback.get_request(request_id), on=False)
    return feedback.request_json(req)


