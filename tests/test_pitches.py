"""Pitches (issue 14): one prospect link for several items, opened per item, with share links' rules."""
import re

from hub.extensions import db
from hub.library import workflow
from hub.usage import pitches
from hub.usage.models import Pitch, PitchOpen

from . import search_files


def link_in(html):
    match = re.search(r'id="new-link-url"[^>]*>(http://localhost/p/[\w-]+)</textarea>', html)
    assert match, html[:2000]
    return match.group(1).removeprefix("http://localhost")


def make_pitch(browser, items, **form):
    for item in items:
        assert browser.post("/pitch/items", data={"collateral_id": item.id, "next": "/pitch"}).status_code == 303
    response = browser.post("/pitches", data={"title": "Acme: pricing and proof", **form})
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    return link_in(response.get_data(as_text=True))


def test_rep_picks_items_and_sends_one_link(app, as_user, make_item):
    guide = make_item(title="Pricing guide", file=(search_files.pdf(pages=2), "guide.pdf"),
                      description="Plans and prices.")
    study = make_item(title="Acme case study", url="https://example.com/acme")
    draft = make_item("draft", title="Secret draft")
    rep, user = as_user("sales")
    path = make_pitch(rep, [guide, study, guide], message="Dana,\nhere is what we discussed.")
    assert "Shown only once" not in rep.get("/pitch").get_data(as_text=True)  # the basket is empty again

    # The prospect, signed out, sees the rep's card, the message and both items once each.
    prospect = app.test_client()
    page = prospect.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert user.name in html and user.email in html and "here is what we discussed." in html
    assert html.count("/thumbnail") == 2 and "Secret draft" not in html
    assert page.headers["Cache-Control"] == "private, no-store"
    token = path.removeprefix("/p/")
    viewer = prospect.get(f"/p/{token}/items/{guide.id}").get_data(as_text=True)
    assert "Page 1 of 2" in viewer and "/download" not in viewer
    assert prospect.get(f"/p/{token}/items/{guide.id}/pages/2").mimetype == "image/png"
    assert prospect.get(f"/p/{token}/items/{guide.id}/thumbnail").mimetype == "image/png"
    assert prospect.get(f"/p/{token}/items/{guide.id}/download").status_code == 404  # not allowed for this pitch
    assert prospect.get(f"/p/{token}/items/{draft.id}").status_code == 404

    # Only the hash is stored; the rep sees the pitch and which items were opened.
    pitch = db.session.scalar(db.select(Pitch))
    assert token not in pitch.token_hash and pitches.hash_token(token) == pitch.token_hash
    opens = db.session.execute(db.select(PitchOpen.collateral_id, PitchOpen.kind)).all()
    assert sorted(opens, key=str) == sorted([(None, "page"), (guide.id, "item")], key=str)
    shares_page = rep.get("/shares").get_data(as_text=True)
    assert "Acme: pricing and proof" in shares_page and "opened once" in shares_page and "not opened yet" in shares_page


def test_a_draft_cannot_be_added_and_an_empty_pitch_is_refused(app, as_user, make_item):
    draft = make_item("draft", title="Secret draft")
    rep, _ = as_user("sales")
    rep.post("/pitch/items", data={"collateral_id": draft.id})
    assert "Secret draft" not in rep.get("/pitch").get_data(as_text=True)
    response = rep.post("/pitches", data={"title": "Empty"})
    assert response.status_code == 422
    assert "Choose at least one item" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Pitch.id))) == 0


def test_downloads_only_when_allowed(app, as_user, make_item):
    guide = make_item(title="Pricing guide", file=(search_files.pdf(pages=1), "guide.pdf"))
    rep, _ = as_user("sales")
    token = make_pitch(rep, [guide], allow_download="1").removeprefix("/p/")
    download = app.test_client().get(f"/p/{token}/items/{guide.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"


def test_items_that_leave_approval_leave_the_pitch_and_revoking_stops_it(app, as_user, make_item, make_user):
    one = make_item(title="First")
    two = make_item(title="Second")
    rep, _ = as_user("sales")
    path = make_pitch(rep, [one, two])
    prospect = app.test_client()
    workflow.transition(make_user("marketing"), one, "archived")
    html = prospect.get(path).get_data(as_text=True)
    assert "Second" in html and "First" not in html
    assert prospect.get(f"{path}/items/{one.id}").status_code == 404
    pitch = db.session.scalar(db.select(Pitch))
    assert rep.post(f"/pitches/{pitch.id}/revoke").status_code == 303
    assert prospect.get(path).status_code == 404
    other, _ = as_user("sales")
    assert other.post(f"/pitches/{pitch.id}/revoke").status_code == 404


def test_a_pitch_whose_items_all_left_approval_stops_working(app, as_user, make_item, make_user):
    one = make_item(title="Only")
    rep, _ = as_user("sales")
    path = make_pitch(rep, [one], expires_on="2099-01-01")
    workflow.transition(make_user("marketing"), one, "archived")
    assert app.test_client().get(path).status_code == 404


def test_pitch_api(app, client, make_user, make_item, token_for):
    one, two = make_item(title="First"), make_item(title="Second")
    draft = make_item("draft", title="Draft")
    rep = make_user("sales")
    headers = token_for(rep)
    made = client.post("/api/v1/pitches", headers=headers, json={
        "title": "For Acme", "message": "Hello", "collateral_ids": [two.id, one.id], "allow_download": True,
        "expires_on": "2099-12-31"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["collateral_ids"] == [two.id, one.id] and body["working"] and body["url"].startswith("http://localhost/p/")
    assert client.get(body["url"].removeprefix("http://localhost")).status_code == 200
    listed = client.get("/api/v1/pitches", headers=headers).get_json()["items"]
    assert [p["id"] for p in listed] == [body["id"]] and "url" not in listed[0] and listed[0]["opens"] == 1
    for bad, field in [({"title": "x", "collateral_ids": [draft.id]}, None), ({"title": "", "collateral_ids": [one.id]}, "title"),
                       ({"title": "x", "collateral_ids": "nope"}, "collateral_ids"),
                       ({"title": "x", "collateral_ids": [one.id], "expires_on": "2001-01-01"}, "expires_on")]:
        refused = client.post("/api/v1/pitches", headers=headers, json=bad)
        assert refused.status_code in (404, 422), (bad, refused.get_json())
        if field:
            assert refused.get_json()["error"]["field"] == field
    other = token_for(make_user("sales"))
    assert client.delete(f"/api/v1/pitches/{body['id']}", headers=other).status_code == 404
    revoked = client.delete(f"/api/v1/pitches/{body['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["working"] is False
    assert client.get(body["url"].removeprefix("http://localhost")).status_code == 404
