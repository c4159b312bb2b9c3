"""API routes for usage: deals, share links, outcomes, activity, analytics, ratings and content requests."""

from flask import g, request, url_for

from hub.api import bp, page_of, schemas
from hub.api.idempotency import idempotent
from hub.api.spec import body, documented, query
from hub.errors import Forbidden
from hub.library import browsing
from hub.usage import analytics, feedback, pitch_attention, pitches, review, services, shares


def require_editor():
    if not g.user.is_editor:
        raise Forbidden("Only marketing and admins can read usage reports.")


@bp.post("/usage")
@documented(json=schemas.DealInput, ok=schemas.Deal, status=201, errors=[403, 404, 422])
@idempotent
def record_usage():
    """Record that an item was used in a deal (account, opportunity, stage, note)."""
    data = body()
    action = data["action"]
    item = services.live_item(g.user, data["collateral_id"])
    use = services.record_deal(g.user, item, data)
    return {"id": use.id, "collateral_id": item.id, "action": action, "account": use.opportunity.account,
            "opportunity": use.opportunity.ref, "outcome": use.opportunity.outcome, "stage": use.stage,
            "note": use.note or None, "at": use.at.isoformat()}, 201


@bp.get("/usage")
@documented(query=schemas.UsageQuery, ok=schemas.UsagePage, errors=[403, 422])
def list_usage():
    """Events: a rep's own; marketing and admins everyone's (filter by user_id)."""
    args = query()
    page, per_page = args.page, args.per_page
    filters = {"action": args.action, "collateral_id": args.collateral_id,
               "user_id": services.user_filter(g.user, args.user_id)}
    events, more = services.list_events(g.user, filters, page, per_page)
    body = page_of([services.event_json(e) for e in events], None, page, per_page)
    body["has_more"] = more
    return body


@bp.post("/collateral/<int:item_id>/shares")
@documented(json=schemas.ShareInput, ok=schemas.NewShare, status=201, errors=[403, 404, 422])
@idempotent
def create_share(item_id):
    """A tracked link for a prospect; the token is returned only here."""
    share, token = shares.create_share(g.user, item_id, body(), channel="api")
    url = url_for("usage.share_page", token=token, _external=True)
    return {"id": share.id, "token": token, "url": url, **shares.share_json(share)}, 201


@bp.get("/shares")
@documented(ok=schemas.SharePage)
def list_shares():
    """The caller's share links with their opens."""
    rows = shares.shares_of(g.user)
    items = [{**shares.share_json(s), "opens": n, "last_opened_at": last.isoformat() if last else None}
             for s, n, last in rows]
    return page_of(items, len(items), 1, max(len(items), 1))


@bp.delete("/shares/<int:share_id>")
@documented(ok=schemas.Share, errors=[403, 404])
def revoke_share(share_id):
    """Revoke a link: it stops working at once."""
    share = shares.revoke_share(g.user, shares.get_share(g.user, share_id))
    return shares.share_json(share)


@bp.post("/pitches")
@documented(json=schemas.PitchInput, ok=schemas.NewPitch, status=201, errors=[404, 422])
@idempotent
def create_pitch():
    """One prospect link for several live items; the URL is returned only here."""
    pitch, token = pitches.create_pitch(g.user, body(), channel="api")
    url = url_for("pitches.public", token=token, _external=True)
    return {**pitches.pitch_json(pitch, url), "token": token}, 201


@bp.get("/pitches")
@documented(ok=schemas.PitchPage)
def list_pitches():
    """The caller's pitches with their opens, per item too, with each item's time in view and pages seen."""
    rows = pitches.pitches_of(g.user)
    seen = pitch_attention.attention_of([row[0] for row in rows])
    items = [{**pitches.pitch_json(p), "opens": n, "last_opened_at": last.isoformat() if last else None,
              "item_opens": {str(k): v for k, v in per_item.items()},
              "item_attention": {str(k): {"seconds": a["seconds"], "pages_seen": a["pages"], "page_count": a["page_count"]}
                                 for k, a in seen.get(p.id, {}).items()}}
             for p, n, last, per_item in rows]
    return page_of(items, len(items), 1, max(len(items), 1))


@bp.delete("/pitches/<int:pitch_id>")
@documented(ok=schemas.Pitch, errors=[403, 404])
def revoke_pitch(pitch_id):
    """Revoke a pitch: its link stops working at once."""
    return pitches.pitch_json(pitches.revoke_pitch(g.user, pitches.get_pitch(g.user, pitch_id)))


@bp.put("/opportunities/<ref>/outcome")
@documented(json=schemas.OutcomeInput, ok=schemas.Opportunity, errors=[403, 404, 422])
def set_outcome(ref):
    """Set an opportunity's outcome: open, won or lost."""
    opportunity = services.get_opportunity(ref)
    services.set_outcome(g.user, opportunity, body()["outcome"])
    return {"ref": opportunity.ref, "account": opportunity.account, "outcome": opportunity.outcome,
            "closed_at": opportunity.closed_at.isoformat() if opportunity.closed_at else None}


@bp.post("/ratings")
@documented(json=schemas.RatingInput, ok=schemas.Rating, errors=[404, 422])
@idempotent
def rate():
    """Rate an item 1-5 with an optional comment (replaces the caller's earlier rating)."""
    data = body()
    item = browsing.get_item(g.user, data["collateral_id"])
    return feedback.rating_json(feedback.rate_item(g.user, item, data.get("rating"), data.get("comment", "")))


@bp.get("/analytics/content")
@documented(query=schemas.ContentQuery, ok=schemas.ContentReport, errors=[403, 422])
def analytics_content():
    """Per item: views, downloads, shares, share_opens, deals, unique_users, rating, win_rate."""
    require_editor()
    query()
    filters = analytics.clean_filters(request.args)
    return {"items": analytics.content_usage(filters), "overall_win_rate": analytics.overall_win_rate()}


@bp.get("/analytics/unused")
@documented(query=schemas.UnusedQuery, ok=schemas.UnusedReport, errors=[403, 422])
def analytics_unused():
    """Approved items nobody viewed, downloaded or shared in `days` days, and their share of the library."""
    require_editor()
    return analytics.unused(query().days)


@bp.get("/analytics/stages")
@documented(query=schemas.Period, ok=schemas.StageReport, errors=[403, 422])
def analytics_stages():
    """Per stage: approved items, usage and searches that found nothing."""
    require_editor()
    query()
    return {"stages": analytics.stage_coverage(analytics.clean_filters(request.args))}


@bp.get("/analytics/search")
@documented(query=schemas.Period, ok=schemas.SearchInsights, errors=[403, 422])
def analytics_search():
    """Top queries, queries with no results and queries where nothing was opened."""
    require_editor()
    query()
    return analytics.search_insights(analytics.clean_filters(request.args))


@bp.get("/analytics/adoption")
@documented(query=schemas.AdoptionQuery, ok=schemas.Adoption, errors=[403, 422])
def analytics_adoption():
    """Active reps per week, calendar subscribers and their last poll."""
    require_editor()
    return analytics.adoption(query().weeks)


@bp.get("/analytics/feedback")
@documented(query=schemas.Period, ok=schemas.FeedbackReport, errors=[403, 422])
def analytics_feedback():
    """The latest ratings with a comment in the date range, newest first; a deleted person is null."""
    require_editor()
    query()
    return {"items": analytics.rating_comments(*analytics.clean_range(request.args))}


@bp.post("/requests")
@documented(json=schemas.RequestInput, ok=schemas.ContentRequest, status=201, errors=[422])
@idempotent
def create_request():
    """Ask marketing for missing content."""
    req = feedback.create_request(g.user, body())
    return feedback.request_json(req), 201, {"Location": url_for("api.get_request", request_id=req.id)}


@bp.get("/requests")
@documented(query=schemas.RequestQuery, ok=schemas.RequestPage, errors=[422])
def list_requests():
    """Content requests, most wanted first; ?status= and ?mine=1 narrow them."""
    args = query()
    rows = feedback.list_requests(args.status, g.user if args.mine in ("1", "true") else None)
    items = [feedback.request_json(req, votes) for req, votes in rows]
    return page_of(items, len(items), 1, max(len(items), 1))


@bp.get("/requests/<int:request_id>")
@documented(ok=schemas.ContentRequest, errors=[404])
def get_request(request_id):
    """One content request."""
    return feedback.request_json(feedback.get_request(request_id))


@bp.patch("/requests/<int:request_id>")
@documented(json=schemas.RequestChange, ok=schemas.ContentRequest, errors=[403, 404, 409, 422])
def update_request(request_id):
    """Marketing: status, reason, delivered_collateral_id. The requester: the details."""
    req = feedback.get_request(request_id)
    return feedback.request_json(feedback.update_request(g.user, req, body()))


@bp.post("/requests/<int:request_id>/votes")
@documented(ok=schemas.ContentRequest, status=201, errors=[404, 409])
@idempotent
def vote_request(request_id):
    """Add the caller's vote to a request."""
    req = feedback.vote(g.user, feedback.get_request(request_id))
    return feedback.request_json(req), 201


@bp.delete("/requests/<int:request_id>/votes")
@documented(ok=schemas.ContentRequest, errors=[404, 409])
def unvote_request(request_id):
    """Take the caller's vote back."""
    req = feedback.vote(g.user, feedback.get_request(request_id), on=False)
    return feedback.request_json(req)




@bp.get("/review/weekly")
@documented(query=schemas.WeekQuery, ok=schemas.WeeklyReview, errors=[422])
def weekly_review():
    """The weekly review for ?week=YYYY-Www (default: the last full ISO week); everyone may read it."""
    data = review.weekly_review(g.user, review.parse_week(query().week))
    entries = [{key: value for key, value in entry.items() if key not in ("endpoint", "values")}
               | {"url": url_for(entry["endpoint"], _external=True, **entry["values"])}
               for entry in data["calendar"]["entries"]]
    return {**data, "calendar": {**data["calendar"], "entries": entries}}
