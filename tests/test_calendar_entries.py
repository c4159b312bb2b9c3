"""Calendar entries through the API and the services: shape, validation of every field, visibility,
cancel and delete, .ics import, and the collateral-update tick at approval."""
from datetime import date

import pytest
from sqlalchemy import func, select

from hub.calendar import feeds, importer, services, subscriptions
from hub.calendar.models import CalendarEntry, EntryLabel, OccurrenceChange
from hub.errors import Invalid
from hub.extensions import db
from hub.models import today
from tests.calendar_support import strict_parse, timed

API = "/api/v1/calendar/entries"
FIELDS = {"id", "uid", "title", "kind", "description", "starts_at", "ends_at", "all_day", "timezone", "location",
          "url", "status", "published", "rrule", "exdates", "collateral_ids", "products", "audience", "sequence",
          "updated_at"}
GOOD = {"title": "Spring launch webinar", "kind": "webinar", "timezone": "America/New_York",
        "starts_at": "2026-03-10T09:00", "ends_at": "2026-03-10T10:00"}


def count():
    return [db.session.scalar(select(func.count()).select_from(m)) for m in (CalendarEntry, EntryLabel, OccurrenceChange)]


# --- shape ----------------------------------------------------------------------------------------


def test_create_timed_entry_and_read_it_back(app, client, editor, token_for, make_item):
    item = make_item("approved")
    headers = token_for(editor)
    body = {**GOOD, "description": "Line 1\nLine 2", "location": "Online", "url": "https://example.com/webinar",
            "status": "tentative", "published": True, "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
            "exdates": ["2026-03-17T09:00:00-04:00"], "collateral_ids": [item.id], "products": ["Lumora Insight"],
            "audience": "EMEA, Enterprise"}
    response = client.post(API, json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert FIELDS <= set(data)
    assert response.headers["Location"].endswith(f"{API}/{data['id']}")
    assert data["starts_at"] == "2026-03-10T09:00:00-04:00" and data["ends_at"] == "2026-03-10T10:00:00-04:00"
    assert (data["all_day"], data["timezone"], data["status"], data["published"]) == (False, "America/New_York",
                                                                                      "tentative", True)
    assert data["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=TU"
    assert data["exdates"] == ["2026-03-17T09:00:00-04:00"]
    assert data["collateral_ids"] == [item.id]
    assert data["products"] == ["Lumora Insight"] and data["audience"] == ["EMEA", "Enterprise"]
    assert data["sequence"] == 0 and data["uid"].endswith("@hub")
    assert client.get(f"{API}/{data['id']}", headers=headers).get_json() == data


def test_all_day_entry_takes_dates_and_an_inclusive_last_day(app, client, editor, token_for):
    response = client.post(API, json={"title": "Trade show", "kind": "trade_show", "all_day": True,
                                      "starts_at": "2026-04-14", "ends_at": "2026-04-16"}, headers=token_for(editor))
    data = response.get_json()
    assert response.status_code == 201, data
    assert (data["starts_at"], data["ends_at"], data["timezone"]) == ("2026-04-14", "2026-04-16", None)
    one_day = client.post(API, json={"title": "Launch", "kind": "product_launch", "starts_at": "2026-05-01"},
                          headers=token_for(editor)).get_json()
    assert one_day["all_day"] is True and one_day["ends_at"] == "2026-05-01"


def test_offset_times_keep_the_instant_in_the_given_zone(app, client, editor, token_for):
    data = client.post(API, json={**GOOD, "starts_at": "2026-03-10T13:00:00Z", "ends_at": "2026-03-10T15:00:00+01:00"},
                       headers=token_for(editor)).get_json()
    assert data["starts_at"] == "2026-03-10T09:00:00-04:00" and data["ends_at"] == "2026-03-10T10:00:00-04:00"
    utc = client.post(API, json={"title": "UTC", "kind": "other", "starts_at": "2026-03-10T13:00:00Z"},
                      headers=token_for(editor)).get_json()
    assert utc["timezone"] == "UTC" and utc["ends_at"] == "2026-03-10T14:00:00+00:00"


# --- bad input ------------------------------------------------------------------------------------


BAD = [
    ({"kind": "party"}, "kind"),
    ({"kind": ["webinar"]}, "kind"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "localtime"}, "timezone"),
    ({"timezone": None}, "timezone"),
    ({"ends_at": "2026-03-10T08:00"}, "ends_at"),
    ({"ends_at": "2026-03-10T09:00"}, "ends_at"),
    ({"ends_at": "2026-05-10T09:00"}, "ends_at"),
    ({"starts_at": "next tuesday"}, "starts_at"),
    ({"starts_at": "2026-02-30T09:00"}, "starts_at"),
    ({"starts_at": "2026-03-10", "all_day": False}, "starts_at"),
    ({"starts_at": "2026-03-10"}, "ends_at"),  # a date makes it all-day; the end is still a time
    ({"starts_at": "2026-03-08T02:30", "ends_at": "2026-03-08T04:00"}, "starts_at"),  # the DST gap in New York
    ({"starts_at": "0001-01-01T00:00"}, "starts_at"),
    ({"starts_at": 20260310}, "starts_at"),
    ({"starts_at": ""}, "starts_at"),
    ({"all_day": True, "starts_at": "2026-03-10", "ends_at": "2026-03-09"}, "ends_at"),
    ({"all_day": True, "starts_at": "2026-03-10T09:00"}, "starts_at"),
    ({"all_day": True, "starts_at": "2026-13-01"}, "starts_at"),
    ({"all_day": True, "starts_at": "2026-01-01", "ends_at": "2027-06-01"}, "ends_at"),
    ({"all_day": "yes please"}, "all_day"),
    ({"rrule": "FREQ=HOURLY"}, "rrule"),
    ({"rrule": "FREQ=WEEKLY;BYHOUR=25"}, "rrule"),
    ({"rrule": "FREQ=MONTHLY;BYSETPOS=-1"}, "rrule"),  # BYSETPOS picks from another BYxxx part's dates
    ({"rrule": "FREQ=DAILY;BYSECOND=5"}, "rrule"),
    ({"rrule": "FREQ=WEEKLY;COUNT=3;UNTIL=20260401"}, "rrule"),
    ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule"),
    ({"rrule": "FREQ=YEARLY;BYWEEKNO=\u00b2"}, "rrule"),  # superscript two: str.isdigit() but not int()
    ({"rrule": "FREQ=MONTHLY;BYMONTHDAY=\u0663"}, "rrule"),  # Arabic-Indic three: ASCII digits only
    ({"rrule": "FREQ=WEEKLY;BYDAY=WE"}, "rrule"),  # 10 March 2026 is a Tuesday
    ({"rrule": "FREQ=DAILY;UNTIL=20260101"}, "rrule"),  # ends before it starts
    ({"rrule": "FREQ=DAILY;COUNT=0"}, "rrule"),
    ({"rrule": "FREQ=DAILY;INTERVAL=-1"}, "rrule"),
    ({"rrule": "FREQ=DAILY;UNTIL=20261399"}, "rrule"),
    ({"rrule": "FREQ=DAILY\r\nBEGIN:VEVENT"}, "rrule"),
    ({"rrule": ["FREQ=DAILY"]}, "rrule"),
    ({"rrule": "FREQ=DAILY;COUNT=5", "exdates": ["2026-03-10T10:00"]}, "exdates"),
    ({"exdates": ["2026-03-10T09:00"]}, "exdates"),
    ({"rrule": "FREQ=DAILY;COUNT=5", "exdates": "2026-03-11T09:00"}, "exdates"),
    ({"rrule": "FREQ=DAILY;COUNT=5", "overrides": [{"recurrence_id": "2026-03-11T09:00", "starts_at": "2026-03-11T12:00",
                                                     "ends_at": "2026-03-11T11:00"}]}, "overrides"),
    ({"rrule": "FREQ=DAILY;COUNT=5", "overrides": ["2026-03-11T09:00"]}, "overrides"),
    ({"title": ""}, "title"),
    ({"title": "   \x00\x1b  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": {"evil": 1}}, "title"),
    ({"description": "x" * 20001}, "description"),
    ({"location": "x" * 301}, "location"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"url": "https://exa mple.com"}, "url"),
    ({"status": "postponed"}, "status"),
    ({"published": "maybe"}, "published"),
    ({"collateral_ids": [999999]}, "collateral_ids"),
    ({"collateral_ids": ["one"]}, "collateral_ids"),
    ({"collateral_ids": 5}, "collateral_ids"),
    ({"products": ["x" * 101]}, "products"),
    ({"audience": [f"team {n}" for n in range(21)]}, "audience"),
    ({"products": {"a": 1}}, "products"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize("change,field", BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD)])
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(app, client, editor, token_for, change, field):
    before = count()
    body = {**GOOD, **change}
    response = client.post(API, json=body, headers=token_for(editor))
    assert response.status_code in (400, 422), response.get_json()
    error = response.get_json()["error"]
    assert error["field"] == field, error
    assert error["message"] and error["code"] == "invalid"
    assert count() == before


def test_bad_patch_changes_nothing(app, client, editor, token_for, make_entry):
    entry = make_entry(title="Keep me", rrule="FREQ=WEEKLY;COUNT=3")
    entry_id, stamp = entry.id, entry.updated_at
    patches = [({"kind": "party"}, "kind"), ({"timezone": "Nowhere/Land"}, "timezone"),
               ({"ends_at": "2026-03-02T08:00"}, "ends_at"), ({"rrule": "FREQ=WEEKLY;BYDAY=FR"}, "rrule"),
               ({"all_day": True}, "starts_at"), ({"exdates": ["2026-03-03T09:00"]}, "exdates"),
               ({"title": "x" * 500}, "title"), ({"collateral_ids": [424242]}, "collateral_ids"),
               ({"uid": "mine@evil"}, "uid"), ({"sequence": 99}, "sequence")]
    for change, field in patches:
        response = client.patch(f"{API}/{entry_id}", json=change, headers=token_for(editor))
        assert response.status_code == 422, (change, response.get_json())
        assert response.get_json()["error"]["field"] == field, (change, response.get_json())
    db.session.expire_all()
    entry = db.session.get(CalendarEntry, entry_id)
    assert (entry.title, entry.sequence, entry.rrule, entry.updated_at) == ("Keep me", 0, "FREQ=WEEKLY;COUNT=3", stamp)


def test_not_json_and_huge_bodies_are_client_errors(app, client, editor, token_for):
    headers = token_for(editor)
    assert client.post(API, data="title=x", headers=headers).status_code == 400
    assert client.post(API, json=["not", "an", "object"], headers=headers).status_code == 400
    huge = client.post(API, json={**GOOD, "description": "x" * 2_000_000}, headers=headers)
    assert huge.status_code == 422 and huge.get_json()["error"]["field"] == "description"


def test_control_characters_are_stripped_not_stored(app, client, editor, token_for):
    data = client.post(API, json={**GOOD, "title": "Launch\x00\x1b\r\nday", "description": "a\x00b\r\nc\u2028d",
                                  "location": "Hall\t4\x0b", "products": ["Insight\x07"]},
                       headers=token_for(editor)).get_json()
    assert data["title"] == "Launch day"
    assert data["description"] == "ab\ncd"
    assert data["location"] == "Hall 4"
    assert data["products"] == ["Insight"]


# --- roles and visibility -------------------------------------------------------------------------


def test_reps_read_published_entries_and_only_collateral_they_may_see(app, client, make_user, token_for, make_entry,
                                                                     make_item):
    live, draft = make_item("approved", title="Live"), make_item("draft", title="Draft")
    shown = make_entry(title="Shown", collateral_ids=[live.id, draft.id])
    hidden = make_entry(title="Hidden", published=False)
    rep = token_for(make_user("sales"))
    listed = client.get(API, headers=rep).get_json()
    assert [e["title"] for e in listed["items"]] == ["Shown"] and listed["total"] == 1
    assert client.get(f"{API}/{shown.id}", headers=rep).get_json()["collateral_ids"] == [live.id]
    assert client.get(f"{API}/{hidden.id}", headers=rep).status_code == 404
    assert client.post(API, json=GOOD, headers=rep).status_code == 403
    assert client.patch(f"{API}/{shown.id}", json={"title": "x"}, headers=rep).status_code == 403
    assert client.delete(f"{API}/{shown.id}", headers=rep).status_code == 403
    assert client.get(API, headers={}).status_code == 401


def test_list_filters_by_window_kind_and_status(app, client, editor, token_for, make_entry):
    make_entry(title="March", kind="webinar", **timed("2026-03-02", "09:00"))
    make_entry(title="Weekly from Jan", kind="email", rrule="FREQ=WEEKLY;COUNT=20", **timed("2026-01-05", "09:00"))
    make_entry(title="Endless", kind="social", rrule="FREQ=MONTHLY", **timed("2025-01-06", "09:00"))
    make_entry(title="June show", kind="trade_show", all_day=True, starts_at="2026-06-01", ends_at="2026-06-03")
    headers = token_for(editor)

    def titles(query):
        response = client.get(API + query, headers=headers)
        assert response.status_code == 200, response.get_json()
        return [e["title"] for e in response.get_json()["items"]]

    assert titles("?from=2026-03-01&to=2026-04-01") == ["Endless", "Weekly from Jan", "March"]
    assert titles("?from=2026-06-02&to=2026-06-03") == ["Endless", "June show"]
    assert titles("?from=2026-06-04T00:00:00Z") == ["Endless"]
    assert titles("?kind=webinar&kind=trade_show") == ["March", "June show"]
    assert titles("?to=2025-06-01") == ["Endless"]
    for bad, field in (("?from=yesterday", "from"), ("?to=2026-03-01T10:00", "to"), ("?kind=party", "kind"),
                       ("?from=2026-03-02&to=2026-03-01", "to"), ("?status=gone", "status")):
        response = client.get(API + bad, headers=headers)
        assert response.status_code == 422 and response.get_json()["error"]["field"] == field
    assert client.get(API + "?per_page=1000", headers=headers).status_code == 400


def test_patch_changes_some_fields_and_bumps_sequence(app, client, editor, token_for, make_entry):
    entry = make_entry(rrule="FREQ=WEEKLY;COUNT=5", exdates=["2026-03-09T09:00"])
    headers = token_for(editor)
    same = client.patch(f"{API}/{entry.id}", json={"title": "Entry"}, headers=headers).get_json()
    assert same["sequence"] == 0
    moved = client.patch(f"{API}/{entry.id}", json={**timed("2026-03-02", "10:00")}, headers=headers).get_json()
    assert moved["sequence"] == 1 and moved["exdates"] == []  # the old skip no longer matches: dropped
    assert moved["title"] == "Entry" and moved["rrule"] == "FREQ=WEEKLY;COUNT=5"
    zone = client.patch(f"{API}/{entry.id}", json={"timezone": "Europe/London"}, headers=headers).get_json()
    assert zone["starts_at"] == "2026-03-02T15:00:00+00:00"  # same instant, new zone
    all_day = client.patch(f"{API}/{entry.id}", json={"all_day": True, "starts_at": "2026-03-02", "ends_at": "2026-03-02",
                                                      "rrule": None}, headers=headers).get_json()
    assert all_day["all_day"] and all_day["timezone"] is None and all_day["rrule"] is None


def test_delete_cancels_and_marketing_can_then_delete_for_good(app, client, as_user, token_for, make_entry):
    browser, user = as_user("marketing")
    entry = make_entry(actor=user)
    headers = token_for(user)
    entry_id = entry.id
    early = browser.post(f"/calendar/entries/{entry.id}/delete")
    assert early.status_code == 409
    response = client.delete(f"{API}/{entry.id}", headers=headers)
    data = response.get_json()
    assert response.status_code == 200 and data["status"] == "cancelled" and data["sequence"] == 1
    assert data["cancelled_at"]
    assert client.delete(f"{API}/{entry.id}", headers=headers).get_json()["sequence"] == 1
    assert browser.post(f"/calendar/entries/{entry.id}/delete").status_code == 303
    assert client.get(f"{API}/{entry_id}", headers=headers).status_code == 404


def test_me_feeds_gives_the_callers_links(app, client, make_user, token_for):
    rep = make_user("sales")
    saved = subscriptions.save_feed(rep, "Webinars", {"kind": ["webinar"]})
    data = client.get("/api/v1/me/feeds", headers=token_for(rep)).get_json()
    token = subscriptions.feed_token(rep)
    assert data["https"] == f"http://localhost/calendar/feed/{token}.ics"
    assert data["webcal"] == f"webcal://localhost/calendar/feed/{token}.ics"
    assert data["google"].startswith("https://calendar.google.com/")
    assert data["saved"] == [{"id": saved.id, "name": "Webinars", "filters": {"kind": ["webinar"]},
                              **subscriptions.urls(rep, saved)}]
    assert client.get(data["https"].replace("http://localhost", "")).status_code == 200


def test_openapi_describes_the_calendar(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/calendar/entries"]) >= {"get", "post"}
    assert set(paths["/calendar/entries/{entry_id}"]) >= {"get", "patch", "delete"}
    assert "get" in paths["/me/feeds"]
    assert FIELDS <= set(spec["components"]["schemas"]["CalendarEntry"]["properties"])


# --- import ---------------------------------------------------------------------------------------


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Other//Calendar//EN\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:team-sync-1@other\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=W. Europe Standard Time:20260302T100000\r
DTEND;TZID=W. Europe Standard Time:20260302T110000\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6\r
EXDATE;TZID=W. Europe Standard Time:20260309T100000\r
SUMMARY:Partner sync\r
CATEGORIES:Webinar\r
DESCRIPTION:Weekly call with the partner team.\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:team-sync-1@other\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;TZID=W. Europe Standard Time:20260316T100000\r
DTSTART;TZID=W. Europe Standard Time:20260317T150000\r
DTEND;TZID=W. Europe Standard Time:20260317T160000\r
SUMMARY:Partner sync (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:fair-2026@other\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260414\r
DTEND;VALUE=DATE:20260417\r
SUMMARY:Hannover fair\r
LOCATION:Hannover\\, Germany\r
STATUS:TENTATIVE\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating@other\r
DTSTAMP:20260101T000000Z\r
DTSTART:20260501T090000\r
DURATION:PT2H\r
SUMMARY:Floating breakfast\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_import_adds_then_updates_by_uid_idempotently(app, editor):
    added = importer.import_ics(editor, ICS.encode(), kind="event", published=True)
    assert added.counts() == (3, 0, 0) and added.skipped == []
    sync = db.session.scalar(select(CalendarEntry).where(CalendarEntry.uid == "team-sync-1@other"))
    assert (sync.kind, sync.timezone, sync.rrule) == ("webinar", "Europe/Berlin", "FREQ=WEEKLY;COUNT=6;BYDAY=MO")
    assert [c.original_at.isoformat() for c in sync.removed] == ["2026-03-09T09:00:00+00:00"]
    assert [(c.starts_at.isoformat()) for c in sync.moved] == ["2026-03-17T14:00:00+00:00"]
    fair = db.session.scalar(select(CalendarEntry).where(CalendarEntry.uid == "fair-2026@other"))
    assert (fair.all_day, fair.starts_on, fair.ends_on, fair.status, fair.kind, fair.location) == (
        True, date(2026, 4, 14), date(2026, 4, 16), "tentative", "event", "Hannover, Germany")
    floating = db.session.scalar(select(CalendarEntry).where(CalendarEntry.uid == "floating@other"))
    assert floating.timezone == "Europe/Berlin" and floating.starts_at.hour == 7  # 09:00 CEST
    assert (floating.ends_at - floating.starts_at).total_seconds() == 7200

    body = feeds.render(editor, {}, None, {"entry": "https://h/e/{}", "item": "https://h/i/{}"})
    sequences = {e.uid: (e.sequence, e.updated_at) for e in db.session.scalars(select(CalendarEntry))}
    assert importer.import_ics(editor, ICS.encode(), kind="event", published=True).counts() == (0, 0, 3)
    assert {e.uid: (e.sequence, e.updated_at) for e in db.session.scalars(select(CalendarEntry))} == sequences
    assert feeds.render(editor, {}, None, {"entry": "https://h/e/{}", "item": "https://h/i/{}"}) == body

    changed = ICS.replace("SUMMARY:Hannover fair", "SUMMARY:Hannover Messe")
    assert importer.import_ics(editor, changed.encode()).counts() == (0, 1, 2)
    db.session.refresh(fair)
    assert fair.title == "Hannover Messe" and fair.sequence == 1 and fair.published  # publish state kept


BAD_FILES = [
    (b"", "Choose an .ics file"),
    (b"\xff\xfe\x00B", "not UTF-8"),
    (b"hello world", "not an iCalendar file"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n", "no events"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
     "a to-do"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + b"BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n" * 2001
     + b"END:VCALENDAR\r\n", "at most 2000"),
]


@pytest.mark.parametrize("data,message", BAD_FILES, ids=range(len(BAD_FILES)))
def test_bad_files_get_a_clear_message_and_change_nothing(app, editor, make_entry, data, message):
    importer.import_ics(editor, ICS.encode())
    db.session.commit()
    before = count()
    titles = sorted(db.session.scalars(select(CalendarEntry.title)))
    with pytest.raises(Invalid) as caught:
        importer.import_ics(editor, data.replace(b"Partner sync", b"Renamed") if data else data)
    assert caught.value.field == "file" and message in caught.value.message
    db.session.rollback()
    assert count() == before and sorted(db.session.scalars(select(CalendarEntry.title))) == titles


def test_import_page_reports_results_and_errors(app, as_user):
    browser, _ = as_user("marketing")
    response = browser.post("/calendar/import", data={"kind": "event", "published": "1",
                                                      "file": (__import__("io").BytesIO(ICS.encode()), "cal.ics")},
                            content_type="multipart/form-data")
    assert response.status_code == 303
    assert "3 added, 0 updated, 0 unchanged." in browser.get(response.headers["Location"]).get_data(as_text=True)
    partial = ICS.replace("END:VCALENDAR", "BEGIN:VTODO\r\nUID:todo-1@other\r\nSUMMARY:Send slides\r\nEND:VTODO\r\n"
                                           "END:VCALENDAR")
    response = browser.post("/calendar/import", data={"file": (__import__("io").BytesIO(partial.encode()), "cal.ics")},
                            content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "0 added, 0 updated, 3 unchanged, 1 skipped." in page
    assert "todo-1@other" in page and "a to-do, not an event" in page
    bad = browser.post("/calendar/import", data={"kind": "event", "file": (__import__("io").BytesIO(b"junk"), "x.ics")},
                       content_type="multipart/form-data")
    assert bad.status_code == 422 and "not an iCalendar file" in bad.get_data(as_text=True)
    rep, _ = as_user("sales")
    assert rep.get("/calendar/import").status_code == 403


# --- approval -------------------------------------------------------------------------------------


def test_approving_with_the_tick_puts_a_collateral_update_on_the_calendar(app, as_user, make_item):
    browser, user = as_user("marketing")
    item = make_item("in_review", owner=user, title="Pricing one-pager", product="Lumora Insight", region="EMEA")
    response = browser.post(f"/items/{item.id}/status", data={"status": "approved", "calendar_entry": "1"})
    assert response.status_code == 303
    entries = db.session.scalars(select(CalendarEntry)).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.kind, entry.all_day, entry.starts_on, entry.published) == ("collateral_update", True, today(), True)
    assert entry.title == "New: Pricing one-pager"
    assert [i.id for i in entry.collateral] == [item.id]
    assert entry.products == ["Lumora Insight"] and entry.audience == ["EMEA"]


def test_approving_without_the_tick_adds_nothing(app, as_user, make_item):
    browser, user = as_user("marketing")
    item = make_item("in_review", owner=user)
    assert browser.post(f"/items/{item.id}/status", data={"status": "approved"}).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(CalendarEntry)) == 0
    other = make_item("draft", owner=user)
    browser.post(f"/items/{other.id}/status", data={"status": "in_review", "calendar_entry": "1"})
    assert db.session.scalar(select(func.count()).select_from(CalendarEntry)) == 0  # only approval adds one


def test_a_new_version_approved_again_is_an_update(app, editor, make_item):
    item = make_item("approved", owner=editor, title="Deck")
    services.add_collateral_update(editor, item)
    entry = db.session.scalar(select(CalendarEntry))
    assert entry.title == "New: Deck"
    from hub.library import workflow

    workflow.transition(editor, item, "draft")
    workflow.transition(editor, item, "in_review")
    workflow.transition(editor, item, "approved")
    services.add_collateral_update(editor, item)  # same day: the same entry, updated
    assert db.session.scalar(select(func.count()).select_from(CalendarEntry)) == 1
    db.session.refresh(entry)
    # withdrawn (1) and approved again (2), both visible in the feed's collateral links, then retitled (3)
    assert entry.title == "Updated: Deck" and entry.sequence == 3
    assert strict_parse(feeds.render(editor, {}, None, {"entry": "https://h/e/{}", "item": "https://h/i/{}"}))
