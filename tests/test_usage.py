"""Usage tracking: every event source, share links, deals and outcomes, ratings, requests, privacy."""
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy
from sqlalchemy import func, select

from hub.extensions import db
from hub.library import services as library
from hub.library import workflow
from hub.models import today
from hub.usage import feedback, services, shares
from hub.usage.models import ContentRequest, DealUse, Opportunity, Rating, Share, ShareOpen, UsageEvent

CHROME_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def events(**where):
    query = select(UsageEvent).order_by(UsageEvent.id)
    for key, value in where.items():
        query = query.where(getattr(UsageEvent, key) == value)
    return db.session.scalars(query).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- event sources ------------------------------------------------------------------------------


@pytest.mark.parametrize("path,action", [("/items/{id}", "view"), ("/items/{id}/download", "download"),
                                         ("/items/{id}/preview", "preview")])
def test_item_pages_record_who_which_version_and_channel(as_user, make_item, path, action):
    browser, rep = as_user("sales")
    item = make_item(title="Pricing one-pager")
    assert browser.get(path.format(id=item.id)).status_code == 200
    (event,) = events(action=action)
    assert (event.user_id, event.collateral_id, event.version_number, event.channel) == (rep.id, item.id, 1, "page")
    assert event.at is not None


def test_a_refused_page_records_nothing(as_user, make_item):
    browser, _ = as_user("sales")
    draft = make_item("draft")
    assert browser.get(f"/items/{draft.id}").status_code == 404
    assert events() == []


def test_search_records_query_filters_result_count_and_the_opened_result(as_user, make_item):
    browser, rep = as_user("sales")
    item = make_item(title="Payback calculator", stages=["decision"])
    assert browser.get("/search?q=Payback++Calculator&stage=decision").status_code == 200
    assert browser.get("/search?q=zzzunknownzzz").status_code == 200
    found, empty = events(action="search")
    assert (found.query, found.result_count, found.stage, found.user_id) == ("payback calculator", 1, "decision", rep.id)
    assert (empty.query, empty.result_count) == ("zzzunknownzzz", 0)
    # Opening a result from the results page is recorded as that query's click.
    browser.get(f"/items/{item.id}", headers={"Referer": "http://localhost/search?q=Payback+calculator"})
    (click,) = events(action="search_click")
    assert (click.query, click.collateral_id) == ("payback calculator", item.id)


def test_search_api_records_the_search_and_a_reported_click(client, make_user, token_for, make_item):
    rep = make_user("sales")
    item = make_item(title="Security whitepaper")
    headers = token_for(rep)
    assert client.get("/api/v1/search?q=security", headers=headers).status_code == 200
    assert client.get(f"/api/v1/search?q=security&clicked={item.id}", headers=headers).status_code == 200
    searches = events(action="search")  # reporting the click is not a second search
    assert [e.channel for e in searches] == ["api"] and searches[0].result_count == 1
    (click,) = events(action="search_click")
    assert (click.collateral_id, click.query, click.channel) == (item.id, "security", "api")


def test_a_failure_to_record_is_logged_and_the_page_still_works(app, as_user, make_item, monkeypatch, caplog):
    from hub import transactions

    browser, _ = as_user("sales")
    item = make_item()

    def disk_full(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO usage_events"):
            raise sqlalchemy.exc.OperationalError(statement, parameters, Exception("disk I/O error"))

    monkeypatch.setattr(transactions.log, "disabled", False)  # alembic's fileConfig disables loggers during upgrade()
    sqlalchemy.event.listen(db.engine, "before_cursor_execute", disk_full)
    try:
        with caplog.at_level(logging.ERROR, logger="hub.transactions"):
            assert browser.get(f"/items/{item.id}").status_code == 200
            assert browser.get(f"/items/{item.id}/download").status_code == 200
    finally:
        sqlalchemy.event.remove(db.engine, "before_cursor_execute", disk_full)
    assert "could not record usage event 'view'" in caplog.text
    assert events() == []


def test_record_event_never_raises_on_bad_input(app):
    assert services.record_event("not-an-action") is False


def test_client_description_is_coarse():
    assert services.client_description(CHROME_WIN) == "Chrome on Windows"
    assert services.client_description("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605 "
                                       "Version/17.0 Mobile/15E148 Safari/604.1") == "Safari on iOS"
    assert services.client_description("") == "Browser"


# --- share links --------------------------------------------------------------------------------


def make_share(browser, item, **fields):
    data = {"recipient": "Dana Ruiz, CFO", "account": "Acme", **fields}
    response = browser.post(f"/items/{item.id}/shares", data=data)
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    token = re.search(r"/s/([A-Za-z0-9_-]+)", page).group(1)
    return token


def test_share_lifecycle_create_open_revoke(app, as_user, make_item):
    browser, rep = as_user("sales")
    item = make_item(title="Payback case study", description="Internal: margin is thin", product="Ledger")
    token = make_share(browser, item, allow_download="1")
    share = db.session.scalar(select(Share))
    assert share.token_hash != token and len(token) >= 32  # only a hash is stored
    assert (share.recipient, share.account, share.allow_download, share.created_by_id) == ("Dana Ruiz, CFO", "Acme", True, rep.id)
    assert events(action="share_created")[0].share_id == share.id

    prospect = app.test_client()
    page = prospect.get(f"/s/{token}", headers={"User-Agent": CHROME_WIN, "X-Forwarded-For": "203.0.113.9"},
                        environ_base={"REMOTE_ADDR": "198.51.100.7"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Payback case study" in html
    assert item.owner.name not in html and "Hub" not in html.split("<body", 1)[1]  # no owner, no app chrome
    assert "margin is thin" not in html and "Ledger" not in html  # no description, notes or metadata
    assert 'href="/s/' in html and "/download" in html
    assert prospect.get(f"/s/{token}/preview").status_code == 200
    assert prospect.get(f"/s/{token}/download").status_code == 200
    opens = db.session.scalars(select(ShareOpen)).all()
    assert [(o.kind, o.client) for o in opens] == [("page", "Chrome on Windows"), ("preview", "Browser"), ("download", "Browser")]
    (opened,) = events(action="share_opened")
    assert (opened.user_id, opened.channel, opened.collateral_id) == (None, "share", item.id)
    # No raw address anywhere in what was stored.
    stored = " ".join(f"{e.context} {e.account}" for e in events()) + " ".join(o.client for o in opens)
    assert "198.51.100.7" not in stored and "203.0.113.9" not in stored

    listing = browser.get("/shares").get_data(as_text=True)
    assert "opened once, last" in listing

    assert browser.post(f"/shares/{share.id}/revoke").status_code == 303
    assert prospect.get(f"/s/{token}").status_code == 404
    assert prospect.get(f"/s/{token}/download").status_code == 404


def test_share_without_download_hides_it(app, as_user, make_item):
    browser, _ = as_user("sales")
    token = make_share(browser, make_item())
    prospect = app.test_client()
    assert "/download" not in prospect.get(f"/s/{token}").get_data(as_text=True)
    assert prospect.get(f"/s/{token}/download").status_code == 404


@pytest.mark.parametrize("change", ["archive", "expire_item", "unapprove"])
def test_share_stops_working_when_the_item_leaves_the_library(app, as_user, make_item, change):
    browser, _ = as_user("sales")
    item = make_item()
    token = make_share(browser, item)
    prospect = app.test_client()
    assert prospect.get(f"/s/{token}").status_code == 200
    item = db.session.get(type(item), item.id)
    if change == "archive":
        workflow.transition(item.owner, item, "archived")
    elif change == "unapprove":
        workflow.transition(item.owner, item, "draft")
    else:
        library.update_item(item.owner, item, {"expires_on": today().isoformat()})
    response = prospect.get(f"/s/{token}")
    assert response.status_code == 404 and "not available" in response.get_data(as_text=True)


def test_share_expiry(app, make_user, make_item):
    rep = make_user("sales")
    item = make_item()
    share, token = shares.create_share(rep, item.id, {"recipient": "Dana", "expires_on": today().isoformat()})
    assert app.test_client().get(f"/s/{token}").status_code == 200  # works through its last day
    share.expires_on = today() - timedelta(days=1)
    db.session.commit()
    assert app.test_client().get(f"/s/{token}").status_code == 404


def test_unguessable_tokens_and_wrong_tokens(app, make_user, make_item):
    rep = make_user("sales")
    item = make_item()
    tokens = {shares.create_share(rep, item.id, {"recipient": "x"})[1] for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) == 32 for t in tokens)
    client = app.test_client()
    for bad in ("x", "A" * 32, "a" * 200):
        assert client.get(f"/s/{bad}").status_code == 404


@pytest.mark.parametrize("data,field", [
    ({"recipient": ""}, "recipient"), ({"recipient": "x" * 121}, "recipient"),
    ({"recipient": "Dana", "expires_on": "2020-01-01"}, "expires_on"),
    ({"recipient": "Dana", "expires_on": "next week"}, "expires_on"),
    ({"recipient": "Dana", "allow_download": "maybe"}, "allow_download"),
    ({"recipient": ["Dana"]}, "recipient"),
])
def test_share_bad_input_names_the_field_and_stores_nothing(client, make_user, token_for, make_item, data, field):
    item = make_item()
    response = client.post(f"/api/v1/collateral/{item.id}/shares", json=data, headers=token_for(make_user("sales")))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert count(Share) == 0 and events() == []


def test_only_live_items_can_be_shared(client, make_user, token_for, make_item):
    editor = make_user("marketing")
    for status in ("draft", "archived"):
        item = make_item(status)
        response = client.post(f"/api/v1/collateral/{item.id}/shares", json={"recipient": "x"}, headers=token_for(editor))
        assert response.status_code == 422 and response.get_json()["error"]["field"] == "collateral_id"
    expired = make_item(expires_on="2020-01-01")
    rep_headers = token_for(make_user("sales"))
    assert client.post(f"/api/v1/collateral/{expired.id}/shares", json={"recipient": "x"}, headers=rep_headers).status_code == 404
    assert count(Share) == 0


def test_share_api_create_and_revoke(app, client, make_user, token_for, make_item):
    rep, other = make_user("sales"), make_user("sales")
    item = make_item()
    response = client.post(f"/api/v1/collateral/{item.id}/shares", headers=token_for(rep),
                           json={"recipient": "Dana", "account": "Acme", "expires_on": None, "allow_download": True})
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "token", "url"} <= set(body) and body["url"].endswith(f"/s/{body['token']}")
    assert events(action="share_created")[0].channel == "api"
    assert client.delete(f"/api/v1/shares/{body['id']}", headers=token_for(other)).status_code == 404
    assert client.get(f"/s/{body['token']}").status_code == 200
    revoked = client.delete(f"/api/v1/shares/{body['id']}", headers=token_for(rep))
    assert revoked.status_code == 200 and revoked.get_json()["working"] is False
    assert client.get(f"/s/{body['token']}").status_code == 404
    listed = client.get("/api/v1/shares", headers=token_for(rep)).get_json()["items"]
    assert listed[0]["opens"] == 1 and "token" not in listed[0]


# --- deals and outcomes -------------------------------------------------------------------------


def test_deal_from_the_item_page_and_the_share_dialog(as_user, make_item):
    browser, rep = as_user("sales")
    item = make_item()
    data = {"account": "Acme", "opportunity": "OPP-1042", "stage": "awareness", "note": "CFO cared about payback"}
    assert browser.post(f"/items/{item.id}/deals", data=data).status_code == 303
    make_share(browser, item, opportunity="OPP-1042", stage="awareness")
    assert count(DealUse) == 2 and count(Opportunity) == 1
    opp = db.session.scalar(select(Opportunity))
    assert (opp.ref, opp.account, opp.outcome, opp.owner_id) == ("OPP-1042", "Acme", "open", rep.id)
    event = events(action="used_in_deal")[0]
    assert (event.account, event.opportunity, event.stage, event.user_id) == ("Acme", "OPP-1042", "awareness", rep.id)
    assert browser.post(f"/opportunities/{opp.id}/outcome", data={"outcome": "won"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Opportunity, opp.id).outcome == "won"


def test_deal_api_and_outcome_api(client, make_user, token_for, make_item):
    rep, other, editor = make_user("sales"), make_user("sales"), make_user("marketing")
    item = make_item()
    body = {"collateral_id": item.id, "action": "used_in_deal", "account": "Acme", "opportunity": "OPP-9",
            "stage": "decision", "note": "demo"}
    response = client.post("/api/v1/usage", json=body, headers=token_for(rep))
    assert response.status_code == 201 and response.get_json()["opportunity"] == "OPP-9"
    assert events(action="used_in_deal")[0].channel == "api"
    assert client.put("/api/v1/opportunities/OPP-9/outcome", json={"outcome": "won"}, headers=token_for(other)).status_code == 403
    assert client.put("/api/v1/opportunities/OPP-404/outcome", json={"outcome": "won"}, headers=token_for(rep)).status_code == 404
    bad = client.put("/api/v1/opportunities/OPP-9/outcome", json={"outcome": "maybe"}, headers=token_for(rep))
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "outcome"
    done = client.put("/api/v1/opportunities/OPP-9/outcome", json={"outcome": "lost"}, headers=token_for(editor))
    assert done.status_code == 200 and done.get_json()["outcome"] == "lost" and done.get_json()["closed_at"]


@pytest.mark.parametrize("change,field", [
    ({"action": "viewed"}, "action"), ({"collateral_id": "abc"}, "collateral_id"), ({"account": ""}, "account"),
    ({"opportunity": ""}, "opportunity"), ({"opportunity": "a/b c"}, "opportunity"), ({"stage": "nope"}, "stage"),
    ({"stage": ""}, "stage"), ({"note": "x" * 501}, "note"), ({"account": {"x": 1}}, "account"),
])
def test_deal_api_bad_input(client, make_user, token_for, make_item, change, field):
    item = make_item()
    body = {"collateral_id": item.id, "action": "used_in_deal", "account": "Acme", "opportunity": "OPP-9",
            "stage": "decision", **change}
    response = client.post("/api/v1/usage", json=body, headers=token_for(make_user("sales")))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert count(DealUse) == 0 and count(Opportunity) == 0 and events() == []


def test_deal_api_needs_a_json_object(client, make_user, token_for):
    response = client.post("/api/v1/usage", data="[]", content_type="application/json", headers=token_for(make_user()))
    assert response.status_code == 400


# --- privacy ------------------------------------------------------------------------------------


def test_reps_read_only_their_own_events(client, make_user, token_for, make_item):
    rep, other, editor = make_user("sales"), make_user("sales"), make_user("marketing")
    item = make_item()
    services.record_event("view", rep, item)
    services.record_event("view", other, item)
    mine = client.get("/api/v1/usage", headers=token_for(rep)).get_json()["items"]
    assert [e["user_id"] for e in mine] == [rep.id]
    assert client.get(f"/api/v1/usage?user_id={other.id}", headers=token_for(rep)).status_code == 403
    everyone = client.get("/api/v1/usage", headers=token_for(editor)).get_json()["items"]
    assert {e["user_id"] for e in everyone} == {rep.id, other.id}
    theirs = client.get(f"/api/v1/usage?user_id={other.id}", headers=token_for(editor)).get_json()["items"]
    assert [e["user_id"] for e in theirs] == [other.id]
    assert client.get("/api/v1/usage?action=bogus", headers=token_for(editor)).status_code == 422


def test_activity_page_shows_only_my_events(as_user, make_user, make_item):
    browser, rep = as_user("sales")
    other = make_user("sales")
    mine, theirs = make_item(title="Mine"), make_item(title="Theirs")
    services.record_event("download", rep, mine)
    services.record_event("download", other, theirs)
    html = browser.get("/activity").get_data(as_text=True)
    assert f"#{mine.id}" in html and f"#{theirs.id}" not in html


def test_deactivating_keeps_history_and_deleting_anonymises(app, make_user, make_item):
    from hub.auth import services as auth

    admin, rep = make_user("admin"), make_user("sales")
    item = make_item()
    services.record_event("view", rep, item)
    feedback.rate_item(rep, item, 4, "good")
    auth.update_user(rep, admin, active=False)
    assert events()[0].user_id == rep.id
    db.session.delete(db.session.get(type(rep), rep.id))
    db.session.commit()
    db.session.expire_all()
    assert events()[0].user_id is None and count(UsageEvent) == 1
    assert db.session.scalar(select(Rating)).user_id is None


# --- ratings ------------------------------------------------------------------------------------


def test_rating_is_one_per_person_and_marketing_sees_comments(as_user, make_item):
    browser, rep = as_user("sales")
    item = make_item()
    browser.post(f"/items/{item.id}/rating", data={"rating": "2", "comment": "meh"})
    browser.post(f"/items/{item.id}/rating", data={"rating": "5", "comment": "Globex CFO loved the payback maths"})
    (rating,) = db.session.scalars(select(Rating)).all()
    assert (rating.stars, rating.user_id) == (5, rep.id)
    editor, _ = as_user("marketing")
    html = editor.get(f"/items/{item.id}").get_data(as_text=True)
    assert "Globex CFO loved the payback maths" in html and rep.name in html
    other, _ = as_user("sales")
    assert "Globex CFO" not in other.get(f"/items/{item.id}").get_data(as_text=True)


@pytest.mark.parametrize("body,field", [({"rating": 0}, "rating"), ({"rating": 6}, "rating"), ({"rating": 2.5}, "rating"),
                                        ({"rating": True}, "rating"), ({"rating": 3, "comment": "x" * 1001}, "comment"),
                                        ({"rating": 3, "collateral_id": "1"}, "collateral_id")])
def test_rating_api_bad_input(client, make_user, token_for, make_item, body, field):
    item = make_item()
    payload = {"collateral_id": item.id, **body}
    response = client.post("/api/v1/ratings", json=payload, headers=token_for(make_user("sales")))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert count(Rating) == 0


# --- content requests ---------------------------------------------------------------------------


def test_request_flow_votes_status_and_the_requester_sees_the_change(as_user, make_item):
    browser, _ = as_user("sales")
    response = browser.post("/requests", data={"title": "Bank case study", "stage": "decision", "industry": "Banking",
                                               "product": "Ledger", "why": "Two deals stuck", "needed_by": "2030-01-31"})
    assert response.status_code == 303
    req = db.session.scalar(select(ContentRequest))
    voter, _ = as_user("sales")
    voter.post(f"/requests/{req.id}/vote")
    voter.post(f"/requests/{req.id}/vote")  # voting twice counts once
    editor, _ = as_user("marketing")
    item = make_item(title="Bank case study")
    assert editor.post(f"/requests/{req.id}/status", data={"status": "declined"}).status_code == 303  # needs a reason
    db.session.expire_all()
    assert db.session.get(ContentRequest, req.id).status == "open"
    editor.post(f"/requests/{req.id}/status", data={"status": "delivered", "delivered_collateral_id": str(item.id)})
    db.session.expire_all()
    req = db.session.get(ContentRequest, req.id)
    assert (req.status, req.delivered_collateral_id, req.vote_count) == ("delivered", item.id, 1)
    home = browser.get("/").get_data(as_text=True)
    assert 'title="Status changes on your requests">1<' in home
    page = browser.get("/requests").get_data(as_text=True)
    assert "Updated" in page
    assert 'title="Status changes on your requests"' not in browser.get("/").get_data(as_text=True)
    assert "Bank case study" in browser.get(f"/requests/{req.id}").get_data(as_text=True)


def test_request_api(client, make_user, token_for, make_item):
    rep, editor, other = make_user("sales"), make_user("marketing"), make_user("sales")
    created = client.post("/api/v1/requests", json={"title": "ROI calculator for retail", "stage": "decision"},
                          headers=token_for(rep))
    assert created.status_code == 201
    rid = created.get_json()["id"]
    assert client.post(f"/api/v1/requests/{rid}/votes", headers=token_for(other)).get_json()["votes"] == 1
    assert client.patch(f"/api/v1/requests/{rid}", json={"status": "planned"}, headers=token_for(rep)).status_code == 403
    assert client.patch(f"/api/v1/requests/{rid}", json={"why": "for Q3"}, headers=token_for(other)).status_code == 403
    assert client.patch(f"/api/v1/requests/{rid}", json={"why": "for Q3"}, headers=token_for(rep)).status_code == 200
    planned = client.patch(f"/api/v1/requests/{rid}", json={"status": "in_progress"}, headers=token_for(editor))
    assert planned.get_json()["status"] == "in_progress"
    declined = client.patch(f"/api/v1/requests/{rid}", json={"status": "declined", "reason": "Out of scope"},
                            headers=token_for(editor))
    assert declined.get_json()["reason"] == "Out of scope"
    assert client.post(f"/api/v1/requests/{rid}/votes", headers=token_for(make_user())).status_code == 409
    listed = client.get("/api/v1/requests?status=declined", headers=token_for(rep)).get_json()["items"]
    assert [r["id"] for r in listed] == [rid]


@pytest.mark.parametrize("body,field", [({"title": ""}, "title"), ({"title": "x" * 201}, "title"),
                                        ({"title": "ok", "stage": "nope"}, "stage"),
                                        ({"title": "ok", "needed_by": "soon"}, "needed_by"),
                                        ({"title": ["x"]}, "title")])
def test_request_api_bad_input(client, make_user, token_for, body, field):
    response = client.post("/api/v1/requests", json=body, headers=token_for(make_user()))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert count(ContentRequest) == 0


@pytest.mark.parametrize("body,field,status", [({"status": "done"}, "status", 422), ({"status": "delivered"}, "delivered_collateral_id", 422),
                                               ({"status": "declined"}, "reason", 422), ({"colour": "red"}, "colour", 422)])
def test_request_patch_bad_input(client, make_user, token_for, body, field, status):
    req = feedback.create_request(make_user(), {"title": "x"})
    response = client.patch(f"/api/v1/requests/{req.id}", json=body, headers=token_for(make_user("marketing")))
    assert response.status_code == status and response.get_json()["error"]["field"] == field
    db.session.expire_all()
    assert db.session.get(ContentRequest, req.id).status == "open"


def test_api_downloads_are_recorded(app, client, make_user, make_item, token_for):
    from sqlalchemy import func, select

    from hub.extensions import db
    from hub.usage.models import UsageEvent

    rep, item = make_user("sales"), make_item("approved")
    assert client.get(f"/api/v1/collateral/{item.id}/download", headers=token_for(rep)).status_code == 200
    rows = db.session.execute(select(UsageEvent.action, UsageEvent.channel, UsageEvent.user_id)
                              .where(UsageEvent.collateral_id == item.id)).all()
    assert ("download", "api", rep.id) in rows
    assert db.session.scalar(select(func.count(UsageEvent.id))) >= 1


def test_activity_counts_read_as_english(as_user):
    """Issue 15: "1 result", never "1 results" or "None results"."""
    browser, rep = as_user("sales")
    services.record_event("search", rep, query="pricing", result_count=1)
    services.record_event("search", rep, query="roadmap", result_count=3)
    html = browser.get("/activity").get_data(as_text=True)
    assert "“pricing” · 1 result<" in html and "“roadmap” · 3 results<" in html
    assert "1 results" not in html and "None" not in html
