"""API routes for what's new for the caller (issue 14): saved collateral and notifications."""
from flask import g, url_for
from sqlalchemy import select

from hub.api import bp, page_of, schemas
from hub.api.library import item_json
from hub.api.spec import documented, query
from hub.extensions import db
from hub.whatsnew import services
from hub.whatsnew.models import SavedItem


@bp.get("/me/saved")
@documented(query=schemas.Paged, ok=schemas.SavedPage, errors=[422])
def list_saved():
    """The collateral the caller saved that they may still see, most recently saved first."""
    args = query()
    items = services.saved_items(g.user)
    shown = items[(args.page - 1) * args.per_page:args.page * args.per_page]
    saved_at = dict(db.session.execute(select(SavedItem.collateral_id, SavedItem.created_at).where(
        SavedItem.user_id == g.user.id, SavedItem.collateral_id.in_([i.id for i in shown]))).all())
    rows = [{"saved_at": saved_at[i.id].isoformat(), "collateral": item_json(i)} for i in shown]
    return page_of(rows, len(items), args.page, args.per_page)


@bp.put("/me/saved/<int:item_id>")
@documented(ok=schemas.Saved, errors=[404])
def save(item_id):
    """Save a collateral item the caller may see (idempotent)."""
    item = services.save_item(g.user, item_id, True)
    return {"collateral_id": item.id, "saved": True}


@bp.delete("/me/saved/<int:item_id>")
@documented(ok=schemas.Saved, errors=[404])
def unsave(item_id):
    """Remove a collateral item from the caller's saved ones (idempotent)."""
    item = services.save_item(g.user, item_id, False)
    return {"collateral_id": item.id, "saved": False}


def notification_json(note):
    link = services.link_of(note)
    return {"id": note.id, "kind": note.kind, "text": note.text,
            "url": url_for(link[0], _external=True, **link[1]) if link else None,
            "created_at": note.created_at.isoformat(), "read_at": note.read_at.isoformat() if note.read_at else None}


@bp.get("/me/notifications")
@documented(query=schemas.NotificationsQuery, ok=schemas.NotificationPage, errors=[422])
def list_notifications():
    """The caller's notifications, newest first (the newest 100), with the unread count."""
    args = query()
    notes = services.notifications_of(g.user, unread_only=args.unread)
    body = page_of([notification_json(n) for n in notes], len(notes), 1, services.NOTIFICATIONS_SHOWN)
    body["unread"] = services.unread_count(g.user)
    return body
