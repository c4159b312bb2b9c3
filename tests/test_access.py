"""Every route, every role: pages and API answer as the role allows, and no route is left out."""
import contextlib
import io
import re

import pytest
from werkzeug.exceptions import HTTPException

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
    ("GET", "/items/bulk", expect(REDIRECT, 403, 200)),
    ("POST", "/items/bulk", expect(REDIRECT, 403, 303)),  # no files: said on the page
    ("POST", "/items/bulk/files", expect(REDIRECT, 403, 422)),  # no file
    ("POST", "/items/bulk/files/999999/delete", expect(REDIRECT, 403, 404)),
    ("POST", "/items/bulk/create", expect(REDIRECT, 403, 422)),  # no rows
    ("GET", "/items/{approved}/edit", expect(REDIRECT, 403, 200)),
    ("POST", "/items/{approved}/edit", expect(REDIRECT, 403, 422)),
    ("POST", "/items/{approved}/versions", expect(REDIRECT, 403, 422)),  # no file: refused with the page (was 303)
    ("POST", "/items/{draft}/status", expect(REDIRECT, 403, 303)),
    ("POST", "/items/{approved}/versions/1/decision", expect(REDIRECT, 403, 409)),  # v1 does not wait for approval
    ("POST", "/items/{doomed}/delete", expect(REDIRECT, 403, 303)),
    ("GET", "/items/{approved}/download", expect(REDIRECT, 200, 200)),
    ("GET", "/items/{draft}/download", expect(REDIRECT, 404, 200)),
    ("GET", "/items/{approved}/versions/1/download", expect(REDIRECT, 403, 200)),
    ("GET", "/items/{approved}/preview", expect(REDIRECT, 200, 200)),
    ("GET", "/items/{draft}/preview", expect(REDIRECT, 404, 200)),
    ("GET", "/items/{approved}/thumbnail", expect(REDIRECT, 200, 200)),
    ("GET", "/items/{draft}/thumbnail", expect(REDIRECT, 404, 200)),
    ("GET", "/items/{expired}/thumbnail", expect(REDIRECT, 404, 200)),
    ("GET", "/items/{draft}/pages/1", expect(REDIRECT, 404, 200)),  # the world's files are real one-page PDFs
    ("GET", "/review", expect(REDIRECT, 403, 200)),
    ("GET", "/search?q=approved", expect(REDIRECT, 200, 200)),
    ("GET", "/search?q=x&status=draft&sort=newest", expect(REDIRECT, 200, 200)),
    ("GET", "/search?q=x&sort=random", expect(REDIRECT, 400, 400)),
    ("GET", "/account", expect(REDIRECT, 200, 200)),
    ("POST", "/account/tokens", expect(REDIRECT, 201, 201)),
    ("POST", "/account/tokens/{others_token}/revoke", expect(REDIRECT, 404, 404)),
    ("POST", "/account/password", expect(REDIRECT, 422, 422)),
    ("POST", "/account/time-zone", expect(REDIRECT, 303, 303)),
    ("POST", "/account/browser-time-zone", expect(REDIRECT, 204, 204)),
    ("POST", "/account/sessions/end", expect(REDIRECT, 303, 303)),
    ("GET", "/reset/not-a-real-token", expect(404, 404, 404)),
    ("POST", "/reset/not-a-real-token", expect(404, 404, 404)),
    ("GET", "/admin/users", expect(REDIRECT, 403, 403, 200)),
    ("GET", "/admin/users?role=sales&active=1", expect(REDIRECT, 403, 403, 200)),
    ("GET", "/admin/users?role=boss", expect(REDIRECT, 403, 403, 422)),
    ("POST", "/admin/users", expect(REDIRECT, 403, 403, 422)),
    ("POST", "/admin/users/{other_user}", expect(REDIRECT, 403, 403, 303)),
    ("POST", "/admin/users/{other_user}/delete", expect(REDIRECT, 403, 403, 303)),
    ("POST", "/admin/users/{other_user}/reset-link", expect(REDIRECT, 403, 403, 201)),
    ("POST", "/admin/sign-in-locks/{sign_in_lock}/clear", expect(REDIRECT, 403, 403, 303)),
    ("GET", "/admin/stages", expect(REDIRECT, 403, 403, 200)),
    ("POST", "/admin/stages", expect(REDIRECT, 403, 403, 303)),
    ("POST", "/admin/stages/{stage}", expect(REDIRECT, 403, 403, 303)),
    ("GET", "/admin/health", expect(REDIRECT, 403, 403, 200)),
    ("POST", "/admin/health/retry", expect(REDIRECT, 403, 403, 303)),
    ("GET", "/static/css/hub.css", expect(200, 200, 200)),
    # calendar (issue 4)
    ("GET", "/calendar/", expect(REDIRECT, 200, 200)),
    ("GET", "/calendar/week", expect(REDIRECT, 200, 200)),
    ("GET", "/calendar/agenda", expect(REDIRECT, 200, 200)),
    ("GET", "/calendar/entries/{cal_published}", expect(REDIRECT, 200, 200)),
    ("GET", "/calendar/entries/{cal_draft}", expect(REDIRECT, 404, 200)),
    ("GET", "/calendar/entries/{cal_published}.ics", expect(REDIRECT, 200, 200)),
    ("GET", "/calendar/entries/{cal_draft}.ics", expect(REDIRECT, 404, 200)),
    ("GET", "/calendar/entries/new", expect(REDIRECT, 403, 200)),
    ("POST", "/calendar/entries/new", expect(REDIRECT, 403, 422)),
    ("GET", "/calendar/entries/{cal_published}/edit", expect(REDIRECT, 403, 200)),
    ("POST", "/calendar/entries/{cal_published}/edit", expect(REDIRECT, 403, 422)),
    ("POST", "/calendar/entries/{cal_draft}/publish", expect(REDIRECT, 403, 303)),
    ("POST", "/calendar/entries/{cal_published}/cancel", expect(REDIRECT, 403, 303)),
    ("POST", "/calendar/entries/{cal_doomed}/delete", expect(REDIRECT, 403, 303)),
    ("POST", "/calendar/entries/{cal_recurring}/occurrences", expect(REDIRECT, 403, 303)),
    ("GET", "/calendar/import", expect(REDIRECT, 403, 200)),
    ("POST", "/calendar/import", expect(REDIRECT, 403, 422)),
    ("GET", "/calendar/subscribe", expect(REDIRECT, 200, 200)),
    ("POST", "/calendar/subscribe/rotate", expect(REDIRECT, 303, 303)),
    ("POST", "/calendar/feeds", expect(REDIRECT, 303, 303)),
    ("POST", "/calendar/feeds/{others_feed}/delete", expect(REDIRECT, 404, 404)),
    ("GET", "/calendar/feed/{feed_token}.ics", expect(200, 200, 200)),  # the token is the credential
    ("GET", "/calendar/feed/not-a-real-token.ics", expect(404, 404, 404)),
    # usage (issue 5)
    ("GET", "/s/{share_token}", expect(200, 200, 200)),  # the token is the credential
    ("GET", "/s/{share_token}/preview", expect(200, 200, 200)),
    ("GET", "/s/{share_token}/pages/1.png", expect(200, 200, 200)),
    ("GET", "/s/{share_token}/download", expect(200, 200, 200)),
    ("GET", "/s/not-a-real-token-at-all-000000", expect(404, 404, 404)),
    ("POST", "/items/{approved}/shares", expect(REDIRECT, 303, 303)),
    ("POST", "/items/{draft}/shares", expect(REDIRECT, 404, 303)),  # editors are told why; nothing is made
    ("GET", "/shares", expect(REDIRECT, 200, 200)),
    # pitches (issue 14)
    ("POST", "/pitch/items", expect(REDIRECT, 303, 303)),
    ("POST", "/pitch/items/{approved}/remove", expect(REDIRECT, 303, 303)),
    ("GET", "/pitch", expect(REDIRECT, 200, 200)),
    ("POST", "/pitches", expect(REDIRECT, 422, 422)),  # nothing picked: refused with the page
    ("POST", "/pitches/{pitch}/revoke", expect(REDIRECT, 404, 303)),
    ("GET", "/p/{pitch_token}", expect(200, 200, 200)),  # the token is the credential
    ("GET", "/p/{pitch_token}/items/{approved}", expect(200, 200, 200)),
    ("GET", "/p/{pitch_token}/items/{approved}/thumbnail", expect(200, 200, 200)),
    ("GET", "/p/{pitch_token}/items/{approved}/pages/1", expect(200, 200, 200)),
    ("GET", "/p/{pitch_token}/items/{approved}/pages/2", expect(404, 404, 404)),  # one page only
    ("GET", "/p/{pitch_token}/items/{approved}/download", expect(200, 200, 200)),
    ("GET", "/p/{pitch_token}/items/{draft}", expect(404, 404, 404)),
    ("POST", "/p/{pitch_token}/items/{approved}/time", expect(204, 204, 204)),  # the page's beacon, CSRF-exempt
    ("POST", "/p/{pitch_token}/items/{draft}/time", expect(404, 404, 404)),
    ("GET", "/p/{pitch_token}/photo", expect(404, 404, 404)),  # the rep has no photo
    ("POST", "/account/profile", expect(REDIRECT, 303, 303)),
    ("POST", "/account/photo", expect(REDIRECT, 422, 422)),  # no file: refused with the page
    ("GET", "/account/photo", expect(REDIRECT, 404, 404)),
    ("GET", "/p/not-a-real-token-at-all-000000", expect(404, 404, 404)),
    ("POST", "/shares/{share}/revoke", expect(REDIRECT, 404, 303)),
    ("POST", "/items/{approved}/deals", expect(REDIRECT, 303, 303)),
    ("GET", "/opportunities", expect(REDIRECT, 200, 200)),
    ("POST", "/opportunities/{opportunity}/outcome", expect(REDIRECT, 403, 303)),
    ("GET", "/activity", expect(REDIRECT, 200, 200)),
    ("POST", "/items/{approved}/rating", expect(REDIRECT, 303, 303)),
    ("POST", "/items/{draft}/rating", expect(REDIRECT, 404, 303)),
    ("GET", "/requests", expect(REDIRECT, 200, 200)),
    ("GET", "/requests?asked_from=2026-11-23&asked_to=2026-11-29", expect(REDIRECT, 200, 200)),
    ("GET", "/requests?changed_from=29-11-2026", expect(REDIRECT, 422, 422)),
    ("POST", "/requests", expect(REDIRECT, 303, 303)),
    ("GET", "/requests/{content_request}", expect(REDIRECT, 200, 200)),
    ("POST", "/requests/{content_request}/vote", expect(REDIRECT, 303, 303)),
    ("POST", "/requests/{content_request}/status", expect(REDIRECT, 403, 303)),
    ("GET", "/insights", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/content", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/content.csv", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/unused", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/unused.csv", expect(REDIRECT, 403, 200)),
    ("POST", "/insights/unused/archive", expect(REDIRECT, 403, 303)),
    ("GET", "/insights/search", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/stages.csv", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/search.csv", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/adoption.csv", expect(REDIRECT, 403, 200)),
    ("GET", "/insights/feedback.csv", expect(REDIRECT, 403, 200)),
    # the weekly review (issue 15): reps read it, marketing and admins set the goals
    ("GET", "/review/weekly", expect(REDIRECT, 200, 200)),
    ("GET", "/review/weekly?week=2026-W99", expect(REDIRECT, 422, 422)),
    ("GET", "/review/weekly.pdf", expect(REDIRECT, 200, 200)),
    ("GET", "/review/weekly/goals.csv", expect(REDIRECT, 200, 200)),
    ("GET", "/review/weekly/published?change=updated", expect(REDIRECT, 200, 200)),
    ("GET", "/review/weekly/requests?change=retired", expect(REDIRECT, 200, 200)),  # change narrows only "published"
    ("GET", "/review/weekly/published?change=retired", expect(REDIRECT, 422, 422)),
    ("GET", "/review/goals", expect(REDIRECT, 403, 200)),
    ("POST", "/review/goals", expect(REDIRECT, 403, 303)),
    ("POST", "/account/weekly-review", expect(REDIRECT, 303, 303)),

    # what's new for me (issue 14)
    ("GET", "/saved", expect(REDIRECT, 200, 200)),
    ("POST", "/saved/{approved}", expect(REDIRECT, 303, 303)),
    ("POST", "/saved/{draft}", expect(REDIRECT, 404, 303)),
    ("GET", "/notifications", expect(REDIRECT, 200, 200)),
    ("GET", "/notifications/unread.json", expect(401, 200, 200)),  # a script's: JSON, not the sign-in page
    ("POST", "/notifications/read", expect(REDIRECT, 303, 303)),
    ("POST", "/account/notifications", expect(REDIRECT, 303, 303)),
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
    ("POST", "/api/v1/collateral/{approved}/versions/1/approve", expect(401, 403, 409)),  # v1 does not wait
    ("POST", "/api/v1/collateral/{approved}/versions/1/reject", expect(401, 403, 409)),
    ("POST", "/api/v1/collateral/{approved}/status", expect(401, 403, 200)),
    ("GET", "/api/v1/collateral/{approved}/download", expect(401, 200, 200)),
    ("GET", "/api/v1/collateral/{draft}/download", expect(401, 404, 200)),
    # calendar (issue 4)
    ("GET", "/api/v1/calendar/entries", expect(401, 200, 200)),
    ("POST", "/api/v1/calendar/entries", expect(401, 403, 422)),
    ("POST", "/api/v1/calendar/import", expect(401, 403, 422)),
    ("GET", "/api/v1/calendar/entries/{cal_published}", expect(401, 200, 200)),
    ("GET", "/api/v1/calendar/entries/{cal_draft}", expect(401, 404, 200)),
    ("PATCH", "/api/v1/calendar/entries/{cal_published}", expect(401, 403, 200)),
    ("DELETE", "/api/v1/calendar/entries/{cal_published}", expect(401, 403, 200)),
    ("GET", "/api/v1/me/feeds", expect(401, 200, 200)),
    ("POST", "/api/v1/me/feeds/rotate", expect(401, 200, 200)),
    ("GET", "/api/v1/health", expect(401, 403, 403, 200)),
    # usage (issue 5)
    ("POST", "/api/v1/usage", expect(401, 422, 422)),  # no collateral_id in the static body: refused, nothing stored
    ("GET", "/api/v1/usage", expect(401, 200, 200)),
    ("POST", "/api/v1/collateral/{approved}/shares", expect(401, 201, 201)),
    ("POST", "/api/v1/collateral/{draft}/shares", expect(401, 404, 422)),
    ("GET", "/api/v1/shares", expect(401, 200, 200)),
    ("POST", "/api/v1/pitches", expect(401, 422, 422)),  # no items: refused (made in test_pitches)
    ("GET", "/api/v1/pitches", expect(401, 200, 200)),
    ("DELETE", "/api/v1/pitches/{pitch}", expect(401, 404, 200)),
    ("DELETE", "/api/v1/shares/{share}", expect(401, 404, 200)),
    ("PUT", "/api/v1/opportunities/{opportunity_ref}/outcome", expect(401, 403, 200)),
    ("POST", "/api/v1/ratings", expect(401, 422, 422)),
    ("GET", "/api/v1/analytics/content", expect(401, 403, 200)),
    ("GET", "/api/v1/analytics/unused", expect(401, 403, 200)),
    ("GET", "/api/v1/analytics/stages", expect(401, 403, 200)),
    ("GET", "/api/v1/analytics/search", expect(401, 403, 200)),
    ("GET", "/api/v1/analytics/adoption", expect(401, 403, 200)),
    ("GET", "/api/v1/analytics/feedback", expect(401, 403, 200)),
    ("POST", "/api/v1/requests", expect(401, 201, 201)),
    ("GET", "/api/v1/requests", expect(401, 200, 200)),
    ("GET", "/api/v1/requests/{content_request}", expect(401, 200, 200)),
    ("PATCH", "/api/v1/requests/{content_request}", expect(401, 403, 200)),
    ("POST", "/api/v1/requests/{content_request}/votes", expect(401, 201, 201)),
    ("DELETE", "/api/v1/requests/{content_request}/votes", expect(401, 200, 200)),
    ("GET", "/api/v1/review/weekly", expect(401, 200, 200)),
    ("GET", "/api/v1/review/weekly?week=2026-W99", expect(401, 422, 422)),

    # what's new for me (issue 14)
    ("GET", "/api/v1/me/saved", expect(401, 200, 200)),
    ("PUT", "/api/v1/me/saved/{approved}", expect(401, 200, 200)),
    ("PUT", "/api/v1/me/saved/{draft}", expect(401, 404, 200)),
    ("DELETE", "/api/v1/me/saved/{approved}", expect(401, 200, 200)),
    ("GET", "/api/v1/me/notifications", expect(401, 200, 200)),
]

BODIES = {
    ("POST", "/login"): {"email": "nobody@example.com", "password": "not the password"},
    ("POST", "/p/{pitch_token}/items/{approved}/time"): {"seconds": "30"},
    ("POST", "/items/{draft}/status"): {"status": "in_review"},
    ("POST", "/items/{approved}/versions/1/decision"): {"decision": "approve"},
    ("POST", "/admin/users/{other_user}"): {"role": "marketing"},
    ("POST", "/admin/stages"): {"name": "Renewal"},
    ("POST", "/admin/stages/{stage}"): {"name": "Awareness and interest"},
    ("POST", "/account/tokens"): {"name": "CRM sync"},
    ("POST", "/account/time-zone"): {"time_zone": "Europe/Berlin"},
    ("POST", "/review/goals"): {"share_opens": "10"},
    ("POST", "/account/weekly-review"): {"weekly_review": "1"},
    ("POST", "/account/browser-time-zone"): {"time_zone": "Europe/Berlin"},
    ("POST", "/calendar/entries/{cal_recurring}/occurrences"): {"action": "remove", "occurrence": "2026-03-09T09:00"},
    ("POST", "/calendar/feeds"): {"name": "Webinars", "kind": "webinar"},
    ("POST", "/items/{approved}/shares"): {"recipient": "Dana Ruiz", "account": "Acme"},
    ("POST", "/items/{draft}/shares"): {"recipient": "Dana Ruiz"},
    ("POST", "/items/{approved}/deals"): {"account": "Acme", "opportunity": "OPP-7", "stage": "awareness"},
    ("POST", "/opportunities/{opportunity}/outcome"): {"outcome": "won"},
    ("POST", "/items/{approved}/rating"): {"rating": "4", "comment": "Good"},
    ("POST", "/items/{draft}/rating"): {"rating": "4"},
    ("POST", "/requests"): {"title": "Case study for banks"},
    ("POST", "/requests/{content_request}/status"): {"status": "planned"},
    ("POST", "/account/notifications"): {"mail": "new_version"},
    ("POST", "/account/profile"): {"title": "Account Executive"},
}
JSON_BODIES = {
    ("POST", "/login"): {"email": "nobody@example.com", "password": "not the password"},
    ("PATCH", "/api/v1/collateral/{approved}"): {"region": "EMEA"},
    ("POST", "/api/v1/collateral/{draft}/status"): {"status": "in_review"},
    ("POST", "/api/v1/collateral/{approved}/status"): {"status": "archived"},
    ("POST", "/api/v1/collateral/{approved}/versions/1/approve"): {},
    ("POST", "/api/v1/collateral/{approved}/versions/1/reject"): {"comment": "Not yet"},
    ("POST", "/api/v1/calendar/entries"): {"title": ""},
    ("PATCH", "/api/v1/calendar/entries/{cal_published}"): {"location": "Online"},
    ("POST", "/api/v1/usage"): {"action": "used_in_deal", "account": "Acme", "opportunity": "OPP-8", "stage": "awareness"},
    ("POST", "/api/v1/collateral/{approved}/shares"): {"recipient": "Dana Ruiz"},
    ("POST", "/api/v1/collateral/{draft}/shares"): {"recipient": "Dana Ruiz"},
    ("POST", "/api/v1/pitches"): {"title": "For Acme", "collateral_ids": []},
    ("PUT", "/api/v1/opportunities/{opportunity_ref}/outcome"): {"outcome": "won"},
    ("POST", "/api/v1/ratings"): {"rating": 5},
    ("POST", "/api/v1/requests"): {"title": "Case study for banks"},
    ("PATCH", "/api/v1/requests/{content_request}"): {"status": "planned"},
}


@pytest.fixture
def world(app, make_user, make_item):
    """An approved, a draft, an expired and a deletable item, another user and their token."""
    other = make_user("sales")
    token, _ = auth_services.create_token(other, "theirs")
    approved = make_item("approved", title="Approved")
    return {
        "approved": approved.id,
        "draft": make_item("draft", title="Draft").id,
        "expired": make_item("approved", title="Expired", expires_on="2020-01-01").id,
        "doomed": make_item("approved", title="Doomed").id,
        "other_user": other.id,
        "others_token": token.id,
        "stage": 1,
        **calendar_world(make_user, other),
        **usage_world(other, approved),
        "sign_in_lock": sign_in_lock(),
    }


def sign_in_lock():
    """A locked account (issue 11), for the admin's clear-lock form."""
    from datetime import timedelta

    from hub.auth.models import SignInThrottle
    from hub.extensions import db
    from hub.models import utcnow

    lock = SignInThrottle(scope="account", key="victim@example.com", failures=9, last_failed_at=utcnow(),
                          locked_until=utcnow() + timedelta(hours=1))
    db.session.add(lock)
    db.session.flush()
    return lock.id


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
    """Each route and method is requested by at least one row: the rows' paths, with a stand-in for
    each placeholder, are matched by the app's own URL map (a shared prefix is not enough)."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path, _ in PAGES + API:
        concrete = re.sub(r"\{[^}]+\}", "1", path).split("?")[0]
        with contextlib.suppress(HTTPException):
            covered.add((method, adapter.match(concrete, method)[0]))
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, rule.endpoint) in covered, f"{method} {rule.rule} has no row in the access matrix"


# Posts that carry no cookie-borne authority: the pitch page's time beacon (its token is the credential).
CSRF_EXEMPT = {"/p/{pitch_token}/items/{approved}/time", "/p/{pitch_token}/items/{draft}/time"}


def test_csrf_is_required_on_every_form(app, as_user, world):
    browser, _ = as_user("admin")
    for method, path, _ in PAGES:
        if method == "POST" and path not in CSRF_EXEMPT:
            response = browser.client.post(path.format(**world), data={"name": "x"})
            assert response.status_code == 400, path
            assert "Reload the page" in response.get_data(as_text=True)


def test_no_state_changes_on_get(app):
    for rule in app.url_map.iter_rules():
        changes = any(word in rule.rule for word in ("logout", "delete", "status", "revoke", "versions"))
        if changes and not rule.rule.endswith("/download"):
            assert "GET" not in rule.methods, rule.rule


def calendar_world(make_user, other):
    """Calendar entries (published, draft, cancelled, repeating), and another user's feed token and saved feed."""
    from hub.calendar import services as calendar
    from hub.calendar import subscriptions

    editor = make_user("marketing")
    timed = {"kind": "webinar", "timezone": "America/New_York", "starts_at": "2026-03-02T09:00",
             "ends_at": "2026-03-02T10:00"}
    doomed = calendar.create_entry(editor, {"title": "Doomed", "published": True, **timed})
    calendar.cancel_entry(editor, doomed)
    return {
        "cal_published": calendar.create_entry(editor, {"title": "Published", "published": True, **timed}).id,
        "cal_draft": calendar.create_entry(editor, {"title": "Draft", **timed}).id,
        "cal_doomed": doomed.id,
        "cal_recurring": calendar.create_entry(editor, {"title": "Weekly", "published": True, "rrule": "FREQ=WEEKLY;COUNT=4",
                                                        **timed}).id,
        "feed_token": subscriptions.feed_token(other),
        "others_feed": subscriptions.save_feed(other, "Theirs", {"kind": ["webinar"]}).id,
    }


def usage_world(other, item):
    """Another rep's share link (downloads allowed), opportunity and content request (issue 5)."""
    from hub.usage import feedback, pitches, services, shares

    share, token = shares.create_share(other, item.id, {"recipient": "Prospect", "allow_download": True})
    pitch, pitch_token = pitches.create_pitch(other, {"title": "For Acme", "collateral_ids": [item.id],
                                                      "allow_download": True})
    use = services.record_deal(other, item, {"account": "Acme", "opportunity": "OPP-1", "stage": "awareness"})
    request = feedback.create_request(other, {"title": "Banking case study"})
    return {"share": share.id, "share_token": token, "opportunity": use.opportunity_id, "opportunity_ref": "OPP-1",
            "content_request": request.id, "pitch": pitch.id, "pitch_token": pitch_token}
