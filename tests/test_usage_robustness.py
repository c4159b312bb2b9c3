"""Usage robustness: out-of-range ids, hostile referrers, failing share opens, feed fetches as events,
everyone's activity for marketing, and insights links that do not count as searches."""
import logging
import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from hub import transactions
from hub.calendar import subscriptions
from hub.errors import Invalid
from hub.extensions import db
from hub.models import MAX_ID
from hub.usage import feedback, services, shares
from hub.usage.models import ShareOpen, UsageEvent
from hub.validation import row_id as clean_id

HUGE = 10**20  # past 64 bits: OverflowError on SQLite, DataError on PostgreSQL's 32-bit columns


def events(**where):
    query = select(UsageEvent).order_by(UsageEvent.id)
    for key, value in where.items():
        query = query.where(getattr(UsageEvent, key) == value)
    return db.session.scalars(query).all()


# --- ids out of range ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, "1", " 42 ", MAX_ID, str(MAX_ID)])
def test_clean_id_accepts_ids_in_the_column_range(value):
    assert clean_id(value, "x") == int(str(value).strip())


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, HUGE, str(HUGE), "0", "-3", "1.5", "²", "", None, True, 1.0,
                                   [1], "12abc"])
def test_clean_id_refuses_anything_else_naming_the_field(value):
    with pytest.raises(Invalid) as caught:
        clean_id(value, "collateral_id")
    assert caught.value.field == "collateral_id" and caught.value.status == 422


def test_clean_id_can_insist_on_json_numbers():
    assert clean_id(7, "x", text=False) == 7
    with pytest.raises(Invalid):
        clean_id("7", "x", text=False)


@pytest.mark.parametrize("method,path", [
    ("GET", "/items/{n}"), ("GET", "/items/{n}/download"), ("GET", "/items/1/versions/{n}/download"),
    ("GET", "/requests/{n}"), ("POST", "/requests/{n}/vote"), ("POST", "/shares/{n}/revoke"),
    ("POST", "/items/{n}/rating"), ("GET", "/calendar/entries/{n}"),
])
@pytest.mark.parametrize("n", [HUGE, MAX_ID + 1])
def test_pages_answer_404_for_ids_past_the_column_range(as_user, method, path, n):
    browser, _ = as_user("marketing")
    url = path.format(n=n)
    response = browser.get(url) if method == "GET" else browser.post(url)
    assert response.status_code == 404


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/v1/collateral/{n}"), ("POST", "/api/v1/collateral/{n}/shares"), ("DELETE", "/api/v1/shares/{n}"),
    ("GET", "/api/v1/requests/{n}"), ("POST", "/api/v1/requests/{n}/votes"), ("GET", "/api/v1/calendar/entries/{n}"),
])
def test_api_paths_answer_404_for_ids_past_the_column_range(client, make_user, token_for, method, path):
    headers = token_for(make_user("marketing"))
    response = client.open(path.format(n=HUGE), method=method, headers=headers, json={"recipient": "Dana"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_the_largest_id_still_routes(as_user):
    browser, _ = as_user("marketing")
    assert browser.get(f"/items/{MAX_ID}").status_code == 404  # routed, then simply not found


@pytest.mark.parametrize("method,path,body,field", [
    ("POST", "/api/v1/usage", {"action": "used_in_deal", "collateral_id": HUGE, "account": "Acme",
                               "opportunity": "OPP-1", "stage": "decision"}, "collateral_id"),
    ("POST", "/api/v1/usage", {"action": "used_in_deal", "collateral_id": -1}, "collateral_id"),
    ("POST", "/api/v1/ratings", {"collateral_id": HUGE, "rating": 4}, "collateral_id"),
    ("POST", "/api/v1/ratings", {"collateral_id": 0, "rating": 4}, "collateral_id"),
    ("GET", f"/api/v1/usage?user_id={HUGE}", None, "user_id"),
    ("GET", f"/api/v1/usage?collateral_id={HUGE}", None, "collateral_id"),
    ("GET", "/api/v1/usage?collateral_id=%C2%B2", None, "collateral_id"),  # '²' passes str.isdigit()
    ("GET", f"/api/v1/search?q=x&clicked={HUGE}", None, "clicked"),
])
def test_api_ids_in_bodies_and_query_strings_out_of_range_are_422(client, make_user, token_for, method, path, body,
                                                                   field):
    headers = token_for(make_user("marketing"))
    response = client.open(path, method=method, headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_delivering_a_request_with_an_out_of_range_item_is_422(client, make_user, token_for):
    rep = make_user("sales")
    req = feedback.create_request(rep, {"title": "Healthcare case study"})
    response = client.patch(f"/api/v1/requests/{req.id}", headers=token_for(make_user("marketing")),
                            json={"status": "delivered", "delivered_collateral_id": HUGE})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "delivered_collateral_id"


def test_calendar_entries_with_out_of_range_collateral_are_422(client, make_user, token_for):
    response = client.post("/api/v1/calendar/entries", headers=token_for(make_user("marketing")),
                           json={"title": "Webinar", "kind": "webinar", "timezone": "UTC",
                                 "starts_at": "2026-03-10T09:00", "ends_at": "2026-03-10T10:00", "collateral_ids": [HUGE]})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "collateral_ids"


def test_a_feed_asking_for_an_out_of_range_saved_feed_is_404(app, client, make_user):
    rep = make_user("sales")
    assert client.get(f"/calendar/feed/{subscriptions.feed_token(rep)}.ics?feed={HUGE}").status_code == 404


def test_archiving_out_of_range_unused_items_is_refused_not_500(as_user):
    browser, _ = as_user("marketing")
    response = browser.post("/insights/unused/archive", data={"item_id": [str(HUGE), "²"]})
    assert response.status_code == 303


# --- hostile referrers ---------------------------------------------------------------------------


@pytest.mark.parametrize("referrer", ["http://[x/search?q=a", "http://[::1/search?q=a", "http://a:99999999/search?q=a"])
def test_a_malformed_referrer_never_breaks_the_item_page(as_user, make_item, referrer):
    browser, rep = as_user("sales")
    item = make_item()
    assert browser.get(f"/items/{item.id}", headers={"Referer": referrer}).status_code == 200
    assert [(e.action, e.user_id) for e in events()] == [("view", rep.id)]


# --- share opens that cannot be written ---------------------------------------------------------


def test_a_database_error_recording_a_share_open_is_logged_and_the_page_still_works(app, make_user, make_item,
                                                                                    monkeypatch, caplog):
    item = make_item(title="Payback case study")
    _, token = shares.create_share(make_user("sales"), item.id, {"recipient": "Dana", "allow_download": True})

    def locked(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO share_opens"):
            raise OperationalError(statement, parameters, Exception("database is locked"))

    monkeypatch.setattr(transactions.log, "disabled", False)  # alembic's fileConfig disables loggers during upgrade()
    db.session.commit()
    prospect = app.test_client()
    event.listen(db.engine, "before_cursor_execute", locked)
    try:
        with caplog.at_level(logging.ERROR, logger="hub.transactions"):
            page = prospect.get(f"/s/{token}")
            assert page.status_code == 200 and "Payback case study" in page.get_data(as_text=True)
            assert prospect.get(f"/s/{token}/download").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", locked)
    assert "could not record share open" in caplog.text
    assert db.session.scalars(select(ShareOpen)).all() == []


# --- calendar feed fetches ----------------------------------------------------------------------


def test_feed_fetches_are_usage_events_including_304s(app, client, make_user, token_for, as_user):
    browser, rep = as_user("sales")
    path = f"/calendar/feed/{subscriptions.feed_token(rep)}.ics"
    first = client.get(path + "?kind=webinar", headers={"User-Agent": "Google-Calendar-Importer"})
    again = client.get(path + "?kind=webinar", headers={"If-None-Match": first.headers["ETag"]})
    assert (first.status_code, again.status_code) == (200, 304)
    fetched = events(action="calendar_fetch")
    assert [(e.user_id, e.channel, e.collateral_id) for e in fetched] == [(rep.id, "feed", None)] * 2
    assert [services.event_json(e)["context"]["status"] for e in fetched] == [200, 304]
    assert services.event_json(fetched[0])["context"]["filters"] == "kind=webinar"
    listed = client.get("/api/v1/usage?action=calendar_fetch", headers=token_for(rep)).get_json()["items"]
    assert [e["action"] for e in listed] == ["calendar_fetch"] * 2
    assert "Calendar feed fetched" in browser.get("/activity").get_data(as_text=True)


def test_unknown_feed_tokens_record_no_event(client):
    client.get(f"/calendar/feed/{'y' * 43}.ics")
    assert events() == []


# --- everyone's activity for marketing ----------------------------------------------------------


def test_marketing_sees_everyones_activity_and_can_pick_a_person(as_user, make_user, make_item):
    browser, _ = as_user("marketing")
    rep, other = make_user("sales", name="Rita Rep"), make_user("sales", name="Otto Other")
    mine, theirs = make_item(title="Mine"), make_item(title="Theirs")
    services.record_event("download", rep, mine)
    services.record_event("view", other, theirs)
    html = browser.get("/activity").get_data(as_text=True)
    assert f"#{mine.id}" in html and f"#{theirs.id}" in html
    assert "Rita Rep" in html and "Otto Other" in html  # who did it, and the people to pick from
    assert "Only you" not in html and 'name="user"' in html
    picked = browser.get(f"/activity?user={rep.id}").get_data(as_text=True)
    assert f"#{mine.id}" in picked and f"#{theirs.id}" not in picked
    assert re.search(rf'<option value="{rep.id}" selected', picked)


@pytest.mark.parametrize("raw", [str(HUGE), "abc", "0"])
def test_activity_refuses_a_bad_person(as_user, raw):
    browser, _ = as_user("marketing")
    assert browser.get(f"/activity?user={raw}").status_code == 422


def test_reps_see_only_their_own_activity_even_when_asking_for_someone_else(as_user, make_user, make_item):
    browser, rep = as_user("sales")
    other = make_user("sales", name="Otto Other")
    mine, theirs = make_item(title="Mine"), make_item(title="Theirs")
    services.record_event("download", rep, mine)
    services.record_event("download", other, theirs)
    html = browser.get("/activity").get_data(as_text=True)
    assert f"#{mine.id}" in html and f"#{theirs.id}" not in html and 'name="user"' not in html
    response = browser.get(f"/activity?user={other.id}")
    assert response.status_code == 403 and f"#{theirs.id}" not in response.get_data(as_text=True)
    assert f"#{mine.id}" in browser.get(f"/activity?user={rep.id}").get_data(as_text=True)


# --- searches that are not reps searching -------------------------------------------------------


def test_insights_query_links_do_not_count_as_searches_or_clicks(as_user, make_item):
    rep_browser, rep = as_user("sales")
    item = make_item(title="Payback calculator")
    rep_browser.get("/search?q=payback")
    browser, _ = as_user("marketing")
    html = browser.get("/insights/search").get_data(as_text=True)
    link = re.search(r'href="(/search\?[^"]*q=payback[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "track=0" in link
    assert browser.get(link).status_code == 200
    browser.get(f"/items/{item.id}", headers={"Referer": f"http://localhost{link}"})
    assert [e.user_id for e in events(action="search")] == [rep.id]
    assert events(action="search_click") == []


def test_search_api_with_clicked_records_only_the_click(client, make_user, token_for, make_item):
    rep = make_user("sales")
    item = make_item(title="Security whitepaper")
    headers = token_for(rep)
    assert client.get("/api/v1/search?q=security", headers=headers).status_code == 200
    for _ in range(2):
        assert client.get(f"/api/v1/search?q=security&clicked={item.id}", headers=headers).status_code == 200
    assert len(events(action="search")) == 1
    assert [e.collateral_id for e in events(action="search_click")] == [item.id, item.id]


@pytest.mark.parametrize("path", ["/api/v1/analytics/unused?days=²", "/api/v1/analytics/unused?days=0",
                                  "/api/v1/analytics/adoption?weeks=²", "/api/v1/analytics/adoption?weeks=105"])
def test_report_periods_out_of_range_are_422(client, make_user, token_for, path):
    response = client.get(path, headers=token_for(make_user("marketing")))
    assert response.status_code == 422 and response.get_json()["error"]["field"] in ("days", "weeks")


def test_a_calendar_app_polling_does_not_make_a_rep_active(app, make_user, make_item):
    from hub.usage import analytics, services

    polled, working = make_user("sales"), make_user("sales")
    services.record_event("calendar_fetch", polled, None, channel="feed")
    services.record_event("view", working, make_item(), channel="page")
    assert analytics.adoption(1)["weeks"][-1]["active_reps"] == 1
