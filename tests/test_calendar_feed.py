"""The iCal feeds: RFC 5545 output read by three parsers, recurrence and DST, SEQUENCE, hostile text,
tokens, conditional GET, filters and fetch records."""
import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil import tz as dateutil_tz
from icalendar import Calendar
from sqlalchemy import func, select, text

from hub.auth import services as auth_services
from hub.calendar import feeds, ical, services, subscriptions, zones
from hub.calendar.models import CalendarEntry, FeedFetch, FeedKey
from hub.extensions import db
from hub.models import utcnow
from hub.units import zone_names
from tests.calendar_support import (
    URLS,
    days,
    expand_icalendar,
    expand_vobject,
    read_all,
    strict_parse,
    timed,
    unescape,
)

NY = ZoneInfo("America/New_York")


def render(user, filters=None, saved=None):
    with_request = feeds.render(user, filters or {}, saved, URLS)
    return with_request


def feed_path(user):
    return f"/calendar/feed/{subscriptions.feed_token(user)}.ics"


def events(tree, uid=None):
    return [e for e in tree.walk("VEVENT") if uid is None or e.value("UID") == uid]


# --- the document -------------------------------------------------------------------------------


def test_feed_is_valid_for_three_parsers_with_every_required_property(app, client, editor, make_entry, make_item):
    item = make_item("approved", title="Pricing one-pager")
    make_entry(title="Webinar: pricing", rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=6", exdates=["2026-03-09T09:00"],
               overrides=[{"recurrence_id": "2026-03-16T09:00", "starts_at": "2026-03-17T11:00",
                           "ends_at": "2026-03-17T12:00"}], collateral_ids=[item.id], products=["Lumora Insight"])
    make_entry(title="Trade show", kind="trade_show", all_day=True, starts_at="2026-04-14", ends_at="2026-04-16",
               location="Messe Berlin, Hall 4")
    make_entry(title="Berlin briefing", timezone="Europe/Berlin", **timed("2026-05-05", "14:00"))
    make_entry(title="UTC thing", timezone="UTC", **timed("2026-05-06", "08:00"))
    response = client.get(feed_path(editor))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    tree, cal, vcal = read_all(body)
    assert b"\r\n" in body and body.count(b"\n") == body.count(b"\r\n")
    assert tree.value("VERSION") == "2.0"
    assert tree.value("PRODID") == ical.PRODID
    assert tree.value("METHOD") == "PUBLISH"
    assert tree.value("X-WR-CALNAME") == "Hub marketing calendar"
    assert tree.value("X-WR-TIMEZONE") == "UTC"
    assert tree.one("REFRESH-INTERVAL")[1] == {"VALUE": "DURATION"} and tree.value("REFRESH-INTERVAL") == "PT1H"
    assert tree.value("X-PUBLISHED-TTL") == "PT1H"
    # Every TZID has a VTIMEZONE built from RRULEs, never RDATE lists.
    used = {p[1]["TZID"] for e in tree.walk("VEVENT") for p in e.props if "TZID" in p[1]}
    assert used == {"America/New_York", "Europe/Berlin"}
    for tz in tree.walk("VTIMEZONE"):
        assert tz.value("TZID") in used
        for observance in tz.children:
            assert observance.all("RDATE") == []
            rules = [p[2] for p in observance.all("RRULE")]  # none on a single change (and the offset at the start)
            assert len(rules) <= 1 and all(re.fullmatch(r"FREQ=YEARLY;BYMONTH=\d+;BYDAY=-?\dSU(;UNTIL=\d{8}T\d{6}Z)?", r) for r in rules)
    assert {tz.value("TZID") for tz in tree.walk("VTIMEZONE")} == used
    assert "BEGIN:VTIMEZONE" not in body.decode().split("BEGIN:VEVENT")[1]  # zones come first
    # The UTC entry is written in UTC, not with a TZID.
    utc_event = next(e for e in events(tree) if unescape(e.value("SUMMARY")) == "UTC thing")
    assert utc_event.one("DTSTART")[1] == {} and utc_event.value("DTSTART") == "20260506T080000Z"
    # Absolute links to the entry and to linked collateral.
    webinar = next(e for e in events(tree) if e.value("SUMMARY") == "Webinar: pricing" and not e.all("RECURRENCE-ID"))
    entry = db.session.scalar(select(CalendarEntry).where(CalendarEntry.title == "Webinar: pricing"))
    assert webinar.value("URL") == f"http://localhost/calendar/entries/{entry.id}"
    assert f"http://localhost/items/{item.id}" in unescape(webinar.value("DESCRIPTION"))
    assert webinar.value("UID") == entry.uid and entry.uid.endswith("@hub")
    assert webinar.value("TRANSP") == "TRANSPARENT"
    # icalendar and vobject agree with the strict reading.
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {e.summary.value for e in vcal.vevent_list}


def test_vtimezone_rules_agree_with_zoneinfo(app):
    """Offsets computed from the VTIMEZONE's RRULEs (vobject) equal zoneinfo's, hour by hour around each change."""
    for tzid in ("America/New_York", "Europe/Berlin", "Australia/Sydney", "Europe/Dublin", "Asia/Kolkata",
                 "Pacific/Chatham", "America/Sao_Paulo"):
        lines = ical.timezone_lines(tzid, date(2026, 6, 1))
        body = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + "".join(ical.fold(line) for line in lines)
                + "END:VCALENDAR\r\n").encode()
        strict_parse(body)
        vtz = vobject.readOne(body.decode()).vtimezone.gettzinfo()
        zone = ZoneInfo(tzid)
        rules = zones.rules_for(tzid, date(2026, 6, 1))
        for year in (2026, 2027, 2030):
            checks = [datetime(year, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(0, 24 * 365, 7)]
            for transition, _, _ in zones.transitions(zone, year):
                checks += [transition + timedelta(minutes=m) for m in (-61, -1, 0, 1, 61)]
            for instant in checks:
                if rules.covers(instant):
                    assert instant.astimezone(vtz).utcoffset() == instant.astimezone(zone).utcoffset(), (tzid, instant)


def test_every_zone_with_a_change_in_the_feed_window_reads_right_in_an_independent_parser(app):
    """Issue 10: for every IANA zone whose offset changes between a year back and three years ahead, a
    daily 09:00 series read through the feed's VTIMEZONE by dateutil's tzical (its own RFC 5545 reader)
    has zoneinfo's offset on each day checked: the days around each change and every ninth day between."""
    on = date(2026, 12, 1)
    first, last = on - timedelta(days=365), on + timedelta(days=3 * 365)
    checked = 0
    for tzid in zone_names():
        zone = ZoneInfo(tzid)
        changes = [instant.date() for year in range(first.year, last.year + 1)
                   for instant, _, _ in zones.transitions(zone, year) if first <= instant.date() <= last]
        if tzid == "UTC" or not changes:
            continue
        lines = [line for line in ical.timezone_lines(tzid, on) if not line.startswith("X-LIC-LOCATION")]
        theirs = dateutil_tz.tzical(io.StringIO("".join(ical.fold(line) for line in lines))).get(tzid)
        days = {day + timedelta(days=k) for day in changes for k in (-1, 0, 1)}
        days |= {first + timedelta(days=n) for n in range(0, (last - first).days + 1, 9)}
        for day in sorted(days):
            nine = datetime(day.year, day.month, day.day, 9)
            ours = nine.replace(tzinfo=zone)
            if ours.utcoffset() != ours.replace(fold=1).utcoffset():
                continue  # 09:00 falls in a change itself: RFC 5545 and zoneinfo resolve it differently
            assert nine.replace(tzinfo=theirs).utcoffset() == ours.utcoffset(), (tzid, day)
        checked += 1
    assert checked > 100  # about 180 zones in tzdata 2025


def test_same_data_gives_byte_identical_feeds_and_dtstamp_is_the_last_change(app, editor, make_entry):
    entry = make_entry(rrule="FREQ=DAILY;COUNT=3")
    make_entry(title="Another", all_day=True, starts_at="2026-03-03")
    first = render(editor)
    assert render(editor) == first
    ical.clear_cache()  # the memoised events are exactly what a fresh write gives
    assert render(editor) == first
    tree = strict_parse(first)
    stamp = entry.updated_at.strftime("%Y%m%dT%H%M%SZ")
    event = next(e for e in events(tree) if e.value("UID") == entry.uid)
    assert event.value("DTSTAMP") == event.value("LAST-MODIFIED") == stamp


# --- recurrence and DST ---------------------------------------------------------------------------


@pytest.mark.parametrize("tzid,clock,winter_utc,summer_utc", [
    ("America/New_York", "09:00", 14, 13),
    ("Europe/Berlin", "09:00", 8, 7),
    ("Australia/Sydney", "09:00", 22, 23),  # southern summer is January: UTC hour of the previous day
])
def test_weekly_entry_stays_at_local_time_across_both_dst_changes(app, editor, make_entry, tzid, clock, winter_utc,
                                                                 summer_utc):
    entry = make_entry(title="Weekly", timezone=tzid, rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231",
                       **timed("2026-01-05", clock))
    body = render(editor)
    until = date(2026, 12, 31)
    for starts in (expand_icalendar(body, entry.uid, until), expand_vobject(body, entry.uid, until)):
        assert len(starts) == 52
        assert all(s.astimezone(ZoneInfo(tzid)).strftime("%H:%M") == clock for s in starts)
        utc_hours = {s.astimezone(UTC).hour for s in starts}
        assert utc_hours == {winter_utc, summer_utc}, utc_hours  # the instant moves with DST, the wall clock not
        assert all(s.weekday() == 0 for s in starts)
    # Hub's own pages expand it the same way.
    ours = [o.start for o in services.occurrences_between(editor, {}, date(2026, 1, 1), until)]
    assert ours == expand_icalendar(body, entry.uid, until)
    rule = next(e for e in events(strict_parse(body), entry.uid)).value("RRULE")
    assert re.search(r"UNTIL=\d{8}T\d{6}Z", rule), rule  # UNTIL in UTC for a zoned start


def test_new_york_entry_is_nine_oclock_on_both_sides_of_each_change(app, editor, make_entry):
    entry = make_entry(rrule="FREQ=WEEKLY;BYDAY=SU;COUNT=40", **timed("2026-03-01", "09:00"))
    body = render(editor)
    starts = expand_vobject(body, entry.uid, date(2026, 12, 31))
    by_day = {s.date(): s for s in starts}
    # 8 March and 1 November 2026 are the change days in New York.
    assert by_day[date(2026, 3, 1)].astimezone(UTC).hour == 14
    assert by_day[date(2026, 3, 8)].astimezone(UTC).hour == 13
    assert by_day[date(2026, 10, 25)].astimezone(UTC).hour == 13
    assert by_day[date(2026, 11, 1)].astimezone(UTC).hour == 14


def test_recurrence_expands_as_expected_in_both_parsers(app, editor, make_entry):
    cases = [
        (dict(rrule="FREQ=DAILY;INTERVAL=2;COUNT=5", **timed("2026-03-02", "10:00")),
         ["2026-03-02", "2026-03-04", "2026-03-06", "2026-03-08", "2026-03-10"]),
        (dict(rrule="FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260318", exdates=["2026-03-09T10:00"], **timed("2026-03-02", "10:00")),
         ["2026-03-02", "2026-03-04", "2026-03-11", "2026-03-16", "2026-03-18"]),
        (dict(rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=4", **timed("2026-03-10", "16:30")),
         ["2026-03-10", "2026-04-14", "2026-05-12", "2026-06-09"]),
        (dict(rrule="FREQ=MONTHLY;COUNT=3", overrides=[{"recurrence_id": "2026-04-15T10:00", "starts_at": "2026-04-17T12:00",
                                                        "ends_at": "2026-04-17T13:00"}], **timed("2026-03-15", "10:00")),
         ["2026-03-15", "2026-04-17", "2026-05-15"]),
        ({"all_day": True, "starts_at": "2026-03-02", "ends_at": "2026-03-03", "rrule": "FREQ=WEEKLY;COUNT=3",
          "exdates": ["2026-03-09"]},
         ["2026-03-02", "2026-03-16"]),
    ]
    for fields, expected in cases:
        entry = make_entry(**fields)
        body = render(editor)
        for starts in (expand_icalendar(body, entry.uid, date(2026, 12, 31)),
                       expand_vobject(body, entry.uid, date(2026, 12, 31))):
            assert [(s.date() if isinstance(s, datetime) else s).isoformat() for s in starts] == expected, fields
        ours = [o.first_day.isoformat() for o in
                services.occurrences_between(editor, {"kind": ["webinar"]}, date(2026, 1, 1), date(2026, 12, 31))
                if o.entry.id == entry.id]
        assert ours == expected
    tree = strict_parse(render(editor))
    allday = next(e for e in events(tree) if e.one("DTSTART")[1] == {"VALUE": "DATE"})
    assert "UNTIL" not in allday.value("RRULE") and allday.one("EXDATE")[1] == {"VALUE": "DATE"}
    moved = next(e for e in events(tree) if e.all("RECURRENCE-ID"))
    assert moved.one("RECURRENCE-ID") == ("RECURRENCE-ID", {"TZID": "America/New_York"}, "20260415T100000")


def test_all_day_and_multi_day_entries_land_on_the_right_dates(app, client, editor, make_entry, token_for):
    show = make_entry(title="Show", kind="trade_show", all_day=True, starts_at="2026-04-14", ends_at="2026-04-16")
    day = make_entry(title="Launch day", kind="product_launch", all_day=True, starts_at="2026-12-31")
    tree, cal, vcal = read_all(render(editor))
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert by_uid[show.uid].decoded("DTSTART") == date(2026, 4, 14)
    assert by_uid[show.uid].decoded("DTEND") == date(2026, 4, 17)  # exclusive
    assert by_uid[day.uid].decoded("DTSTART") == date(2026, 12, 31)
    assert by_uid[day.uid].decoded("DTEND") == date(2027, 1, 1)
    v = {e.uid.value: e for e in vcal.vevent_list}
    assert (v[show.uid].dtstart.value, v[show.uid].dtend.value) == (date(2026, 4, 14), date(2026, 4, 17))
    strict = {e.value("UID"): e for e in events(tree)}
    assert strict[show.uid].one("DTSTART") == ("DTSTART", {"VALUE": "DATE"}, "20260414")
    assert strict[show.uid].one("DTEND") == ("DTEND", {"VALUE": "DATE"}, "20260417")
    # The API's ends_at is the last day, inclusive; the month page shows all three days.
    api = client.get(f"/api/v1/calendar/entries/{show.id}", headers=token_for(editor)).get_json()
    assert (api["starts_at"], api["ends_at"], api["all_day"], api["timezone"]) == ("2026-04-14", "2026-04-16", True, None)
    occurrence = services.occurrences_between(editor, {"kind": ["trade_show"]}, date(2026, 4, 1), date(2026, 4, 30))
    assert occurrence[0].days == days("2026-04-14", "2026-04-15", "2026-04-16")


# --- SEQUENCE -------------------------------------------------------------------------------------


def event_of(user, entry):
    return next(e for e in events(strict_parse(render(user)), entry.uid) if not e.all("RECURRENCE-ID"))


def test_sequence_moves_on_edits_and_cancellation_only(app, editor, make_entry):
    entry = make_entry(title="Launch webinar")
    first = render(editor)
    assert event_of(editor, entry).value("SEQUENCE") == "0"

    services.update_entry(editor, entry, {"title": "Launch webinar"})  # no real change
    assert render(editor) == first and entry.sequence == 0

    services.set_published(editor, entry, True)  # already published: nothing
    assert render(editor) == first

    services.update_entry(editor, entry, {"title": "Launch webinar (new time)", **timed("2026-03-02", "11:00")})
    edited = event_of(editor, entry)
    assert edited.value("SEQUENCE") == "1"
    assert edited.value("DTSTAMP") == edited.value("LAST-MODIFIED") == entry.updated_at.strftime("%Y%m%dT%H%M%SZ")
    assert edited.value("DTSTART") == "20260302T110000"

    services.cancel_entry(editor, entry)
    cancelled = event_of(editor, entry)
    assert cancelled.value("SEQUENCE") == "2" and cancelled.value("STATUS") == "CANCELLED"
    assert unescape(cancelled.value("SUMMARY")).startswith("Cancelled: ")
    services.cancel_entry(editor, entry)  # cancelling twice changes nothing
    assert entry.sequence == 2

    services.update_entry(editor, entry, {"exdates": []})
    assert entry.sequence == 2


def test_moving_an_occurrence_bumps_sequence_and_adds_a_recurrence_id(app, editor, make_entry):
    entry = make_entry(rrule="FREQ=WEEKLY;COUNT=4")
    services.change_occurrence(editor, entry, "2026-03-09T09:00:00-04:00", "move", "2026-03-10T09:00", "2026-03-10T10:00")
    assert entry.sequence == 1
    services.change_occurrence(editor, entry, "2026-03-16T09:00", "remove")
    assert entry.sequence == 2
    tree = strict_parse(render(editor))
    master, override = sorted(events(tree, entry.uid), key=lambda e: bool(e.all("RECURRENCE-ID")))
    assert master.value("EXDATE") == "20260316T090000"
    assert override.value("RECURRENCE-ID") == "20260309T090000" and override.value("DTSTART") == "20260310T090000"
    assert override.value("SEQUENCE") == "2"
    services.change_occurrence(editor, entry, "2026-03-16T09:00", "restore")
    assert entry.sequence == 3 and [c.original_at for c in entry.removed] == []


# --- hostile text ---------------------------------------------------------------------------------


HOSTILE = [
    "Launch\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:Injected\r\nEND:VEVENT",
    "Line\nEND:VCALENDAR\nBEGIN:VCALENDAR",
    "Bare\rCR:and more",
    "NUL\x00 bell\x07 escape\x1b vtab\x0b formfeed\x0c del\x7f c1\x85\x9b",
    "Para\u2028sep\u2029done",
    "Commas, semicolons; backslashes \\ and colons: all fine",
    "\u00e9\u00e8\u4e2d\u6587\U0001f4c5" * 40,  # multi-byte characters across fold points
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_cannot_add_lines_properties_or_events(app, editor, make_entry, hostile):
    entry = make_entry(title=hostile[:200], description=hostile + "\n" + hostile, location=hostile[:300],
                       products=[hostile[:60].replace(",", " ")], audience=["EMEA"])
    make_entry(title="Neighbour")
    body = render(editor)
    tree, cal, vcal = read_all(body)
    assert len(events(tree)) == 2
    assert {e.value("UID") for e in events(tree)} == {entry.uid, events(tree)[1].value("UID")} - {"evil"}
    unfolded = body.decode().replace("\r\n ", "").split("\r\n")
    assert not [line for line in unfolded if line.startswith(("UID:evil", "SUMMARY:Injected", "CR:"))]
    for line in body.decode().split("\r\n"):
        assert not line.startswith(("BEGIN:VCALENDAR", "END:VCALENDAR")) or line in ("BEGIN:VCALENDAR", "END:VCALENDAR")
    event = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == entry.uid)
    assert str(event["SUMMARY"]) == entry.title  # the cleaned title round-trips exactly
    assert not re.search(r"[\x00-\x1f\x7f]", entry.title)
    assert entry.description.split("\n")[0] in str(event["DESCRIPTION"])
    v = next(e for e in vcal.vevent_list if e.uid.value == entry.uid)
    assert v.summary.value == entry.title


def test_the_writer_itself_neutralises_control_characters(app):
    """Even data that never passed the services (a raw row) cannot break the document."""
    evil = "A\r\nBEGIN:VEVENT\r\nUID:x\x00\x1b\u0085;,\\"
    entry = SimpleNamespace(
        id=1, uid="u1@hub\r\nX-EVIL:1", title=evil, description=evil, location=evil, url=None, kind="other",
        kind_label="Other", all_day=True, timezone=None, starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 1),
        starts_at=None, ends_at=None, rrule=None, removed=[], moved=[], products=[evil], audience=[],
        status="confirmed", sequence=0, created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    body = ical.calendar_bytes([entry], URLS, name="Evil, name; \\ here\r\nX-EVIL:1")
    tree, _, _ = read_all(body)
    assert len(events(tree)) == 1
    assert tree.value("X-WR-CALNAME") == "Evil name here X-EVIL:1"
    assert all(not line.startswith("X-EVIL") for line in body.decode().split("\r\n"))
    assert events(tree)[0].value("UID") == "u1@hub\\nX-EVIL:1"  # escaped text on the UID line itself


def test_folding_keeps_characters_whole_and_lines_short():
    for text_ in ("x" * 200, "\u00e9" * 100, "\U0001f4c5" * 50, "a" + "\u4e2d" * 80):
        folded = ical.fold("DESCRIPTION:" + text_)
        lines = folded.split("\r\n")[:-1]
        assert all(len(line.encode()) <= 75 for line in lines)
        assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == "DESCRIPTION:" + text_


# --- tokens ---------------------------------------------------------------------------------------


def test_feed_token_is_long_secret_hashed_and_needs_no_cookie(app, client, editor, make_entry):
    make_entry()
    token = subscriptions.feed_token(editor)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 bits
    assert subscriptions.feed_token(editor) == token  # shown again later, unchanged
    key = db.session.get(FeedKey, editor.id)
    assert key.token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM calendar_feed_keys")) for v in row)
    assert token not in dump
    response = client.get(f"/calendar/feed/{token}.ics")  # a fresh client: no session, no cookie
    assert response.status_code == 200 and b"BEGIN:VCALENDAR" in response.data
    assert "Set-Cookie" not in response.headers


def test_rotated_deactivated_and_unknown_tokens_get_404(app, client, make_user, editor, make_entry):
    make_entry()
    old = subscriptions.feed_token(editor)
    assert client.get(f"/calendar/feed/{old}.ics").status_code == 200
    new = subscriptions.rotate_token(editor)
    assert new != old
    gone = client.get(f"/calendar/feed/{old}.ics")
    assert gone.status_code == 404 and gone.headers["Content-Type"].startswith("text/plain")
    assert "Set-Cookie" not in gone.headers
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200
    admin = make_user("admin")
    auth_services.update_user(editor, admin, active=False)
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 404
    auth_services.update_user(editor, admin, active=True)
    assert client.get(f"/calendar/feed/{new}.ics").status_code == 200
    for bad in ("x" * 43, "short", new[:-1] + ("A" if new[-1] != "A" else "B"), "%00" * 10):
        assert client.get(f"/calendar/feed/{bad}.ics").status_code == 404


def test_after_a_new_secret_key_the_old_link_works_until_a_new_one_is_made(app, editor):
    token = subscriptions.feed_token(editor)
    app.config["SECRET_KEY"] = "another key entirely"
    assert subscriptions.feed_token(editor) is None             # it cannot be shown again: the page offers a new one
    assert subscriptions.user_for_token(token) == editor        # subscribed calendars keep working meanwhile
    fresh = subscriptions.rotate_token(editor)
    assert fresh != token and subscriptions.feed_token(editor) == fresh and subscriptions.user_for_token(fresh) == editor
    assert subscriptions.user_for_token(token) is None


# --- HTTP -----------------------------------------------------------------------------------------


def test_conditional_get_answers_304_until_something_changes(app, client, editor, make_entry):
    entry = make_entry()
    path = feed_path(editor)
    first = client.get(path)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    # Same data, same bytes, same ETag.
    assert client.get(path).data == first.data
    # If-Modified-Since, once Last-Modified is a second old.
    entry.updated_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    dated = client.get(path)
    since = dated.headers["Last-Modified"]
    assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=3), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    # A change anywhere: new ETag, 200, new bytes.
    services.update_entry(editor, entry, {"title": "Changed"})
    changed = client.get(path, headers={"If-None-Match": dated.headers["ETag"], "If-Modified-Since": since})
    assert changed.status_code == 200 and changed.headers["ETag"] != dated.headers["ETag"]
    assert b"SUMMARY:Changed" in changed.data


def test_feed_is_gzipped_when_accepted_under_its_own_etag(app, client, editor, make_entry):
    """Issue 16: gzip for clients that accept it; each encoding has its own ETag, and a validator from
    either answers 304; the same bytes come back on every poll, and new bytes after a change."""
    import gzip

    entries = [make_entry(title=f"Roadshow stop {n}") for n in range(30)]
    path = feed_path(editor)
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert all("Accept-Encoding" in r.headers["Vary"] for r in (plain, packed))
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 4
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    for etag in (plain.headers["ETag"], packed.headers["ETag"]):
        assert client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"Accept-Encoding": "gzip"}).data == packed.data
    assert client.get(path, headers={"Accept-Encoding": "gzip;q=0"}).data == plain.data

    services.update_entry(editor, entries[0], {"title": "Roadshow moved"})
    db.session.commit()
    after = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert after.headers["ETag"] != packed.headers["ETag"]
    assert b"SUMMARY:Roadshow moved" in gzip.decompress(after.data)


def test_last_modified_is_left_out_while_it_is_under_a_second_old(app, client, editor, make_entry):
    make_entry()  # just now
    response = client.get(feed_path(editor))
    assert "Last-Modified" not in response.headers and "ETag" in response.headers


def test_deleting_a_cancelled_entry_changes_the_etag(app, client, editor, make_entry):
    entry = make_entry()
    services.cancel_entry(editor, entry)
    path = feed_path(editor)
    etag = client.get(path).headers["ETag"]
    services.delete_entry(editor, entry)
    response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 200 and entry.uid.encode() not in response.data


def test_collateral_changes_change_the_etag(app, client, make_user, editor, make_entry, make_item):
    from hub.library import workflow

    item = make_item("approved", title="Deck")
    make_entry(collateral_ids=[item.id])
    rep = make_user("sales")
    path = feed_path(rep)
    first = client.get(path)
    assert b"Deck" in first.data
    workflow.transition(editor, item, "archived")
    second = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and b"Deck" not in second.data


def sequence_and_stamp(body):
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    return int(event["SEQUENCE"]), event["LAST-MODIFIED"].dt


def test_linked_collateral_renamed_withdrawn_or_deleted_revises_the_entry(app, client, make_user, editor,
                                                                          make_entry, make_item):
    from hub.library import services as library
    from hub.library import workflow

    item = make_item("approved", title="Deck")
    entry = make_entry(collateral_ids=[item.id])
    path = feed_path(make_user("sales"))
    seen = [sequence_and_stamp(client.get(path).data)]
    for change in (lambda: library.update_item(editor, item, {"title": "Deck 2"}),
                   lambda: workflow.transition(editor, item, "archived"),
                   lambda: library.delete_item(editor, item)):
        entry.updated_at = entry.updated_at - timedelta(seconds=5)  # LAST-MODIFIED has whole seconds
        db.session.flush()
        before = entry.updated_at
        change()
        db.session.commit()
        assert entry.updated_at > before
        seen.append(sequence_and_stamp(client.get(path).data))
    assert [s for s, _ in seen] == [0, 1, 2, 3]
    library.update_item(editor, make_item("approved", title="Unlinked"), {"title": "Still unlinked"})
    assert sequence_and_stamp(client.get(path).data)[0] == 3


def test_every_fetch_is_recorded_with_user_filter_and_client(app, client, make_user, editor, make_entry):
    make_entry()
    rep = make_user("sales")
    path = feed_path(rep)
    agent = "Google-Calendar-Importer " + "x" * 500
    first = client.get(path + "?kind=webinar&product=Lumora+Insight", headers={"User-Agent": agent})
    client.get(path + "?kind=webinar&product=Lumora+Insight",
               headers={"If-None-Match": first.headers["ETag"], "User-Agent": "iOS/17 dataaccessd\x00\x7f"})
    client.get(f"/calendar/feed/{'y' * 43}.ics")  # unknown tokens are not recorded
    fetches = db.session.scalars(select(FeedFetch).order_by(FeedFetch.id)).all()
    assert [(f.user_id, f.status) for f in fetches] == [(rep.id, 200), (rep.id, 304)]
    assert fetches[0].query == "kind=webinar&product=Lumora+Insight"
    assert fetches[0].user_agent == agent[:300]
    assert fetches[1].user_agent == "iOS/17 dataaccessd"
    assert abs((fetches[0].fetched_at - utcnow()).total_seconds()) < 60
    assert feeds.subscribers()[0][0] == rep and feeds.subscribers()[0][1] == 2


# --- what a feed holds ----------------------------------------------------------------------------


def test_filtered_feeds_give_only_matching_entries(app, client, editor, make_entry):
    make_entry(title="Webinar EMEA", kind="webinar", products=["Lumora Insight"], audience=["EMEA"])
    make_entry(title="Show NA", kind="trade_show", products=["Lumora Guard"], audience=["NA"])
    make_entry(title="Email all", kind="email", products=["Lumora Insight", "Lumora Guard"])
    path = feed_path(editor)

    def titles(query):
        response = client.get(path + query)
        assert response.status_code == 200, response.data
        return sorted(unescape(e.value("SUMMARY")) for e in events(strict_parse(response.data)))

    assert titles("") == ["Email all", "Show NA", "Webinar EMEA"]
    assert titles("?kind=webinar") == ["Webinar EMEA"]
    assert titles("?kind=webinar&kind=email") == ["Email all", "Webinar EMEA"]
    assert titles("?product=Lumora+Guard") == ["Email all", "Show NA"]
    assert titles("?product=Lumora+Guard&audience=NA") == ["Show NA"]
    assert titles("?audience=EMEA&audience=NA") == ["Show NA", "Webinar EMEA"]
    assert titles("?product=Nothing") == []
    bad = client.get(path + "?kind=nonsense")
    assert bad.status_code == 400 and b"Unknown kind" in bad.data
    named = strict_parse(client.get(path + "?kind=webinar&kind=email").data)
    assert named.value("X-WR-CALNAME") == "Hub: Email and Webinar"


def test_saved_feeds_have_their_name_and_belong_to_their_owner(app, client, make_user, editor, make_entry):
    make_entry(title="Webinar", kind="webinar")
    make_entry(title="Show", kind="trade_show")
    saved = subscriptions.save_feed(editor, "Webinars, for me; \\ only", {"kind": ["webinar"]})
    links = subscriptions.urls(editor, saved)
    assert links["https"].endswith(f".ics?feed={saved.id}")
    assert links["webcal"].startswith("webcal://") and links["webcal"][9:] == links["https"].split("://", 1)[1]
    assert links["google"].startswith("https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F")
    body = client.get(links["https"].replace("http://localhost", "")).data
    tree = strict_parse(body)
    assert tree.value("X-WR-CALNAME") == "Hub: Webinars for me only"
    assert [e.value("SUMMARY") for e in events(tree)] == ["Webinar"]
    other = make_user("sales")
    theirs = f"/calendar/feed/{subscriptions.feed_token(other)}.ics?feed={saved.id}"
    assert client.get(theirs).status_code == 404
    subscriptions.delete_saved(editor, saved.id)
    assert client.get(links["https"].replace("http://localhost", "")).status_code == 404


def test_feeds_hold_published_entries_and_only_collateral_the_reader_may_see(app, client, make_user, editor,
                                                                           make_entry, make_item):
    live = make_item("approved", title="Live deck")
    draft = make_item("draft", title="Secret draft")
    make_entry(title="Published", collateral_ids=[live.id, draft.id])
    make_entry(title="Draft entry", published=False)
    rep = make_user("sales")
    rep_body = client.get(feed_path(rep)).data
    editor_body = client.get(feed_path(editor)).data
    for body in (rep_body, editor_body):
        assert [e.value("SUMMARY") for e in events(strict_parse(body))] == ["Published"]
    assert f"/items/{live.id}".encode() in rep_body.replace(b"\r\n ", b"")
    assert b"Secret draft" not in rep_body.replace(b"\r\n ", b"")
    assert b"Secret draft" in editor_body.replace(b"\r\n ", b"")


def test_cancelled_entries_stay_in_the_feed_for_30_days(app, editor, make_entry):
    entry = make_entry()
    services.cancel_entry(editor, entry)
    assert event_of(editor, entry).value("STATUS") == "CANCELLED"
    entry.cancelled_at = utcnow() - timedelta(days=29)
    db.session.commit()
    assert len(events(strict_parse(render(editor)))) == 1
    entry.cancelled_at = utcnow() - timedelta(days=32)
    db.session.commit()
    assert events(strict_parse(render(editor))) == []


def test_entries_that_ended_over_a_year_ago_leave_the_feed(app, editor, make_entry):
    make_entry(title="Old", **timed((date.today() - timedelta(days=400)).isoformat(), "09:00"))
    make_entry(title="Endless", rrule="FREQ=WEEKLY", **timed((date.today() - timedelta(days=800)).isoformat(), "09:00"))
    assert [e.value("SUMMARY") for e in events(strict_parse(render(editor)))] == ["Endless"]


def test_single_entry_download_is_an_attachment(app, as_user, make_entry, editor):
    entry = make_entry(title="Launch")
    hidden = make_entry(title="Hidden", published=False)
    rep, _ = as_user("sales")
    response = rep.get(f"/calendar/entries/{entry.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="hub-entry-{entry.id}.ics"'
    tree, _, _ = read_all(response.data)
    assert [e.value("UID") for e in events(tree)] == [entry.uid]
    assert tree.all("REFRESH-INTERVAL") == [] and tree.all("X-WR-CALNAME") == []
    assert rep.get(f"/calendar/entries/{hidden.id}.ics").status_code == 404


def test_feed_renders_2000_entries_quickly_enough_to_matter(app, editor):
    """Not a timing test (see bench/feed.py): the big feed stays valid and carries every entry."""
    rows = []
    now = utcnow().replace(microsecond=0)
    for n in range(300):
        start = datetime(2026, 3, 2, 9, tzinfo=NY) + timedelta(days=n)
        rows.append(CalendarEntry(title=f"Entry {n}", kind="webinar", timezone="America/New_York", published=True,
                                  starts_at=start, ends_at=start + timedelta(hours=1), span_starts_at=start,
                                  span_ends_at=start + timedelta(hours=1), rrule="FREQ=WEEKLY;COUNT=3" if n % 10 == 0 else None,
                                  updated_at=now, created_at=now, owner=editor))
    db.session.add_all(rows)
    db.session.commit()
    _, cal, _ = read_all(render(editor))
    assert len(cal.walk("VEVENT")) == 300
    assert db.session.scalar(select(func.count()).select_from(CalendarEntry)) == 300
    assert Calendar.from_ical(render(editor)).walk("VEVENT")[0]["UID"]
