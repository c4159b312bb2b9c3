"""Access as an attacker tries it (issue 11, ASVS 5.0 V8 and V3.7): another rep's opportunity, and
redirects that leave the site."""
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.usage.models import DealUse, Opportunity


def deal(item, ref, **extra):
    return {"collateral_id": item.id, "action": "used_in_deal", "account": "Acme", "opportunity": ref,
            "stage": "decision", **extra}


def test_a_rep_cannot_take_over_another_reps_opportunity(app, client, make_user, token_for, make_item):
    owner, thief, editor = make_user("sales"), make_user("sales"), make_user("marketing")
    item = make_item("approved")
    assert client.post("/api/v1/usage", json=deal(item, "OPP-77"), headers=token_for(owner)).status_code == 201
    # The API, as the attacker did it: used_in_deal with the ref, then the outcome.
    taken = client.post("/api/v1/usage", json=deal(item, "OPP-77"), headers=token_for(thief))
    assert taken.status_code == 403
    assert client.put("/api/v1/opportunities/OPP-77/outcome", json={"outcome": "lost"},
                      headers=token_for(thief)).status_code == 403
    assert db.session.scalar(select(DealUse.id).where(DealUse.user_id == thief.id)) is None
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.ref == "OPP-77"))
    assert (opportunity.owner_id, opportunity.outcome) == (owner.id, "open")
    # Marketing and admins may still record and close it; its owner too.
    assert client.post("/api/v1/usage", json=deal(item, "OPP-77"), headers=token_for(editor)).status_code == 201
    assert client.put("/api/v1/opportunities/OPP-77/outcome", json={"outcome": "won"},
                      headers=token_for(owner)).status_code == 200


def test_the_pages_refuse_another_reps_opportunity_too(app, as_user, make_user, token_for, make_item, client):
    owner = make_user("sales")
    item = make_item("approved")
    client.post("/api/v1/usage", json=deal(item, "OPP-78"), headers=token_for(owner))
    browser, thief = as_user("sales")
    response = browser.post(f"/items/{item.id}/deals", data={"account": "Acme", "opportunity": "OPP-78",
                                                             "stage": "decision"})
    assert response.status_code == 303  # back to the item, with the refusal as a message
    assert db.session.scalar(select(DealUse.id).where(DealUse.user_id == thief.id)) is None
    assert "belongs to another rep" in browser.get(response.headers["Location"]).get_data(as_text=True)
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.ref == "OPP-78"))
    assert browser.post(f"/opportunities/{opportunity.id}/outcome", data={"outcome": "won"}).status_code == 403
    assert db.session.get(Opportunity, opportunity.id).outcome == "open"
    assert "OPP-78" not in browser.get("/opportunities").get_data(as_text=True)


EVIL_TARGETS = ["//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example",
                "/\\evil.example", "/\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "/%09/x\x00"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_next_never_leaves_the_site(app, client, make_user, target):
    from tests.conftest import PASSWORD, csrf_token

    user = make_user("sales")
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_share_revoke_next_never_leaves_the_site(app, as_user, make_item, target):
    from hub.usage import shares

    browser, rep = as_user("sales")
    share, _ = shares.create_share(rep, make_item("approved").id, {"recipient": "Prospect"})
    db.session.commit()
    response = browser.post(f"/shares/{share.id}/revoke", data={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/shares"


def test_share_revoke_next_follows_a_local_path(app, as_user, make_item):
    from hub.usage import shares

    browser, rep = as_user("sales")
    item = make_item("approved")
    share, _ = shares.create_share(rep, item.id, {"recipient": "Prospect"})
    db.session.commit()
    response = browser.post(f"/shares/{share.id}/revoke", data={"next": f"/items/{item.id}"})
    assert response.headers["Location"] == f"/items/{item.id}"


# --- nothing that left approval reaches reps through a side door ----------------------------------


def approve_with_calendar_entry(editor, make_item, owner):
    from hub.calendar.models import CalendarEntry

    item = make_item("in_review", owner=owner, title="Secret pricing sheet", description="Discounts up to 40 %")
    assert editor.post(f"/items/{item.id}/status", data={"status": "approved", "calendar_entry": "1"}).status_code == 303
    entry = db.session.scalar(select(CalendarEntry))
    return item, entry


def rep_sees(rep_browser, client, rep_headers, feed_path, entry):
    """Which of the rep's doors show the entry's title: page, list page, .ics, API item, API list, feed."""
    title = "Secret pricing sheet"
    return {
        "page": rep_browser.get(f"/calendar/entries/{entry.id}").status_code == 200,
        "agenda": title in rep_browser.get("/calendar/agenda").get_data(as_text=True),
        "ics": rep_browser.get(f"/calendar/entries/{entry.id}.ics").status_code == 200,
        "api": client.get(f"/api/v1/calendar/entries/{entry.id}", headers=rep_headers).status_code == 200,
        "api_list": title in client.get("/api/v1/calendar/entries", headers=rep_headers).get_data(as_text=True),
        "feed": title in client.get(feed_path).get_data(as_text=True),
    }


@pytest.mark.parametrize("withdraw", ["archive", "back_to_draft", "expire", "delete"])
def test_a_withdrawn_items_calendar_update_leaves_the_reps_calendar(app, client, as_user, make_item, token_for,
                                                                    withdraw):
    from hub.calendar import subscriptions

    editor, editor_user = as_user("marketing")
    rep_browser, rep = as_user("sales")
    item, entry = approve_with_calendar_entry(editor, make_item, editor_user)
    feed_path = f"/calendar/feed/{subscriptions.feed_token(rep)}.ics"
    headers = token_for(rep)
    assert all(rep_sees(rep_browser, client, headers, feed_path, entry).values())
    if withdraw == "archive":
        assert editor.post(f"/items/{item.id}/status", data={"status": "archived"}).status_code == 303
    elif withdraw == "back_to_draft":
        assert editor.post(f"/items/{item.id}/status", data={"status": "draft"}).status_code == 303
    elif withdraw == "expire":
        from hub.library.models import Collateral

        db.session.get(Collateral, item.id).expires_on = date(2020, 1, 1)
        db.session.commit()
    else:
        assert editor.post(f"/items/{item.id}/delete").status_code == 303
    seen = rep_sees(rep_browser, client, headers, feed_path, entry)
    assert not any(seen.values()), seen
    assert editor.get(f"/calendar/entries/{entry.id}").status_code == 200  # marketing still sees it


def test_a_delivered_request_does_not_show_a_withdrawn_item(app, as_user, make_item):
    from hub.usage import feedback

    editor, editor_user = as_user("marketing")
    rep_browser, rep = as_user("sales")
    item = make_item("approved", owner=editor_user, title="Secret pricing sheet")
    req = feedback.create_request(rep, {"title": "Pricing for banks"})
    feedback.update_request(editor_user, req, {"status": "delivered", "delivered_collateral_id": item.id})
    db.session.commit()
    assert "Secret pricing sheet" in rep_browser.get(f"/requests/{req.id}").get_data(as_text=True)
    assert editor.post(f"/items/{item.id}/status", data={"status": "archived"}).status_code == 303
    page = rep_browser.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Secret pricing sheet" not in page and "no longer available" in page
    assert "Secret pricing sheet" in editor.get(f"/requests/{req.id}").get_data(as_text=True)


# --- files: share links honour "allow download"; every file is sandboxed ---------------------------


def shared(make_item, rep, allow_download, data=None, name="deck.pdf"):
    from hub.usage import shares
    from tests.search_files import pdf

    item = make_item("approved", file=(data or pdf(pages=3), name))
    _, token = shares.create_share(rep, item.id, {"recipient": "Prospect", "allow_download": allow_download})
    db.session.commit()
    return item, token


def test_a_share_without_download_rights_shows_page_images_not_the_file(app, client, make_user, make_item):
    from hub.library.models import Collateral

    rep = make_user("sales")
    item, token = shared(make_item, rep, allow_download=False)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert page.count(f"/s/{token}/pages/") == 3
    assert f"/s/{token}/preview" not in page and f"/s/{token}/download" not in page
    assert client.get(f"/s/{token}/preview").status_code == 404
    assert client.get(f"/s/{token}/download").status_code == 404
    stored = db.session.get(Collateral, item.id).current_version.stored_name
    original = (Path(app.config["UPLOAD_FOLDER"]) / stored).read_bytes()
    for number in (1, 2, 3):
        image = client.get(f"/s/{token}/pages/{number}.png")
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.data.startswith(b"\x89PNG") and original not in image.data
        assert image.headers["Content-Security-Policy"] == "sandbox"
    assert client.get(f"/s/{token}/pages/4.png").status_code == 404
    assert client.get(f"/s/{token}/pages/0.png").status_code == 404


def test_no_pdf_or_image_parser_runs_in_the_web_process(app, client, make_user, make_item, token_for):
    """Issue 11: PDFium (upload check, share-link page images) runs in the render child only, so a
    hostile PDF costs that child, never a web worker. The modules are dropped first (this process
    may hold them from other tests) and must not come back: nothing here may import them."""
    import sys

    from hub.library import files
    from tests.search_files import pdf

    for name in [n for n in sys.modules if n == "pypdfium2" or n.startswith(("pypdfium2.", "pypdfium2_raw"))]:
        del sys.modules[name]
    rep = make_user("sales")
    _, token = shared(make_item, rep, allow_download=False)
    _, image_token = shared(make_item, rep, allow_download=False, data=png_bytes(), name="photo.png")
    assert client.get(f"/s/{token}").get_data(as_text=True).count(f"/s/{token}/pages/") == 3
    assert client.get(f"/s/{token}/pages/2.png").data.startswith(b"\x89PNG")
    assert client.get(f"/s/{image_token}/pages/1.png").data.startswith(b"\x89PNG")
    assert not any(n.startswith("pypdfium2") for n in sys.modules)
    # the checker child dying (as a hostile PDF would make it) costs one answer, not the web worker
    files.pdf_checker.stop()
    headers = token_for(make_user("marketing"))
    damaged = client.post("/api/v1/collateral", headers=headers, data={
        "title": "Cut", "content_type": "other", "stages": "awareness",
        "file": (io.BytesIO(b"%PDF-1.7\n1 0 obj << /Type /Catalog"), "cut.pdf")})
    assert damaged.status_code == 422 and "cannot be opened" in damaged.get_json()["error"]["message"]
    files.pdf_checker.proc.kill()
    good = client.post("/api/v1/collateral", headers=headers, data={
        "title": "Good", "content_type": "other", "stages": "awareness",
        "file": (io.BytesIO(pdf()), "good.pdf")})
    assert good.status_code == 201
    assert not any(n.startswith("pypdfium2") for n in sys.modules)


def png_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "navy").save(out, "PNG")
    return out.getvalue()


def test_a_share_whose_pages_are_not_rendered_yet_says_so(app, client, make_user, make_item):
    from hub.library import previews
    from hub.library.models import Collateral

    item, token = shared(make_item, make_user("sales"), allow_download=False)
    previews.remove([db.session.get(Collateral, item.id).current_version.id])  # as before the worker ran
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "being prepared" in page and f"/s/{token}/pages/" not in page
    assert client.get(f"/s/{token}/pages/1.png").status_code == 404


def test_a_share_with_download_rights_previews_the_file(app, client, make_user, make_item):
    rep = make_user("sales")
    _, token = shared(make_item, rep, allow_download=True)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert f"/s/{token}/preview" in page
    assert client.get(f"/s/{token}/preview").status_code == 200


def test_every_file_hub_serves_is_sandboxed(app, client, as_user, make_item, token_for):
    browser, rep = as_user("sales")
    item, token = shared(make_item, rep, allow_download=True)
    responses = [browser.get(f"/items/{item.id}/download"), browser.get(f"/items/{item.id}/preview"),
                 client.get(f"/s/{token}/preview"), client.get(f"/s/{token}/download"),
                 client.get(f"/api/v1/collateral/{item.id}/download", headers=token_for(rep))]
    editor, _ = as_user("marketing")
    responses.append(editor.get(f"/items/{item.id}/versions/1/download"))
    for response in responses:
        assert response.status_code == 200, response.request.path
        assert response.headers["Content-Security-Policy"] == "sandbox", response.request.path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
