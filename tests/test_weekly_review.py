"""The weekly review (issue 15): the page by role, its CSVs, PDF and API, the goals, and the Monday e-mail
sent to a real local SMTP server."""
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from hub.errors import Invalid
from hub.extensions import db
from hub.models import utcnow
from hub.usage import review, review_mail, review_output
from hub.usage.models import WeeklyGoal, WeeklyReviewMail
from tests.calendar_support import timed


@pytest.fixture
def week(usage_world):
    """The ISO week of yesterday (UTC), where usage_world put most of its use."""
    return review.Week((utcnow() - timedelta(days=1)).date() - timedelta(days=(utcnow() - timedelta(days=1)).weekday()))


@pytest.fixture
def signed_in(app, usage_world):
    """signed_in(role) -> a Browser signed in as the usage world's marketer or rep "a"."""
    from tests.conftest import Browser

    def sign_in(role):
        user = usage_world["m"] if role == "marketing" else usage_world["a"]
        browser = Browser(app.test_client())
        assert browser.login(user).status_code == 302
        return browser

    return sign_in


# --- weeks ----------------------------------------------------------------------------------------


def test_weeks_are_iso_weeks_and_bad_ones_are_refused_clearly():
    assert review.parse_week("2026-W48").monday == date(2026, 11, 23)
    assert review.parse_week("2021-W01").monday == date(2021, 1, 4)  # ISO year: 4 January's week
    assert review.parse_week("2020-W53").monday == date(2020, 12, 28)
    assert review.parse_week("", on=date(2026, 12, 2)).label == "2026-W48"  # the last full week
    assert review.parse_week(None, on=date(2026, 11, 30)).label == "2026-W48"
    for bad, says in (("2026-48", "YYYY-Www"), ("2026-W٤٨", "YYYY-Www"), ("2026-W54", "no week 54"),
                      ("2025-W53", "no week 53"), ("1999-W10", "years"), ("2026-W00", "no week 0"), ([], "YYYY-Www")):
        with pytest.raises(Invalid, match=says):
            review.parse_week(bad)


# --- the page -------------------------------------------------------------------------------------


def test_marketing_sees_every_section_with_numbers_linking_to_the_reports(signed_in, week, make_entry, usage_world):
    monday = week.monday + timedelta(days=7)
    make_entry(title="Ledger launch webinar", **timed((monday + timedelta(days=3)).isoformat(), "15:00"))
    make_entry(title="Too far away", **timed((monday + timedelta(days=20)).isoformat(), "15:00"))
    db.session.commit()
    page = signed_in("marketing").get(f"/review/weekly?week={week.label}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for heading in ("Goals", "Published or updated", "Coming in the next two weeks", "Most used", "Best winning",
                    "Unused for 90 days", "Searches that found nothing", "Open requests by votes", "Adoption"):
        assert heading in html
    assert "Pitch deck" in html and "pricing emea" in html and "Ledger launch webinar" in html
    assert "Too far away" not in html
    span = f"from={week.monday.isoformat()}&amp;to={week.sunday.isoformat()}"
    assert f'/insights/content?sort=views&amp;{span}"' in html
    assert f'/insights/search?{span}"' in html
    assert '/insights/unused?days=90"' in html and '/requests?status=open"' in html
    assert f'href="/review/weekly?week={week.shifted(-1).label}"' in html
    assert f"/review/weekly.pdf?week={week.label}" in html
    assert html.count('<svg class="spark"') == 2  # adoption's two trends; no goals set yet
    assert "Set goals" in html


def hrefs(html):
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


def figures(html):
    """Each figure of the sections' summary lines, as the page prints it."""
    return re.findall(r"<strong>(.*?)</strong>", " ".join(re.findall(r'<p class="review__figures">(.*?)</p>', html)))


def test_every_number_links_to_the_report_that_lists_exactly_what_it_counts(app, signed_in, week, usage_world,
                                                                             make_user, make_item):
    from hub.library.models import Collateral, StatusChange
    from hub.usage import feedback
    from hub.usage.models import ContentRequest
    from tests.conftest import Browser

    inside, before = week.start + timedelta(days=2), week.start - timedelta(days=20)
    for change in db.session.query(StatusChange):  # the usage world's items were approved long ago…
        change.created_at = before
    for item in db.session.query(Collateral):
        item.updated_at = before
    fresh = make_item(title="Fresh battlecard")  # …but one was published in the week, one updated in it
    db.session.query(StatusChange).filter_by(collateral_id=fresh.id).update({"created_at": inside})
    db.session.get(Collateral, usage_world["study"]).updated_at = inside
    fresh.updated_at = inside
    rep = usage_world["a"]
    asked = {when: feedback.create_request(rep, {"title": f"Request asked {when}"}) for when in ("in", "before")}
    asked["in"].created_at, asked["before"].created_at = inside, before
    for when, at in (("in", inside), ("before", before)):
        done = feedback.create_request(rep, {"title": f"Delivered {when}"})
        done.status, done.status_changed_at, done.created_at = "delivered", at, before
    make_user("sales").active = False
    admin = make_user("admin")
    db.session.commit()
    assert db.session.query(ContentRequest).count() == 4

    browser = Browser(app.test_client())
    browser.login(admin)
    html = browser.get(f"/review/weekly?week={week.label}").get_data(as_text=True)
    unlinked = [f for f in figures(html) if not f.startswith("<a ")]
    assert unlinked == []  # every figure of every section is a link for an admin
    links = hrefs(html)

    def page(start):
        [href] = [h for h in links if h.startswith(start)]
        answer = browser.get(href)
        assert answer.status_code == 200, href
        return answer.get_data(as_text=True)

    published = page(f"/review/weekly/published?week={week.label}&change=published")
    assert "Fresh battlecard" in published and "Bank case study" not in published and "1 row" in published
    updated = page(f"/review/weekly/published?week={week.label}&change=updated")
    assert "Bank case study" in updated and "Fresh battlecard" not in updated and "1 row" in updated
    span = f"{week.monday.isoformat()}&asked_to={week.sunday.isoformat()}"
    asked_page = page(f"/requests?asked_from={span}")
    assert "Request asked in" in asked_page and "Request asked before" not in asked_page
    delivered = page("/requests?status=delivered&changed_from=")
    assert "Delivered in" in delivered and "Delivered before" not in delivered
    reps = page("/admin/users?role=sales&active=1")
    assert reps.count("<tr class") == 2  # the two active reps; not the deactivated one, nor the admin
    data = review.weekly_review(admin, week)
    assert (data["published"]["published"], data["published"]["updated"], data["requests"]["asked"],
            data["requests"]["delivered"], data["adoption"]["total_reps"]) == (1, 1, 1, 1, 2)
    for bad in ("/review/weekly/published?change=retired", "/requests?asked_from=yesterday",
                "/admin/users?role=boss", "/admin/users?active=maybe"):
        assert browser.get(bad).status_code == 422, bad


def test_reps_read_it_without_the_marketing_reports_or_the_goals_form(signed_in, week):
    rep = signed_in("sales")
    html = rep.get(f"/review/weekly?week={week.label}").get_data(as_text=True)
    assert "Pitch deck" in html and "Most used" in html
    assert "/insights" not in html and "Set goals" not in html and "/review/goals" not in html
    assert '/requests?status=open"' in html  # the pages a rep may open stay linked
    assert rep.get("/review/goals").status_code == 403
    assert rep.post("/review/goals", data={"share_opens": "5"}).status_code == 403
    assert db.session.query(WeeklyGoal).count() == 0


def test_the_default_week_is_the_last_full_one_and_a_bad_week_is_a_clear_422(signed_in):
    browser = signed_in("marketing")
    html = browser.get("/review/weekly").get_data(as_text=True)
    assert f"Weekly review <span class=\"review__week\">{review.last_full_week().label}</span>" in html
    assert review.last_full_week().shifted(1).label not in html  # no link into the running week
    for bad in ("2026-W99", "next", "2026-W4"):
        answer = browser.get(f"/review/weekly?week={bad}")
        assert answer.status_code == 422
        assert "Week must be written YYYY-Www" in answer.get_data(as_text=True) or "has no week" in answer.get_data(
            as_text=True)
        assert browser.get(f"/review/weekly.pdf?week={bad}").status_code == 422
        assert browser.get(f"/review/weekly/goals.csv?week={bad}").status_code == 422


# --- CSV, PDF, API --------------------------------------------------------------------------------


def test_each_section_downloads_as_csv(signed_in, week):
    browser = signed_in("sales")
    answer = browser.get(f"/review/weekly/most_used.csv?week={week.label}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert f"weekly-review-{week.label}-most-used.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["Title"] == "Pitch deck" and rows[0]["Views"] == "4"
    searches = list(csv.reader(io.StringIO(browser.get(f"/review/weekly/searches.csv?week={week.label}")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert searches == [["Query", "Searches"], ["pricing emea", "2"]]
    for section in review_output.SECTIONS:
        assert browser.get(f"/review/weekly/{section}.csv?week={week.label}").status_code == 200, section
    assert browser.get(f"/review/weekly/nothing.csv?week={week.label}").status_code == 404


def test_the_pdf_has_every_section(signed_in, week):
    answer = signed_in("marketing").get(f"/review/weekly.pdf?week={week.label}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    for words in (f"Weekly review {week.label}", "Published or updated", "Coming in the next two weeks", "Most used",
                  "Best winning", "Unused for 90 days", "Searches that found nothing", "Open requests by votes",
                  "Adoption", "Goals", "Pitch deck", "pricing emea", "Idle datasheet"):
        assert words in text, words


def test_the_api_answers_the_review_and_refuses_a_bad_week(client, token_for, usage_world, week):
    answer = client.get(f"/api/v1/review/weekly?week={week.label}", headers=token_for(usage_world["a"]))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["week"] == week.label and body["starts_on"] == week.monday.isoformat()
    assert body["most_used"][0]["title"] == "Pitch deck"
    assert body["searches"]["queries"][0]["query"] == "pricing emea"
    assert {g["metric"] for g in body["goals"]} == set(review.GOALS)
    assert len(body["adoption"]["weeks"]) == 8 and body["adoption"]["weeks"][-1]["week"] == week.label
    bad = client.get("/api/v1/review/weekly?week=2026-W54", headers=token_for(usage_world["a"]))
    assert bad.status_code == 422
    assert bad.get_json()["error"]["field"] == "week" and "no week 54" in bad.get_json()["error"]["message"]
    default = client.get("/api/v1/review/weekly", headers=token_for(usage_world["m"]))
    assert default.get_json()["week"] == review.last_full_week().label
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/review/weekly" in spec["paths"]


# --- goals ----------------------------------------------------------------------------------------


def test_goals_are_set_checked_all_at_once_and_shown_against_the_week(signed_in, week):
    browser = signed_in("marketing")
    refused = browser.post("/review/goals", data={"share_opens": "1", "unused_share": "150", "active_reps": "many"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "from 0 to 100%" in html and "Active reps: give a whole number" in html
    assert 'value="150"' in html  # what was typed stays
    assert db.session.query(WeeklyGoal).count() == 0  # nothing half-stored
    saved = browser.post("/review/goals", data={"share_opens": "1", "unused_share": "10", "active_reps": "3"})
    assert saved.status_code == 303
    assert {g.metric: g.target for g in db.session.query(WeeklyGoal)} == {"share_opens": 1, "unused_share": 10,
                                                                         "active_reps": 3}
    html = browser.get(f"/review/weekly?week={week.label}").get_data(as_text=True)
    goals = re.findall(r'<div class="review__goal review__goal--(met|missed)">\s*<h3 class="review__goal-title">'
                       r'([^<]+)</h3>', html)
    # 2 prospect opens >= 1; 1 of 3 live items unused (33%) > 10%; 2 active reps < 3
    assert goals == [("met", "Prospect opens of shared links"), ("missed", "Approved items unused for 90 days"),
                     ("missed", "Active reps")]
    assert html.count('<svg class="spark"') == 5
    assert "last 8 weeks: 0, 0, 0, 0, 0, 0, 0, 2; target 1" in html
    browser.post("/review/goals", data={"share_opens": "", "unused_share": "10", "active_reps": "3"})
    assert {g.metric for g in db.session.query(WeeklyGoal)} == {"unused_share", "active_reps"}


# --- the Monday e-mail ----------------------------------------------------------------------------


def subscribe(browser):
    assert browser.post("/account/weekly-review", data={"weekly_review": "1"}).status_code == 303


def test_subscribers_get_last_week_at_seven_on_monday_in_their_own_zone_once(app, signed_in, usage_world,
                                                                            make_user, mailbox, work):
    from hub.auth import services as auth_services

    rep, marketer = usage_world["a"], usage_world["m"]
    subscribe(signed_in("sales"))
    subscribe(signed_in("marketing"))
    auth_services.set_time_zone(rep, "Europe/Berlin")
    auth_services.set_time_zone(marketer, "America/New_York")
    make_user("sales")  # not subscribed
    db.session.commit()
    assert "checked" in signed_in("sales").get("/account").get_data(as_text=True).split('name="weekly_review"')[1][:40]

    berlin_seven = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)  # Monday 07:00 in Berlin, 01:00 in New York
    assert review_mail.send_weekly_reviews(now=berlin_seven - timedelta(minutes=1)) == 0  # 06:59 in Berlin
    assert review_mail.send_weekly_reviews(now=berlin_seven) == 1
    assert review_mail.send_weekly_reviews(now=berlin_seven + timedelta(minutes=30)) == 0  # once per week
    db.session.commit()
    work()  # the worker's own run, at the real time, may send someone this week's too
    subject = "Hub weekly review 2025-W01"
    received = [m for m in mailbox.to(rep.email) if m["Subject"] == subject]
    assert len(received) == 1
    assert [m for m in mailbox.to(marketer.email) if m["Subject"] == subject] == []
    text = received[0].get_body(("plain",)).get_content()
    html = received[0].get_body(("html",)).get_content()
    assert "Weekly review 2025-W01 (2024-12-30 to 2025-01-05)" in text
    assert "https://hub.example.com/review/weekly?week=2025-W01" in text and "MOST USED" in text
    assert 'href="https://hub.example.com/review/weekly?week=2025-W01"' in html
    assert 'href="https://hub.example.com/account"' in html
    assert "/insights" not in html  # a rep's mail links only pages a rep may open
    assert all(link.startswith("https://hub.example.com/") for link in re.findall(r'href="([^"]+)"', html))

    new_york_seven = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)
    assert review_mail.send_weekly_reviews(now=new_york_seven) == 1
    db.session.commit()
    work()
    theirs = [m for m in mailbox.to(marketer.email) if m["Subject"] == subject]
    assert len(theirs) == 1
    assert "https://hub.example.com/insights/content?sort=views&amp;from=2024-12-30&amp;to=2025-01-05" in \
        theirs[0].get_body(("html",)).get_content()
    assert db.session.query(WeeklyReviewMail).filter_by(week="2025-W01").count() == 2
    # Tuesday is not Monday: a late subscriber waits for next week's.
    assert review_mail.send_weekly_reviews(now=datetime(2025, 1, 7, 9, 0, tzinfo=UTC)) == 0


def test_unsubscribing_stops_the_mail(app, signed_in, usage_world, mailbox, work):
    rep = signed_in("sales")
    subscribe(rep)
    assert rep.post("/account/weekly-review", data={}).status_code == 303
    assert review_mail.send_weekly_reviews(now=datetime(2025, 1, 6, 8, 0, tzinfo=UTC)) == 0
