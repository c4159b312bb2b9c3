"""The library's rules: workflow, visibility, expiry, versions, deletion, pages by stage."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.library import browsing, services, workflow
from hub.library.models import Collateral, FileVersion, StatusChange
from hub.models import today, utcnow
from tests.conftest import tiny_pdf, upload


def test_full_workflow_is_recorded(app, make_user, make_item):
    marketer = make_user("marketing")
    item = make_item("draft", owner=marketer)
    workflow.transition(marketer, item, "in_review", "Ready for legal")
    workflow.transition(marketer, item, "draft", "Pricing wording")
    workflow.transition(marketer, item, "in_review")
    workflow.transition(marketer, item, "approved", "Legal OK")
    workflow.transition(marketer, item, "archived")
    workflow.transition(marketer, item, "draft", "Refresh for 2027")
    history = [(c.from_status, c.to_status, c.comment) for c in reversed(item.history)]
    assert history == [
        (None, "draft", "Created"), ("draft", "in_review", "Ready for legal"), ("in_review", "draft", "Pricing wording"),
        ("draft", "in_review", ""), ("in_review", "approved", "Legal OK"), ("approved", "archived", ""),
        ("archived", "draft", "Refresh for 2027"),
    ]
    assert all(c.actor_id == marketer.id for c in item.history)


@pytest.mark.parametrize("start,target", [
    ("draft", "approved"), ("draft", "archived"), ("in_review", "archived"), ("approved", "in_review"),
    ("archived", "approved"), ("approved", "approved"),
])
def test_transitions_outside_the_workflow_are_conflicts(app, make_item, start, target):
    item = make_item(start)
    count = db.session.scalar(select(func.count(StatusChange.id)))
    with pytest.raises(Conflict):
        workflow.transition(item.owner, item, target)
    assert item.status == start
    assert db.session.scalar(select(func.count(StatusChange.id))) == count


def test_sales_cannot_change_anything(app, make_user, make_item):
    rep, item = make_user("sales"), make_item("in_review")
    for call in (lambda: workflow.transition(rep, item, "approved"),
                 lambda: services.update_item(rep, item, {"title": "x"}),
                 lambda: services.add_version(rep, item, upload()),
                 lambda: services.delete_item(rep, item),
                 lambda: services.create_item(rep, {"title": "x"}, upload())):
        with pytest.raises(Forbidden):
            call()
    assert item.status == "in_review"


def test_workflow_through_the_pages(app, as_user, make_item):
    marketing, _ = as_user("marketing")
    item = make_item("draft")
    page = marketing.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Submit for review" in page and "Approve" not in page
    marketing.post(f"/items/{item.id}/status", data={"status": "in_review", "comment": "<b>please</b>"})
    page = marketing.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Approve" in page and "&lt;b&gt;please&lt;/b&gt;" in page
    response = marketing.post(f"/items/{item.id}/status", data={"status": "archived"}, follow_redirects=True)
    assert "cannot become archived" in response.get_data(as_text=True)
    assert db.session.get(Collateral, item.id).status == "in_review"


def titles(browser, path):
    return browser.get(path).get_data(as_text=True)


def test_reps_see_only_approved_unexpired_items(app, as_user, make_item, make_user, token_for):
    shown = make_item("approved", title="Shown battlecard", stages=["decision"])
    hidden = [
        make_item("draft", title="Hidden draft", stages=["decision"]),
        make_item("in_review", title="Hidden review", stages=["decision"]),
        make_item("archived", title="Hidden archived", stages=["decision"]),
        make_item("approved", title="Hidden expired today", stages=["decision"], expires_on=today().isoformat()),
    ]
    later = make_item("approved", title="Shown until tomorrow", stages=["decision"],
                      expires_on=(today() + timedelta(days=1)).isoformat())
    rep, user = as_user("sales")
    for path in ("/", "/stages/decision", "/stages/decision?status=draft"):
        html = titles(rep, path)
        assert "Shown battlecard" in html and "Shown until tomorrow" in html
        assert "Hidden" not in html
    api = rep.client.get("/api/v1/collateral?per_page=100", headers=token_for(user)).get_json()
    assert {i["title"] for i in api["items"]} == {"Shown battlecard", "Shown until tomorrow"}
    for item in hidden:
        for path in (f"/items/{item.id}", f"/items/{item.id}/download", f"/items/{item.id}/preview"):
            assert rep.get(path).status_code == 404
        with pytest.raises(NotFound):
            browsing.get_item(user, item.id)
    marketing, _ = as_user("marketing")
    html = titles(marketing, "/stages/decision")
    assert all(i.title in html for i in hidden + [shown, later])


def test_expiry_is_judged_by_date_without_a_job(app, make_user, make_item):
    item = make_item("approved", expires_on=(today() + timedelta(days=3)).isoformat())
    rep = make_user("sales")
    assert browsing.get_item(rep, item.id)
    visible_then = db.session.scalars(
        select(Collateral.id).where(Collateral.live_clause(today() + timedelta(days=3)))
    ).all()
    assert item.id not in visible_then


def test_expiring_and_expired_lists(app, as_user, make_item):
    soon = make_item("approved", title="Soon", expires_on=(today() + timedelta(days=10)).isoformat())
    make_item("approved", title="Later", expires_on=(today() + timedelta(days=45)).isoformat())
    gone = make_item("approved", title="Gone", expires_on=(today() - timedelta(days=2)).isoformat())
    assert [i.id for i in browsing.expiring_soon(30)] == [soon.id]
    assert [i.id for i in browsing.recently_expired(30)] == [gone.id]
    marketing, _ = as_user("marketing")
    page = titles(marketing, "/review")
    assert "Soon" in page and "Gone" in page and "Later" not in page


def test_review_queue_lists_items_waiting(app, as_user, make_item):
    make_item("in_review", title="Waiting one")
    make_item("draft", title="Not waiting")
    marketing, _ = as_user("marketing")
    page = titles(marketing, "/review")
    queue = page.split("Waiting for approval")[1].split("</section>")[0]
    assert "Waiting one" in queue and "Not waiting" not in queue


def test_review_queue_puts_the_longest_waiting_first_and_counts_in_the_nav(app, as_user, make_user, make_item):
    """Issue 15: waiting longest first, by when each went into review (a later edit does not move it),
    and the count beside Review in every editor's navigation; reps see neither."""
    owner = make_user("marketing")
    first = make_item("draft", owner=owner, title="Submitted first")
    second = make_item("draft", owner=owner, title="Submitted second")
    workflow.transition(owner, first, "in_review")
    db.session.flush()
    stamp = db.session.scalars(db.select(StatusChange).where(StatusChange.collateral_id == first.id)).all()[-1]
    stamp.created_at = utcnow() - timedelta(days=2)
    workflow.transition(owner, second, "in_review")
    services.update_item(owner, first, {"title": "Submitted first, edited since"})  # does not move it back
    db.session.commit()
    assert [item.title for item, _ in browsing.review_queue()] == ["Submitted first, edited since", "Submitted second"]
    marketing, _ = as_user("marketing")
    html = marketing.get("/review").get_data(as_text=True)
    assert html.index("Submitted first, edited since") < html.index("Submitted second")
    assert re.search(r'>Review <span class="badge[^"]*"[^>]*>2</span>', html)
    rep, _ = as_user("sales")
    assert 'title="Items in review"' not in rep.get("/").get_data(as_text=True)


def test_new_versions_keep_the_old_and_serve_the_newest(app, make_user, make_item, as_user):
    app.config["REQUIRE_REAPPROVAL"] = False  # today's behaviour; with it on, see tests/test_governance.py
    item = make_item("approved", file=(tiny_pdf("first"), "v1.pdf"))
    marketer = make_user("marketing")
    services.add_version(marketer, item, upload(tiny_pdf("second"), "v2.pdf"))
    assert [v.number for v in item.versions] == [2, 1]
    assert item.current_version.uploaded_by_id == marketer.id
    rep, _ = as_user("sales")
    response = rep.get(f"/items/{item.id}/download")
    assert response.data == tiny_pdf("second")
    assert "v2.pdf" in response.headers["Content-Disposition"]
    old = [Path(app.config["UPLOAD_FOLDER"], v.stored_name) for v in item.versions]
    assert all(p.is_file() for p in old)
    page = rep.get(f"/items/{item.id}").get_data(as_text=True)
    assert "v2.pdf" in page and "v1.pdf" not in page  # reps see only the current version


def test_delete_removes_rows_and_files(app, make_item, make_user):
    item = make_item("approved")
    services.add_version(item.owner, item, upload(tiny_pdf("two"), "two.pdf"))
    paths = [Path(app.config["UPLOAD_FOLDER"], v.stored_name) for v in item.versions]
    services.delete_item(item.owner, item)
    assert all(p.exists() for p in paths)  # until the deletion is committed: a rollback keeps them
    db.session.commit()
    assert not any(p.exists() for p in paths)
    assert db.session.scalar(select(func.count(FileVersion.id))) == 0
    assert db.session.scalar(select(func.count(StatusChange.id))) == 0


def test_link_items(app, make_item, as_user):
    item = make_item("approved", url="https://videos.example.com/demo?x=1", content_type="video")
    assert item.current_version is None
    rep, _ = as_user("sales")
    response = rep.get(f"/items/{item.id}/download")
    assert response.status_code == 302 and response.headers["Location"] == "https://videos.example.com/demo?x=1"
    with pytest.raises(Conflict):
        services.add_version(item.owner, item, upload())
    with pytest.raises(Invalid):
        services.update_item(item.owner, item, {"url": ""})


def test_edit_page_updates_metadata(app, as_user, make_item):
    item = make_item("approved", title="Old title", tags="a, b")
    marketing, _ = as_user("marketing")
    form = {"title": "New title", "description": "Line one\nLine two", "content_type": "battlecard",
            "stages": ["decision", "expansion"], "product": "Lumen", "industry": "Retail", "persona": "CFO",
            "region": "EMEA", "tags": "Pricing, pricing,  objections ", "expires_on": ""}
    assert marketing.post(f"/items/{item.id}/edit", data=form).status_code == 303
    item = db.session.get(Collateral, item.id)
    assert item.title == "New title" and item.stage_slugs == ["decision", "expansion"]
    assert item.tag_list == ["pricing", "objections"] and item.expires_on is None
    assert item.current_version is not None  # editing keeps the file


@pytest.mark.parametrize("field,value,message", [
    ("title", "", "Title is required"),
    ("title", "x" * 201, "at most 200"),
    ("content_type", "poster", "Content type must be"),
    ("stages", [], "at least one funnel stage"),
    ("stages", ["nope"], "Unknown stage: nope"),
    ("expires_on", "31/12/2026", "YYYY-MM-DD"),
    ("tags", "x" * 41, "at most 40"),
    ("product", "p" * 101, "at most 100"),
])
def test_bad_edits_change_nothing(app, as_user, make_item, field, value, message):
    item = make_item("approved", title="Keep me")
    marketing, _ = as_user("marketing")
    form = {"title": "Keep me", "content_type": "one_pager", "stages": ["awareness"], field: value}
    response = marketing.post(f"/items/{item.id}/edit", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    item = db.session.get(Collateral, item.id)
    assert item.title == "Keep me" and item.content_type == "one_pager" and item.stage_slugs == ["awareness"]


def test_control_characters_are_stripped(app, make_item):
    item = make_item(title="Price\x00list\x1b", description="a\x00b\nc")
    assert item.title == "Pricelist" and item.description == "ab\nc"


def test_home_groups_by_stage_and_filters(app, as_user, make_item):
    make_item(title="Retail deck", stages=["awareness", "decision"], industry="Retail", content_type="slide_deck")
    make_item(title="Bank sheet", stages=["decision"], industry="Banking", content_type="datasheet")
    rep, _ = as_user("sales")
    home = titles(rep, "/")
    awareness = home.split('id="stage-awareness"')[1].split("</section>")[0]
    decision = home.split('id="stage-decision"')[1].split("</section>")[0]
    assert "Retail deck" in awareness and "Bank sheet" not in awareness
    assert "Retail deck" in decision and "Bank sheet" in decision
    filtered = titles(rep, "/?industry=Banking")
    assert "Bank sheet" in filtered and "Retail deck" not in filtered
    filtered = titles(rep, "/stages/decision?content_type=slide_deck")
    assert "Retail deck" in filtered and "Bank sheet" not in filtered
    assert rep.get("/?content_type=poster").status_code == 400


def test_stage_pages_paginate(app, as_user, make_item):
    app.config["ITEMS_PER_PAGE"] = 2
    for n in range(5):
        make_item(title=f"Paged item {n}", stages=["onboarding"])
    rep, _ = as_user("sales")
    first, third = titles(rep, "/stages/onboarding"), titles(rep, "/stages/onboarding?page=3")
    card = 'class="card__title">Paged item'  # each card's heading (its save star names the item too)
    assert first.count(card) == 2 and third.count(card) == 1
    assert "Page 1 of 3" in first
    for bad in ("0", "-1", "abc", "99999999999"):
        assert rep.get(f"/stages/onboarding?page={bad}").status_code == 400


@pytest.mark.parametrize("body,field", [
    ({"content_type": ["one_pager"]}, "content_type"),
    ({"content_type": {"a": 1}}, "content_type"),
    ({"title": ["x"]}, "title"),
    ({"url": ["https://x.example"]}, "url"),
    ({"stages": [1, 2]}, "stages"),
    ({"stages": {"decision": True}}, "stages"),
    ({"tags": [["nested"]]}, "tags"),
    ({"expires_on": ["2026-01-01"]}, "expires_on"),
    ({"title": None}, "title"),
])
def test_json_values_of_the_wrong_kind_are_422(app, client, make_item, make_user, token_for, body, field):
    item = make_item("approved", title="Stable")
    response = client.patch(f"/api/v1/collateral/{item.id}", json=body, headers=token_for(make_user("marketing")))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["field"] == field
    assert db.session.get(Collateral, item.id).title == "Stable"


def test_status_of_the_wrong_kind_is_422(app, client, make_item, make_user, token_for):
    item = make_item("draft")
    response = client.post(f"/api/v1/collateral/{item.id}/status", json={"status": ["approved"]},
                           headers=token_for(make_user("marketing")))
    assert response.status_code == 422


def test_stages_as_one_comma_separated_string(app, make_user):
    item = services.create_item(make_user("marketing"), {"title": "T", "content_type": "other",
                                                          "stages": "awareness, decision"}, upload())
    assert item.stage_slugs == ["awareness", "decision"]
