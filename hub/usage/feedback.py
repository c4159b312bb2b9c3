"""Ratings of items and content requests from reps to marketing."""
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from hub import events
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import utcnow
from hub.transactions import write_aside
from hub.usage.models import REQUEST_STATUSES, ContentRequest, Rating, RequestVote
from hub.usage.services import clean_stage
from hub.validation import day, row_id, text, whole_number

# Marketing's moves; any status may be corrected back to open or planned.
NEXT = {"open": {"planned", "in_progress", "delivered", "declined"},
        "planned": {"open", "in_progress", "delivered", "declined"},
        "in_progress": {"open", "planned", "delivered", "declined"},
        "delivered": {"open", "in_progress"},
        "declined": {"open", "planned"}}


# --- ratings ------------------------------------------------------------------------------------


def rate_item(user, item, stars, comment=""):
    """Set (or change) the user's 1-5 rating and comment on a live item."""
    stars = whole_number(stars, "rating", 1, 5, "Rate from 1 to 5 stars.")
    comment = text(comment, "comment", 1000, multiline=True)
    rating = db.session.scalar(select(Rating).where(Rating.user_id == user.id, Rating.collateral_id == item.id))
    if rating is None:
        rating = Rating(user_id=user.id, collateral_id=item.id, stars=stars, comment=comment)
        db.session.add(rating)
    else:
        rating.stars, rating.comment, rating.updated_at = stars, comment, utcnow()
    db.session.flush()
    return rating


def ratings_for(item):
    """(average, count, latest ratings with comments) for an item."""
    avg, count = db.session.execute(
        select(func.avg(Rating.stars), func.count()).where(Rating.collateral_id == item.id)).one()
    latest = db.session.scalars(select(Rating).where(Rating.collateral_id == item.id)
                                .order_by(Rating.updated_at.desc()).limit(20)).all()
    return (round(float(avg), 1) if avg is not None else None), count, latest


def my_rating(user, item):
    return db.session.scalar(select(Rating).where(Rating.user_id == user.id, Rating.collateral_id == item.id))


def rating_json(rating):
    return {"collateral_id": rating.collateral_id, "rating": rating.stars, "comment": rating.comment,
            "updated_at": rating.updated_at.isoformat()}


# --- content requests ---------------------------------------------------------------------------


def clean_request(data, partial=False):
    """Validate what, stage, industry, product, why and needed by."""
    out = {}
    if not partial or "title" in data:
        out["title"] = text(data.get("title"), "title", 200, required=True)
    if not partial or "stage" in data:
        out["stage"] = clean_stage(data.get("stage"))
    for field in ("industry", "product"):
        if not partial or field in data:
            out[field] = text(data.get(field), field, 100)
    if not partial or "why" in data:
        out["why"] = text(data.get("why"), "why", 4000, multiline=True)
    if not partial or "needed_by" in data:
        out["needed_by"] = day(data.get("needed_by"), "needed_by")
    return out


def create_request(user, data):
    """A new open request from anyone signed in."""
    fields = clean_request(data)
    req = ContentRequest(requester_id=user.id, status="open", requester_seen_at=utcnow(), **fields)
    db.session.add(req)
    db.session.flush()
    return req


def get_request(request_id):
    req = db.session.get(ContentRequest, request_id)
    if req is None:
        raise NotFound("No such content request.")
    return req


def list_requests(status=None, mine_for=None, asked=None, changed=None):
    """[(ContentRequest, votes)], most wanted first, at most 500; optionally one status (a key of
    REQUEST_STATUSES, else Invalid), one requester, and `asked` / `changed`: (first, last) dates, each
    inclusive and either None for open-ended, of the day (UTC) the request was asked or its status
    last changed. The weekly review's "asked this week" and "delivered" link to these lists."""
    votes = func.count(RequestVote.id)
    query = (select(ContentRequest, votes).outerjoin(RequestVote).group_by(ContentRequest.id)
             .options(selectinload(ContentRequest.requester)))
    if status:
        if status not in REQUEST_STATUSES:
            raise Invalid(f"Status must be one of: {', '.join(REQUEST_STATUSES.values())}.", "status")
        query = query.where(ContentRequest.status == status)
    if mine_for is not None:
        query = query.where(ContentRequest.requester_id == mine_for.id)
    for column, (first, last) in ((ContentRequest.created_at, asked or (None, None)),
                                  (ContentRequest.status_changed_at, changed or (None, None))):
        if first is not None:
            query = query.where(column >= datetime.combine(first, time.min, UTC))
        if last is not None:
            query = query.where(column < datetime.combine(last + timedelta(days=1), time.min, UTC))
    return db.session.execute(query.order_by(votes.desc(), ContentRequest.created_at.desc()).limit(500)).all()


def vote(user, req, on=True):
    """Add (or take back) the user's vote; the requester's own request already counts as theirs."""
    if req.status in ("delivered", "declined"):
        raise Conflict("This request is closed.")
    existing = vote_of(user, req)
    if on and existing is None and req.requester_id != user.id:
        db.session.add(RequestVote(request_id=req.id, user_id=user.id))
    elif not on and existing is not None:
        db.session.delete(existing)
    db.session.flush()
    return req


def vote_of(user, req):
    return db.session.scalar(select(RequestVote).where(RequestVote.request_id == req.id, RequestVote.user_id == user.id))


def has_voted(user, req):
    return vote_of(user, req) is not None


def update_request(user, req, data):
    """Marketing moves a request along (a reason to decline, an item when delivered); the requester may edit details."""
    details = {k: v for k, v in data.items() if k in ("title", "stage", "industry", "product", "why", "needed_by")}
    moving = any(k in data for k in ("status", "reason", "delivered_collateral_id"))
    if moving and not user.is_editor:
        raise Forbidden("Only marketing and admins change a request's status.")
    if details and not user.is_editor and req.requester_id != user.id:
        raise Forbidden("Only the requester or marketing can edit a request.")
    fields = clean_request(details, partial=True)
    changed = False
    if moving:
        status = data.get("status", req.status)
        if not isinstance(status, str) or status not in REQUEST_STATUSES:
            raise Invalid(f"Status must be one of: {', '.join(REQUEST_STATUSES.values())}.", "status")
        if status != req.status and status not in NEXT[req.status]:
            raise Conflict(f"A request that is {req.status_label.lower()} cannot become "
                           f"{REQUEST_STATUSES[status].lower()}.", "invalid_transition")
        reason = text(data.get("reason", req.reason if status == req.status else ""), "reason", 1000, multiline=True)
        if status == "declined" and not reason:
            raise Invalid("Say why the request is declined.", "reason")
        delivered_id = data.get("delivered_collateral_id", req.delivered_collateral_id)
        if status == "delivered":
            message = "Link the item that delivers this request."
            delivered_id = row_id(delivered_id, "delivered_collateral_id", message)
            if db.session.get(Collateral, delivered_id) is None:
                raise Invalid(message, "delivered_collateral_id")
        else:
            delivered_id = None
        changed = status != req.status
        if changed:
            req.status_changed_at = utcnow()
        req.status, req.reason, req.delivered_collateral_id = status, reason, delivered_id
    for name, value in fields.items():
        setattr(req, name, value)
    req.updated_at = utcnow()
    db.session.flush()
    if changed:
        announce_status(user, req)
    return req


def announce_status(actor, req):
    """Tell the other features (notifications) that the request's status changed: who follows it."""
    voters = [vote.user_id for vote in req.votes if vote.user_id is not None]
    followers = {req.requester_id, *voters} - {None}
    events.request_status_changed.send(req, title=req.title, status_label=req.status_label, actor=actor,
                                       user_ids=sorted(followers),
                                       link=("usage.request_detail", {"request_id": req.id}))


def unseen_changes(user):
    """The user's requests whose status changed since they last looked."""
    return db.session.scalars(
        select(ContentRequest).where(ContentRequest.requester_id == user.id,
                                     ContentRequest.status_changed_at.is_not(None),
                                     (ContentRequest.requester_seen_at.is_(None))
                                     | (ContentRequest.status_changed_at > ContentRequest.requester_seen_at))
    ).all()


def mark_seen(user, requests):
    """The requester has now seen these statuses: bookkeeping, written aside (a GET shows them)."""
    ids = [req.id for req in requests if req.requester_id == user.id]
    if ids:
        write_aside(update(ContentRequest).where(ContentRequest.id.in_(ids)).values(requester_seen_at=utcnow()),
                    "requests seen")


def request_json(req, votes=None):
    return {
        "id": req.id, "title": req.title, "stage": req.stage or None, "industry": req.industry or None,
        "product": req.product or None, "why": req.why, "needed_by": req.needed_by.isoformat() if req.needed_by else None,
        "status": req.status, "reason": req.reason or None, "votes": req.vote_count if votes is None else votes,
        "requester": req.requester.name if req.requester else None,
        "delivered_collateral_id": req.delivered_collateral_id,
        "created_at": req.created_at.isoformat(), "updated_at": req.updated_at.isoformat(),
    }
