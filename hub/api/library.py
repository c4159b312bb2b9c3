"""API routes for stages and collateral."""
from flask import g, request, url_for

from hub import events
from hub.api import bp, json_body, page_of, pagination
from hub.api.idempotency import idempotent
from hub.errors import Invalid, NotFound
from hub.library import files, services


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
        "version_count": len(item.versions),
        "download_url": url_for("api.download", item_id=item.id, _external=True),
        "page_url": url_for("library.item", item_id=item.id, _external=True),
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }


def form_data():
    """Multipart or urlencoded item fields; `stages` may repeat or be comma-separated."""
    data = {k: request.form[k] for k in request.form if k != "stages"}
    stages = [s.strip() for value in request.form.getlist("stages") for s in value.split(",")]
    if "stages" in request.form:
        data["stages"] = [s for s in stages if s]
    return data


@bp.get("/stages")
def stages():
    """The funnel stages in order (one page holds them all)."""
    stages = [stage_json(s) for s in services.list_stages()]
    return page_of(stages, len(stages), 1, max(len(stages), 1))


@bp.get("/me")
def me():
    """Who the token belongs to."""
    return {"id": g.user.id, "email": g.user.email, "name": g.user.name, "role": g.user.role, "team": g.user.team}


@bp.get("/collateral")
def list_collateral():
    """Visible items, filtered and paginated."""
    page, per_page = pagination()
    filters = {k: request.args.get(k, "").strip() for k in ("stage", "status", "content_type", "product")}
    items, total = services.list_items(g.user, filters, page, per_page)
    return page_of([item_json(i) for i in items], total, page, per_page)


@bp.get("/collateral/<int:item_id>")
def get_collateral(item_id):
    """One item."""
    return item_json(services.get_item(g.user, item_id))


@bp.post("/collateral")
@idempotent
def create_collateral():
    """A new draft item from a file or a link."""
    data = form_data()
    data.setdefault("stages", [])
    item = services.create_item(g.user, data, request.files.get("file"))
    return item_json(item), 201, {"Location": url_for("api.get_collateral", item_id=item.id)}


@bp.patch("/collateral/<int:item_id>")
def update_collateral(item_id):
    """Change some of an item's metadata (JSON or form fields)."""
    item = services.get_item(g.user, item_id)
    data = json_body() if request.is_json else form_data()
    return item_json(services.update_item(g.user, item, data))


@bp.post("/collateral/<int:item_id>/versions")
@idempotent
def add_version(item_id):
    """Upload a new file version; it is served from now on."""
    item = services.get_item(g.user, item_id)
    services.add_version(g.user, item, request.files.get("file"))
    return item_json(item), 201


@bp.post("/collateral/<int:item_id>/status")
def change_status(item_id):
    """Move an item along the workflow: 403 for reps, 409 for a transition not allowed."""
    item = services.get_item(g.user, item_id)
    body = json_body()
    status, comment = body.get("status"), body.get("comment") or ""
    if not isinstance(comment, str):
        raise Invalid("comment must be a string.", "comment")
    services.transition(g.user, item, status, comment)
    return item_json(item)


@bp.delete("/collateral/<int:item_id>")
def delete_collateral(item_id):
    """Delete an item and its files."""
    services.delete_item(g.user, services.get_item(g.user, item_id))
    return "", 204


@bp.get("/collateral/<int:item_id>/download")
def download(item_id):
    """The current file, as an attachment."""
    item = services.get_item(g.user, item_id)
    if item.current_version is None:
        raise NotFound("This item is a link, not a file: see its url.")
    events.collateral_opened.send(item, action="download", user=g.user, channel="api")
    return files.send(item.current_version)
