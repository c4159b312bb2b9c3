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
            **calendar_paths(),
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
                **calendar_schemas(),
                "ItemPage": {"type": "object", "properties": {
                    "items": {"type": "array", "items": item}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}}},
            },
        },
    }


# --- calendar ---------------------------------------------------------------------------------


def calendar_paths():
    """The marketing calendar's entries and the caller's feed links."""
    from hub.calendar.models import KINDS
    from hub.calendar.models import STATUSES as ENTRY_STATUSES

    entry, entry_id = ref("CalendarEntry"), {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    body = {"required": True, "content": {"application/json": {"schema": ref("CalendarEntryInput")}}}
    many = {"type": "array", "items": {"type": "string"}}
    return {
        "/calendar/entries": {
            "get": {"summary": "Calendar entries overlapping a window (reps: published only)", "operationId": "listCalendarEntries",
                    "parameters": [query("from", "Start of the window: YYYY-MM-DD (00:00 UTC) or ISO 8601 with offset."),
                                   query("to", "End of the window (exclusive), same forms."),
                                   query("kind", "Entry kind; repeat for several.", {"type": "string", "enum": list(KINDS)}),
                                   query("product", "Product label; repeatable."), query("audience", "Audience label; repeatable."),
                                   query("status", "Entry status.", {"type": "string", "enum": list(ENTRY_STATUSES)}), *PAGING],
                    "responses": with_errors({"200": json_response("A page of entries", {"type": "object", "properties": {
                        "items": {"type": "array", "items": entry}, "total": {"type": "integer"},
                        "page": {"type": "integer"}, "per_page": {"type": "integer"}}})}, "422")},
            "post": {"summary": "Create an entry (marketing and admins)", "operationId": "createCalendarEntry",
                     "requestBody": body, "responses": with_errors({"201": json_response("The new entry", entry)}, "403", "422")},
        },
        "/calendar/entries/{entry_id}": {
            "parameters": [entry_id],
            "get": {"summary": "One entry", "operationId": "getCalendarEntry",
                    "responses": with_errors({"200": json_response("The entry", entry)}, "404")},
            "patch": {"summary": "Change some fields; SEQUENCE goes up when what calendars show changes",
                      "operationId": "updateCalendarEntry", "requestBody": body,
                      "responses": with_errors({"200": json_response("The entry", entry)}, "403", "404", "422")},
            "delete": {"summary": "Cancel the entry (it stays in feeds for 30 days as cancelled)",
                       "operationId": "cancelCalendarEntry",
                       "responses": with_errors({"200": json_response("The cancelled entry", entry)}, "403", "404")},
        },
        "/me/feeds": {"get": {"summary": "The caller's private iCal feed links", "operationId": "myFeeds",
                              "responses": with_errors({"200": json_response("Feed links", {"type": "object", "properties": {
                                  "https": {"type": "string"}, "webcal": {"type": "string"}, "google": {"type": "string"},
                                  "saved": {"type": "array", "items": {"type": "object", "properties": {
                                      "id": {"type": "integer"}, "name": {"type": "string"},
                                      "filters": {"type": "object", "additionalProperties": many},
                                      "https": {"type": "string"}, "webcal": {"type": "string"},
                                      "google": {"type": "string"}}}}}})})}},
    }


def calendar_schemas():
    """CalendarEntry as read, and as sent to POST and PATCH."""
    from hub.calendar.models import KINDS
    from hub.calendar.models import STATUSES as ENTRY_STATUSES

    moment = {"type": "string", "description": "ISO 8601 with offset (timed) or YYYY-MM-DD (all-day; ends_at is the last day, inclusive)."}
    fields = {
        "title": {"type": "string", "maxLength": 200}, "kind": {"type": "string", "enum": list(KINDS)},
        "description": {"type": "string", "maxLength": 20000}, "starts_at": moment, "ends_at": moment,
        "all_day": {"type": "boolean"},
        "timezone": {"type": "string", "nullable": True, "description": "IANA name, e.g. America/New_York; null for all-day."},
        "location": {"type": "string", "maxLength": 300}, "url": {"type": "string", "nullable": True},
        "status": {"type": "string", "enum": list(ENTRY_STATUSES)}, "published": {"type": "boolean"},
        "rrule": {"type": "string", "nullable": True, "description": "RFC 5545 RRULE text: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH."},
        "exdates": {"type": "array", "items": moment, "description": "Start times of occurrences to skip."},
        "overrides": {"type": "array", "items": {"type": "object", "properties": {"recurrence_id": moment, "starts_at": moment, "ends_at": moment}},
                      "description": "Occurrences moved to a new start and end."},
        "collateral_ids": {"type": "array", "items": {"type": "integer"}},
        "products": {"type": "array", "items": {"type": "string", "maxLength": 60}},
        "audience": {"type": "array", "items": {"type": "string", "maxLength": 60}},
    }
    return {
        "CalendarEntryInput": {"type": "object", "properties": fields},
        "CalendarEntry": {"type": "object", "properties": {
            "id": {"type": "integer"}, "uid": {"type": "string"}, **fields, "sequence": {"type": "integer"},
            "owner": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
            "cancelled_at": {"type": "string", "format": "date-time", "nullable": True},
            "page_url": {"type": "string"}, "ics_url": {"type": "string"}}},
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document (no token needed)."""
    return spec()
