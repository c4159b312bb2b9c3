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
