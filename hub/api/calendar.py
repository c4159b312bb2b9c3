"""API routes for the marketing calendar and the caller's feed links."""
from flask import current_app, g, request, url_for
from sqlalchemy import func, or_, select

from hub.api import bp, page_of, schemas
from hub.api.idempotency import idempotent
from hub.api.spec import body, documented, query
from hub.calendar import importer, services, subscriptions, validation
from hub.calendar.models import CalendarEntry
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


@bp.get("/calendar/entries")
@documented(query=schemas.EntryQuery, ok=schemas.EntryPage, errors=[422])
def list_calendar_entries():
    """Visible entries overlapping [from, to), filtered by kind, product, audience and status."""
    args = query()
    page, per_page = args.page, args.per_page
    filters = services.clean_filters(args.kind, args.product, args.audience)
    rows = services.apply_filters(services.visible_query(g.user), filters)
    start, end = parse_instant(args.from_, "from"), parse_instant(args.to, "to")
    if start and end and end <= start:
        raise Invalid("to must be after from.", "to")
    if start:
        rows = rows.where(or_(CalendarEntry.span_ends_at.is_(None), CalendarEntry.span_ends_at > start))
    if end:
        rows = rows.where(CalendarEntry.span_starts_at < end)
    if args.status:
        rows = rows.where(CalendarEntry.status == args.status)
    total = db.session.scalar(select(func.count()).select_from(rows.order_by(None).subquery()))
    rows = db.session.scalars(rows.order_by(CalendarEntry.span_starts_at, CalendarEntry.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return page_of([entry_json(e, g.user) for e in rows], total, page, per_page)


@bp.post("/calendar/entries")
@documented(json=schemas.CalendarEntryInput, ok=schemas.CalendarEntry, status=201, errors=[403, 422])
@idempotent
def create_calendar_entry():
    """A new entry (a draft unless `published` is true)."""
    services.require_editor(g.user)
    entry = services.create_entry(g.user, body())
    return entry_json(entry, g.user), 201, {"Location": url_for("api.get_calendar_entry", entry_id=entry.id)}


@bp.get("/calendar/entries/<int:entry_id>")
@documented(ok=schemas.CalendarEntry, errors=[404])
def get_calendar_entry(entry_id):
    """One entry."""
    return entry_json(services.get_entry(g.user, entry_id), g.user)


@bp.patch("/calendar/entries/<int:entry_id>")
@documented(json=schemas.CalendarEntryInput, ok=schemas.CalendarEntry, errors=[403, 404, 422])
def update_calendar_entry(entry_id):
    """Change some fields; SEQUENCE goes up when anything a calendar shows changes."""
    entry = services.get_entry(g.user, entry_id)
    services.require_editor(g.user)
    return entry_json(services.update_entry(g.user, entry, body()), g.user)


@bp.delete("/calendar/entries/<int:entry_id>")
@documented(ok=schemas.CalendarEntry, errors=[403, 404])
def cancel_calendar_entry(entry_id):
    """Cancel the entry (it stays in feeds for 30 days as cancelled); deleting for good is on the page."""
    entry = services.get_entry(g.user, entry_id)
    return entry_json(services.cancel_entry(g.user, entry), g.user)


@bp.post("/calendar/import")
@documented(form=schemas.CalendarImport, ok=schemas.ImportResult, errors=[403, 413, 422])
def import_calendar():
    """Import an .ics file (multipart field `file`): added, updated, unchanged and what was skipped, or 422."""
    services.require_editor(g.user)
    form = body()
    config = current_app.config
    data = importer.upload_bytes(request.files.get("file"), config["CALENDAR_IMPORT_MAX_BYTES"])
    result = importer.import_ics(g.user, data, form.get("kind", "other"), form.get("published", ""),
                                 config["CALENDAR_TIMEZONE"])
    return result.as_json()


@bp.get("/me/feeds")
@documented(ok=schemas.FeedLinks)
def my_feeds():
    """The caller's private feed links, and their saved filtered feeds (links null until the caller has
    made a feed link, which POST /api/v1/me/feeds/rotate does)."""
    empty = {"https": None, "webcal": None, "google": None}
    saved = [{"id": feed.id, "name": feed.name, "filters": subscriptions.filters_from_query(feed.query),
              **(subscriptions.urls(g.user, feed) or empty)} for feed in subscriptions.list_saved(g.user)]
    return {**(subscriptions.urls(g.user) or empty), "saved": saved}


@bp.post("/me/feeds/rotate")
@documented(ok=schemas.FeedLinks, errors=[409])
def rotate_my_feed():
    """Make a new feed secret: the caller's old feed links stop working at once."""
    subscriptions.rotate_token(g.user)
    return my_feeds()
