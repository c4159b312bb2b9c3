"""API v1: token auth, the list shape and filters, what reps may see, creating, versions, the workflow,
edits and deletes, and an OpenAPI document that matches the routes and the answers."""
import hashlib
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from hub.auth import services as auth_services
from hub.extensions import db
from hub.library import files
from hub.library.models import CONTENT_TYPES, DEFAULT_STAGES, STATUSES, Collateral, FileVersion, StatusChange
from hub.models import today

PREFIX = "/api/v1"
BASE = {"title": "Pitch deck", "content_type": "one_pager", "stages": "awareness"}
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
MISSING_ID = 987654


def pdf_bytes(note="hello"):
    from tests.conftest import tiny_pdf

    return tiny_pdf(note)


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def editor(make_user):
    return make_user("marketing")


@pytest.fixture
def rep(make_user):
    return make_user("sales")


@pytest.fixture
def as_editor(token_for, editor):
    return token_for(editor)


@pytest.fixture
def as_rep(token_for, rep):
    return token_for(rep)


def post_form(http, path, fields, headers):
    """Multipart POST with the body built in memory; a value of None leaves the field out."""
    fields = {k: v for k, v in fields.items() if v is not None}
    boundary, body = encode_multipart(fields)
    return http.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=headers)


def pdf_part(data=None, name="pitch.pdf"):
    return FileStorage(io.BytesIO(pdf_bytes() if data is None else data), filename=name, content_type="application/pdf")


def create(http, headers, upload=True, **fields):
    """POST /collateral with BASE and these fields; upload is True (a PDF), False (none) or (bytes, name)."""
    data = {**BASE, **fields}
    if upload is True:
        data["file"] = pdf_part()
    elif upload:
        data["file"] = pdf_part(*upload)
    return post_form(http, f"{PREFIX}/collateral", data, headers)


def error_of(response, status):
    """The one error shape: {"error": {"code", "message"[, "field"]}}."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) <= {"code", "message", "field"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"].strip()
    return error


def snapshot(app):
    db.session.rollback()
    counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
              for model in (Collateral, FileVersion, StatusChange)}
    folder = Path(app.config["UPLOAD_FOLDER"])
    return counts, sorted(p.name for p in folder.rglob("*"))


def fresh(item_id):
    db.session.rollback()
    return db.session.get(Collateral, item_id)


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


# --- authentication -------------------------------------------------------------------------------

BAD_AUTH = [
    pytest.param(lambda secret: {}, id="no-header"),
    pytest.param(lambda secret: {"Authorization": ""}, id="empty-header"),
    pytest.param(lambda secret: {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}, id="basic-scheme"),
    pytest.param(lambda secret: {"Authorization": f"Token {secret}"}, id="token-scheme"),
    pytest.param(lambda secret: {"Authorization": secret}, id="no-scheme"),
    pytest.param(lambda secret: {"Authorization": "Bearer"}, id="bearer-alone"),
    pytest.param(lambda secret: {"Authorization": "Bearer "}, id="bearer-empty"),
    pytest.param(lambda secret: {"Authorization": "Bearer hub_" + "x" * 43}, id="unknown-token"),
    pytest.param(lambda secret: {"Authorization": "Bearer " + secret.removeprefix("hub_")}, id="token-without-prefix"),
    pytest.param(lambda secret: {"Authorization": f"Bearer {secret[:-1]}"}, id="truncated-token"),
    pytest.param(lambda secret: {"Authorization": f"Bearer {secret}x"}, id="extended-token"),
    pytest.param(lambda secret: {"Authorization": "Bearer " + secret + "a" * 200}, id="oversized-token"),
    pytest.param(lambda secret: {"X-Api-Token": secret}, id="other-header"),
]


def assert_unauthorized(response):
    error = error_of(response, 401)
    assert error["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("headers", BAD_AUTH)
@pytest.mark.parametrize("method, path", [("GET", "/stages"), ("GET", "/collateral"), ("GET", "/me"),
                                          ("POST", "/collateral"), ("DELETE", "/collateral/1")])
def test_requests_without_a_valid_token_get_401(app, http, editor, make_item, method, path, headers):
    make_item(status="approved")
    _, secret = auth_services.create_token(editor, "cli")
    before = snapshot(app)
    if method == "POST":
        r = post_form(http, PREFIX + path, {**BASE, "file": pdf_part()}, headers(secret))
    else:
        r = http.open(PREFIX + path, method=method, headers=headers(secret))
    assert_unauthorized(r)
    assert snapshot(app) == before


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_a_valid_token_identifies_its_user(http, editor, scheme):
    _, secret = auth_services.create_token(editor, "cli")
    r = http.get(f"{PREFIX}/me", headers={"Authorization": f"{scheme} {secret}"})
    assert r.status_code == 200
    assert r.get_json() == {"id": editor.id, "email": editor.email, "name": editor.name, "role": "marketing",
                            "team": editor.team}


def test_a_token_in_the_query_string_is_ignored(http, editor):
    _, secret = auth_services.create_token(editor, "cli")
    assert_unauthorized(http.get(f"{PREFIX}/me?token={secret}&access_token={secret}"))


def test_a_revoked_token_gets_401(http, editor):
    token, secret = auth_services.create_token(editor, "cli")
    headers = {"Authorization": f"Bearer {secret}"}
    assert http.get(f"{PREFIX}/me", headers=headers).status_code == 200
    auth_services.revoke_token(editor, token.id)
    assert_unauthorized(http.get(f"{PREFIX}/me", headers=headers))
    assert_unauthorized(http.get(f"{PREFIX}/collateral", headers=headers))


def test_a_deactivated_users_token_gets_401(http, editor, make_user):
    admin = make_user("admin")
    _, secret = auth_services.create_token(editor, "cli")
    headers = {"Authorization": f"Bearer {secret}"}
    assert http.get(f"{PREFIX}/me", headers=headers).status_code == 200
    auth_services.update_user(editor, admin, active=False)
    assert_unauthorized(http.get(f"{PREFIX}/me", headers=headers))
    auth_services.update_user(db.session.get(type(editor), editor.id), admin, active=True)
    assert http.get(f"{PREFIX}/me", headers=headers).status_code == 200


def test_a_signed_in_session_is_not_an_api_credential(app, as_user):
    browser, _ = as_user("marketing")
    before = snapshot(app)
    assert_unauthorized(browser.client.get(f"{PREFIX}/me"))
    assert_unauthorized(post_form(browser.client, f"{PREFIX}/collateral", {**BASE, "file": pdf_part()}, {}))
    assert snapshot(app) == before


@pytest.mark.parametrize("method, path, status", [("GET", "/nope", 404), ("PUT", "/collateral/1", 405),
                                                  ("GET", "/collateral/abc", 404), ("GET", "/collateral/-1", 404)])
@pytest.mark.parametrize("token", [True, False])
def test_unrouted_api_requests_answer_json_not_a_login_page(http, as_editor, method, path, status, token):
    r = http.open(PREFIX + path, method=method, headers=as_editor if token else {})
    error_of(r, status if token else r.status_code)
    assert r.status_code in (status, 401)


def test_api_answers_are_json_and_not_cached(http, as_editor):
    r = http.get(f"{PREFIX}/collateral", headers=as_editor)
    assert r.mimetype == "application/json"
    assert "no-store" in r.headers["Cache-Control"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# --- stages ---------------------------------------------------------------------------------------


def test_stages_in_funnel_order(http, as_rep):
    r = http.get(f"{PREFIX}/stages", headers=as_rep)
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [s["slug"] for s in items] == [slug for slug, _ in DEFAULT_STAGES]
    assert [s["name"] for s in items] == [name for _, name in DEFAULT_STAGES]
    assert [s["position"] for s in items] == sorted(s["position"] for s in items)


def test_stages_use_the_list_shape(http, as_rep):
    body = http.get(f"{PREFIX}/stages", headers=as_rep).get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == len(DEFAULT_STAGES)


# --- listing, pagination, filters -----------------------------------------------------------------


def test_list_shape_and_pagination(app, http, as_rep, make_item):
    made = [make_item(status="approved", title=f"Item {n}").id for n in range(5)]
    body = http.get(f"{PREFIX}/collateral", headers=as_rep).get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == 5 and body["page"] == 1 and body["per_page"] == app.config["API_PER_PAGE"]
    assert {item["id"] for item in body["items"]} == set(made)

    seen, stamps = [], []
    for page, size in [(1, 2), (2, 2), (3, 1), (4, 0)]:
        body = http.get(f"{PREFIX}/collateral?page={page}&per_page=2", headers=as_rep).get_json()
        assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (5, page, 2, size)
        seen += [item["id"] for item in body["items"]]
        stamps += [item["updated_at"] for item in body["items"]]
    assert sorted(seen) == sorted(made)  # every item once, none twice
    assert stamps == sorted(stamps, reverse=True)  # newest first
    assert seen[0] == made[-1]

    body = http.get(f"{PREFIX}/collateral?per_page={app.config['API_MAX_PER_PAGE']}", headers=as_rep).get_json()
    assert body["per_page"] == app.config["API_MAX_PER_PAGE"] and len(body["items"]) == 5


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "page=", "page=100001", "page=1e3",
                                   "per_page=0", "per_page=101", "per_page=-5", "per_page=ten", "per_page=",
                                   "page=2&per_page=0", "page=1_0", "page=%D9%A3", "per_page=%C2%B2", "page=%2B3"])
def test_bad_pagination_gets_400(http, as_rep, query):
    error = error_of(http.get(f"{PREFIX}/collateral?{query}", headers=as_rep), 400)
    assert "page" in error["message"]


def test_page_numbers_are_ascii_digits_up_to_the_documented_limit(http, as_rep, openapi):
    """hub.validation.page_number, as the pages use it: the same answer and limit, which the document declares."""
    for query in ("page=1_0", "page=%D9%A3", "page=10001"):
        assert error_of(http.get(f"{PREFIX}/search?q=x&{query}", headers=as_rep), 400)["field"] == "page"
    message = error_of(http.get(f"{PREFIX}/collateral?page=10001", headers=as_rep), 400)["message"]
    assert message == "page must be a whole number from 1 to 10000."
    params = {p["name"]: p["schema"] for p in openapi["paths"]["/collateral"]["get"]["parameters"]}
    assert params["page"]["maximum"] == 10000


def test_search_per_page_above_the_documented_maximum_is_refused(http, as_rep, openapi):
    params = {p["name"]: p["schema"] for p in openapi["paths"]["/search"]["get"]["parameters"]}
    assert params["per_page"]["maximum"] == 50
    assert http.get(f"{PREFIX}/search?per_page=50", headers=as_rep).get_json()["per_page"] == 50
    assert error_of(http.get(f"{PREFIX}/search?per_page=51", headers=as_rep), 400)["field"] == "per_page"


def test_unknown_body_fields_are_refused_and_declared_so(http, as_editor, make_item, openapi):
    item = make_item(status="draft")
    error = error_of(http.patch(f"{PREFIX}/collateral/{item.id}", json={"titel": "T"}, headers=as_editor), 422)
    assert error["field"] == "titel"
    assert openapi["components"]["schemas"]["ItemFields"]["additionalProperties"] is False


def test_downloads_declare_the_types_they_send(http, as_rep, make_item, openapi):
    item = make_item(status="approved")
    r = http.get(f"{PREFIX}/collateral/{item.id}/download", headers=as_rep)
    declared = openapi["paths"]["/collateral/{item_id}/download"]["get"]["responses"]["200"]["content"]
    assert r.status_code == 200 and r.mimetype in declared and "application/octet-stream" not in declared


@pytest.fixture
def catalogue(make_item, editor):
    """Four items across statuses, stages, types and products."""
    return {
        "a": make_item(status="approved", owner=editor, stages=["awareness"], content_type="one_pager",
                       product="Atlas").id,
        "b": make_item(status="draft", owner=editor, stages=["decision"], content_type="case_study",
                       product="Atlas").id,
        "c": make_item(status="in_review", owner=editor, stages=["awareness", "decision"], content_type="slide_deck",
                       product="Beacon").id,
        "d": make_item(status="archived", owner=editor, stages=["onboarding"], content_type="case_study",
                       product="Beacon").id,
    }


@pytest.mark.parametrize("query, expected", [
    ("", "abcd"),
    ("stage=awareness", "ac"),
    ("stage=decision", "bc"),
    ("stage=expansion", ""),
    ("status=draft", "b"),
    ("status=in_review", "c"),
    ("status=approved", "a"),
    ("status=archived", "d"),
    ("content_type=case_study", "bd"),
    ("content_type=video", ""),
    ("product=Atlas", "ab"),
    ("product=atlas", ""),
    ("stage=decision&content_type=case_study", "b"),
    ("status=approved&product=Beacon", ""),
    ("stage=&status=&content_type=&product=", "abcd"),
])
def test_each_filter_narrows_the_list(http, as_editor, catalogue, query, expected):
    r = http.get(f"{PREFIX}/collateral?{query}", headers=as_editor)
    assert ids(r) == {catalogue[key] for key in expected}
    assert r.get_json()["total"] == len(expected)


@pytest.mark.parametrize("field, value", [("stage", "nope"), ("stage", "Awareness"), ("status", "published"),
                                          ("status", "APPROVED"), ("content_type", "brochure")])
def test_unknown_filter_value_is_a_4xx_naming_the_field(http, as_editor, field, value):
    r = http.get(f"{PREFIX}/collateral?{field}={value}", headers=as_editor)
    assert 400 <= r.status_code < 500
    assert error_of(r, r.status_code)["field"] == field


# --- what reps may see ----------------------------------------------------------------------------


@pytest.fixture
def shelf(make_item):
    """Every state an item can be in, and whether a rep may see it."""
    day = timedelta(days=1)
    return {
        "draft": (make_item(status="draft").id, False),
        "in_review": (make_item(status="in_review").id, False),
        "archived": (make_item(status="archived").id, False),
        "expired": (make_item(status="approved", expires_on=today() - day).id, False),
        "expires_today": (make_item(status="approved", expires_on=today()).id, False),
        "expires_tomorrow": (make_item(status="approved", expires_on=today() + day).id, True),
        "approved": (make_item(status="approved").id, True),
        "approved_link": (make_item(status="approved", url="https://videos.example.com/demo").id, True),
    }


def test_reps_list_only_approved_unexpired_items(http, as_rep, as_editor, shelf):
    visible = {item_id for item_id, live in shelf.values() if live}
    r = http.get(f"{PREFIX}/collateral", headers=as_rep)
    assert ids(r) == visible and r.get_json()["total"] == len(visible)
    assert {item["status"] for item in r.get_json()["items"]} == {"approved"}
    for status in STATUSES:
        expected = visible if status == "approved" else set()
        assert ids(http.get(f"{PREFIX}/collateral?status={status}", headers=as_rep)) == expected
    assert ids(http.get(f"{PREFIX}/collateral?stage=awareness", headers=as_rep)) == visible
    assert ids(http.get(f"{PREFIX}/collateral?per_page=100", headers=as_editor)) == {i for i, _ in shelf.values()}


@pytest.mark.parametrize("state", ["draft", "in_review", "archived", "expired", "expires_today", "expires_tomorrow",
                                   "approved"])
def test_reps_get_and_download_only_what_they_may_see(http, as_rep, as_editor, shelf, state):
    item_id, live = shelf[state]
    for path in (f"/collateral/{item_id}", f"/collateral/{item_id}/download"):
        r = http.get(PREFIX + path, headers=as_rep)
        if live:
            assert r.status_code == 200
        else:
            assert error_of(r, 404)["code"] == "not_found"
        assert http.get(PREFIX + path, headers=as_editor).status_code == 200


def test_a_link_item_has_no_download(http, as_rep, shelf):
    item_id, _ = shelf["approved_link"]
    item = http.get(f"{PREFIX}/collateral/{item_id}", headers=as_rep).get_json()
    assert item["url"] == "https://videos.example.com/demo"
    error_of(http.get(f"{PREFIX}/collateral/{item_id}/download", headers=as_rep), 404)


# --- creating -------------------------------------------------------------------------------------


def test_create_with_a_file(app, http, as_editor, editor):
    data = pdf_bytes("create")
    r = post_form(http, f"{PREFIX}/collateral", {
        "title": "  Enterprise   pitch ", "description": "Line one\nLine two", "content_type": "slide_deck",
        "stages": ["decision", "awareness"], "product": "Atlas", "industry": "Retail", "persona": "CFO",
        "region": "EMEA", "tags": "Pricing, ENTERPRISE ,pricing,,", "expires_on": "2030-01-31",
        "file": pdf_part(data, "Enterprise pitch.pdf"),
    }, as_editor)
    assert r.status_code == 201, r.get_data(as_text=True)
    item = r.get_json()
    assert r.headers["Location"].endswith(f"{PREFIX}/collateral/{item['id']}")
    assert item["status"] == "draft"
    assert item["title"] == "Enterprise pitch"
    assert item["description"] == "Line one\nLine two"
    assert item["content_type"] == "slide_deck"
    assert item["stages"] == ["awareness", "decision"]  # funnel order
    assert (item["product"], item["industry"], item["persona"], item["region"]) == ("Atlas", "Retail", "CFO", "EMEA")
    assert item["tags"] == ["pricing", "enterprise"]
    assert item["expires_on"] == "2030-01-31"
    assert item["url"] is None
    assert item["current_version"]["number"] == 1
    assert item["current_version"]["filename"] == "Enterprise pitch.pdf"
    assert item["current_version"]["size"] == len(data)
    assert item["current_version"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert item["current_version"]["mimetype"] == "application/pdf"
    for stamp in ("created_at", "updated_at"):
        assert datetime.fromisoformat(item[stamp]).tzinfo is not None

    assert http.get(r.headers["Location"], headers=as_editor).get_json() == item
    row = fresh(item["id"])
    assert row.owner_id == editor.id
    assert [(h.from_status, h.to_status) for h in row.history] == [(None, "draft")]
    assert files.path_for(row.current_version.stored_name).read_bytes() == data
    download = http.get(f"{PREFIX}/collateral/{item['id']}/download", headers=as_editor)
    assert download.status_code == 200 and download.data == data


@pytest.mark.parametrize("stages, expected", [
    (["awareness", "decision"], ["awareness", "decision"]),
    ("awareness,decision", ["awareness", "decision"]),
    (["awareness, decision", "onboarding"], ["awareness", "decision", "onboarding"]),
    ("expansion, awareness", ["awareness", "expansion"]),
    ("awareness,,awareness, ", ["awareness"]),
])
def test_stages_repeat_or_are_comma_separated(http, as_editor, stages, expected):
    r = create(http, as_editor, stages=stages)
    assert r.status_code == 201
    assert r.get_json()["stages"] == expected


def test_create_a_link_item(http, as_editor):
    r = create(http, as_editor, upload=False, url="https://videos.example.com/demo?x=1")
    assert r.status_code == 201
    item = r.get_json()
    assert item["url"] == "https://videos.example.com/demo?x=1"
    assert item["current_version"] is None
    assert item["version_count"] == 0


CREATE_ERRORS = [
    pytest.param({"title": None}, True, "title", id="missing-title"),
    pytest.param({"title": "   "}, True, "title", id="blank-title"),
    pytest.param({"title": "\x01\x02"}, True, "title", id="title-of-control-characters"),
    pytest.param({"title": "x" * 201}, True, "title", id="title-too-long"),
    pytest.param({"content_type": None}, True, "content_type", id="missing-content-type"),
    pytest.param({"content_type": "brochure"}, True, "content_type", id="unknown-content-type"),
    pytest.param({"content_type": "One-pager"}, True, "content_type", id="content-type-label"),
    pytest.param({"stages": None}, True, "stages", id="no-stages"),
    pytest.param({"stages": ""}, True, "stages", id="empty-stages"),
    pytest.param({"stages": " , ,"}, True, "stages", id="only-commas"),
    pytest.param({"stages": "nope"}, True, "stages", id="unknown-stage"),
    pytest.param({"stages": ["awareness", "nope"]}, True, "stages", id="one-unknown-stage"),
    pytest.param({"stages": "Awareness"}, True, "stages", id="stage-name-not-slug"),
    pytest.param({"expires_on": "2024-13-45"}, True, "expires_on", id="impossible-date"),
    pytest.param({"expires_on": "2030-02-30"}, True, "expires_on", id="february-30"),
    pytest.param({"expires_on": "31/12/2030"}, True, "expires_on", id="european-date"),
    pytest.param({"expires_on": "tomorrow"}, True, "expires_on", id="date-in-words"),
    pytest.param({"expires_on": "2030-01-31T00:00:00"}, True, "expires_on", id="datetime"),
    pytest.param({"url": "https://example.com/page"}, True, "file", id="file-and-url"),
    pytest.param({}, False, "file", id="neither-file-nor-url"),
    pytest.param({"file": "not a file"}, False, "file", id="file-sent-as-text"),
    pytest.param({"url": "javascript:alert(1)"}, False, "url", id="javascript-url"),
    pytest.param({"url": " JAVASCRIPT:alert(1)"}, False, "url", id="javascript-url-upper-case"),
    pytest.param({"url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="}, False, "url", id="data-url"),
    pytest.param({"url": "ftp://example.com/file.pdf"}, False, "url", id="ftp-url"),
    pytest.param({"url": "/items/1"}, False, "url", id="relative-url"),
    pytest.param({"url": "//evil.example.com/"}, False, "url", id="scheme-relative-url"),
    pytest.param({"url": "https://"}, False, "url", id="url-without-host"),
    pytest.param({"url": "https://exa mple.com/"}, False, "url", id="url-with-space"),
    pytest.param({"url": "https://example.com/" + "a" * 2000}, False, "url", id="url-too-long"),
    pytest.param({"tags": ",".join(f"t{n}" for n in range(21))}, True, "tags", id="too-many-tags"),
    pytest.param({"tags": "x" * 41}, True, "tags", id="tag-too-long"),
    pytest.param({"description": "d" * 10001}, True, "description", id="description-too-long"),
    pytest.param({"product": "p" * 101}, True, "product", id="product-too-long"),
    pytest.param({"industry": "i" * 101}, True, "industry", id="industry-too-long"),
    pytest.param({"persona": "p" * 101}, True, "persona", id="persona-too-long"),
    pytest.param({"region": "r" * 101}, True, "region", id="region-too-long"),
    pytest.param({}, (b"", "empty.pdf"), "file", id="empty-file"),
    pytest.param({}, (ELF, "tool.pdf"), "file", id="spoofed-file"),
    pytest.param({}, (pdf_bytes(), "deck.pptx"), "file", id="pdf-named-pptx"),
]


@pytest.mark.parametrize("fields, file, field", CREATE_ERRORS)
def test_invalid_create_is_422_naming_the_field_and_leaves_nothing(app, http, as_editor, fields, file, field):
    before = snapshot(app)
    error = error_of(create(http, as_editor, file, **fields), 422)
    assert error["code"] == "invalid"
    assert error["field"] == field
    assert snapshot(app) == before



@pytest.mark.parametrize("value", ["20301231", "2030-W01-1"])
def test_expiry_must_be_written_yyyy_mm_dd(app, http, as_editor, value):
    before = snapshot(app)
    error = error_of(create(http, as_editor, expires_on=value), 422)
    assert error["field"] == "expires_on"
    assert snapshot(app) == before


def test_a_json_number_is_not_a_date(app, http, as_editor):
    original = create(http, as_editor).get_json()
    r = http.patch(f"{PREFIX}/collateral/{original['id']}", json={"expires_on": 20301231}, headers=as_editor)
    assert error_of(r, 422)["field"] == "expires_on"


def test_html_in_text_fields_is_stored_as_typed(http, as_editor):
    script = '<script>alert("x")</script>'
    r = create(http, as_editor, title=script, description=script, product=script, industry=script,
               persona=script, region=script)
    assert r.status_code == 201
    item = r.get_json()
    assert all(item[field] == script for field in ("title", "description", "product", "industry", "persona", "region"))
    assert r.mimetype == "application/json"


@pytest.mark.parametrize("fields", [{}, {"title": None}, {"stages": "nope"}])
def test_reps_cannot_create(app, http, as_rep, fields):
    before = snapshot(app)
    assert error_of(create(http, as_rep, **fields), 403)["code"] == "forbidden"
    assert snapshot(app) == before


# --- versions -------------------------------------------------------------------------------------


def test_each_new_version_increments_the_number_and_keeps_the_old(app, http, as_editor):
    item_id = create(http, as_editor).get_json()["id"]
    uploads = [pdf_bytes(f"v{n}") for n in (2, 3)]
    for number, data in enumerate(uploads, start=2):
        r = post_form(http, f"{PREFIX}/collateral/{item_id}/versions", {"file": pdf_part(data, f"v{number}.pdf")},
                      as_editor)
        assert r.status_code == 201
        body = r.get_json()
        assert body["id"] == item_id
        assert body["current_version"]["number"] == number
        assert body["current_version"]["filename"] == f"v{number}.pdf"
        assert body["current_version"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["version_count"] == number
    assert [v.number for v in fresh(item_id).versions] == [3, 2, 1]
    assert http.get(f"{PREFIX}/collateral/{item_id}/download", headers=as_editor).data == uploads[-1]


@pytest.mark.parametrize("file, field", [(None, "file"), ((b"", "v.pdf"), "file"), ((ELF, "v.pdf"), "file")])
def test_a_bad_version_is_422_and_leaves_nothing(app, http, as_editor, file, field):
    item_id = create(http, as_editor).get_json()["id"]
    before = snapshot(app)
    fields = {"file": pdf_part(*file) if file else None}
    r = post_form(http, f"{PREFIX}/collateral/{item_id}/versions", fields, as_editor)
    assert error_of(r, 422)["field"] == field
    assert snapshot(app) == before


def test_a_link_item_takes_no_version(app, http, as_editor):
    item_id = create(http, as_editor, upload=False, url="https://example.com/v").get_json()["id"]
    before = snapshot(app)
    r = post_form(http, f"{PREFIX}/collateral/{item_id}/versions", {"file": pdf_part()}, as_editor)
    assert error_of(r, 409)["code"] == "conflict"
    assert snapshot(app) == before


def test_reps_cannot_add_versions(app, http, as_rep, make_item):
    live, draft = make_item(status="approved"), make_item(status="draft")
    before = snapshot(app)
    error_of(post_form(http, f"{PREFIX}/collateral/{live.id}/versions", {"file": pdf_part()}, as_rep), 403)
    error_of(post_form(http, f"{PREFIX}/collateral/{draft.id}/versions", {"file": pdf_part()}, as_rep), 404)
    assert snapshot(app) == before


# --- workflow -------------------------------------------------------------------------------------


def change(http, headers, item_id, **body):
    return http.post(f"{PREFIX}/collateral/{item_id}/status", json=body, headers=headers)


def test_the_whole_workflow(http, as_editor, editor, make_item):
    item = make_item(status="draft", owner=editor)
    steps = [("in_review", "Ready"), ("draft", "Fix the pricing"), ("in_review", ""), ("approved", "Legal OK"),
             ("archived", "Superseded"), ("draft", "Bring it back")]
    for status, comment in steps:
        r = change(http, as_editor, item.id, status=status, comment=comment)
        assert r.status_code == 200
        assert r.get_json()["status"] == status
    history = list(reversed(fresh(item.id).history))
    assert [(h.from_status, h.to_status, h.comment) for h in history[1:]] == [
        (frm, to, comment) for (frm, _), (to, comment) in zip([("draft", "")] + steps, steps)]
    assert {h.actor_id for h in history} == {editor.id}


@pytest.mark.parametrize("start, to", [("draft", "approved"), ("draft", "archived"), ("draft", "draft"),
                                       ("in_review", "archived"), ("in_review", "in_review"),
                                       ("approved", "in_review"), ("approved", "approved"),
                                       ("archived", "approved"), ("archived", "in_review"), ("archived", "archived")])
def test_a_transition_the_workflow_does_not_allow_is_409(app, http, as_editor, make_item, start, to):
    item = make_item(status=start)
    before = snapshot(app)
    error = error_of(change(http, as_editor, item.id, status=to), 409)
    assert error["code"] == "invalid_transition"
    assert fresh(item.id).status == start
    assert snapshot(app) == before


def test_reps_cannot_change_status(app, http, as_rep, make_item):
    item = make_item(status="approved")
    before = snapshot(app)
    assert error_of(change(http, as_rep, item.id, status="archived"), 403)["code"] == "forbidden"
    assert fresh(item.id).status == "approved"
    assert snapshot(app) == before


@pytest.mark.parametrize("body, field", [
    pytest.param({"status": "published"}, "status", id="unknown-status"),
    pytest.param({"status": "APPROVED"}, "status", id="upper-case-status"),
    pytest.param({"status": ""}, "status", id="empty-status"),
    pytest.param({}, "status", id="missing-status"),
    pytest.param({"status": None}, "status", id="null-status"),
    pytest.param({"status": 5}, "status", id="number-status"),
    pytest.param({"status": ["in_review"]}, "status", id="list-status"),
    pytest.param({"status": "in_review", "comment": "c" * 1001}, "comment", id="comment-too-long"),
    pytest.param({"status": "in_review", "comment": 5}, "comment", id="number-comment"),
])
def test_a_bad_status_body_is_422_naming_the_field(app, http, as_editor, make_item, body, field):
    item = make_item(status="draft")
    before = snapshot(app)
    r = http.post(f"{PREFIX}/collateral/{item.id}/status", data=json.dumps(body), content_type="application/json",
                  headers=as_editor)
    assert error_of(r, 422)["field"] == field
    assert snapshot(app) == before


@pytest.mark.parametrize("kwargs", [
    pytest.param({"data": {"status": "in_review"}}, id="form-body"),
    pytest.param({}, id="no-body"),
    pytest.param({"data": '["in_review"]', "content_type": "application/json"}, id="json-array"),
    pytest.param({"data": '"in_review"', "content_type": "application/json"}, id="json-string"),
    pytest.param({"data": '{"status": "in_review"', "content_type": "application/json"}, id="malformed-json"),
    pytest.param({"data": '{"status": "in_review"}', "content_type": "text/plain"}, id="json-as-text"),
])
def test_a_status_body_that_is_not_a_json_object_is_400(app, http, as_editor, make_item, kwargs):
    item = make_item(status="draft")
    before = snapshot(app)
    error_of(http.post(f"{PREFIX}/collateral/{item.id}/status", headers=as_editor, **kwargs), 400)
    assert fresh(item.id).status == "draft"
    assert snapshot(app) == before


# --- editing --------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(http, as_editor):
    original = create(http, as_editor, description="Keep me", product="Atlas", tags="a,b", stages="awareness,decision",
                      expires_on="2030-01-01").get_json()
    item_id = original["id"]
    url = f"{PREFIX}/collateral/{item_id}"

    r = http.patch(url, json={"title": "New title"}, headers=as_editor)
    assert r.status_code == 200
    changed = r.get_json()
    assert changed["title"] == "New title"
    unchanged = {k: v for k, v in original.items() if k not in ("title", "updated_at")}
    assert {k: changed[k] for k in unchanged} == unchanged
    assert changed["updated_at"] >= original["updated_at"]

    for body, key, expected in [
        ({"stages": ["onboarding", "decision"]}, "stages", ["decision", "onboarding"]),
        ({"stages": "expansion, awareness"}, "stages", ["awareness", "expansion"]),  # comma-separated, as in forms
        ({"tags": ["Hot", "new"]}, "tags", ["hot", "new"]),
        ({"tags": "x, y"}, "tags", ["x", "y"]),
        ({"tags": ""}, "tags", []),
        ({"expires_on": "2031-05-01"}, "expires_on", "2031-05-01"),
        ({"expires_on": None}, "expires_on", None),
        ({"description": "Two\nlines"}, "description", "Two\nlines"),
        ({"content_type": "datasheet"}, "content_type", "datasheet"),
        ({"product": ""}, "product", ""),
    ]:
        r = http.patch(url, json=body, headers=as_editor)
        assert r.status_code == 200, (body, r.get_json())
        assert r.get_json()[key] == expected
        assert r.get_json()["title"] == "New title"
    assert fresh(item_id).title == "New title"


def test_patch_with_form_fields(http, as_editor):
    item_id = create(http, as_editor).get_json()["id"]
    fields = {"title": "From a form", "stages": "decision,onboarding"}
    r = post_form_patch(http, f"{PREFIX}/collateral/{item_id}", fields, as_editor)
    assert r.status_code == 200
    assert r.get_json()["title"] == "From a form"
    assert r.get_json()["stages"] == ["decision", "onboarding"]


def post_form_patch(http, path, fields, headers):
    boundary, body = encode_multipart(fields)
    return http.patch(path, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=headers)


def test_patch_a_links_url(http, as_editor):
    item_id = create(http, as_editor, upload=False, url="https://example.com/old").get_json()["id"]
    r = http.patch(f"{PREFIX}/collateral/{item_id}", json={"url": "https://example.com/new"}, headers=as_editor)
    assert r.status_code == 200 and r.get_json()["url"] == "https://example.com/new"
    error_of(http.patch(f"{PREFIX}/collateral/{item_id}", json={"url": ""}, headers=as_editor), 422)
    error_of(http.patch(f"{PREFIX}/collateral/{item_id}", json={"url": "javascript:alert(1)"}, headers=as_editor), 422)
    assert fresh(item_id).url == "https://example.com/new"


@pytest.mark.parametrize("body, field", [
    pytest.param({"title": ""}, "title", id="empty-title"),
    pytest.param({"title": None}, "title", id="null-title"),
    pytest.param({"title": "t" * 201}, "title", id="long-title"),
    pytest.param({"content_type": "brochure"}, "content_type", id="unknown-content-type"),
    pytest.param({"stages": []}, "stages", id="no-stages"),
    pytest.param({"stages": ["nope"]}, "stages", id="unknown-stage"),
    pytest.param({"stages": "awareness,nope"}, "stages", id="unknown-stage-in-a-string"),
    pytest.param({"expires_on": "2024-13-45"}, "expires_on", id="bad-date"),
    pytest.param({"url": "https://example.com/"}, "url", id="url-on-a-file-item"),
    pytest.param({"tags": "x" * 41}, "tags", id="long-tag"),
    # Wrong JSON types: a clear 422, never a 500 or a Python repr stored as text.
    pytest.param({"title": ["a list"]}, "title", id="list-title"),
    pytest.param({"title": {"an": "object"}}, "title", id="object-title"),
    pytest.param({"description": {"an": "object"}}, "description", id="object-description"),
    pytest.param({"product": ["Atlas"]}, "product", id="list-product"),
    pytest.param({"tags": {"a": 1}}, "tags", id="object-tags"),
    pytest.param({"tags": [["nested"]]}, "tags", id="nested-list-tags"),
    pytest.param({"url": ["https://example.com/"]}, "url", id="list-url"),
    pytest.param({"content_type": ["one_pager"]}, "content_type", id="list-content-type"),
    pytest.param({"content_type": 5}, "content_type", id="number-content-type"),
    pytest.param({"stages": [1]}, "stages", id="number-stage"),
    pytest.param({"stages": {"awareness": True}}, "stages", id="object-stages"),
    pytest.param({"stages": [["awareness"]]}, "stages", id="nested-list-stages"),
    pytest.param({"expires_on": ["2030-01-01"]}, "expires_on", id="list-date"),
    pytest.param({"expires_on": True}, "expires_on", id="boolean-date"),
])
def test_invalid_patch_is_422_and_changes_nothing(app, http, as_editor, body, field):
    original = create(http, as_editor).get_json()
    before = snapshot(app)
    r = http.patch(f"{PREFIX}/collateral/{original['id']}", json=body, headers=as_editor)
    assert error_of(r, 422)["field"] == field
    assert http.get(f"{PREFIX}/collateral/{original['id']}", headers=as_editor).get_json() == original
    assert snapshot(app) == before


@pytest.mark.parametrize("kwargs", [
    pytest.param({"data": "[]", "content_type": "application/json"}, id="json-array"),
    pytest.param({"data": "{", "content_type": "application/json"}, id="malformed-json"),
])
def test_patch_with_a_json_body_that_is_not_an_object_is_400(http, as_editor, kwargs):
    item_id = create(http, as_editor).get_json()["id"]
    error_of(http.patch(f"{PREFIX}/collateral/{item_id}", headers=as_editor, **kwargs), 400)


def test_reps_cannot_patch(http, as_rep, make_item):
    live, draft = make_item(status="approved", title="Live"), make_item(status="draft", title="Draft")
    error_of(http.patch(f"{PREFIX}/collateral/{live.id}", json={"title": "Mine"}, headers=as_rep), 403)
    error_of(http.patch(f"{PREFIX}/collateral/{draft.id}", json={"title": "Mine"}, headers=as_rep), 404)
    assert (fresh(live.id).title, fresh(draft.id).title) == ("Live", "Draft")


# --- deleting -------------------------------------------------------------------------------------


def test_delete_removes_the_item_its_rows_and_its_files(app, http, as_editor):
    item_id = create(http, as_editor).get_json()["id"]
    assert post_form(http, f"{PREFIX}/collateral/{item_id}/versions", {"file": pdf_part(pdf_bytes("v2"))},
                     as_editor).status_code == 201
    stored = [files.path_for(v.stored_name) for v in fresh(item_id).versions]
    assert len(stored) == 2 and all(p.is_file() for p in stored)

    r = http.delete(f"{PREFIX}/collateral/{item_id}", headers=as_editor)
    assert r.status_code == 204 and r.data == b""
    assert fresh(item_id) is None
    assert not any(p.exists() for p in stored)
    assert snapshot(app)[0] == {"Collateral": 0, "FileVersion": 0, "StatusChange": 0}
    error_of(http.get(f"{PREFIX}/collateral/{item_id}", headers=as_editor), 404)
    error_of(http.delete(f"{PREFIX}/collateral/{item_id}", headers=as_editor), 404)


def test_reps_cannot_delete(app, http, as_rep, make_item):
    live, draft = make_item(status="approved"), make_item(status="draft")
    before = snapshot(app)
    error_of(http.delete(f"{PREFIX}/collateral/{live.id}", headers=as_rep), 403)
    error_of(http.delete(f"{PREFIX}/collateral/{draft.id}", headers=as_rep), 404)
    assert snapshot(app) == before


# --- 404s -----------------------------------------------------------------------------------------

ITEM_CALLS = [  # request arguments are built per call: a file stream can be read only once
    pytest.param("GET", "/collateral/{id}", dict, id="get"),
    pytest.param("PATCH", "/collateral/{id}", lambda: {"json": {"title": "x"}}, id="patch"),
    pytest.param("DELETE", "/collateral/{id}", dict, id="delete"),
    pytest.param("POST", "/collateral/{id}/versions", lambda: {"data": {"file": (io.BytesIO(pdf_bytes()), "v.pdf")}},
                 id="versions"),
    pytest.param("POST", "/collateral/{id}/status", lambda: {"json": {"status": "in_review"}}, id="status"),
    pytest.param("GET", "/collateral/{id}/download", dict, id="download"),
]


@pytest.mark.parametrize("method, path, kwargs", ITEM_CALLS)
def test_an_item_that_does_not_exist_is_404(app, http, as_editor, method, path, kwargs):
    before = snapshot(app)
    r = http.open(PREFIX + path.format(id=MISSING_ID), method=method, headers=as_editor, **kwargs())
    assert error_of(r, 404)["code"] == "not_found"
    assert snapshot(app) == before


@pytest.mark.parametrize("method, path, kwargs", ITEM_CALLS)
def test_a_rep_cannot_tell_someone_elses_draft_exists(app, http, as_rep, make_item, method, path, kwargs):
    draft = make_item(status="draft")
    before = snapshot(app)
    missing = http.open(PREFIX + path.format(id=MISSING_ID), method=method, headers=as_rep, **kwargs())
    hidden = http.open(PREFIX + path.format(id=draft.id), method=method, headers=as_rep, **kwargs())
    assert error_of(hidden, 404) == error_of(missing, 404)
    assert snapshot(app) == before


# --- OpenAPI --------------------------------------------------------------------------------------


@pytest.fixture
def openapi(http):
    r = http.get(f"{PREFIX}/openapi.json")  # no token
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    return r.get_json()


def spec_operations(spec):
    """{(METHOD, full path)} described by the document."""
    base = spec.get("servers", [{"url": ""}])[0]["url"].rstrip("/")
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {(method.upper(), base + path)
            for path, item in spec["paths"].items() for method in item if method in methods}


def app_operations(app):
    """{(METHOD, path)} routed under /api/v1, with Flask's <int:x> written as {x}."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            out |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def resolve(spec, schema):
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def validate(spec, schema, value, where="$"):
    """The subset of OpenAPI 3.1 schemas the document uses: type, anyOf (with null), enum, format, items,
    properties."""
    schema = resolve(spec, schema)
    if "anyOf" in schema:
        branches = [resolve(spec, b) for b in schema["anyOf"]]
        if value is None:
            assert {"type": "null"} in branches, f"{where} is null but not nullable"
            return
        errors = []
        for branch in branches:
            try:
                return validate(spec, branch, value, where)
            except AssertionError as e:
                errors.append(str(e))
        raise AssertionError("; ".join(errors))
    if value is None:
        assert schema.get("type") == "null", f"{where} is null but not nullable"
        return
    kinds = {"integer": int, "string": str, "array": list, "object": dict, "boolean": bool, "number": (int, float)}
    kind = schema.get("type")
    if kind:
        assert isinstance(value, kinds[kind]) and not (kind == "integer" and isinstance(value, bool)), \
            f"{where}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if schema.get("format") == "date":
        date.fromisoformat(value)
    if schema.get("format") == "date-time":
        datetime.fromisoformat(value)
    if "maxLength" in schema:
        assert len(value) <= schema["maxLength"], where
    if kind == "array":
        for n, element in enumerate(value):
            validate(spec, schema.get("items", {}), element, f"{where}[{n}]")
    if kind == "object":
        for key in schema.get("required", []):
            assert key in value, f"{where}.{key} is required"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                validate(spec, sub, value[key], f"{where}.{key}")


def test_openapi_document_is_public_and_openapi_3(openapi):
    assert re.fullmatch(r"3\.\d+\.\d+", openapi["openapi"])
    assert openapi["info"]["title"] and openapi["info"]["version"]
    assert openapi["paths"]
    schemes = openapi["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()
    assert openapi["security"] == [{name: []} for name in schemes]


def test_openapi_describes_exactly_the_collateral_routes(app, openapi):
    """The part of the check above that covers this file's endpoints."""

    def ours(operations):
        return {(m, p) for m, p in operations
                if p in (f"{PREFIX}/stages", f"{PREFIX}/me") or p.startswith(f"{PREFIX}/collateral")}

    assert ours(spec_operations(openapi)) == ours(app_operations(app))
    assert len(ours(app_operations(app))) == 13  # with POST /collateral/<id>/shares (issue 5), versions/<n>/approve|reject (issue 15)


def test_openapi_describes_itself(app, openapi):
    assert spec_operations(openapi) == app_operations(app)


def test_openapi_declares_the_merged_routes_and_answers(openapi):
    """Idempotent creates declare their header, 409 and 422; every authenticated call 503, uploads 507;
    the calendar import, pitches and a version's text status are in the document."""
    paths = openapi["paths"]
    for path, method in [("/collateral", "post"), ("/usage", "post"), ("/pitches", "post"), ("/requests", "post"),
                         ("/calendar/entries", "post"), ("/ratings", "post")]:
        operation = paths[path][method]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        assert {"409", "422", "503"} <= set(operation["responses"]), path
    assert "Idempotency-Key" not in {p["name"] for p in paths["/stages"]["get"].get("parameters", [])}
    assert "507" in paths["/collateral/{item_id}/versions"]["post"]["responses"]
    assert "403" in paths["/usage"]["post"]["responses"]  # another rep's opportunity
    imported = paths["/calendar/import"]["post"]
    form = resolve(openapi, imported["requestBody"]["content"]["multipart/form-data"]["schema"])
    assert set(form["properties"]) == {"file", "kind", "published"} and form["required"] == ["file"]
    result = resolve(openapi, imported["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(result["properties"]) == {"added", "updated", "unchanged", "skipped"}
    assert {"get", "post"} <= set(paths["/pitches"]) and "delete" in paths["/pitches/{pitch_id}"]
    version = openapi["components"]["schemas"]["Version"]
    assert set(version["properties"]["text_status"]["enum"]) == {"pending", "complete", "partial", "failed"}
    assert "text_status_reason" in version["required"]


def test_openapi_path_parameters_are_declared(openapi):
    for path, item in openapi["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            if method == "parameters":
                continue
            params = [*item.get("parameters", []), *operation.get("parameters", [])]
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == names, (method, path)
            assert all(p["required"] for p in params if p["in"] == "path")


def test_openapi_list_parameters_match_the_api(app, openapi):
    params = {p["name"]: p for p in openapi["paths"]["/collateral"]["get"]["parameters"]}
    assert set(params) == {"stage", "status", "content_type", "product", "page", "per_page"}
    assert set(params["status"]["schema"]["enum"]) == set(STATUSES)
    assert set(params["content_type"]["schema"]["enum"]) == set(CONTENT_TYPES)
    assert params["per_page"]["schema"]["maximum"] == app.config["API_MAX_PER_PAGE"]
    assert params["per_page"]["schema"]["default"] == app.config["API_PER_PAGE"]


def test_openapi_create_body_lists_the_fields_the_api_reads(openapi):
    schema = resolve(openapi, openapi["paths"]["/collateral"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"])
    assert set(schema["properties"]) == {"file", "url", "title", "description", "content_type", "stages", "product",
                                         "industry", "persona", "region", "tags", "expires_on"}
    assert set(schema["required"]) == {"title", "content_type", "stages"}
    assert set(schema["properties"]["content_type"]["enum"]) == set(CONTENT_TYPES)


def test_real_answers_have_every_property_the_spec_lists(http, as_editor, as_rep, openapi):
    item_schema = openapi["components"]["schemas"]["Item"]
    version_schema = openapi["components"]["schemas"]["Version"]
    examples = []
    created = create(http, as_editor, tags="a,b", expires_on="2030-01-01", description="<b>x</b>")
    examples.append(created.get_json())
    item_id = created.get_json()["id"]
    examples.append(create(http, as_editor, upload=False, url="https://example.com/v").get_json())
    versions_url = f"{PREFIX}/collateral/{item_id}/versions"
    examples.append(post_form(http, versions_url, {"file": pdf_part()}, as_editor).get_json())
    examples.append(http.patch(f"{PREFIX}/collateral/{item_id}", json={"title": "T"}, headers=as_editor).get_json())
    examples.append(change(http, as_editor, item_id, status="in_review").get_json())
    examples.append(change(http, as_editor, item_id, status="approved").get_json())
    examples.append(http.get(f"{PREFIX}/collateral/{item_id}", headers=as_rep).get_json())
    page = http.get(f"{PREFIX}/collateral", headers=as_editor).get_json()
    assert set(page) == set(openapi["components"]["schemas"]["ItemPage"]["properties"])
    validate(openapi, {"$ref": "#/components/schemas/ItemPage"}, page)
    examples += page["items"]
    assert len(examples) == 9

    for example in examples:
        assert set(example) == set(item_schema["properties"])
        validate(openapi, item_schema, example)
        if example["current_version"] is not None:
            assert set(example["current_version"]) == set(version_schema["properties"])
    stages = http.get(f"{PREFIX}/stages", headers=as_rep).get_json()
    validate(openapi, openapi["paths"]["/stages"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
             stages)
    me = http.get(f"{PREFIX}/me", headers=as_rep).get_json()
    assert set(me) == set(openapi["components"]["schemas"]["User"]["properties"])


# Each call: who, method, the documented path, the path to call, request arguments, the status to expect.
ONE, VERSIONS, STATUS, DOWNLOAD = ("/collateral/{item_id}", "/collateral/{item_id}/versions",
                                   "/collateral/{item_id}/status", "/collateral/{item_id}/download")
SCENARIOS = [
    ("editor", "GET", "/stages", "/stages", {}, 200),
    (None, "GET", "/stages", "/stages", {}, 401),
    ("rep", "GET", "/me", "/me", {}, 200),
    ("rep", "GET", "/collateral", "/collateral", {}, 200),
    ("rep", "GET", "/collateral", "/collateral?page=0", {}, 400),
    ("rep", "GET", "/collateral", "/collateral?stage=nope", {}, 422),
    ("editor", "POST", "/collateral", "/collateral", {"form": {**BASE, "file": True}}, 201),
    ("rep", "POST", "/collateral", "/collateral", {"form": {**BASE, "file": True}}, 403),
    ("editor", "POST", "/collateral", "/collateral", {"form": {**BASE, "file": "big"}}, 413),
    ("editor", "POST", "/collateral", "/collateral", {"form": {**BASE, "title": ""}}, 422),
    ("rep", "GET", ONE, "/collateral/{live}", {}, 200),
    ("rep", "GET", ONE, "/collateral/{draft}", {}, 404),
    ("editor", "PATCH", ONE, "/collateral/{draft}", {"json": {"title": "T"}}, 200),
    ("editor", "PATCH", ONE, "/collateral/{draft}",
     {"data": "[]", "content_type": "application/json"}, 400),
    ("rep", "PATCH", ONE, "/collateral/{live}", {"json": {"title": "T"}}, 403),
    ("editor", "PATCH", ONE, "/collateral/{missing}", {"json": {"title": "T"}}, 404),
    ("editor", "PATCH", ONE, "/collateral/{draft}", {"json": {"title": ""}}, 422),
    ("editor", "DELETE", ONE, "/collateral/{draft}", {}, 204),
    ("rep", "DELETE", ONE, "/collateral/{live}", {}, 403),
    ("editor", "DELETE", ONE, "/collateral/{missing}", {}, 404),
    ("editor", "POST", VERSIONS, "/collateral/{draft}/versions", {"form": {"file": True}}, 201),
    ("rep", "POST", VERSIONS, "/collateral/{live}/versions", {"form": {"file": True}}, 403),
    ("editor", "POST", VERSIONS, "/collateral/{missing}/versions", {"form": {"file": True}}, 404),
    ("editor", "POST", VERSIONS, "/collateral/{link}/versions", {"form": {"file": True}}, 409),
    ("editor", "POST", VERSIONS, "/collateral/{draft}/versions", {"form": {"file": "big"}}, 413),
    ("editor", "POST", VERSIONS, "/collateral/{draft}/versions", {"form": {}}, 422),
    ("editor", "POST", STATUS, "/collateral/{draft}/status", {"json": {"status": "in_review"}}, 200),
    ("editor", "POST", STATUS, "/collateral/{draft}/status", {"data": {"status": "x"}}, 400),
    ("rep", "POST", STATUS, "/collateral/{live}/status", {"json": {"status": "archived"}}, 403),
    ("editor", "POST", STATUS, "/collateral/{missing}/status", {"json": {"status": "draft"}}, 404),
    ("editor", "POST", STATUS, "/collateral/{draft}/status", {"json": {"status": "approved"}}, 409),
    ("editor", "POST", STATUS, "/collateral/{draft}/status", {"json": {"status": "gone"}}, 422),
    ("rep", "GET", DOWNLOAD, "/collateral/{live}/download", {}, 200),
    ("rep", "GET", DOWNLOAD, "/collateral/{draft}/download", {}, 404),
]


@pytest.mark.parametrize("who, method, template, path, kwargs, status", [
    pytest.param(*s, id=f"{s[1]} {s[3]} {s[5]}") for s in SCENARIOS])
def test_every_answer_is_documented(app, http, token_for, editor, rep, make_item, openapi,
                                    who, method, template, path, kwargs, status):
    targets = {"live": make_item(status="approved").id, "draft": make_item(status="draft").id,
               "link": make_item(status="draft", url="https://example.com/l").id, "missing": MISSING_ID}
    headers = token_for({"editor": editor, "rep": rep}[who]) if who else {}
    kwargs = dict(kwargs)
    if "form" in kwargs:
        fields = dict(kwargs.pop("form"))
        if fields.get("file") == "big":
            app.config["MAX_UPLOAD_BYTES"] = 1024
            fields["file"] = pdf_part(pdf_bytes("x" * 2048))
        elif fields.get("file"):
            fields["file"] = pdf_part()
        r = post_form(http, PREFIX + path.format(**targets), fields, headers)
    else:
        r = http.open(PREFIX + path.format(**targets), method=method, headers=headers, **kwargs)
    assert r.status_code == status, r.get_data(as_text=True)[:300]

    responses = openapi["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} answers {status}, which the document does not list"
    documented = resolve(openapi, responses[str(status)])
    content = documented.get("content", {})
    if r.mimetype == "application/json":
        assert "application/json" in content
        validate(openapi, content["application/json"]["schema"], r.get_json())
    elif status == 204:
        assert not content and r.data == b""


@pytest.mark.parametrize("query", ["/collateral?stage=%00", "/collateral?product=a%00b", "/usage?action=%00",
                                   "/search?q=%00&stage=%00&product=%00&industry=%00&persona=%00",
                                   "/analytics/content?product=%00&team=%00&stage=%00",
                                   "/calendar/entries?product=%00&audience=%00", "/requests?status=%00"])
def test_control_characters_in_filters_are_an_answer_not_a_500(http, as_editor, query):
    """PostgreSQL refuses NUL even in a comparison: filters go through hub.validation.filter_value."""
    assert http.get(PREFIX + query, headers=as_editor).status_code in (200, 422)


def test_control_characters_in_stage_slugs_are_removed_like_everywhere(http, as_editor):
    r = post_form(http, f"{PREFIX}/collateral", {**BASE, "stages": "aware\x00ness", "file": pdf_part()}, as_editor)
    assert r.status_code == 201 and r.get_json()["stages"] == ["awareness"]
