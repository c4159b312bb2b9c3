"""CSV for every report, what reps say in their ratings, and the team filter, against the known world."""
import csv
import io
import re
from datetime import timedelta

import pytest

from hub.errors import ApiError
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import utcnow
from hub.usage import analytics, feedback
from tests.fixtures.usage import record
from tests.test_usage_reports import row

PAYBACK = "Worked with a CFO who cared about payback"
EVIL = '=HYPERLINK("http://evil")'


def rated(user, item_id, stars, comment, days_ago):
    """A rating given `days_ago` days ago."""
    rating = feedback.rate_item(user, db.session.get(Collateral, item_id), stars, comment)
    rating.updated_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return rating


@pytest.fixture
def voices(usage_world, make_user):
    """On top of the world: a recent comment, a formula comment, an old one by a since-deleted rep, a bare rating."""
    rated(usage_world["a"], usage_world["deck"], 5, PAYBACK, 1)
    rated(usage_world["b"], usage_world["study"], 2, EVIL, 3)
    gone = make_user("sales")
    rated(gone, usage_world["study"], 4, "Old but gold", 40)
    rated(usage_world["m"], usage_world["idle"], 3, "", 2)  # no comment: not a voice
    db.session.delete(gone)
    db.session.commit()
    return usage_world


def read_csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def day(days_ago):
    return (utcnow() - timedelta(days=days_ago)).date().isoformat()


# --- CSV for funnel coverage, search insights and adoption ---------------------------------------


def test_stages_csv(as_user, usage_world):
    browser, _ = as_user("marketing")
    rows = read_csv(browser.get("/insights/stages.csv"))
    assert rows[0] == ["Slug", "Stage", "Approved items", "Views", "Downloads", "Shares", "Searches with no results"]
    assert ["decision", "Decision", "2", "5", "1", "1", "2"] in rows
    assert ["expansion", "Expansion", "0", "0", "0", "0", "0"] in rows
    later = read_csv(browser.get(f"/insights/stages.csv?from={day(-1)}"))
    assert ["decision", "Decision", "2", "0", "0", "0", "0"] in later  # the date range applies


def test_search_csv(as_user, usage_world):
    browser, _ = as_user("marketing")
    rows = read_csv(browser.get("/insights/search.csv"))
    assert rows[0] == ["List", "Query", "Searches", "Average results"]
    assert rows[1] == ["Top queries", "bank case", "2", "3.0"]
    assert ["No results", "pricing emea", "2", "0.0"] in rows
    assert [r for r in rows if r[0] == "Nothing opened"] == [["Nothing opened", "roadmap", "1", "2.0"]]
    assert read_csv(browser.get(f"/insights/search.csv?from={day(-1)}")) == [rows[0]]


def test_adoption_csv(as_user, usage_world):
    browser, _ = as_user("marketing")
    rows = read_csv(browser.get("/insights/adoption.csv?weeks=4"))
    assert rows[0] == ["Week starting", "Active reps", "Reps"]
    assert len(rows) == 5 and [r[0] for r in rows[1:]] == [w["week"] for w in analytics.adoption(4)["weeks"]]
    assert int(rows[-1][1]) + int(rows[-2][1]) >= 2 and rows[-1][2] == "2"
    assert len(read_csv(browser.get("/insights/adoption.csv"))) == 13  # 12 weeks by default


def test_csv_cells_starting_with_a_formula_are_neutralised(as_user, voices):
    record("search", voices["a"], None, 1, query="=cmd|' /C calc'!A0", result_count=0)
    browser, _ = as_user("marketing")
    queries = [r[1] for r in read_csv(browser.get("/insights/search.csv"))]
    assert "'=cmd|' /C calc'!A0" in queries and "=cmd|' /C calc'!A0" not in queries
    comments = [r[4] for r in read_csv(browser.get("/insights/feedback.csv"))]
    assert "'" + EVIL in comments and EVIL not in comments


@pytest.mark.parametrize("path", ["/insights/stages.csv", "/insights/search.csv", "/insights/adoption.csv",
                                  "/insights/feedback.csv"])
def test_report_csv_is_for_marketing_and_admins(as_user, usage_world, path):
    assert as_user("sales")[0].get(path).status_code == 403
    assert as_user("admin")[0].get(path).status_code == 200


@pytest.mark.parametrize("path", ["/insights/stages.csv?from=nonsense", "/insights/search.csv?to=2026-13-01",
                                  "/insights/feedback.csv?from=2026-02-01&to=2026-01-01", "/insights/adoption.csv?weeks=0",
                                  "/insights/adoption.csv?weeks=x"])
def test_report_csv_bad_input(as_user, path):
    assert as_user("marketing")[0].get(path).status_code == 400


def test_unknown_report_csv_is_404(as_user):
    assert as_user("marketing")[0].get("/insights/nothing.csv").status_code == 404


def test_report_pages_link_their_csv(as_user, usage_world):
    browser, _ = as_user("marketing")
    dashboard = browser.get("/insights").get_data(as_text=True)
    assert f'href="/insights/stages.csv?from={day(89)}"' in dashboard  # the same 90 days as the table
    assert 'href="/insights/adoption.csv?weeks=12"' in dashboard
    search = browser.get("/insights/search?from=2026-01-01").get_data(as_text=True)
    assert 'href="/insights/search.csv?from=2026-01-01"' in search
    content = browser.get("/insights/content?from=2026-01-01&stage=decision").get_data(as_text=True)
    assert 'href="/insights/feedback.csv?from=2026-01-01"' in content


# --- what reps say -------------------------------------------------------------------------------


def test_rating_comments_newest_first_in_the_date_range(voices):
    comments = analytics.rating_comments(*analytics.clean_range({}))
    assert [(c["collateral_id"], c["stars"], c["comment"], c["user"]) for c in comments] == [
        (voices["deck"], 5, PAYBACK, voices["a"].name), (voices["study"], 2, EVIL, voices["b"].name),
        (voices["study"], 4, "Old but gold", None)]
    assert comments[0]["title"] == "Pitch deck" and comments[0]["rated_at"].startswith(day(1))
    recent = analytics.rating_comments(*analytics.clean_range({"from": day(30)}))
    assert [c["comment"] for c in recent] == [PAYBACK, EVIL]
    assert [c["comment"] for c in analytics.rating_comments(*analytics.clean_range({"to": day(2)}))] == [EVIL, "Old but gold"]
    assert len(analytics.rating_comments(*analytics.clean_range({}), limit=2)) == 2


def test_content_page_shows_what_reps_say(as_user, voices):
    browser, _ = as_user("marketing")
    html = browser.get("/insights/content").get_data(as_text=True)
    assert "What reps say" in html and PAYBACK in html and "Old but gold" in html and "Former user" in html
    assert f'href="/items/{voices["deck"]}"' in html and 'aria-label="5 of 5"' in html
    assert "Old but gold" not in browser.get(f"/insights/content?from={day(30)}").get_data(as_text=True)


def test_feedback_csv(as_user, voices):
    browser, _ = as_user("marketing")
    rows = read_csv(browser.get("/insights/feedback.csv"))
    assert rows[0] == ["Item ID", "Item", "Stars", "Who", "Comment", "Rated at"]
    assert rows[1][:5] == [str(voices["deck"]), "Pitch deck", "5", voices["a"].name, PAYBACK]
    assert rows[3][3:5] == ["Former user", "Old but gold"] and len(rows) == 4
    assert len(read_csv(browser.get(f"/insights/feedback.csv?from={day(30)}"))) == 3


def test_feedback_api(client, token_for, voices):
    headers = token_for(voices["m"])
    items = client.get("/api/v1/analytics/feedback", headers=headers).get_json()["items"]
    assert set(items[0]) == {"collateral_id", "title", "stars", "comment", "user", "rated_at"}
    assert (items[0]["collateral_id"], items[0]["title"], items[0]["stars"], items[0]["comment"], items[0]["user"]) == (
        voices["deck"], "Pitch deck", 5, PAYBACK, voices["a"].name)
    assert items[-1]["user"] is None and len(items) == 3
    recent = client.get(f"/api/v1/analytics/feedback?from={day(30)}&to={day(0)}", headers=headers).get_json()["items"]
    assert [i["comment"] for i in recent] == [PAYBACK, EVIL]
    assert client.get("/api/v1/analytics/feedback", headers=token_for(voices["a"])).status_code == 403
    bad = client.get("/api/v1/analytics/feedback?from=yesterday", headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "from"


# --- the team filter -----------------------------------------------------------------------------


@pytest.fixture
def teams(usage_world, make_user):
    """Rep a in EMEA, rep b in Americas, the marketer in Brand."""
    for key, team in (("a", "EMEA"), ("b", "Americas"), ("m", "Brand")):
        usage_world[key].team = team
    db.session.commit()
    return usage_world


def test_team_filter_counts_only_that_teams_use(teams):
    emea = analytics.content_usage(analytics.clean_filters({"team": "EMEA"}))
    deck = row(emea, teams["deck"])
    assert (deck["views"], deck["downloads"], deck["unique_users"], deck["deals"], deck["win_rate"]) == (2, 1, 1, 3, 0.667)
    americas = analytics.content_usage(analytics.clean_filters({"team": "Americas"}))
    assert (row(americas, teams["deck"])["views"], row(americas, teams["deck"])["deals"]) == (1, 1)
    assert row(americas, teams["study"])["deals"] == 1


def test_unknown_team_is_refused(teams):
    with pytest.raises(ApiError) as refused:
        analytics.clean_filters({"team": "sales"})  # a role is not a team
    assert refused.value.status == 422 and refused.value.field == "team" and "sales" in refused.value.message


def test_content_page_offers_the_teams(as_user, teams):
    browser, _ = as_user("marketing")
    html = browser.get("/insights/content?team=EMEA").get_data(as_text=True)
    assert '<option value="Americas" >Americas</option>' in html.replace("  ", " ")
    assert '<option value="EMEA" selected>EMEA</option>' in html
    assert browser.get("/insights/content?team=Nowhere").status_code == 400


def test_team_filter_in_the_api(client, token_for, teams):
    headers = token_for(teams["m"])
    items = client.get("/api/v1/analytics/content?team=Brand", headers=headers).get_json()["items"]
    assert row(items, teams["deck"])["views"] == 1
    refused = client.get("/api/v1/analytics/content?team=Nowhere", headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"]["message"] == "Unknown team 'Nowhere'."


def test_content_report_is_paginated_and_the_csv_has_every_row(app, as_user, make_item):
    """Issue 16: the content report shows a page of rows (2,000 items made one 500 KB page), keeps the
    sort and filters across pages, and its CSV still has every item."""
    app.config["REPORT_ROWS_PER_PAGE"] = 4
    browser, editor = as_user("marketing")
    for n in range(9):
        make_item(title=f"Report row {n:02d}", owner=editor)
    db.session.commit()
    seen = []
    for page in (1, 2, 3):
        html = browser.get(f"/insights/content?sort=title&page={page}").get_data(as_text=True)
        seen += re.findall(r">(Report row \d\d)</a>", html)
        assert f"Page {page} of 3" in html
    assert seen == [f"Report row {n:02d}" for n in range(9)]
    assert "sort=title" in re.search(r'<a [^>]*rel="next"[^>]*>', browser.get("/insights/content?sort=title").get_data(as_text=True)).group(0)
    assert browser.get("/insights/content?page=0").status_code == 400
    assert len(read_csv(browser.get("/insights/content.csv"))) == 10
