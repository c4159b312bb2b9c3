"""API routes for the marketing calendar and the caller's feed links."""
from flask import g, request, url_for
from sqlalchemy import func, or_, select

from hub.api import bp, json_body, page_of, pagination
from hub.calendar import feeds, services, validation
from hub.calendar.models import STATUSES, CalendarEntry
from hub.errors import Invalid
from hub.extensions import db
from hub.validation import instant as parse_instant


def entry_json(entry, user):
    """The entry as the API shows it; collateral_ids lists only items the caller may see."""
    fields = validation.entry_input(entry)
    fields["collateral_ids"] = [item.id for item in services.visible_collateral(user, entry)]
    return {
        "id": entry.id, "uid": entry.uid, **fields, "sequence": entry.sequence,
        "owner": entry.owner.name if entry.owner else None,
        "created_at": entry.created_at.isoformat(), "updated_at": entry.updated_at.isoformat(),
        "cancelled_at": entry.cancelled_at.isoformat() if entry.cancelled_at else None,
        "page_url": url_for("calendar.entry", entry_id=entry.id, _external=True),
        "ics_url": url_for("calendar.entry_ics", entry_id=entry.id, _external=True),
    }


def instant(name):
    """`from`/`to` (hub.validation.instant): a date (00:00 UTC) or an ISO 8601 time with an offset."""
    return parse_instant(request.args.get(name), name)


@bp.get("/calendar/entries")
def list_calendar_entries():
    """Visible entries overlapping [from, to), filtered by kind, product, audience and status."""
    page, per_page = pagination()
    filters = services.clean_filters(request.args.getlist("kind"), request.args.getlist("product"),
                                     request.args.getlist("audience"))
    query = services.apply_filters(services.visible_query(g.user), filters)
    start, end = instant("from"), instant("to")
    if start and end and end <= start:
        raise Invalid("to must be after from.", "to")
    if start:
        query = query.where(or_(CalendarEntry.span_ends_at.is_(None), CalendarEntry.span_ends_at > start))
    if end:
        query = query.where(CalendarEntry.span_starts_at < end)
    status = request.args.get("status", "")
    if status:
        if status not in STATUSES:
            raise Invalid(f"Status must be one of: {', '.join(STATUSES)}.", "status")
        query = query.where(CalendarEntry.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.order_by(CalendarEntry.span_starts_at, CalendarEntry.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return page_of([entry_json(e, g.user) for e in rows], total, page, per_page)


@bp.post("/calendar/entries")
def create_calendar_entry():
    """A new entry (a draft unless `published` is true)."""
    services.require_editor(g.user)
    entry = services.create_entry(g.user, json_body())
    return entry_json(entry, g.user), 201, {"Location": url_for("api.get_calendar_entry", entry_id=entry.id)}


@bp.get("/calendar/entries/<int:entry_id>")
def get_calendar_entry(entry_id):
    """One entry."""
    return entry_json(services.get_entry(g.user, entry_id), g.user)


@bp.patch("/calendar/entries/<int:entry_id>")
def update_calendar_entry(entry_id):
    """Change some fields; SEQUENCE goes up when anything a calendar shows changes."""
    entry = services.get_entry(g.user, entry_id)
    services.require_editor(g.user)
    return entry_json(services.update_entry(g.user, entry, json_body()), g.user)


@bp.delete("/calendar/entries/<int:entry_id>")
def cancel_calendar_entry(entry_id):
    """Cancel the entry (it stays in feeds for 30 days as cancelled); deleting for good is on the page."""
    entry = services.get_entry(g.user, entry_id)
    return entry_json(services.cancel_entry(g.user, entry), g.user)


@bp.get("/me/feeds")
def my_feeds():
    """The caller's private feed links, and their saved filtered feeds (links null until the caller has
    made a feed link, which POST /api/v1/me/feeds/rotate does)."""
    empty = {"https": None, "webcal": None, "google": None}
    saved = [{"id": feed.id, "name": feed.name, "filters": feeds.filters_from_query(feed.query),
              **(feeds.urls(g.user, feed) or empty)} for feed in feeds.list_saved(g.user)]
    return {**(feeds.urls(g.user) or empty), "saved": saved}


@bp.post("/me/feeds/rotate")
def rotate_my_feed():
    """Make a new feed secret: the caller's old feed links stop working at once."""
    feeds.rotate_token(g.user)
    return my_feeds()
