"""The OpenAPI 3 description of API v1, served at /api/v1/openapi.json."""
from hub.api import bp
from hub.library.models import CONTENT_TYPES, STATUSES


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema or {"type": "string"}}


ITEM_ID = {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PAGING = [
    query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    query("per_page", "Items per page.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
]
ITEM_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "description": {"type": "string", "maxLength": 10000},
    "content_type": {"type": "string", "enum": list(CONTENT_TYPES)},
    "stages": {"type": "array", "items": {"type": "string"}, "description": "Stage slugs; repeat the field or separate with commas."},
    "product": {"type": "string", "maxLength": 100},
    "industry": {"type": "string", "maxLength": 100},
    "persona": {"type": "string", "maxLength": 100},
    "region": {"type": "string", "maxLength": 100},
    "tags": {"type": "string", "description": "Comma-separated."},
    "expires_on": {"type": "string", "format": "date"},
    "url": {"type": "string", "format": "uri", "description": "An external link, instead of a file."},
}


def with_errors(responses, *codes):
    out = dict(responses)
    for code in ("400", "401", *codes):
        out[code] = {"$ref": "#/components/responses/Error"}
    return out


def spec():
    """The whole document."""
    item = ref("Item")
    return {
        "openapi": "3.0.3",
        "info": {"title": "Hub API", "version": "1.0.0",
                 "description": "Sales collateral, funnel stages and approval. Authenticate with a personal token."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "security": [],
                                      "responses": {"200": json_response("The OpenAPI document", {"type": "object"})}}},
            "/stages": {"get": {"summary": "Funnel stages in order", "operationId": "listStages",
                                "responses": with_errors({"200": json_response("Stages", {"type": "object", "properties": {
                                    "items": {"type": "array", "items": ref("Stage")}, "total": {"type": "integer"},
                                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}})})}},
            "/me": {"get": {"summary": "The token's user", "operationId": "me",
                            "responses": with_errors({"200": json_response("User", ref("User"))})}},
            "/collateral": {
                "get": {"summary": "Visible collateral, filtered and paginated", "operationId": "listCollateral",
                        "parameters": [query("stage", "Stage slug."),
                                       query("status", "Workflow status (reps only ever see approved).", {"type": "string", "enum": list(STATUSES)}),
                                       query("content_type", "Content type.", {"type": "string", "enum": list(CONTENT_TYPES)}),
                                       query("product", "Product, exact match."), *PAGING],
                        "responses": with_errors({"200": json_response("A page of items", ref("ItemPage"))}, "422")},
                "post": {"summary": "Create a draft item from a file or a link", "operationId": "createCollateral",
                         "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                             "type": "object", "required": ["title", "content_type", "stages"],
                             "properties": {"file": {"type": "string", "format": "binary"}, **ITEM_FIELDS}}}}},
                         "responses": with_errors({"201": json_response("The new item", item)}, "403", "413", "422")},
            },
            "/collateral/{item_id}": {
                "parameters": [ITEM_ID],
                "get": {"summary": "One item", "operationId": "getCollateral",
                        "responses": with_errors({"200": json_response("The item", item)}, "404")},
                "patch": {"summary": "Change some of an item's metadata", "operationId": "updateCollateral",
                          "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": ITEM_FIELDS}}}},
                          "responses": with_errors({"200": json_response("The item", item)}, "403", "404", "422")},
                "delete": {"summary": "Delete an item and its files", "operationId": "deleteCollateral",
                           "responses": with_errors({"204": {"description": "Deleted"}}, "403", "404")},
            },
            "/collateral/{item_id}/versions": {
                "parameters": [ITEM_ID],
                "post": {"summary": "Upload a new file version", "operationId": "addVersion",
                         "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                             "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                         "responses": with_errors({"201": json_response("The item with its new version", item)}, "403", "404", "409", "413", "422")},
            },
            "/collateral/{item_id}/status": {
                "parameters": [ITEM_ID],
                "post": {"summary": "Move an item along the approval workflow", "operationId": "changeStatus",
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "required": ["status"],
                             "properties": {"status": {"type": "string", "enum": list(STATUSES)}, "comment": {"type": "string", "maxLength": 1000}}}}}},
                         "responses": with_errors({"200": json_response("The item", item)}, "403", "404", "409", "422")},
            },
            "/search": {"get": {"summary": "Full-text search with facets and snippets", "operationId": "search",
                                "parameters": [query("q", "Words, \"phrases\", AND/OR/NOT, prefix*."),
                                               *[query(f, f"Filter by {f}.") for f in ("stage", "content_type", "product", "industry", "persona")],
                                               query("status", "Marketing and admins only."),
                                               query("sort", "relevance or newest.", {"type": "string", "enum": ["relevance", "newest"]}),
                                               *PAGING],
                                "responses": with_errors({"200": json_response("Results", ref("SearchResults"))}, "422")}},
            "/collateral/{item_id}/download": {
                "parameters": [ITEM_ID],
                "get": {"summary": "The current file as an attachment", "operationId": "downloadCollateral",
                        "responses": with_errors({"200": {"description": "The file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}, "404")},
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": json_response("An error", ref("Error"))},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}}},
                "Stage": {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}, "position": {"type": "integer"}}},
                "User": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}}},
                "Version": {"type": "object", "nullable": True, "properties": {
                    "number": {"type": "integer"}, "filename": {"type": "string"}, "size": {"type": "integer"},
                    "sha256": {"type": "string"}, "mimetype": {"type": "string"}, "uploaded_at": {"type": "string", "format": "date-time"},
                    "text_indexed": {"type": "boolean"}, "text_error": {"type": "string", "nullable": True}}},
                "Item": {"type": "object", "properties": {
                    "id": {"type": "integer"}, **{k: v for k, v in ITEM_FIELDS.items() if k not in ("tags", "expires_on", "url")},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "expires_on": {"type": "string", "format": "date", "nullable": True},
                    "url": {"type": "string", "nullable": True},
                    "status": {"type": "string", "enum": list(STATUSES)},
                    "owner": {"type": "string", "nullable": True},
                    "current_version": ref("Version"),
                    "version_count": {"type": "integer"},
                    "download_url": {"type": "string"}, "page_url": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"}}},
                "SearchResults": {"type": "object", "properties": {
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "query": {"type": "string"},
                    "results": {"type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "title": {"type": "string"}, "score": {"type": "number"},
                        "snippet": {"type": "string"}, "highlights": {"type": "array", "items": {"type": "string"}},
                        "stages": {"type": "array", "items": {"type": "string"}},
                        "content_type": {"type": "string"}, "status": {"type": "string"}}}},
                    "facets": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}},
                    "suggestion": {"type": "string", "nullable": True}}},
                "ItemPage": {"type": "object", "properties": {
                    "items": {"type": "array", "items": item}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}},
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document (no token needed)."""
    return spec()
