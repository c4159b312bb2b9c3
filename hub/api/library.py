"""API routes for stages and collateral."""
from flask import g, request, url_for

from hub import events
from hub.api import bp, page_of, schemas, spec
from hub.api.idempotency import idempotent
from hub.api.spec import body, documented, query
from hub.errors import NotFound
from hub.library import browsing, files, funnel, services, workflow


def stage_json(stage):
    return {"slug": stage.slug, "name": stage.name, "position": stage.position}


def version_json(version):
    if version is None:
        return None
    return {
        "number": version.number,
        "filename": version.original_name,
        "size": version.size,
        "sha256": version.sha256,
        "mimetype": version.mimetype,
        "uploaded_at": version.created_at.isoformat(),
        "text_indexed": bool(version.text_indexed),
        "text_error": (version.text_error or None) if version.text_status == "failed" else None,
        "text_status": version.text_status,
        "text_status_reason": version.text_error or None,
        "review_state": version.review_state,
    }


def item_json(item):
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "content_type": item.content_type,
        "stages": item.stage_slugs,
        "status": item.status,
        "product": item.product,
        "industry": item.industry,
        "persona": item.persona,
        "region": item.region,
        "tags": item.tag_list,
        "expires_on": item.expires_on.isoformat() if item.expires_on else None,
        "url": item.url,
        "owner": item.owner.name if item.owner else None,
        "current_version": version_json(item.current_version),
        "pending_version": version_json(item.pending_version) if g.user.is_editor else None,
        "version_count": len(item.versions),
        "download_url": url_for("api.download", item_id=item.id, _external=True),
        "page_url": url_for("library.item", item_id=item.id, _external=True),
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }


def form_stages(data):
    """`stages` from a form may repeat or be comma-separated."""
    if isinstance(data.get("stages"), list) and not request.is_json:
        data["stages"] = [s.strip() for value in data["stages"] for s in value.split(",") if s.strip()]
    return data


@bp.get("/stages")
@documented(ok=schemas.StagePage)
def stages():
    """The funnel stages in order (one page holds them all)."""
    stages = [stage_json(s) for s in funnel.list_stages()]
    return page_of(stages, len(stages), 1, max(len(stages), 1))


@bp.get("/me")
@documented(ok=schemas.User)
def me():
    """Who the token belongs to."""
    return {"id": g.user.id, "email": g.user.email, "name": g.user.name, "role": g.user.role, "team": g.user.team}


@bp.get("/collateral")
@documented(query=schemas.CollateralQuery, ok=schemas.ItemPage, errors=[422])
def list_collateral():
    """Visible items, filtered and paginated."""
    args = query()
    filters = {k: (getattr(args, k) or "").strip() for k in ("stage", "status", "content_type", "product")}
    items, total = browsing.list_items(g.user, filters, args.page, args.per_page)
    return page_of([item_json(i) for i in items], total, args.page, args.per_page)


@bp.get("/collateral/<int:item_id>")
@documented(ok=schemas.Item, errors=[404])
def get_collateral(item_id):
    """One item."""
    return item_json(browsing.get_item(g.user, item_id))


@bp.post("/collateral")
@documented(form=schemas.NewItem, ok=schemas.Item, status=201, errors=[403, 413, 422])
@idempotent
def create_collateral():
    """A new draft item from a file or a link."""
    services.require_editor(g.user)
    data = form_stages(body())
    data.setdefault("stages", [])
    item = services.create_item(g.user, data, request.files.get("file"))
    return item_json(item), 201, {"Location": url_for("api.get_collateral", item_id=item.id)}


@bp.patch("/collateral/<int:item_id>")
@documented(json=schemas.ItemFields, form=schemas.ItemFields, ok=schemas.Item, errors=[403, 404, 422])
def update_collateral(item_id):
    """Change some of an item's metadata (JSON or form fields)."""
    item = browsing.get_item(g.user, item_id)
    services.require_editor(g.user)
    data = form_stages(body())
    return item_json(services.update_item(g.user, item, data))


@bp.post("/collateral/<int:item_id>/versions")
@documented(form=schemas.NewVersion, ok=schemas.Item, status=201, errors=[403, 404, 409, 413, 422])
@idempotent
def add_version(item_id):
    """Upload a new file version: served from now on, or, for an approved item under
    HUB_REQUIRE_REAPPROVAL, once approved (it is `pending_version` until then)."""
    item = browsing.get_item(g.user, item_id)
    services.require_editor(g.user)
    body()
    services.add_version(g.user, item, request.files.get("file"))
    return item_json(item), 201


@bp.post("/collateral/<int:item_id>/versions/<int:number>/approve")
@documented(json=schemas.VersionDecision, ok=schemas.Item, errors=[403, 404, 409, 422])
def approve_version(item_id, number):
    """Approve a version waiting for re-approval: it is served from now on. 403 under
    HUB_SEPARATE_APPROVER for the person who created, uploaded or last changed the item (not admins);
    409 when that version does not wait."""
    return decide_version(item_id, number, True)


@bp.post("/collateral/<int:item_id>/versions/<int:number>/reject")
@documented(json=schemas.VersionDecision, ok=schemas.Item, errors=[403, 404, 409, 422])
def reject_version(item_id, number):
    """Reject a version waiting for re-approval: the previous version stays the served one."""
    return decide_version(item_id, number, False)


def decide_version(item_id, number, approve):
    item = browsing.get_item(g.user, item_id)
    services.require_editor(g.user)
    data = body()
    workflow.decide_version(g.user, item, number, approve, data.get("comment") or "")
    return item_json(item)


@bp.post("/collateral/<int:item_id>/status")
@documented(json=schemas.StatusChange, ok=schemas.Item, errors=[403, 404, 409, 422])
def change_status(item_id):
    """Move an item along the workflow: 403 for reps, 409 for a transition not allowed."""
    item = browsing.get_item(g.user, item_id)
    services.require_editor(g.user)
    data = body()
    workflow.transition(g.user, item, data["status"], data.get("comment") or "")
    return item_json(item)


@bp.delete("/collateral/<int:item_id>")
@documented(ok=None, status=204, errors=[403, 404])
def delete_collateral(item_id):
    """Delete an item and its files."""
    services.delete_item(g.user, browsing.get_item(g.user, item_id))
    return "", 204


@bp.get("/collateral/<int:item_id>/download")
@documented(ok=None, errors=[404])
def download(item_id):
    """The current file, as an attachment."""
    item = browsing.get_item(g.user, item_id)
    if item.current_version is None:
        raise NotFound("This item is a link, not a file: see its url.")
    events.collateral_opened.send(item, action="download", user=g.user, channel="api")
    return files.send(item.current_version)


spec.DOWNLOAD_TYPES = tuple(kind.mimetype for kind in files.KINDS.values())
