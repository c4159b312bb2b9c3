"""Calendar pages: month, week and agenda with filters; the entry page; forms without JavaScript;
occurrence changes; subscribe, rotate and saved feeds."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from hub.calendar import subscriptions
from hub.calendar.models import CalendarEntry, SavedFeed
from hub.extensions import db
from tests.calendar_support import timed

FORM = {"title": "Spring launch webinar", "kind": "webinar", "status": "confirmed", "timezone": "America/New_York",
        "start_date": "2026-03-10", "start_time": "09:00", "end_date": "2026-03-10", "end_time": "10:30",
        "repeat": "none", "interval": "1", "monthly": "day", "ends": "never", "published": "1"}


def entries():
    return db.session.scalar(select(func.count()).select_from(CalendarEntry))


def test_views_show_published_entries_to_reps_and_drafts_to_marketing(app, as_user, make_entry):
    make_entry(title="Public webinar", **timed("2026-03-10", "09:00"))
    make_entry(title="Secret draft", published=False, **timed("2026-03-11", "09:00"))
    make_entry(title="Hannover fair", kind="trade_show", all_day=True, starts_at="2026-03-16", ends_at="2026-03-18")
    rep, _ = as_user("sales")
    editor_browser, _ = as_user("marketing")
    for path in ("/calendar/?month=2026-03", "/calendar/week?date=2026-03-10", "/calendar/agenda?from=2026-03-01"):
        rep_page = rep.get(path).get_data(as_text=True)
        assert "Public webinar" in rep_page and "Secret draft" not in rep_page, path
        editor_page = editor_browser.get(path).get_data(as_text=True)
        assert "Public webinar" in editor_page and "Secret draft" in editor_page, path
    month = rep.get("/calendar/?month=2026-03").get_data(as_text=True)
    assert month.count("Hannover fair</span>") == 3  # one chip on each of its three days
    assert "09:00" in month
    agenda = rep.get("/calendar/agenda?from=2026-03-01").get_data(as_text=True)
    assert "Mon 16" in agenda and "16–Wed 18 Mar" in agenda


def test_filters_narrow_every_view_and_bad_ones_are_400(app, as_user, make_entry):
    make_entry(title="Webinar one", kind="webinar", products=["Lumora Insight"], **timed("2026-03-10", "09:00"))
    make_entry(title="Email blast", kind="email", audience=["EMEA"], **timed("2026-03-10", "11:00"))
    rep, _ = as_user("sales")
    for path in ("/calendar/?month=2026-03&", "/calendar/week?date=2026-03-10&", "/calendar/agenda?from=2026-03-01&"):
        page = rep.get(path + "kind=email").get_data(as_text=True)
        assert "Email blast" in page and "Webinar one" not in page
        page = rep.get(path + "product=Lumora+Insight").get_data(as_text=True)
        assert "Webinar one" in page and "Email blast" not in page
        page = rep.get(path + "audience=EMEA").get_data(as_text=True)
        assert "Email blast" in page and "Webinar one" not in page
        assert rep.get(path + "kind=nonsense").status_code == 400
    for bad in ("/calendar/?month=2026-13", "/calendar/week?date=soon", "/calendar/agenda?from=x",
                "/calendar/?month=9999-12", "/calendar/?month=0001-01", "/calendar/?month=2026-3",
                "/calendar/week?date=0000-W00", "/calendar/week?date=9999-12-31", "/calendar/week?date=0001-01-01",
                "/calendar/agenda?from=9999-12-31", "/calendar/agenda?from=0001-01-01"):
        assert rep.get(bad).status_code == 400, bad


def test_entry_page_shows_when_links_and_only_collateral_the_reader_may_see(app, as_user, make_entry, make_item):
    live = make_item("approved", title="Live one-pager")
    draft = make_item("draft", title="Unapproved deck")
    entry = make_entry(title="Launch", collateral_ids=[live.id, draft.id], rrule="FREQ=WEEKLY;COUNT=3",
                       description="First paragraph.\nSecond paragraph.", **timed("2026-03-10", "09:00"))
    rep, _ = as_user("sales")
    page = rep.get(f"/calendar/entries/{entry.id}").get_data(as_text=True)
    assert "Tue 10 Mar 2026, 09:00–10:00 EDT" in page
    assert "13:00–14:00 UTC" in page and "America/New_York" in page
    assert "Every week, 3 times" in page
    assert "Live one-pager" in page and "Unapproved deck" not in page
    assert f'href="/calendar/entries/{entry.id}.ics"' in page
    assert "Cancel entry" not in page and ">Skip</button>" not in page  # the skip-this-date button
    editor_browser, _ = as_user("marketing")
    page = editor_browser.get(f"/calendar/entries/{entry.id}").get_data(as_text=True)
    assert "Unapproved deck" in page and "Cancel entry" in page and "Publish" in page


def test_create_a_timed_weekly_entry_with_the_plain_form(app, as_user, make_item):
    browser, _ = as_user("marketing")
    item = make_item("approved", title="Pricing one-pager")
    assert browser.get("/calendar/entries/new?date=2026-03-10").status_code == 200
    data = {**FORM, "repeat": "weekly", "weekdays": ["TU", "TH"], "ends": "count", "count": "6",
            "products": "Lumora Insight, Lumora Guard", "audience": "EMEA", "collateral_ids": [str(item.id)],
            "description": "Bring a customer story."}
    response = browser.post("/calendar/entries/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    entry = db.session.scalar(select(CalendarEntry))
    assert entry.rrule == "FREQ=WEEKLY;COUNT=6;BYDAY=TU,TH"
    assert entry.starts_at.isoformat() == "2026-03-10T13:00:00+00:00"
    assert (entry.ends_at - entry.starts_at).total_seconds() == 5400
    assert entry.products == ["Lumora Guard", "Lumora Insight"] or entry.products == ["Lumora Insight", "Lumora Guard"]
    assert entry.published and [i.id for i in entry.collateral] == [item.id]
    edit = browser.get(f"/calendar/entries/{entry.id}/edit").get_data(as_text=True)
    assert 'value="09:00"' in edit and 'value="10:30"' in edit
    assert re.search(r'<option value="America/New_York" selected>', edit)
    assert re.search(r'value="TU" checked', edit) and re.search(r'value="count" checked', edit)


def test_create_an_all_day_multi_day_entry_with_the_plain_form(app, as_user):
    browser, _ = as_user("marketing")
    data = {**FORM, "title": "Hannover fair", "kind": "trade_show", "all_day": "1", "start_date": "2026-04-14",
            "end_date": "2026-04-16", "start_time": "", "end_time": "", "timezone": "Mars/Nowhere"}
    response = browser.post("/calendar/entries/new", data=data)
    assert response.status_code == 303
    entry = db.session.scalar(select(CalendarEntry))
    assert (entry.all_day, entry.starts_on, entry.ends_on, entry.timezone) == (True, date(2026, 4, 14),
                                                                               date(2026, 4, 16), None)


def test_monthly_on_the_same_weekday_from_the_form(app, as_user):
    browser, _ = as_user("marketing")
    response = browser.post("/calendar/entries/new", data={**FORM, "repeat": "monthly", "monthly": "weekday",
                                                           "ends": "until", "until": "2026-08-31"})
    assert response.status_code == 303
    assert db.session.scalar(select(CalendarEntry.rrule)) == "FREQ=MONTHLY;UNTIL=20260901T035959Z;BYDAY=2TU"


BAD_FORMS = [
    ({"title": ""}, "Title is required"),
    ({"kind": "party"}, "Kind must be one of"),
    ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
    ({"end_time": "08:00"}, "The end must be after the start"),
    ({"start_time": ""}, "needs a time as well"),
    ({"start_date": "2026-02-30"}, "Each skipped date" if False else "must be an ISO 8601"),
    ({"start_time": "02:30", "start_date": "2026-03-08", "end_date": "2026-03-08", "end_time": "04:00"}, "does not exist"),
    ({"all_day": "1", "end_date": "2026-03-01"}, "The last day is before the first day"),
    ({"repeat": "weekly", "weekdays": ["WE"]}, "must itself be one of the repeat days"),
    ({"repeat": "custom", "rrule": "FREQ=SECONDLY"}, "FREQ must be"),
    ({"repeat": "daily", "ends": "count", "count": "0"}, "COUNT must be a whole number"),
    ({"repeat": "daily", "ends": "until", "until": "someday"}, "YYYY-MM-DD"),
    ({"repeat": "yearly-ish"}, "Choose how often"),
    ({"description": "x" * 20001}, "Description can be at most"),
    ({"url": "ftp://example.com"}, "Links must be full"),
    ({"products": ",".join(f"p{n}" for n in range(21))}, "at most 20 products"),
    ({"collateral_ids": ["987654"]}, "Unknown collateral"),
    ({"title": "\x00\x01\x02"}, "Title is required"),
]


def test_bad_form_input_is_shown_next_to_the_field_and_nothing_is_stored(app, as_user):
    browser, _ = as_user("marketing")
    for change, message in BAD_FORMS:
        response = browser.post("/calendar/entries/new", data={**FORM, **change})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (change, html[:500])
        assert message in html, (change, re.findall(r'field__error[^>]*>([^<]*)', html))
        assert 'class="field__error"' in html, change  # next to the field, not only at the top
        assert f'value="{FORM["title"]}"' in html or change.get("title") is not None  # what was typed stays
    assert entries() == 0


def test_publish_cancel_and_delete_from_the_page(app, as_user, make_entry):
    browser, user = as_user("marketing")
    entry = make_entry(actor=user, published=False)
    entry_id = entry.id
    assert browser.post(f"/calendar/entries/{entry_id}/publish", data={"published": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CalendarEntry, entry_id).published
    assert browser.post(f"/calendar/entries/{entry_id}/cancel").status_code == 303
    db.session.expire_all()
    assert db.session.get(CalendarEntry, entry_id).status == "cancelled"
    page = browser.get(f"/calendar/entries/{entry_id}").get_data(as_text=True)
    assert "Delete for good" in page
    assert browser.post(f"/calendar/entries/{entry_id}/delete").status_code == 303
    assert entries() == 0


def test_skip_move_and_restore_occurrences_from_the_page(app, as_user, make_entry):
    browser, user = as_user("marketing")
    entry = make_entry(actor=user, rrule="FREQ=WEEKLY;COUNT=4", **timed("2026-03-02", "09:00"))
    entry_id = entry.id
    url = f"/calendar/entries/{entry_id}/occurrences"
    assert browser.post(url, data={"action": "remove", "occurrence": "2026-03-09T09:00:00-04:00"}).status_code == 303
    assert browser.post(url, data={"action": "move", "occurrence": "2026-03-16T09:00:00-04:00",
                                   "start_date": "2026-03-17", "start_time": "15:00", "end_time": "16:00"}).status_code == 303
    db.session.expire_all()
    entry = db.session.get(CalendarEntry, entry_id)
    assert [c.original_at.isoformat() for c in entry.removed] == ["2026-03-09T13:00:00+00:00"]
    assert [c.starts_at.isoformat() for c in entry.moved] == ["2026-03-17T19:00:00+00:00"]
    assert entry.sequence == 2
    bad = browser.post(url, data={"action": "remove", "occurrence": "2026-03-10T09:00:00-04:00"})
    assert bad.status_code == 303
    assert "is not an occurrence" in browser.get(f"/calendar/entries/{entry_id}").get_data(as_text=True)
    assert browser.post(url, data={"action": "restore", "occurrence": "2026-03-09T13:00:00+00:00"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(CalendarEntry, entry_id).removed == []


def test_subscribe_page_shows_private_links_buttons_and_help(app, as_user):
    browser, user = as_user("sales")
    response = browser.get("/calendar/subscribe")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = subscriptions.feed_token(user)
    assert f'value="http://localhost/calendar/feed/{token}.ics"' in html
    assert f'href="webcal://localhost/calendar/feed/{token}.ics"' in html
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Flocalhost%2Fcalendar%2Ffeed%2F" in html
    assert "every 8 to 24 hours" in html and "hides cancelled events" in html
    assert "Who polled" not in html  # marketing only
    rotated = browser.post("/calendar/subscribe/rotate")
    assert rotated.status_code == 303
    assert subscriptions.feed_token(user) != token and token not in browser.get("/calendar/subscribe").get_data(as_text=True)


def test_save_and_delete_a_named_filtered_feed(app, as_user, make_user):
    browser, user = as_user("sales")
    response = browser.post("/calendar/feeds", data={"name": "Webinars", "kind": ["webinar", "event"],
                                                     "product": "Lumora Insight, Lumora Guard"})
    assert response.status_code == 303
    saved = db.session.scalar(select(SavedFeed))
    assert (saved.name, saved.user_id) == ("Webinars", user.id)
    assert saved.query == "kind=event&kind=webinar&product=Lumora+Guard&product=Lumora+Insight"
    assert f"?feed={saved.id}" in browser.get("/calendar/subscribe").get_data(as_text=True)
    empty = browser.post("/calendar/feeds", data={"name": "Nothing"})
    assert "Choose at least one" in browser.get(empty.headers["Location"]).get_data(as_text=True)
    other, _ = as_user("sales")
    assert other.post(f"/calendar/feeds/{saved.id}/delete").status_code == 404
    assert browser.post(f"/calendar/feeds/{saved.id}/delete").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(SavedFeed)) == 0


def test_marketing_sees_who_polls(app, as_user, make_user, client):
    rep = make_user("sales", name="Polly Poller")
    client.get(f"/calendar/feed/{subscriptions.feed_token(rep)}.ics", headers={"User-Agent": "Outlook"})
    browser, _ = as_user("marketing")
    html = browser.get("/calendar/subscribe").get_data(as_text=True)
    assert "Who polled" in html and "Polly Poller" in html


def test_month_grid_spans_whole_weeks_and_marks_today(app, as_user):
    browser, _ = as_user("sales")
    html = browser.get("/calendar/").get_data(as_text=True)
    assert len(re.findall(r'class="cal-day[ "]', html)) in (35, 42) and "is-today" in html
    first = date.today().replace(day=1)
    assert first.strftime("%B %Y") in html
    week = browser.get(f"/calendar/week?date={date.today() + timedelta(days=14)}").get_data(as_text=True)
    assert week.count("cal-week__day") == 7


def test_demo_entries_are_valid_current_and_added_once(app, make_user, make_item):
    from hub.calendar import demo

    make_item("approved", title="Lumora Guard for healthcare")
    users = {"priya": make_user("marketing")}
    added = demo.seed_entries(users)
    assert added == len(demo.demo_entries(date.today())) and demo.seed_entries(users) == 0
    entries = db.session.scalars(select(CalendarEntry)).all()
    assert all(e.published for e in entries)
    assert {e.kind for e in entries} >= {"product_launch", "webinar", "trade_show", "campaign", "email"}
    show = next(e for e in entries if e.title == "HIMSS Europe")
    assert [i.title for i in show.collateral] == ["Lumora Guard for healthcare"]
    upcoming = [o for o in services_upcoming(users["priya"])]
    assert len(upcoming) >= len(entries)


def services_upcoming(user):
    from hub.calendar import services

    return services.occurrences_between(user, {}, date.today(), date.today() + timedelta(days=60))


def test_labels_with_commas_filter_in_the_api_feeds_and_pages(app, client, as_user, make_entry, token_for):
    from hub.calendar import subscriptions

    make_entry(title="Comma product", products=["Prod, with comma"], audience=["EMEA, North"],
               **timed("2026-03-10", "09:00"))
    make_entry(title="Other product", products=["Prod"], **timed("2026-03-10", "11:00"))
    rep, user = as_user("sales")
    query = "product=Prod%2C+with+comma"
    api = client.get(f"/api/v1/calendar/entries?{query}", headers=token_for(user)).get_json()
    assert [e["title"] for e in api["items"]] == ["Comma product"]
    assert api["items"][0]["audience"] == ["EMEA North"]
    page = rep.get(f"/calendar/?month=2026-03&{query}").get_data(as_text=True)
    assert "Comma product" in page and "Other product" not in page
    body = client.get(f"/calendar/feed/{subscriptions.feed_token(user)}.ics?{query}").get_data(as_text=True)
    assert "Comma product" in body and "Other product" not in body
    body = client.get(f"/calendar/feed/{subscriptions.feed_token(user)}.ics?audience=EMEA%2C%20North").get_data(as_text=True)
    assert "Comma product" in body and "Other product" not in body


def test_pages_show_times_in_the_viewers_zone_with_the_entrys_own(app, as_user, make_entry):
    make_entry(title="New York launch", **timed("2026-04-14", "10:00"))  # 16:00 in Berlin
    make_entry(title="Late UTC call", timezone="UTC", **timed("2026-04-14", "23:30"))  # 01:30 on the 15th in Berlin
    make_entry(title="Expo week", kind="trade_show", all_day=True, starts_at="2026-04-13", ends_at="2026-04-15")
    browser, _ = as_user("sales")
    assert browser.post("/account/time-zone", data={"time_zone": "Europe/Berlin"}).status_code == 303

    agenda = browser.get("/calendar/agenda?from=2026-04-13").get_data(as_text=True)
    assert "Tue 14 Apr, 10:00–11:00 New York · 16:00–17:00 your time" in agenda
    fifteenth = agenda[agenda.index('id="a-2026-04-15"'):]
    assert "Late UTC call" in fifteenth and "Late UTC call" not in agenda[:agenda.index('id="a-2026-04-15"')]

    week = browser.get("/calendar/week?date=2026-04-14").get_data(as_text=True)
    tuesday = week[week.index('aria-labelledby="d-2026-04-14"'):week.index('aria-labelledby="d-2026-04-15"')]
    assert "cal-at-32 cal-to-34" in tuesday and "16:00" in tuesday and "10:00 New York" in tuesday
    wednesday = week[week.index('aria-labelledby="d-2026-04-15"'):week.index('aria-labelledby="d-2026-04-16"')]
    assert "Late UTC call" in wednesday and "cal-at-3 " in wednesday
    assert "cal-col-0 cal-span-3" in week and week.count("cal-week__day ") == 7  # the expo spans its three days

    month = browser.get("/calendar/?month=2026-04").get_data(as_text=True)
    assert "New York launch · Tue 14 Apr 2026, 10:00–11:00 New York · 16:00–17:00 your time" in month


def test_the_browsers_zone_is_taken_once_and_never_over_a_choice(app, as_user):
    browser, user = as_user("sales")
    page = browser.get("/calendar/agenda").get_data(as_text=True)
    assert "data-browser-zone" in page and "Times are in your time zone, UTC" in page  # HUB_CALENDAR_TIMEZONE
    assert browser.post("/account/browser-time-zone", data={"time_zone": "Mars/Base"}).status_code == 422
    assert browser.post("/account/browser-time-zone", data={"time_zone": "Asia/Tokyo"}).status_code == 204
    assert browser.post("/account/browser-time-zone", data={"time_zone": "Europe/Paris"}).status_code == 200
    page = browser.get("/calendar/agenda").get_data(as_text=True)
    assert "data-browser-zone" not in page and "Times are in your time zone, Asia/Tokyo" in page
    assert user.time_zone == "Asia/Tokyo"
