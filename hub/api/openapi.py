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
            "/health": {"get": {"summary": "Background jobs, workers and the search index (admins only)",
                                "operationId": "health",
                                "responses": with_errors({"200": json_response("The health report", {
                                    "type": "object", "required": ["status", "jobs", "workers", "search"],
                                    "properties": {
                                        "status": {"type": "string", "enum": ["ok", "degraded"]},
                                        "jobs": {"type": "object", "properties": {
                                            "backlog": {"type": "integer"}, "failed": {"type": "integer"},
                                            "by_kind": {"type": "object", "additionalProperties": {"type": "integer"}},
                                            "oldest_queued_at": {"type": "string", "format": "date-time", "nullable": True},
                                            "oldest_age_seconds": {"type": "number"},
                                            "last_error": {"type": "object", "nullable": True}}},
                                        "workers": {"type": "array", "items": {"type": "object"}},
                                        "search": {"type": "object", "properties": {
                                            "state": {"type": "string", "enum": ["ok", "empty", "missing", "unreadable"]},
                                            "documents": {"type": "integer", "nullable": True},
                                            "items": {"type": "integer"}, "pending": {"type": "integer"},
                                            "rebuilding": {"type": "boolean"}, "answering": {"type": "boolean"}}}}})},
                                    "403")}},
            "/search": {"get": {"summary": "Full-text search with facets and snippets", "operationId": "search",
                                "parameters": [query("q", "Words, \"phrases\", AND/OR/NOT, prefix*."),
                                               *[query(f, f"Filter by {f}.") for f in ("stage", "content_type", "product", "industry", "persona")],
                                               query("status", "Marketing and admins only."),
                                               query("sort", "relevance or newest.", {"type": "string", "enum": ["relevance", "newest"]}),
                                               *PAGING],
                                "responses": with_errors({"200": json_response("Results", ref("SearchResults"))}, "422")}},
            **calendar_paths(),
            **usage_paths(),
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
                "User": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"},
                         "team": {"type": "string", "maxLength": 60, "description": "Free text, such as \"EMEA Enterprise\"; empty when none."}}},
                "Version": {"type": "object", "nullable": True, "properties": {
                    "number": {"type": "integer"}, "filename": {"type": "string"}, "size": {"type": "integer"},
                    "sha256": {"type": "string"}, "mimetype": {"type": "string"}, "uploaded_at": {"type": "string", "format": "date-time"},
                    "text_indexed": {"type": "boolean"}, "text_error": {"type": "string", "nullable": True},
                    "text_status": {"type": "string", "enum": ["pending", "complete", "partial", "failed"],
                                    "description": "Whether the file's text is in the search index: all of it, part of it "
                                                   "(cut by the time or size budget) or none (it could not be read)."},
                    "text_status_reason": {"type": "string", "nullable": True,
                                           "description": "Why the text is partial or failed."}}},
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
                **usage_schemas(),
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
    link = {"type": "string", "nullable": True}
    feed_links = {"type": "object", "properties": {
        "https": link, "webcal": link, "google": link,
        "saved": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "filters": {"type": "object", "additionalProperties": many},
            "https": link, "webcal": link, "google": link}}}}}
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
        "/calendar/import": {"post": {
            "summary": "Import an .ics file: events added or updated by UID, the rest listed as skipped with the reason "
                       "(marketing and admins); 422 when nothing in it can be imported",
            "operationId": "importCalendar",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary", "description": "The .ics file (iCalendar, RFC 5545)."},
                    "kind": {"type": "string", "enum": list(KINDS), "description": "Kind for new entries without one."},
                    "published": {"type": "boolean", "description": "Publish new entries at once."}}}}}},
            "responses": with_errors({"200": json_response("What the import did", {"type": "object", "properties": {
                "added": {"type": "integer"}, "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
                "skipped": {"type": "array", "items": {"type": "object", "properties": {
                    "uid": {"type": "string"}, "reason": {"type": "string"}}}}}})}, "403", "422")}},
        "/me/feeds": {"get": {"summary": "The caller's private iCal feed links (null until a link is made)",
                              "operationId": "myFeeds",
                              "responses": with_errors({"200": json_response("Feed links", feed_links)})}},
        "/me/feeds/rotate": {"post": {"summary": "Make a new feed secret; the old feed links stop working at once",
                                      "operationId": "rotateMyFeed",
                                      "responses": with_errors({"200": json_response("Feed links", feed_links)},
                                                               "409")}},
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
        "rrule": {"type": "string", "nullable": True, "description": "RFC 5545 RRULE text: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYYEARDAY, BYWEEKNO, BYHOUR, BYMINUTE, BYSETPOS, WKST."},
        "exdates": {"type": "array", "items": moment, "description": "Start times of occurrences to skip."},
        "rdates": {"type": "array", "items": {"oneOf": [moment, {"type": "object", "properties": {"starts_at": moment, "ends_at": moment}}]},
                   "description": "Occurrences the rule does not give (RDATE): a start (the entry's length) or a start and end."},
        "overrides": {"type": "array", "items": {"type": "object", "properties": {
            "recurrence_id": moment, "starts_at": moment, "ends_at": moment, "title": {"type": "string", "maxLength": 200},
            "description": {"type": "string"}, "location": {"type": "string", "maxLength": 300}}},
                      "description": "Occurrences moved to a new start and end, or given their own title, description or location."},
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


# --- usage (issue 5) ---------------------------------------------------------------------------


def usage_paths():
    """Deals, share links, outcomes, activity, ratings, analytics and content requests."""
    obj, text, num = {"type": "object"}, {"type": "string"}, {"type": "integer"}
    body = lambda schema: {"required": True, "content": {"application/json": {"schema": schema}}}
    share_id = {"name": "share_id", "in": "path", "required": True, "schema": num}
    request_id = {"name": "request_id", "in": "path", "required": True, "schema": num}
    period = [query("from", "First day, YYYY-MM-DD.", {"type": "string", "format": "date"}),
              query("to", "Last day (inclusive), YYYY-MM-DD.", {"type": "string", "format": "date"})]
    editor = "Marketing and admins only."
    request_page = {"type": "object", "properties": {"items": {"type": "array", "items": ref("ContentRequest")},
                                                      "total": num, "page": num, "per_page": num}}
    return {
        "/usage": {
            "post": {"summary": "Record that an item was used in a deal", "operationId": "recordUsage",
                     "requestBody": body({"type": "object", "required": ["collateral_id", "action", "account", "opportunity", "stage"],
                                          "properties": {"collateral_id": num, "action": {"type": "string", "enum": ["used_in_deal"]},
                                                         "account": {"type": "string", "maxLength": 120},
                                                         "opportunity": {"type": "string", "maxLength": 80},
                                                         "stage": {"type": "string", "description": "Stage slug."},
                                                         "note": {"type": "string", "maxLength": 500}}}),
                     "responses": with_errors({"201": json_response("Recorded", obj)}, "404", "422")},
            "get": {"summary": "Usage events: a rep's own, everyone's for marketing and admins", "operationId": "listUsage",
                    "parameters": [query("action", "Event action."), query("collateral_id", "Item id.", num),
                                   query("user_id", "Person (marketing and admins).", num), *PAGING],
                    "responses": with_errors({"200": json_response("Events", {"type": "object", "properties": {
                        "items": {"type": "array", "items": ref("UsageEvent")}, "page": num, "per_page": num,
                        "has_more": {"type": "boolean"}}})}, "403", "422")},
        },
        "/collateral/{item_id}/shares": {
            "parameters": [ITEM_ID],
            "post": {"summary": "Create a tracked share link for a prospect", "operationId": "createShare",
                     "requestBody": body({"type": "object", "required": ["recipient"], "properties": {
                         "recipient": {"type": "string", "maxLength": 120}, "account": {"type": "string", "maxLength": 120},
                         "expires_on": {"type": "string", "format": "date"}, "allow_download": {"type": "boolean"}}}),
                     "responses": with_errors({"201": json_response("The link; the token is shown only here", ref("Share"))}, "404", "422")},
        },
        "/shares": {"get": {"summary": "The caller's share links with their opens", "operationId": "listShares",
                            "responses": with_errors({"200": json_response("Links", {"type": "object", "properties": {
                                "items": {"type": "array", "items": ref("Share")}, "total": num, "page": num, "per_page": num}})})}},
        "/shares/{share_id}": {"parameters": [share_id],
                               "delete": {"summary": "Revoke a share link", "operationId": "revokeShare",
                                          "responses": with_errors({"200": json_response("The revoked link", ref("Share"))}, "403", "404")}},
        "/pitches": {
            "post": {"summary": "Create a pitch: one prospect link for several live items", "operationId": "createPitch",
                     "requestBody": body({"type": "object", "required": ["title", "collateral_ids"], "properties": {
                         "title": {"type": "string", "maxLength": 120}, "message": {"type": "string", "maxLength": 2000},
                         "collateral_ids": {"type": "array", "items": num, "minItems": 1, "maxItems": 20},
                         "allow_download": {"type": "boolean"}, "expires_on": {"type": "string", "format": "date"}}}),
                     "responses": with_errors({"201": json_response("The pitch; its URL is shown only here", ref("Pitch"))}, "404", "422")},
            "get": {"summary": "The caller's pitches with their opens, per item too", "operationId": "listPitches",
                    "responses": with_errors({"200": json_response("Pitches", {"type": "object", "properties": {
                        "items": {"type": "array", "items": ref("Pitch")}, "total": num, "page": num, "per_page": num}})})},
        },
        "/pitches/{pitch_id}": {"parameters": [{"name": "pitch_id", "in": "path", "required": True, "schema": num}],
                                "delete": {"summary": "Revoke a pitch", "operationId": "revokePitch",
                                           "responses": with_errors({"200": json_response("The revoked pitch", ref("Pitch"))}, "403", "404")}},
        "/opportunities/{ref}/outcome": {
            "parameters": [{"name": "ref", "in": "path", "required": True, "schema": text}],
            "put": {"summary": "Set an opportunity's outcome", "operationId": "setOutcome",
                    "requestBody": body({"type": "object", "required": ["outcome"], "properties": {
                        "outcome": {"type": "string", "enum": ["open", "won", "lost"]}}}),
                    "responses": with_errors({"200": json_response("The opportunity", obj)}, "403", "404", "422")},
        },
        "/ratings": {"post": {"summary": "Rate an item 1-5 with a comment (replaces the caller's rating)", "operationId": "rateItem",
                              "requestBody": body({"type": "object", "required": ["collateral_id", "rating"], "properties": {
                                  "collateral_id": num, "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                                  "comment": {"type": "string", "maxLength": 1000}}}),
                              "responses": with_errors({"200": json_response("The rating", obj)}, "404", "422")}},
        "/analytics/content": {"get": {"summary": "Per-item usage. " + editor, "operationId": "contentAnalytics",
                                       "parameters": [*period, query("stage", "Stage slug."), query("content_type", "Content type."),
                                                      query("product", "Product."), query("team", "Team of the people who used the items (a user's team name); an unknown team is a 422."),
                                                      query("sort", "views, downloads, shares, share_opens, deals, unique_users, rating, win_rate or title.")],
                                       "responses": with_errors({"200": json_response("Rows", {"type": "object", "properties": {
                                           "items": {"type": "array", "items": ref("ContentUsage")},
                                           "overall_win_rate": {"type": "number", "nullable": True}}})}, "403", "422")}},
        "/analytics/unused": {"get": {"summary": "Approved items unused in N days. " + editor, "operationId": "unusedAnalytics",
                                      "parameters": [query("days", "Days, default 90.", {"type": "integer", "minimum": 1, "maximum": 3650})],
                                      "responses": with_errors({"200": json_response("Unused items", {"type": "object", "properties": {
                                          "days": num, "approved_total": num, "unused_total": num, "unused_share": {"type": "number"},
                                          "items": {"type": "array", "items": obj}}})}, "403", "422")}},
        "/analytics/stages": {"get": {"summary": "Funnel coverage per stage. " + editor, "operationId": "stageAnalytics",
                                      "parameters": period,
                                      "responses": with_errors({"200": json_response("Stages", {"type": "object", "properties": {
                                          "stages": {"type": "array", "items": {"type": "object", "properties": {
                                              "slug": text, "name": text, "approved_items": num, "views": num, "downloads": num,
                                              "shares": num, "zero_result_searches": num}}}}})}, "403", "422")}},
        "/analytics/search": {"get": {"summary": "Search insights. " + editor, "operationId": "searchAnalytics", "parameters": period,
                                      "responses": with_errors({"200": json_response("Queries", obj)}, "403", "422")}},
        "/analytics/adoption": {"get": {"summary": "Active reps per week and calendar subscribers. " + editor,
                                        "operationId": "adoptionAnalytics",
                                        "parameters": [query("weeks", "Weeks, default 12.", {"type": "integer", "minimum": 1, "maximum": 104})],
                                        "responses": with_errors({"200": json_response("Adoption", obj)}, "403", "422")}},
        "/analytics/feedback": {"get": {"summary": "The latest 50 ratings with a comment, newest first. " + editor,
                                        "operationId": "feedbackAnalytics", "parameters": period,
                                        "responses": with_errors({"200": json_response("Comments", {"type": "object", "properties": {
                                            "items": {"type": "array", "items": ref("RatingComment")}}})}, "403", "422")}},
        "/requests": {
            "post": {"summary": "Ask marketing for missing content", "operationId": "createRequest",
                     "requestBody": body(ref("ContentRequestInput")),
                     "responses": with_errors({"201": json_response("The request", ref("ContentRequest"))}, "422")},
            "get": {"summary": "Content requests, most wanted first", "operationId": "listRequests",
                    "parameters": [query("status", "open, planned, in_progress, delivered or declined."),
                                   query("mine", "1 for the caller's own.")],
                    "responses": with_errors({"200": json_response("Requests", request_page)}, "422")},
        },
        "/requests/{request_id}": {
            "parameters": [request_id],
            "get": {"summary": "One content request", "operationId": "getRequest",
                    "responses": with_errors({"200": json_response("The request", ref("ContentRequest"))}, "404")},
            "patch": {"summary": "Marketing: status, reason, delivered item. The requester: details.", "operationId": "updateRequest",
                      "requestBody": body({"type": "object", "properties": {
                          **ref_props(), "status": {"type": "string", "enum": ["open", "planned", "in_progress", "delivered", "declined"]},
                          "reason": {"type": "string", "maxLength": 1000}, "delivered_collateral_id": num}}),
                      "responses": with_errors({"200": json_response("The request", ref("ContentRequest"))}, "403", "404", "409", "422")},
        },
        "/requests/{request_id}/votes": {
            "parameters": [request_id],
            "post": {"summary": "Add the caller's vote", "operationId": "voteRequest",
                     "responses": with_errors({"201": json_response("The request", ref("ContentRequest"))}, "404", "409")},
            "delete": {"summary": "Take the caller's vote back", "operationId": "unvoteRequest",
                       "responses": with_errors({"200": json_response("The request", ref("ContentRequest"))}, "404", "409")},
        },
    }


def ref_props():
    """A content request's editable details."""
    return {"title": {"type": "string", "maxLength": 200}, "stage": {"type": "string"},
            "industry": {"type": "string", "maxLength": 100}, "product": {"type": "string", "maxLength": 100},
            "why": {"type": "string", "maxLength": 4000}, "needed_by": {"type": "string", "format": "date"}}


def usage_schemas():
    """UsageEvent, Share, ContentUsage, RatingComment and ContentRequest."""
    num, text, nullable = {"type": "integer"}, {"type": "string"}, {"type": "string", "nullable": True}
    return {
        "UsageEvent": {"type": "object", "properties": {
            "id": num, "at": {"type": "string", "format": "date-time"}, "user_id": {"type": "integer", "nullable": True},
            "action": text, "collateral_id": {"type": "integer", "nullable": True}, "version": {"type": "integer", "nullable": True},
            "share_id": {"type": "integer", "nullable": True}, "stage": nullable, "account": nullable, "opportunity": nullable,
            "channel": {"type": "string", "enum": ["page", "api", "share"]}, "query": nullable,
            "result_count": {"type": "integer", "nullable": True}, "context": {"type": "object", "nullable": True}}},
        "Share": {"type": "object", "properties": {
            "id": num, "token": {"type": "string", "description": "Only in the answer that creates the link."},
            "url": text, "collateral_id": num, "recipient": text, "account": nullable,
            "expires_on": {"type": "string", "format": "date", "nullable": True}, "allow_download": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"}, "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
            "working": {"type": "boolean"}, "opens": num, "last_opened_at": {"type": "string", "format": "date-time", "nullable": True}}},
        "Pitch": {"type": "object", "properties": {
            "id": num, "title": text, "message": text, "collateral_ids": {"type": "array", "items": num},
            "url": {"type": "string", "description": "Only in the answer that creates the pitch."},
            "token": {"type": "string", "description": "Only in the answer that creates the pitch."},
            "allow_download": {"type": "boolean"}, "expires_on": {"type": "string", "format": "date", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"}, "revoked_at": {"type": "string", "format": "date-time", "nullable": True},
            "working": {"type": "boolean"}, "opens": num, "last_opened_at": {"type": "string", "format": "date-time", "nullable": True},
            "item_opens": {"type": "object", "additionalProperties": num, "description": "Opens per item id."}}},
        "ContentUsage": {"type": "object", "properties": {
            "id": num, "title": text, "views": num, "previews": num, "downloads": num, "shares": num, "share_opens": num,
            "deals": num, "unique_users": num, "rating": {"type": "number", "nullable": True}, "ratings": num,
            "win_rate": {"type": "number", "nullable": True}}},
        "RatingComment": {"type": "object", "properties": {
            "collateral_id": num, "title": text, "stars": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": text,
            "user": {"type": "string", "nullable": True, "description": "The rater's name; null once the person is deleted."},
            "rated_at": {"type": "string", "format": "date-time"}}},
        "ContentRequestInput": {"type": "object", "required": ["title"], "properties": ref_props()},
        "ContentRequest": {"type": "object", "properties": {
            "id": num, **ref_props(), "status": text, "reason": nullable, "votes": num, "requester": nullable,
            "delivered_collateral_id": {"type": "integer", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}},
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document (no token needed)."""
    return spec()
