"""GET /api/v1/openapi.json: the document, generated from the routes and their models (hub/api/spec.py)."""
from hub.api import bp, schemas
from hub.api.spec import document, documented


@bp.get("/openapi.json")
@documented(ok=schemas.OpenAPIDocument, public=True)
def openapi():
    """This document (no token needed)."""
    return document()
