"""Usage reports against small known fixtures: content, unused, stages, search, adoption; CSV export; the API."""
import csv
import io
from datetime import timedelta

import pytest

from hub.extensions import db
from hub.models import utcnow
from hub.usage import analytics
from hub.usage.csv import build, neutralise
from tests.fixtures.usage import record


def row(rows, item_id):
    return next(r for r in rows if r["id"] == item_id)


def test_content_usage_numbers(usage_world):
    rows = analytics.content_usage(analytics.clean_filters({}))
    deck = row(rows, usage_world["deck"])
    assert {k: deck[k] for k in ("views", "downloads", "shares", "share_opens", "deals", "unique_users", "rating", "win_rate")} == {
        "views": 4, "downloads": 1, "shares": 1, "share_opens": 2, "deals": 3, "unique_users": 3, "rating": 4.5,
        "win_rate": 0.667}
    study = row(rows, usage_world["study"])
    assert (study["views"], study["deals"], study["win_rate"], study["rating"]) == (1, 1, None, None)
    assert rows[0]["id"] == usage_world["deck"]  # sorted by views
    assert "Draft" not in [r["title"] for r in rows]
    assert analytics.overall_win_rate() == 0.667


def test_content_usage_filters(usage_world):
    recent = analytics.content_usage(analytics.clean_filters({"from": (utcnow() - timedelta(days=30)).date().isoformat()}))
    assert row(recent, usage_world["study"])["views"] == 0
    usage_world["a"].team = usage_world["b"].team = "EMEA"
    db.session.commit()
    emea = analytics.content_usage(analytics.clean_filters({"team": "EMEA"}))
    assert row(emea, usage_world["deck"])["views"] == 3  # the marketer, in no team, is left out
    decks = analytics.content_usage(analytics.clean_filters({"content_type": "slide_deck"}))
    assert [r["id"] for r in decks] == [usage_world["deck"]]
    onboarding = analytics.content_usage(analytics.clean_filters({"stage": "onboarding"}))
    assert [r["id"] for r in onboarding] == [usage_world["idle"]]
    vault = analytics.content_usage(analytics.clean_filters({"product": "Vault", "sort": "title"}))
    assert [r["id"] for r in vault] == [usage_world["study"]]


def test_unused_content(usage_world):
    report = analytics.unused(90)
    assert (report["approved_total"], report["unused_total"], report["unused_share"]) == (3, 2, 0.667)
    assert {i["id"] for i in report["items"]} == {usage_world["study"], usage_world["idle"]}
    idle = next(i for i in report["items"] if i["id"] == usage_world["idle"])
    assert idle["last_used_at"].startswith((utcnow() - timedelta(days=120)).date().isoformat())
    assert analytics.unused(365)["unused_total"] == 0


def test_stage_coverage(usage_world):
    stages = {s["slug"]: s for s in analytics.stage_coverage(analytics.clean_filters({}))}
    assert stages["decision"] == {"slug": "decision", "name": "Decision", "approved_items": 2, "views": 5,
                                  "downloads": 1, "shares": 1, "zero_result_searches": 2}
    assert stages["awareness"]["approved_items"] == 1  # the deck; "Old" has expired
    assert stages["onboarding"]["downloads"] == 1
    assert stages["expansion"] == {"slug": "expansion", "name": "Expansion", "approved_items": 0, "views": 0,
                                   "downloads": 0, "shares": 0, "zero_result_searches": 0}


def test_search_insights(usage_world):
    data = analytics.search_insights(analytics.clean_filters({}))
    assert data["searches"] == 5 and data["zero_result_searches"] == 2
    assert [q["query"] for q in data["top_queries"]][:2] == ["bank case", "pricing emea"]
    assert [q["query"] for q in data["zero_result_queries"]] == ["pricing emea"]
    assert [q["query"] for q in data["unopened_queries"]] == ["roadmap"]


def test_adoption_counts_active_reps_per_week(usage_world):
    data = analytics.adoption(4)
    assert len(data["weeks"]) == 4 and data["total_reps"] == 2
    assert data["weeks"][-1]["active_reps"] + data["weeks"][-2]["active_reps"] >= 2
    assert data["calendar_subscribers"] == 0


def test_adoption_reads_calendar_feed_polls(app, client, make_user):
    from hub.calendar import subscriptions

    rep = make_user("sales")
    assert client.get(f"/calendar/feed/{subscriptions.feed_token(rep)}.ics").status_code == 200
    data = analytics.adoption(2)
    assert data["calendar_subscribers"] == 1 and data["last_poll_at"]
    assert data["subscribers"][0]["name"] == rep.name


def test_daily_trend(usage_world):
    trend = analytics.daily_trend(7)
    assert len(trend["labels"]) == 7 and sum(trend["series"]["view"]) == 4
    assert sum(trend["series"]["share_opened"]) == 2


# --- API ----------------------------------------------------------------------------------------


def test_analytics_api(client, token_for, usage_world):
    headers = token_for(usage_world["m"])
    content = client.get("/api/v1/analytics/content", headers=headers).get_json()
    deck = row(content["items"], usage_world["deck"])
    assert {"id", "title", "views", "downloads", "shares", "share_opens", "deals", "unique_users", "rating", "win_rate"} <= set(deck)
    assert deck["views"] == 4
    unused = client.get("/api/v1/analytics/unused?days=90", headers=headers).get_json()
    assert {k: unused[k] for k in ("days", "approved_total", "unused_total", "unused_share")} == {
        "days": 90, "approved_total": 3, "unused_total": 2, "unused_share": 0.667}
    stages = client.get("/api/v1/analytics/stages", headers=headers).get_json()["stages"]
    assert set(stages[0]) >= {"slug", "approved_items", "views", "downloads", "shares", "zero_result_searches"}
    assert client.get("/api/v1/analytics/search", headers=headers).get_json()["zero_result_searches"] == 2
    assert client.get("/api/v1/analytics/adoption?weeks=2", headers=headers).status_code == 200
    assert client.get("/api/v1/analytics/content", headers=token_for(usage_world["a"])).status_code == 403


@pytest.mark.parametrize("path,field", [
    ("/api/v1/analytics/content?from=yesterday", "from"), ("/api/v1/analytics/content?to=2026-13-01", "to"),
    ("/api/v1/analytics/content?from=2026-02-01&to=2026-01-01", "to"), ("/api/v1/analytics/content?stage=nope", "stage"),
    ("/api/v1/analytics/content?content_type=poem", "content_type"), ("/api/v1/analytics/content?team=ninjas", "team"),
    ("/api/v1/analytics/content?sort=colour", "sort"), ("/api/v1/analytics/unused?days=0", "days"),
    ("/api/v1/analytics/unused?days=abc", "days"), ("/api/v1/analytics/unused?days=99999", "days"),
    ("/api/v1/analytics/stages?from=x", "from"), ("/api/v1/analytics/search?to=x", "to"),
    ("/api/v1/analytics/adoption?weeks=0", "weeks"), ("/api/v1/analytics/adoption?weeks=x", "weeks"),
    ("/api/v1/usage?collateral_id=x", "collateral_id"),
])
def test_analytics_api_bad_input(client, make_user, token_for, path, field):
    response = client.get(path, headers=token_for(make_user("marketing")))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field


# --- pages and CSV ------------------------------------------------------------------------------


def test_dashboard_and_report_pages(as_user, usage_world):
    browser, _ = as_user("marketing")
    html = browser.get("/insights").get_data(as_text=True)
    assert "67%" in html and "of the approved library unused in 90 days" in html
    assert 'data-chart="line"' in html and "vendor/chartjs/chart.umd.min.js" in html and "<script>" not in html
    assert "Pitch deck" in browser.get("/insights/content?sort=deals").get_data(as_text=True)
    assert "Idle datasheet" in browser.get("/insights/unused").get_data(as_text=True)
    assert "pricing emea" in browser.get("/insights/search").get_data(as_text=True)
    assert browser.get("/insights/content?from=nonsense").status_code == 400
    assert browser.get("/insights/unused?days=-1").status_code == 400


def test_archive_from_the_unused_list(as_user, usage_world):
    from hub.library.models import Collateral

    browser, _ = as_user("marketing")
    response = browser.post("/insights/unused/archive", data={"item_id": [str(usage_world["idle"]), "x"], "days": "90"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Collateral, usage_world["idle"]).status == "archived"
    assert db.session.get(Collateral, usage_world["study"]).status == "approved"


def test_content_csv(as_user, usage_world):
    browser, _ = as_user("marketing")
    response = browser.get("/insights/content.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["ID", "Title", "Type"]
    deck = next(r for r in rows if r[1] == "Pitch deck")
    assert deck[5] == "4"
    unused = browser.get("/insights/unused.csv?days=90").get_data(as_text=True)
    assert "Idle datasheet" in unused and "Pitch deck" not in unused


@pytest.mark.parametrize("value,expected", [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2+3", "'-2+3"),
                                            ("@cmd", "'@cmd"), ("\t=x", "'\t=x"), ("plain", "plain"), (-5, -5),
                                            (None, "")])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_export_neutralises_formula_titles(as_user, make_item):
    for title in ("=HYPERLINK(\"http://evil\")", "+cmd", "-2+3", "@SUM(1)"):
        make_item(title=title)
    browser, _ = as_user("marketing")
    text = browser.get("/insights/content.csv").get_data(as_text=True).lstrip("\ufeff")
    titles = {r[1] for r in list(csv.reader(io.StringIO(text)))[1:]}
    assert titles == {"'=HYPERLINK(\"http://evil\")", "'+cmd", "'-2+3", "'@SUM(1)"}
    assert build([("a", "=A")], [{"a": "=1"}]) == "'=A\r\n'=1\r\n"


# --- ranking lift -------------------------------------------------------------------------------


def titles(rep, text, **kw):
    from hub.search import services as search

    return [item.title for item, _, _ in search.search(rep, text, **kw).hits]


@pytest.fixture
def notes(app, make_user, make_item):
    """Twelve equally relevant items (page one shows ten) and a rep; lifts are read fresh."""
    app.config["SEARCH_LIFT_SECONDS"] = 0
    rep = make_user("sales")
    items = [make_item(title=f"Lynx note {n:02}", description="Lynx tactics for the first call.") for n in range(1, 13)]
    return rep, items


def test_recent_use_lifts_an_item_from_page_two_to_the_top(app, notes, client, token_for):
    rep, items = notes
    assert titles(rep, "lynx", page=2) == ["Lynx note 02", "Lynx note 01"]  # equal scores: newer first
    for _ in range(5):
        record("view", rep, items[0])
    record("download", rep, items[1], 45)  # outside the 30-day window: no lift
    assert titles(rep, "lynx")[0] == "Lynx note 01"
    assert titles(rep, "lynx", page=2) == ["Lynx note 03", "Lynx note 02"]  # each item on one page only
    response = client.get("/api/v1/search?q=lynx", headers=token_for(rep))
    results = response.get_json()["results"]
    assert results[0]["title"] == "Lynx note 01" and results[0]["score"] > results[1]["score"]
    assert titles(rep, "lynx", sort="newest", page=2) == ["Lynx note 02", "Lynx note 01"]  # no lift there


def test_usage_never_lifts_an_item_above_an_exact_title_match(app, make_user, make_item):
    app.config["SEARCH_LIFT_SECONDS"] = 0
    rep = make_user("sales")
    make_item(title="Pricing guide")
    busy = make_item(title="Pricing guide for healthcare pricing teams", description="Pricing guide, pricing tiers.")
    for _ in range(60):
        record("view", rep, busy)
    assert titles(rep, "pricing guide") == ["Pricing guide", "Pricing guide for healthcare pricing teams"]
    assert titles(rep, "Pricing  Guide!")[0] == "Pricing guide"  # case, spacing and punctuation aside
    assert titles(rep, "pricing")[0] == "Pricing guide for healthcare pricing teams"  # not exact: usage counts


def test_the_lift_is_modest_and_cached_per_worker(app, notes):
    from hub.usage import ranking

    assert ranking.lift(0) == 1.0 and ranking.lift(10 ** 6) == pytest.approx(1.15)
    assert 1.0 < ranking.lift(1) < ranking.lift(10) < ranking.lift(50) == pytest.approx(1.15)
    rep, items = notes
    app.config["SEARCH_LIFT_SECONDS"] = 300
    assert ranking.lifts() == {}
    record("view", rep, items[0])
    assert ranking.lifts() == {}  # read again only after SEARCH_LIFT_SECONDS
    app.config["SEARCH_LIFT_SECONDS"] = 0
    assert ranking.lifts() == {items[0].id: ranking.lift(1)}
