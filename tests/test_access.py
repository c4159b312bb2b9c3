"""Every route, every role: pages and API answer as the role allows, and no route is left out."""
import io

import pytest

from hub.auth import services as auth_services

ROLES = ("anon", "sales", "marketing", "admin")
REDIRECT = 302  # to the sign-in page


def expect(anon, sales, marketing, admin=None):
    return {"anon": anon, "sales": sales, "marketing": marketing, "admin": marketing if admin is None else admin}


# (method, path template, expected status per role). Placeholders are filled from the world fixture.
PAGES = [
    ("GET", "/login", expect(200, 302, 302)),
    ("POST", "/login", expect(401, 302, 302)),
    ("POST", "/logout", expect(REDIRECT, 303, 303)),
    ("GET", "/", expect(REDIRECT, 200, 200)),
    ("GET", "/stages/decision", expect(REDIRECT, 200, 200)),
    ("GET", "/stages/nope", expect(REDIRECT, 404, 404)),
    ("GET", "/items/{approved}", expect(REDIRECT, 200, 200)),
    ("GET", "/items/{draft}", expect(REDIRECT, 404, 200)),
    ("GET", "/items/{expired}", expect(REDIRECT, 404, 200)),
    ("GET", "/items/new", expect(REDIRECT, 403, 200)),
    ("POST", "/items/new", expect(REDIRECT, 403, 422)),
    ("GET", "/items/{approved}/edit", expect(REDIRECT, 403, 200)),
    ("POST", "/items/{approved}/edit", expect(REDIRECT, 403, 422)),
    ("POST", "/items/{approved}/versions", expect(REDIRECT, 403, 422)),
    ("POST", "/items/{draft}/status", expect(REDIRECT, 403, 303)),
    ("POST", "/items/{doomed}/delete", expect(REDIRECT, 403, 303)),
    ("GET", "/items/{approved}/download", expect(REDIRECT, 200, 200)),
    ("GET", "/items/{draft}/download", expect(REDIRECT, 404, 200)),
    ("GET", "/items/{approved}/versions/1/download", expect(REDIRECT, 403, 200)),
    ("GET", "/items/{approved}/preview", expect(REDIRECT, 200, 200)),
    ("GET", "/items/{draft}/preview", expect(REDIRECT, 404, 200)),
    ("GET", "/review", expect(REDIRECT, 403, 200)),
    ("GET", "/search?q=approved", expect(REDIRECT, 200, 200)),
    ("GET", "/search?q=x&status=draft&sort=newest", expect(REDIRECT, 200, 200)),
    ("GET", "/search?q=x&sort=random", expect(REDIRECT, 400, 400)),
    ("GET", "/account", expect(REDIRECT, 200, 200)),
    ("POST", "/account/tokens", expect(REDIRECT, 201, 201)),
    ("POST", "/account/tokens/{others_token}/revoke", expect(REDIRECT, 404, 404)),
    ("GET", "/admin/users", expect(REDIRECT, 403, 403, 200)),
    ("POST", "/admin/users", expect(REDIRECT, 403, 403, 422)),
    ("POST", "/admin/users/{other_user}", expect(REDIRECT, 403, 403, 303)),
    ("GET", "/admin/stages", expect(REDIRECT, 403, 403, 200)),
    ("POST", "/admin/stages", expect(REDIRECT, 403, 403, 303)),
    ("POST", "/admin/stages/{stage}", expect(REDIRECT, 403, 403, 303)),
    ("GET", "/static/css/hub.css", expect(200, 200, 200)),
]

API = [
    ("GET", "/api/v1/openapi.json", expect(200, 200, 200)),
    ("GET", "/api/v1/me", expect(401, 200, 200)),
    ("GET", "/api/v1/stages", expect(401, 200, 200)),
    ("GET", "/api/v1/search?q=approved", expect(401, 200, 200)),
    ("GET", "/api/v1/search?q=x&content_type=poster", expect(401, 422, 422)),
    ("GET", "/api/v1/collateral", expect(401, 200, 200)),
    ("POST", "/api/v1/collateral", expect(401, 403, 422)),
    ("GET", "/api/v1/collateral/{approved}", expect(401, 200, 200)),
    ("GET", "/api/v1/collateral/{draft}", expect(401, 404, 200)),
    ("PATCH", "/api/v1/collateral/{approved}", expect(401, 403, 200)),
    ("DELETE", "/api/v1/collateral/{doomed}", expect(401, 403, 204)),
    ("POST", "/api/v1/collateral/{approved}/versions", expect(401, 403, 422)),
    ("POST", "/api/v1/collateral/{draft}/status", expect(401, 404, 200)),
    ("POST", "/api/v1/collateral/{approved}/status", expect(401, 403, 200)),
    ("GET", "/api/v1/collateral/{approved}/download", expect(401, 200, 200)),
    ("GET", "/api/v1/collateral/{draft}/download", expect(401, 404, 200)),
]

BODIES = {
    ("POST", "/login"): {"email": "nobody@example.com", "password": "not the password"},
    ("POST", "/items/{draft}/status"): {"status": "in_review"},
    ("POST", "/admin/users/{other_user}"): {"role": "marketing"},
    ("POST", "/admin/stages"): {"name": "Renewal"},
    ("POST", "/admin/stages/{stage}"): {"name": "Awareness and interest"},
    ("POST", "/account/tokens"): {"name": "CRM sync"},
}
JSON_BODIES = {
    ("POST", "/login"): {"email": "nobody@example.com", "password": "not the password"},
    ("PATCH", "/api/v1/collateral/{approved}"): {"region": "EMEA"},
    ("POST", "/api/v1/collateral/{draft}/status"): {"status": "in_review"},
    ("POST", "/api/v1/collateral/{approved}/status"): {"status": "archived"},
}


@pytest.fixture
def world(app, make_user, make_item):
    """An approved, a draft, an expired and a deletable item, another user and their token."""
    other = make_user("sales")
    token, _ = auth_services.create_token(other, "theirs")
    return {
        "approved": make_item("approved", title="Approved").id,
        "draft": make_item("draft", title="Draft").id,
        "expired": make_item("approved", title="Expired", expires_on="2020-01-01").id,
        "doomed": make_item("approved", title="Doomed").id,
        "other_user": other.id,
        "others_token": token.id,
        "stage": 1,
    }


def signed_in(app, as_user, role):
    if role == "anon":
        from tests.conftest import Browser

        return Browser(app.test_client()), None
    return as_user(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,expected", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_pages(app, as_user, world, role, method, path, expected):
    browser, _ = signed_in(app, as_user, role)
    url = path.format(**world)
    if method == "GET":
        response = browser.get(url)
    else:
        response = browser.post(url, data=BODIES.get((method, path), {}))
    assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
    if expected[role] == REDIRECT and role == "anon":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,expected", API, ids=[f"{m} {p}" for m, p, _ in API])
def test_api(app, client, make_user, token_for, world, role, method, path, expected):
    headers = {} if role == "anon" else token_for(make_user(role))
    kwargs = {"headers": headers}
    if (method, path) in JSON_BODIES:
        kwargs["json"] = JSON_BODIES[(method, path)]
    elif method == "POST":
        kwargs["data"] = {"file": (io.BytesIO(b""), "")}
    response = client.open(path.format(**world), method=method, **kwargs)
    assert response.status_code == expected[role], response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["code"] and error["message"]


def test_every_route_is_in_the_matrix(app):
    covered = {(m, p.split("{")[0].rstrip("/")) for m, p, _ in PAGES + API}
    for rule in app.url_map.iter_rules():
        prefix = rule.rule.split("<")[0].rstrip("/")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, prefix) in covered or any(
                m == method and c.startswith(prefix) for m, c in covered
            ), f"{method} {rule.rule} has no row in the access matrix"


def test_csrf_is_required_on_every_form(app, as_user, world):
    browser, _ = as_user("admin")
    for method, path, _ in PAGES:
        if method == "POST":
            response = browser.client.post(path.format(**world), data={"name": "x"})
            assert response.status_code == 400, path
            assert "Reload the page" in response.get_data(as_text=True)


def test_no_state_changes_on_get(app):
    for rule in app.url_map.iter_rules():
        if any(word in rule.rule for word in ("logout", "delete", "status", "revoke", "versions")):
            if not rule.rule.endswith("/download"):
                assert "GET" not in rule.methods, rule.rule
