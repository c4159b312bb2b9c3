"""Governance (issue 15): HUB_REQUIRE_REAPPROVAL holds a new file of an approved item for approval while
reps keep the live version; HUB_SEPARATE_APPROVER keeps people from approving their own work. Through
the services, the pages and the API, which obey the same rules."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.errors import Conflict, Forbidden, Invalid
from hub.extensions import db
from hub.library import browsing, services, workflow
from hub.library.models import Collateral, FileVersion, StatusChange
from hub.search import services as search
from tests.conftest import run_jobs, tiny_pdf, upload


def found(user, text):
    """Ids the search finds once the worker has caught up."""
    run_jobs()
    return [item.id for item, _, _ in search.search(user, text, {}).hits]


@pytest.fixture
def live(make_item):
    """An approved item whose v1 reps use."""
    return make_item("approved", title="Pricing sheet", file=(tiny_pdf("first"), "v1.pdf"))


# --- re-approval, through the services -----------------------------------------------------------


def test_a_new_version_of_an_approved_item_waits_and_reps_keep_the_old_one(app, live, make_user, as_user):
    editor = make_user("marketing")
    version = services.add_version(editor, live, upload(tiny_pdf("second"), "v2.pdf"))
    assert version.review_state == "pending" and live.pending_version is version
    assert live.current_version.number == 1 and live.status == "approved"
    db.session.commit()

    rep, _ = as_user("sales")
    download = rep.get(f"/items/{live.id}/download")
    assert download.data == tiny_pdf("first") and "v1.pdf" in download.headers["Content-Disposition"]
    page = rep.get(f"/items/{live.id}").get_data(as_text=True)
    assert "v1.pdf" in page and "v2.pdf" not in page and "waits for approval" not in page
    assert rep.get(f"/items/{live.id}/preview").data == tiny_pdf("first")

    queue = browsing.review_queue()
    assert [item.id for item, _ in queue] == [live.id]
    assert browsing.review_count() == 1

    workflow.decide_version(editor, live, 2, approve=True, comment="Prices checked")
    db.session.commit()
    assert live.current_version.number == 2 and live.pending_version is None
    assert rep.get(f"/items/{live.id}/download").data == tiny_pdf("second")
    assert browsing.review_count() == 0
    assert "Version 2 approved: Prices checked" in [c.comment for c in live.history]


def test_rejecting_keeps_the_old_version_and_a_newer_upload_supersedes_a_waiting_one(app, live, make_user):
    editor = make_user("marketing")
    services.add_version(editor, live, upload(tiny_pdf("second"), "v2.pdf"))
    services.add_version(editor, live, upload(tiny_pdf("third"), "v3.pdf"))
    assert [(v.number, v.review_state) for v in live.versions] == [(3, "pending"), (2, "superseded"), (1, "accepted")]
    with pytest.raises(Conflict):
        workflow.decide_version(editor, live, 2, approve=True)  # v2 no longer waits
    workflow.decide_version(editor, live, 3, approve=False, comment="Wrong logo")
    assert live.current_version.number == 1 and live.pending_version is None
    assert browsing.review_count() == 0
    with pytest.raises(Conflict):
        workflow.decide_version(editor, live, 3, approve=True)  # decided already


def test_search_keeps_the_live_text_until_the_new_version_is_approved(app, make_item, make_user):
    rep, editor = make_user("sales"), make_user("marketing")
    item = make_item("approved", file=(b"# Heron\n\nThe old heron pricing.\n", "sheet.md"))
    services.add_version(editor, item, upload(b"# Osprey\n\nThe new osprey pricing.\n", "sheet.md"))
    db.session.commit()
    assert found(rep, "heron") == [item.id] and found(rep, "osprey") == []
    workflow.decide_version(editor, item, 2, approve=True)
    db.session.commit()
    assert found(rep, "osprey") == [item.id] and found(rep, "heron") == []


def test_drafts_and_the_setting_off_serve_new_versions_at_once(app, make_item, make_user):
    editor = make_user("marketing")
    draft = make_item("draft")
    assert services.add_version(editor, draft, upload(tiny_pdf("d2"))).review_state == "accepted"
    app.config["REQUIRE_REAPPROVAL"] = "off"  # as HUB_REQUIRE_REAPPROVAL=off arrives
    live = make_item("approved")
    version = services.add_version(editor, live, upload(tiny_pdf("l2")))
    assert version.review_state == "accepted" and live.current_version is version
    assert browsing.review_count() == 0


def test_reopening_an_item_with_a_waiting_version_takes_it_into_the_whole_review(app, live, make_user):
    editor = make_user("marketing")
    services.add_version(editor, live, upload(tiny_pdf("second")))
    workflow.transition(editor, live, "draft")
    assert live.pending_version is None and live.current_version.number == 2


# --- separate approver ----------------------------------------------------------------------------


def test_separate_approver_refuses_the_owner_uploader_and_last_editor_but_not_admins(app, make_item, make_user):
    owner, uploader, editor, other, admin = (make_user(r) for r in ("marketing",) * 4 + ("admin",))
    item = make_item("in_review", owner=owner)
    app.config["SEPARATE_APPROVER"] = True
    with pytest.raises(Forbidden, match="Someone else must approve"):
        workflow.transition(owner, item, "approved")
    services.update_item(editor, item, {"region": "EMEA"})
    with pytest.raises(Forbidden):
        workflow.transition(editor, item, "approved")
    workflow.transition(other, item, "approved")
    assert item.status == "approved"

    services.add_version(uploader, item, upload(tiny_pdf("two")))
    with pytest.raises(Forbidden):
        workflow.decide_version(uploader, item, 2, approve=True)
    workflow.decide_version(uploader, item, 2, approve=False)  # withdrawing one's own upload is fine
    services.add_version(uploader, item, upload(tiny_pdf("three")))
    workflow.decide_version(admin, item, 3, approve=True)  # admins always may, even their own
    assert item.current_version.number == 3


def test_without_separate_approver_people_approve_their_own_work(app, make_item):
    item = make_item("in_review")
    workflow.transition(item.owner, item, "approved")
    assert item.status == "approved"


# --- the pages -------------------------------------------------------------------------------------


def test_pages_hold_the_new_version_show_it_to_editors_and_approve_it(app, live, as_user):
    editor_page, _ = as_user("marketing")
    r = editor_page.post(f"/items/{live.id}/versions", data={"file": (upload(tiny_pdf("second"), "v2.pdf").stream, "v2.pdf")})
    assert r.status_code == 303
    flashed = editor_page.get(r.headers["Location"]).get_data(as_text=True)
    assert "Version 2 uploaded. It waits for approval; until then reps keep getting version 1." in flashed
    assert "Version 2 waits for approval" in flashed and "Approve version 2" in flashed

    review = editor_page.get("/review").get_data(as_text=True)
    assert "New version 2" in review and "Pricing sheet" in review
    assert re.search(r'>Review <span class="badge[^"]*"[^>]*>1</span>', review)

    rep, _ = as_user("sales")
    assert rep.post(f"/items/{live.id}/versions/2/decision", data={"decision": "approve"}).status_code == 403
    assert rep.get(f"/items/{live.id}/download").data == tiny_pdf("first")

    r = editor_page.post(f"/items/{live.id}/versions/2/decision", data={"decision": "approve", "comment": "OK"})
    assert r.status_code == 303
    assert rep.get(f"/items/{live.id}/download").data == tiny_pdf("second")
    again = editor_page.post(f"/items/{live.id}/versions/2/decision", data={"decision": "approve"})
    assert again.status_code == 409 and "is not waiting for approval" in again.get_data(as_text=True)


def test_pages_refuse_self_approval_with_a_clear_message(app, make_item, as_user):
    editor_page, editor = as_user("marketing")
    item = make_item("in_review", owner=editor)
    app.config["SEPARATE_APPROVER"] = True
    page = editor_page.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Someone else must approve this" in page
    assert re.search(r'value="approved"[^>]*disabled', page)
    r = editor_page.post(f"/items/{item.id}/status", data={"status": "approved"})
    assert r.status_code == 403 and "Someone else must approve this" in r.get_data(as_text=True)
    assert db.session.get(Collateral, item.id).status == "in_review"


# --- the API ---------------------------------------------------------------------------------------


def test_api_holds_the_new_version_and_approves_or_rejects_it(app, client, live, make_user, token_for):
    editor, rep = token_for(make_user("marketing")), token_for(make_user("sales"))
    r = client.post(f"/api/v1/collateral/{live.id}/versions", headers=editor,
                    data={"file": (upload(tiny_pdf("second"), "v2.pdf").stream, "v2.pdf")})
    assert r.status_code == 201
    body = r.get_json()
    assert body["current_version"]["number"] == 1 and body["pending_version"]["number"] == 2
    assert body["pending_version"]["review_state"] == "pending"
    as_rep = client.get(f"/api/v1/collateral/{live.id}", headers=rep).get_json()
    assert as_rep["current_version"]["filename"] == "v1.pdf" and as_rep["pending_version"] is None
    assert client.get(f"/api/v1/collateral/{live.id}/download", headers=rep).data == tiny_pdf("first")

    assert client.post(f"/api/v1/collateral/{live.id}/versions/2/approve", json={}, headers=rep).status_code == 403
    r = client.post(f"/api/v1/collateral/{live.id}/versions/2/reject", json={"comment": "No"}, headers=editor)
    assert r.status_code == 200 and r.get_json()["pending_version"] is None
    assert r.get_json()["current_version"]["number"] == 1
    r = client.post(f"/api/v1/collateral/{live.id}/versions/2/approve", json={}, headers=editor)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_pending"

    client.post(f"/api/v1/collateral/{live.id}/versions", headers=editor,
                data={"file": (upload(tiny_pdf("third"), "v3.pdf").stream, "v3.pdf")})
    r = client.post(f"/api/v1/collateral/{live.id}/versions/3/approve", json={"comment": "Yes"}, headers=editor)
    assert r.status_code == 200 and r.get_json()["current_version"]["number"] == 3
    assert client.get(f"/api/v1/collateral/{live.id}/download", headers=rep).data == tiny_pdf("third")


def test_api_refuses_self_approval_but_not_for_admins(app, client, make_item, make_user, token_for):
    owner, admin = make_user("marketing"), make_user("admin")
    item = make_item("in_review", owner=owner)
    app.config["SEPARATE_APPROVER"] = True
    r = client.post(f"/api/v1/collateral/{item.id}/status", json={"status": "approved"}, headers=token_for(owner))
    assert r.status_code == 403 and "Someone else must approve" in r.get_json()["error"]["message"]
    r = client.post(f"/api/v1/collateral/{item.id}/status", json={"status": "approved"}, headers=token_for(admin))
    assert r.status_code == 200 and r.get_json()["status"] == "approved"


# --- the upload form -------------------------------------------------------------------------------


FORM = {"title": "Battlecard", "content_type": "battlecard", "stages": ["decision"]}


def drafts():
    return db.session.scalar(select(func.count()).select_from(Collateral))


def test_the_form_shows_every_problem_at_once_with_human_labels(app, as_user):
    page, _ = as_user("marketing")
    r = page.post("/items/new", data={"title": "", "content_type": "poster", "tags": "x" * 41})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    for message in ("Title is required.", "Content type must be one of: One-pager, Case study",
                    "Choose at least one funnel stage.", "Each tag can be at most 40 characters.",
                    "Upload a file or give a link."):
        assert message in html, message
    assert "one_pager" not in re.sub(r'value="[^"]*"', "", html)  # keys only as option values
    assert "5 things to fix" in html
    assert drafts() == 0


def test_the_form_keeps_the_chosen_file_after_a_refusal(app, as_user):
    page, _ = as_user("marketing")
    nonce = re.search(r'name="form_nonce" value="([^"]+)"', page.get("/items/new").get_data(as_text=True)).group(1)
    data = tiny_pdf("kept")
    r = page.post("/items/new", data={**FORM, "title": "", "form_nonce": nonce,
                                      "file": (upload(data, "Battlecard.pdf").stream, "Battlecard.pdf")})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Battlecard.pdf" in html and "Title is required." in html
    token = re.search(r'name="staged_upload" value="([^"]+)"', html).group(1)
    assert drafts() == 0

    other, _ = as_user("marketing")  # another person cannot use the token
    r = other.post("/items/new", data={**FORM, "staged_upload": token})
    assert r.status_code == 422 and "no longer kept" in r.get_data(as_text=True)

    r = page.post("/items/new", data={**FORM, "staged_upload": token, "form_nonce": nonce})
    assert r.status_code == 303
    item = db.session.scalar(select(Collateral).where(Collateral.title == "Battlecard"))
    assert page.get(f"/items/{item.id}/download").data == data
    assert item.current_version.original_name == "Battlecard.pdf"


def test_the_same_form_posted_twice_makes_one_draft(app, as_user):
    page, _ = as_user("marketing")
    nonce = re.search(r'name="form_nonce" value="([^"]+)"', page.get("/items/new").get_data(as_text=True)).group(1)
    answers = [page.post("/items/new", data={**FORM, "form_nonce": nonce,
                                             "file": (upload(tiny_pdf("twice")).stream, "deck.pdf")})
               for _ in range(2)]
    assert [r.status_code for r in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert drafts() == 1
    assert db.session.scalar(select(func.count()).select_from(FileVersion)) == 1
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 1
    stored = [p for p in Path(app.config["UPLOAD_FOLDER"]).iterdir() if p.is_file()]
    assert len(stored) == 1  # the repeat's file was not kept


def test_kept_files_of_forms_never_sent_again_are_swept_after_a_day(app, make_user):
    import os
    import time

    from hub.library import files

    editor = make_user("marketing")
    with pytest.raises(Invalid) as refused:
        services.create_item(editor, {"title": ""}, upload(tiny_pdf("aside")), keep_refused=True)
    staged = refused.value.staged
    assert files.staged_details(staged.token, editor.id) == staged
    path = next(files.staging_folder().iterdir())
    files.sweep_staged()
    assert path.is_file()  # fresh: kept
    old = time.time() - (files.STAGED_HOURS * 3600 + 60)
    os.utime(path, (old, old))
    files.sweep_staged()
    assert not path.exists() and files.staged_details(staged.token, editor.id) is None
