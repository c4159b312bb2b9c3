"""Pitches (issue 14): one prospect link for several items, opened per item, with share links' rules."""
import re
from datetime import timedelta

import pytest

from hub.extensions import db
from hub.library import workflow
from hub.models import utcnow
from hub.usage import pitch_attention, pitches
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
    assert sorted(opens, key=str) == sorted([(None, "page"), (guide.id, "item"), (guide.id, "page_seen")], key=str)
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


# --- what the prospect looked at: pages seen and time in view -------------------------------------


def pitch_with(rep, items, **form):
    """A pitch of `items`; returns (token, Pitch)."""
    token = make_pitch(rep, items, **form).removeprefix("/p/")
    return token, db.session.scalar(db.select(Pitch).order_by(Pitch.id.desc()))


def seconds_kept(pitch, item):
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(PitchOpen.seconds), 0)).where(
        PitchOpen.pitch_id == pitch.id, PitchOpen.collateral_id == item.id, PitchOpen.kind == "time"))


def test_pages_seen_are_distinct_and_the_look_ahead_is_not_a_page_seen(app, as_user, make_item):
    guide = make_item(title="Pricing guide", file=(search_files.pdf(pages=3), "guide.pdf"))
    rep, _ = as_user("sales")
    token, pitch = pitch_with(rep, [guide])
    prospect = app.test_client()
    for path in ("pages/1", "pages/1", "pages/3", "pages/3", "pages/2?v=1&ahead=1"):
        assert prospect.get(f"/p/{token}/items/{guide.id}/{path}").status_code == 200, path
    assert prospect.get(f"/p/{token}/items/{guide.id}/pages/4").status_code == 404  # no such page: not seen
    rows = db.session.scalars(db.select(PitchOpen.page_number).where(PitchOpen.kind == "page_seen")).all()
    assert sorted(rows) == [1, 3]  # one row per page, however often it was shown
    assert pitch_attention.attention([pitch.id]) == {pitch.id: {guide.id: {"seconds": 0, "pages": [1, 3]}}}
    html = rep.get("/shares").get_data(as_text=True)
    assert f'data-item-pages="{guide.id}">saw pages 1, 3 of 3<' in html
    assert prospect.get(f"/p/{token}/items/{guide.id}/pages/2").status_code == 200
    assert f'data-item-pages="{guide.id}">saw all 3 pages<' in rep.get("/shares").get_data(as_text=True)


def test_the_viewer_marks_its_look_ahead_only_on_a_pitch(app, as_user, make_item):
    guide = make_item(title="Pricing guide", file=(search_files.pdf(pages=2), "guide.pdf"))
    rep, _ = as_user("sales")
    token, _ = pitch_with(rep, [guide])
    assert "data-mark-ahead" in app.test_client().get(f"/p/{token}/items/{guide.id}").get_data(as_text=True)
    assert "data-mark-ahead" not in rep.get(f"/items/{guide.id}").get_data(as_text=True)


def test_time_in_view_is_recorded_without_a_csrf_token_and_shown_to_the_rep(app, as_user, make_item, token_for):
    guide = make_item(title="Pricing guide", file=(search_files.pdf(pages=2), "guide.pdf"))
    study = make_item(title="Acme case study", url="https://example.com/acme")
    rep, user = as_user("sales")
    token, pitch = pitch_with(rep, [guide, study])
    prospect = app.test_client()  # signed out, no session, no CSRF token: the beacon as a browser sends it
    for seconds in ("40", "250"):
        response = prospect.post(f"/p/{token}/items/{guide.id}/time", data={"seconds": seconds})
        assert response.status_code == 204, response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "private, no-store"
    assert seconds_kept(pitch, guide) == 290 and seconds_kept(pitch, study) == 0
    html = rep.get("/shares").get_data(as_text=True)
    assert f'data-item-time="{guide.id}">4 min 50 s in view<' in html
    assert f'data-item-time="{study.id}"' not in html  # nothing to say for an item not looked at
    listed = app.test_client().get("/api/v1/pitches", headers=token_for(user)).get_json()["items"][0]
    assert listed["item_attention"] == {str(guide.id): {"seconds": 290, "pages_seen": [], "page_count": 0}}


@pytest.mark.parametrize("value", ["0", "301", "-5", "abc", "", "1.5", "1e2", "\uff15", "9" * 40, " "])
def test_a_bad_time_report_is_refused_with_json(app, as_user, make_item, value):
    guide = make_item(title="Pricing guide")
    rep, _ = as_user("sales")
    token, pitch = pitch_with(rep, [guide])
    response = app.test_client().post(f"/p/{token}/items/{guide.id}/time", data={"seconds": value})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["field"] == "seconds"
    assert seconds_kept(pitch, guide) == 0


def test_a_time_report_needs_a_working_pitch_and_one_of_its_live_items(app, as_user, make_item, make_user):
    one, two, other = make_item(title="First"), make_item(title="Second"), make_item(title="Not pitched")
    rep, _ = as_user("sales")
    token, pitch = pitch_with(rep, [one, two])
    prospect = app.test_client()
    workflow.transition(make_user("marketing"), two, "archived")
    refused = [(f"/p/{token}x/items/{one.id}/time", 404), (f"/p/{token}/items/{other.id}/time", 404),
               (f"/p/{token}/items/{two.id}/time", 404), (f"/p/{token}/items/999999/time", 404)]
    for path, status in refused:
        response = prospect.post(path, data={"seconds": "30"})
        assert response.status_code == status and response.get_json()["error"]["code"], path
    assert rep.post(f"/pitches/{pitch.id}/revoke").status_code == 303
    assert prospect.post(f"/p/{token}/items/{one.id}/time", data={"seconds": "30"}).status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(PitchOpen).where(PitchOpen.kind == "time")) == 0


def test_time_reports_cannot_inflate_an_item_without_bound(app, as_user, make_item):
    guide = make_item(title="Pricing guide")
    rep, _ = as_user("sales")
    token, pitch = pitch_with(rep, [guide])
    prospect = app.test_client()
    url = f"/p/{token}/items/{guide.id}/time"
    for _ in range(5):
        assert prospect.post(url, data={"seconds": "300"}).status_code == 204
    assert prospect.post(url, data={"seconds": "200"}).status_code == 204
    assert prospect.post(url, data={"seconds": "300"}).status_code == 204  # cut to the 100 s left
    assert seconds_kept(pitch, guide) == pitch_attention.WINDOW_SECONDS == 1800
    refused = prospect.post(url, data={"seconds": "1"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_reports"
    assert seconds_kept(pitch, guide) == 1800

    # Ten minutes on, the window has room again.
    db.session.execute(db.update(PitchOpen).values(at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    assert prospect.post(url, data={"seconds": "60"}).status_code == 204
    assert seconds_kept(pitch, guide) == 1860


def test_many_small_time_reports_are_bounded_too(app, as_user, make_item):
    guide = make_item(title="Pricing guide")
    rep, _ = as_user("sales")
    token, pitch = pitch_with(rep, [guide])
    prospect = app.test_client()
    url = f"/p/{token}/items/{guide.id}/time"
    for _ in range(pitch_attention.WINDOW_REPORTS):
        assert prospect.post(url, data={"seconds": "1"}).status_code == 204
    assert prospect.post(url, data={"seconds": "1"}).status_code == 429
    assert seconds_kept(pitch, guide) == pitch_attention.WINDOW_REPORTS


@pytest.mark.parametrize("seconds,label", [(0, "no time in view"), (1, "1 s"), (59, "59 s"), (60, "1 min"),
                                           (250, "4 min 10 s"), (3600, "1 h"), (3900, "1 h 5 min")])
def test_time_label(seconds, label):
    assert pitch_attention.time_label(seconds) == label


@pytest.mark.parametrize("numbers,total,label", [
    ([], 12, "no pages seen"), ([3], 12, "saw page 3 of 12"), ([1, 2, 3, 4, 5, 9], 12, "saw pages 1\u20135, 9 of 12"),
    ([1, 2, 4, 5], 0, "saw pages 1\u20132, 4\u20135"), ([1, 2], 2, "saw all 2 pages"), ([1], 1, "saw the only page")])
def test_pages_label(numbers, total, label):
    assert pitch_attention.pages_label(numbers, total) == label
