"""Importing real-world .ics shapes: every occurrence as an independent expander reads the source file,
each file with its own time zones, partial files, the issue's crash repros, the round trip and the API."""
import io
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import recurring_ical_events
import vobject
from icalendar import Calendar
from sqlalchemy import func, select

from hub.calendar import feeds, importer, recurrence, services
from hub.calendar.models import CalendarEntry
from hub.errors import Invalid
from hub.extensions import db

CORPUS = Path(__file__).parent / "calendar_corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.ics"))
FIRST, LAST = date(2020, 1, 1), date(2030, 12, 31)
URLS = {"entry": "https://hub.test/calendar/entries/{}", "item": "https://hub.test/items/{}"}


def ics(*events, head=""):
    """A minimal file around VEVENT (or other) blocks, CRLF as RFC 5545 asks."""
    body = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n" + head + "".join(events) + "END:VCALENDAR\n"
    return body.replace("\n", "\r\n").encode()


def event(uid, *lines):
    return "BEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20260101T000000Z\n" + "\n".join(lines) + "\nEND:VEVENT\n"


def entry(uid):
    return db.session.scalar(select(CalendarEntry).where(CalendarEntry.uid == uid))


def count():
    return db.session.scalar(select(func.count()).select_from(CalendarEntry))


def starts(uid, first=FIRST, last=LAST):
    """The entry's occurrence starts as UTC instants (or dates for all-day entries)."""
    found = recurrence.occurrences(entry(uid), first, last)
    return [o.start if not isinstance(o.start, datetime) else o.start.astimezone(UTC) for o in found]


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def hub_occurrences():
    """{(uid, start, end, title)} for every stored entry: UTC instants, or dates with an inclusive end."""
    found = set()
    for item in db.session.scalars(select(CalendarEntry)):
        for occ in recurrence.occurrences(item, FIRST, LAST):
            start, end = occ.start, occ.end
            if isinstance(start, datetime):
                start, end = start.astimezone(UTC), end.astimezone(UTC)
            found.add((item.uid, start, end, occ.title))
    return found


def source_occurrences(data):
    """The same set, as recurring-ical-events expands the source file."""
    found = set()
    for occ in recurring_ical_events.of(Calendar.from_ical(data)).between(FIRST, LAST + timedelta(days=1)):
        start, end = occ["DTSTART"].dt, occ["DTEND"].dt if "DTEND" in occ else None
        if isinstance(start, datetime):
            start = start.astimezone(UTC)
            end = end.astimezone(UTC) if end is not None else start + timedelta(hours=1)
        else:
            end = (end - timedelta(days=1)) if end is not None and end > start else start
        found.add((str(occ["UID"]), start, end, str(occ["SUMMARY"])))
    return found


# --- the corpus -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_each_export_imports_every_occurrence_as_the_source_says(app, editor, name):
    data = (CORPUS / name).read_bytes()
    result = importer.import_ics(editor, data, published=True)
    assert result.skipped == [] and result.added > 0
    assert hub_occurrences() == source_occurrences(data)
    body = feeds.render(editor, {}, None, URLS)
    Calendar.from_ical(body)
    assert len(list(vobject.readComponents(body.decode()))) == 1
    again = importer.import_ics(editor, body)
    assert again.counts() == (0, 0, result.added) and again.skipped == []


def test_corpus_zones_land_in_their_real_iana_zones(app, editor):
    for name in FILES:
        importer.import_ics(editor, (CORPUS / name).read_bytes())
    zones = {e.title: e.timezone for e in db.session.scalars(select(CalendarEntry)) if not e.all_day}
    assert zones["Channel stand-up"] == "Europe/Berlin"  # a Windows name
    assert zones["Month-end pipeline review"] == "America/New_York"  # Outlook's "Customized Time Zone"
    assert zones["Weekly content planning"] == "Europe/Berlin"  # /mozilla.org/20050126_1/Europe/Berlin
    assert zones["Monday pricing sync"] == "Europe/Berlin"  # /freeassociation.sourceforge.net/Tzfile/...
    assert zones["Regional marketing call"] == "Europe/Paris"  # Notes' custom zone: the first common zone with its rules
    assert zones["EMEA partner office hours"] == "Europe/Berlin"  # X-WR-TIMEZONE


# --- time zones -----------------------------------------------------------------------------------


def customized(offset, uid):
    zone = ("BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
            f"TZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:16010101T000000\n"
            f"TZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\nEND:DAYLIGHT\nEND:VTIMEZONE\n")
    return ics(zone, event(uid, "SUMMARY:Call", "DTSTART;TZID=Customized Time Zone:20270301T100000",
                           "DTEND;TZID=Customized Time Zone:20270301T110000"))


def test_one_import_never_changes_another_with_the_same_custom_tzid(app, editor):
    importer.import_ics(editor, customized("+0530", "india@x"))
    with pytest.raises(Invalid):  # a refused file leaves nothing behind either
        importer.import_ics(editor, customized("+0200", "refused@x").replace(b"SUMMARY:Call", b"RRULE:FREQ=DAILY;X=1"))
    importer.import_ics(editor, customized("-0700", "arizona@x"))
    assert entry("india@x").starts_at == utc(2027, 3, 1, 4, 30)
    assert entry("arizona@x").starts_at == utc(2027, 3, 1, 17, 0)
    assert entry("refused@x") is None


@pytest.mark.parametrize("tzid", ["/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
                                  "/mozilla.org/20050126_1/Europe/Berlin", "W. Europe Standard Time"])
def test_vendor_prefixed_zones_keep_local_time_across_the_dst_change(app, editor, tzid):
    zone = f"BEGIN:VTIMEZONE\nTZID:{tzid}\nBEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0200\n" \
           "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n"
    data = ics(zone, event("weekly@x", "SUMMARY:Monday", f"DTSTART;TZID={tzid}:20270315T090000",
                           f"DTEND;TZID={tzid}:20270315T100000", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4"))
    assert importer.import_ics(editor, data).counts() == (1, 0, 0)
    assert starts("weekly@x") == [utc(2027, 3, 15, 8), utc(2027, 3, 22, 8), utc(2027, 3, 29, 7), utc(2027, 4, 5, 7)]


def test_a_repeating_event_in_a_zone_hub_cannot_identify_is_refused_naming_it(app, editor, client, token_for):
    zone = "BEGIN:VTIMEZONE\nTZID:Mars Base\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0547\n" \
           "TZOFFSETTO:+0547\nEND:STANDARD\nEND:VTIMEZONE\n"
    data = ics(zone, event("mars@x", "SUMMARY:Sync", "DTSTART;TZID=Mars Base:20270301T100000",
                           "RRULE:FREQ=WEEKLY;COUNT=3"),
               event("once@x", "SUMMARY:Once", "DTSTART;TZID=Mars Base:20270301T100000"))
    response = client.post("/api/v1/calendar/import", data={"file": (io.BytesIO(data), "m.ics")},
                           headers=token_for(editor), content_type="multipart/form-data")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["added"], [s["uid"] for s in body["skipped"]]) == (1, ["mars@x"])
    assert "Mars Base" in body["skipped"][0]["reason"]
    db.session.rollback()
    assert entry("once@x").starts_at == utc(2027, 3, 1, 4, 13)  # a single event keeps its instant


def test_an_undefined_unknown_tzid_is_refused_naming_it(app, editor):
    data = ics(event("nowhere@x", "SUMMARY:Lost", "DTSTART;TZID=Nowhere/Land:20270301T100000"))
    with pytest.raises(Invalid) as caught:
        importer.import_ics(editor, data)
    assert "Nowhere/Land" in caught.value.message and count() == 0


def test_x_wr_timezone_applies_to_utc_times(app, editor):
    data = ics(event("office@x", "SUMMARY:Office hours", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z",
                     "RRULE:FREQ=WEEKLY;COUNT=6"), head="X-WR-TIMEZONE:Europe/Berlin\n")
    importer.import_ics(editor, data)
    assert entry("office@x").timezone == "Europe/Berlin"
    local = [o.start for o in recurrence.occurrences(entry("office@x"), FIRST, LAST)]
    assert [(o.hour, o.minute) for o in local] == [(10, 0)] * 6
    assert local[-1].astimezone(UTC).hour == 8  # 6 April 2026 is summer time


# --- recurrence --------------------------------------------------------------------------------------


def test_rdates_of_every_form_add_occurrences(app, editor):
    ny = "BEGIN:VTIMEZONE\nTZID:America/New_York\nEND:VTIMEZONE\n"
    data = ics(ny, event("rdate@x", "SUMMARY:Launch", "DTSTART;TZID=America/New_York:20270301T100000",
                         "DTEND;TZID=America/New_York:20270301T110000", "RRULE:FREQ=WEEKLY;COUNT=3",
                         "RDATE;TZID=America/New_York:20270304T100000,20270325T150000"),
               event("dates@x", "SUMMARY:Fair", "DTSTART;VALUE=DATE:20270601", "RDATE;VALUE=DATE:20270610,20270620"),
               event("period@x", "SUMMARY:Period", "DTSTART:20270601T090000Z", "DTEND:20270601T100000Z",
                     "RDATE;VALUE=PERIOD:20270602T120000Z/20270602T150000Z"))
    importer.import_ics(editor, data)
    assert len(starts("rdate@x")) == 5 and starts("rdate@x")[-1] == utc(2027, 3, 25, 19)
    assert starts("dates@x") == [date(2027, 6, 1), date(2027, 6, 10), date(2027, 6, 20)]
    last = recurrence.occurrences(entry("period@x"), FIRST, LAST)[-1]
    assert (last.end - last.start) == timedelta(hours=3)
    assert source_occurrences(data) == hub_occurrences()


def test_bysetpos_thisandfuture_and_an_overrides_own_text(app, editor):
    data = ics(event("eom@x", "SUMMARY:Month end", "DTSTART:20270129T150000Z", "DTEND:20270129T160000Z",
                     "RRULE:FREQ=MONTHLY;COUNT=4;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
               event("daily@x", "SUMMARY:Daily", "DTSTART:20270501T080000Z", "DTEND:20270501T083000Z",
                     "RRULE:FREQ=DAILY;COUNT=8"),
               event("daily@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270505T080000Z", "SUMMARY:Daily (late)",
                     "DTSTART:20270505T110000Z", "DTEND:20270505T113000Z", "LOCATION:Room 2",
                     "DESCRIPTION:New slot"))
    importer.import_ics(editor, data)
    assert [s.date() for s in starts("eom@x")] == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 31),
                                                   date(2027, 4, 30)]
    assert [s.hour for s in starts("daily@x")] == [8] * 4 + [11] * 4
    later = recurrence.occurrences(entry("daily@x"), date(2027, 5, 7), date(2027, 5, 7))[0]
    assert (later.title, later.location) == ("Daily (late)", "Room 2")
    assert source_occurrences(data) == hub_occurrences()


def test_a_start_the_rule_does_not_give_still_counts_as_the_first_occurrence(app, editor):
    data = ics(event("tue@x", "SUMMARY:Kick-off then Mondays", "DTSTART;TZID=Europe/Berlin:20270302T100000",
                     "DTEND;TZID=Europe/Berlin:20270302T110000", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"),
               event("fri@x", "SUMMARY:All-day", "DTSTART;VALUE=DATE:20270305", "RRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=2"))
    assert importer.import_ics(editor, data, published=True).skipped == []
    assert [s.day for s in starts("tue@x")] == [2, 8, 15, 22]
    assert starts("fri@x") == [date(2027, 3, 5), date(2027, 4, 5), date(2027, 5, 3)]
    assert source_occurrences(data) == hub_occurrences()
    assert importer.import_ics(editor, feeds.render(editor, {}, None, URLS)).counts() == (0, 0, 2)


# --- no 500, ever -----------------------------------------------------------------------------------


REPROS = {
    "exdate-date-on-timed": (event("a@x", "SUMMARY:A", "DTSTART:20240609T030000Z", "RRULE:FREQ=DAILY;COUNT=4",
                                   "EXDATE;VALUE=DATE:20240611"), 200),
    "date-start-datetime-end": (event("b@x", "SUMMARY:B", "DTSTART;VALUE=DATE:20230724", "DTEND:20230817T000000Z"), 200),
    "two-dtstart": (event("c@x", "SUMMARY:C", "DTSTART:20240609T030000Z", "DTSTART:20240610T030000Z"), 422),
    "two-recurrence-id": (event("d@x", "SUMMARY:D", "DTSTART:20240609T030000Z", "RRULE:FREQ=DAILY;COUNT=4")
                          + event("d@x", "RECURRENCE-ID:20240610T030000Z", "RECURRENCE-ID:20240611T030000Z",
                                  "DTSTART:20240610T050000Z"), 200),
}


@pytest.mark.parametrize("name", list(REPROS))
def test_the_issues_crash_repros_import_or_answer_422_with_the_reason(app, as_user, name):
    browser, _ = as_user("marketing")
    block, status = REPROS[name]
    response = browser.post("/calendar/import", data={"file": (io.BytesIO(ics(block)), "r.ics")},
                            content_type="multipart/form-data")
    assert response.status_code == (303 if status == 200 and name != "two-recurrence-id" else status)
    if name == "exdate-date-on-timed":
        assert starts("a@x") == [utc(2024, 6, 9, 3), utc(2024, 6, 10, 3), utc(2024, 6, 12, 3)]
    if name == "date-start-datetime-end":
        assert (entry("b@x").starts_on, entry("b@x").ends_on) == (date(2023, 7, 24), date(2023, 8, 16))
    if name == "two-dtstart":
        assert "2 DTSTART lines" in response.get_data(as_text=True)
    if name == "two-recurrence-id":
        assert "2 RECURRENCE-ID lines" in response.get_data(as_text=True) and len(starts("d@x")) == 4


# --- partial files, bytes, limits ---------------------------------------------------------------------


def test_a_partial_file_imports_the_good_events_and_lists_the_rest(app, editor, client, token_for):
    data = ics(event("good@x", "SUMMARY:Good", "DTSTART:20270301T100000Z"),
               event("lone@x", "RECURRENCE-ID:20270301T100000Z", "DTSTART:20270302T100000Z", "SUMMARY:Lone"),
               "BEGIN:VTODO\nUID:todo@x\nSUMMARY:Slides\nEND:VTODO\n")
    response = client.post("/api/v1/calendar/import", data={"file": (io.BytesIO(data), "p.ics")},
                           headers=token_for(editor), content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 200 and (body["added"], body["updated"], body["unchanged"]) == (1, 0, 0)
    assert sorted(s["uid"] for s in body["skipped"]) == ["lone@x", "todo@x"]
    assert all(s["reason"] for s in body["skipped"])


@pytest.mark.parametrize("data,limit", [(b"not a calendar", None), (b"", None),
                                        (ics(event("big@x", "SUMMARY:" + "x" * 70, "DTSTART:20270301T100000Z")), 200)])
def test_files_that_are_not_calendars_or_too_big_change_nothing(app, editor, client, token_for, data, limit):
    app.config["CALENDAR_IMPORT_MAX_BYTES"] = limit or app.config["CALENDAR_IMPORT_MAX_BYTES"]
    before = count()
    response = client.post("/api/v1/calendar/import", data={"file": (io.BytesIO(data), "x.ics")},
                           headers=token_for(editor), content_type="multipart/form-data")
    assert response.status_code == 422 and response.get_json()["error"]
    db.session.rollback()
    assert count() == before


def test_a_fold_splitting_a_utf8_character_is_unfolded_before_decoding(app, editor):
    data = ics(event("cafe@x", "SUMMARY:café meeting", "DTSTART:20270301T100000Z")).replace(b"\xc3\xa9", b"\xc3\r\n \xa9")
    assert b"caf\xc3\r\n \xa9" in data
    importer.import_ics(editor, data)
    assert entry("cafe@x").title == "café meeting"


def test_only_marketing_and_admins_import_through_the_api(app, client, make_user, token_for):
    data = ics(event("rep@x", "SUMMARY:Rep", "DTSTART:20270301T100000Z"))
    response = client.post("/api/v1/calendar/import", data={"file": (io.BytesIO(data), "x.ics")},
                           headers=token_for(make_user("sales")), content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.post("/api/v1/calendar/import", data={"file": (io.BytesIO(data), "x.ics")},
                       content_type="multipart/form-data").status_code == 401


# --- round trip ---------------------------------------------------------------------------------------


def test_reimporting_hubs_own_feed_changes_nothing(app, editor, make_entry):
    made = make_entry(title="Partner day", url="https://example.com/partner", products=["Lumora, Insight"],
                      audience=["EMEA"], description="Bring slides.", rrule="FREQ=WEEKLY;COUNT=4")
    for name in FILES:
        importer.import_ics(editor, (CORPUS / name).read_bytes(), published=True)
    db.session.flush()
    before = {e.uid: (e.sequence, e.description, e.url, e.title, e.updated_at) for e in db.session.scalars(
        select(CalendarEntry))}
    body = feeds.render(editor, {}, None, URLS)
    for _ in range(2):
        result = importer.import_ics(editor, body)
        assert result.counts() == (0, 0, len(before)) and result.skipped == []
    after = {e.uid: (e.sequence, e.description, e.url, e.title, e.updated_at) for e in db.session.scalars(
        select(CalendarEntry))}
    assert after == before and after[made.uid][2] == "https://example.com/partner"


def mangled(data, rng):
    """The file with one to three lines deleted, repeated, given a garbage value or a broken time."""
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        how = rng.randrange(4)
        if how == 0:
            del lines[at]
        elif how == 1:
            lines.insert(at, lines[rng.randrange(len(lines))])
        elif how == 2 and b":" in lines[at]:
            name, _, value = lines[at].partition(b":")
            lines[at] = name + b":" + bytes(rng.choice(b"0123456789TZ-:;,/") for _ in value)
        else:
            lines[at] = lines[at].replace(b"T", b"", 1)
    return b"\n".join(lines)


def test_mangled_exports_import_or_are_refused_never_crash(app, editor):
    rng = random.Random(11)
    files = [(CORPUS / name).read_bytes() for name in FILES]
    for _ in range(300):
        data = mangled(rng.choice(files), rng)
        try:
            with db.session.begin_nested():
                importer.import_ics(editor, data)
        except Invalid:
            pass  # refused with a reason; anything else fails the test


# --- RANGE=THISANDFUTURE on an endless series: split in two, as Google Calendar and Thunderbird do ----


def without_uids(found):
    """The occurrences of hub_occurrences/source_occurrences without their UIDs: a split gives a new one."""
    return {occurrence[1:] for occurrence in found}


def rule_parts(uid):
    return dict(part.split("=") for part in entry(uid).rrule.split(";"))


BERLIN_DAILY = (event("day@x", "SUMMARY:Stand-up", "DTSTART;TZID=Europe/Berlin:20270301T100000",
                      "DTEND;TZID=Europe/Berlin:20270301T101500", "RRULE:FREQ=DAILY",
                      "EXDATE;TZID=Europe/Berlin:20270303T100000,20270310T100000"),
                event("day@x", "RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20270305T100000",
                      "SUMMARY:Stand-up (afternoon)", "DTSTART;TZID=Europe/Berlin:20270305T140000",
                      "DTEND;TZID=Europe/Berlin:20270305T143000", "LOCATION:Room 4"))


def test_thisandfuture_on_an_endless_series_splits_it_at_the_override(app, editor):
    data = ics(*BERLIN_DAILY)
    result = importer.import_ics(editor, data, published=True)
    assert result.counts() == (2, 0, 0) and result.skipped == []
    first, second = entry("day@x"), entry("day@x_R20270305T090000Z")
    assert rule_parts("day@x") == {"FREQ": "DAILY", "UNTIL": "20270304T090000Z"}  # the 4th, in UTC
    assert second.rrule == "FREQ=DAILY" and (second.title, second.location) == ("Stand-up (afternoon)", "Room 4")
    assert (second.starts_at, second.ends_at) == (utc(2027, 3, 5, 13), utc(2027, 3, 5, 13, 30))
    assert starts("day@x") == [utc(2027, 3, n, 9) for n in (1, 2, 4)]  # the 3rd was removed
    later = starts("day@x_R20270305T090000Z", date(2027, 3, 5), date(2027, 3, 31))
    assert later[:5] == [utc(2027, 3, n, 13) for n in (5, 6, 7, 8, 9)]
    assert utc(2027, 3, 10, 13) not in later  # the master's EXDATE after the split moved with the rest
    assert later[-1] == utc(2027, 3, 31, 12)  # 14:00 summer time after 28 March
    far = recurrence.occurrences(second, date(2030, 12, 1), date(2030, 12, 1))
    assert [(o.start.hour, o.start.astimezone(UTC).hour, o.end.minute, o.title) for o in far] == [
        (14, 13, 30, "Stand-up (afternoon)")]
    assert first.span_ends_at == utc(2027, 3, 4, 9, 15) and second.span_ends_at is None
    assert without_uids(hub_occurrences()) == without_uids(source_occurrences(data))
    body = feeds.render(editor, {}, None, URLS)
    fed = {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    assert set(fed) == {"day@x", "day@x_R20270305T090000Z"}
    assert fed["day@x"]["RRULE"].to_ical() == b"FREQ=DAILY;UNTIL=20270304T090000Z"
    assert "RECURRENCE-ID" not in fed["day@x_R20270305T090000Z"]
    assert len(list(vobject.readComponents(body.decode()))) == 1
    assert importer.import_ics(editor, body).counts() == (0, 0, 2)
    again = importer.import_ics(editor, data)
    assert again.counts() == (0, 0, 2) and again.skipped == [] and count() == 2


def test_a_changed_split_updates_both_entries_and_adds_none(app, editor):
    importer.import_ics(editor, ics(*BERLIN_DAILY))
    changed = ics(*BERLIN_DAILY).replace(b"20270305T143000", b"20270305T150000")
    assert importer.import_ics(editor, changed).counts() == (0, 1, 1) and count() == 2
    assert entry("day@x_R20270305T090000Z").ends_at == utc(2027, 3, 5, 14)


def test_several_thisandfuture_overrides_split_an_endless_series_again_each_time(app, editor):
    data = ics(event("wk@x", "SUMMARY:Planning", "DTSTART:20270104T150000Z", "DTEND:20270104T160000Z",
                     "RRULE:FREQ=WEEKLY", "EXDATE:20270301T150000Z", "RDATE:20270406T150000Z"),
               event("wk@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270201T150000Z", "SUMMARY:Planning (new slot)",
                     "DTSTART:20270201T170000Z", "DTEND:20270201T173000Z"),
               event("wk@x", "RECURRENCE-ID:20270215T150000Z", "SUMMARY:Planning",
                     "DTSTART:20270216T090000Z", "DTEND:20270216T100000Z"),
               event("wk@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270322T150000Z", "SUMMARY:Planning (mornings)",
                     "DTSTART:20270322T080000Z", "DTEND:20270322T090000Z", "DESCRIPTION:Earlier"))
    result = importer.import_ics(editor, data)
    assert result.counts() == (3, 0, 0) and result.skipped == []
    assert rule_parts("wk@x")["UNTIL"] == "20270125T150000Z"
    assert rule_parts("wk@x_R20270201T150000Z")["UNTIL"] == "20270315T170000Z"
    assert "UNTIL" not in rule_parts("wk@x_R20270322T150000Z")
    middle = recurrence.occurrences(entry("wk@x_R20270201T150000Z"), FIRST, LAST)
    assert [(o.start.astimezone(UTC), o.title) for o in middle] == [
        (utc(2027, 2, 1, 17), "Planning (new slot)"), (utc(2027, 2, 8, 17), "Planning (new slot)"),
        (utc(2027, 2, 16, 9), "Planning"), (utc(2027, 2, 22, 17), "Planning (new slot)"),
        (utc(2027, 3, 8, 17), "Planning (new slot)"), (utc(2027, 3, 15, 17), "Planning (new slot)")]
    assert starts("wk@x_R20270322T150000Z", date(2027, 4, 1), date(2027, 4, 12)) == [
        utc(2027, 4, 5, 8), utc(2027, 4, 6, 8), utc(2027, 4, 12, 8)]  # the RDATE moved with its series
    assert without_uids(hub_occurrences()) == without_uids(source_occurrences(data))
    assert importer.import_ics(editor, data).counts() == (0, 0, 3)


def test_thisandfuture_on_an_endless_all_day_series_ends_the_first_part_on_a_date(app, editor):
    data = ics(event("fair@x", "SUMMARY:Fair day", "DTSTART;VALUE=DATE:20270104", "DTEND;VALUE=DATE:20270105",
                     "RRULE:FREQ=WEEKLY"),
               event("fair@x", "RECURRENCE-ID;RANGE=THISANDFUTURE;VALUE=DATE:20270125", "SUMMARY:Fair day",
                     "DTSTART;VALUE=DATE:20270126", "DTEND;VALUE=DATE:20270128"))
    result = importer.import_ics(editor, data, published=True)
    assert result.counts() == (2, 0, 0) and result.skipped == []
    assert rule_parts("fair@x") == {"FREQ": "WEEKLY", "UNTIL": "20270118"}
    second = entry("fair@x_R20270125")
    assert (second.starts_on, second.ends_on, second.title) == (date(2027, 1, 26), date(2027, 1, 27), "Fair day")
    assert starts("fair@x") == [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 18)]
    assert starts("fair@x_R20270125", date(2029, 12, 20), date(2029, 12, 31)) == [date(2029, 12, 25)]
    assert without_uids(hub_occurrences()) == without_uids(source_occurrences(data))
    assert importer.import_ics(editor, feeds.render(editor, {}, None, URLS)).counts() == (0, 0, 2)


def test_thisandfuture_at_the_first_occurrence_changes_the_series_without_a_split(app, editor):
    data = ics(event("all@x", "SUMMARY:Sync", "DTSTART:20270104T150000Z", "DTEND:20270104T160000Z", "RRULE:FREQ=DAILY"),
               event("all@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270104T150000Z", "SUMMARY:Sync",
                     "DTSTART:20270104T160000Z", "DTEND:20270104T170000Z"))
    assert importer.import_ics(editor, data).counts() == (1, 0, 0) and count() == 1
    assert (entry("all@x").rrule, starts("all@x", date(2027, 1, 4), date(2027, 1, 5))) == (
        "FREQ=DAILY", [utc(2027, 1, 4, 16), utc(2027, 1, 5, 16)])


def test_a_thisandfuture_shift_the_rule_cannot_carry_is_skipped_with_the_reason(app, editor):
    data = ics(event("mon@x", "SUMMARY:Mondays", "DTSTART:20270104T150000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO"),
               event("mon@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270118T150000Z", "DTSTART:20270119T150000Z"),
               event("ok@x", "SUMMARY:Other", "DTSTART:20270104T150000Z"))
    result = importer.import_ics(editor, data)
    assert result.counts() == (1, 0, 0) and [uid for uid, _ in result.skipped] == ["mon@x"]
    assert "RANGE=THISANDFUTURE" in result.skipped[0][1] and entry("mon@x") is None


def test_several_thisandfuture_overrides_on_a_bounded_series_each_own_their_later_occurrences(app, editor):
    data = ics(event("b@x", "SUMMARY:Daily", "DTSTART:20270501T080000Z", "DTEND:20270501T083000Z",
                     "RRULE:FREQ=DAILY;COUNT=8"),
               event("b@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270503T080000Z", "SUMMARY:Daily",
                     "DTSTART:20270503T100000Z", "DTEND:20270503T103000Z"),
               event("b@x", "RECURRENCE-ID;RANGE=THISANDFUTURE:20270506T080000Z", "SUMMARY:Daily",
                     "DTSTART:20270506T120000Z", "DTEND:20270506T123000Z"))
    assert importer.import_ics(editor, data).counts() == (1, 0, 0)
    assert [s.hour for s in starts("b@x")] == [8, 8, 10, 10, 10, 12, 12, 12]
    assert hub_occurrences() == source_occurrences(data)


# --- re-imports: what changed is read again, the rest counted unchanged --------------------------------


BERLIN_RULES = ("BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\nDTSTART:16010101T030000\n"
                "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n"
                "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
                "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\nEND:VTIMEZONE\n")
NEW_YORK_RULES = ("BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\nDTSTART:16010101T020000\n"
                  "TZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\nEND:STANDARD\n"
                  "BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\n"
                  "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\nEND:DAYLIGHT\nEND:VTIMEZONE\n")
CUSTOM = "Customized Time Zone"


def office_file(zone=BERLIN_RULES, head="", moved="20270315T140000Z", title="Pricing call"):
    """A series with a moved occurrence, a call in a custom zone and an all-day fair."""
    return ics(zone,
               event("series@x", "SUMMARY:Planning", "DTSTART:20270301T090000Z", "DTEND:20270301T100000Z",
                     "RRULE:FREQ=WEEKLY;COUNT=4"),
               event("series@x", "RECURRENCE-ID:20270315T090000Z", "SUMMARY:Planning",
                     f"DTSTART:{moved}", "DTEND:20270315T160000Z"),
               event("call@x", f"SUMMARY:{title}", f"DTSTART;TZID={CUSTOM}:20270301T100000",
                     f"DTEND;TZID={CUSTOM}:20270301T110000"),
               event("fair@x", "SUMMARY:Fair", "DTSTART;VALUE=DATE:20270610", "DTEND;VALUE=DATE:20270612"),
               head=head)


def test_a_reimport_updates_exactly_the_event_that_changed(app, editor):
    assert importer.import_ics(editor, office_file(), published=True).counts() == (3, 0, 0)
    assert importer.import_ics(editor, office_file()).counts() == (0, 0, 3)
    result = importer.import_ics(editor, office_file(moved="20270315T150000Z"))  # only the override changed
    assert result.counts() == (0, 1, 2) and result.skipped == []
    assert utc(2027, 3, 15, 15) in starts("series@x") and entry("series@x").sequence == 1
    assert importer.import_ics(editor, office_file(moved="20270315T150000Z", title="Pricing")).counts() == (0, 1, 2)
    assert entry("call@x").title == "Pricing" and entry("fair@x").sequence == 0
    assert importer.import_ics(editor, office_file(moved="20270315T150000Z", title="Pricing")).counts() == (0, 0, 3)


def test_a_changed_vtimezone_updates_the_events_that_use_it(app, editor):
    importer.import_ics(editor, office_file())
    assert (entry("call@x").timezone, entry("call@x").starts_at) == ("Europe/Paris", utc(2027, 3, 1, 9))
    result = importer.import_ics(editor, office_file(zone=NEW_YORK_RULES))  # same TZID, other rules
    assert result.counts() == (0, 1, 2)
    assert (entry("call@x").timezone, entry("call@x").starts_at) == ("America/New_York", utc(2027, 3, 1, 15))


def test_a_changed_x_wr_timezone_updates_the_events_it_applies_to(app, editor):
    importer.import_ics(editor, office_file(head="X-WR-TIMEZONE:Europe/Berlin\n"))
    assert entry("series@x").timezone == "Europe/Berlin"
    result = importer.import_ics(editor, office_file(head="X-WR-TIMEZONE:America/New_York\n"))
    assert result.counts()[1] >= 1 and entry("series@x").timezone == "America/New_York"
    assert starts("series@x")[0] == utc(2027, 3, 1, 9)  # the same instants, now in New York
    assert importer.import_ics(editor, office_file(head="X-WR-TIMEZONE:America/New_York\n")).counts() == (0, 0, 3)


def test_an_entry_changed_in_hub_since_its_import_is_read_again(app, editor):
    importer.import_ics(editor, office_file())
    services.update_entry(editor, entry("call@x"), {"title": "Renamed in Hub"})
    services.cancel_entry(editor, entry("fair@x"))
    assert importer.import_ics(editor, office_file()).counts() == (0, 2, 1)
    assert (entry("call@x").title, entry("fair@x").status) == ("Pricing call", "confirmed")


def test_what_a_reimport_leaves_out_is_reported_every_time(app, editor):
    data = ics(REPROS["two-recurrence-id"][0], event("once@x", "SUMMARY:Once", "DTSTART:20270301T100000Z"))
    for expected in ((2, 0, 0), (0, 0, 2), (0, 0, 2)):
        result = importer.import_ics(editor, data)
        assert result.counts() == expected
        assert [uid for uid, _ in result.skipped] == ["d@x"] and "2 RECURRENCE-ID lines" in result.skipped[0][1]
    doubled = data.replace(b"BEGIN:VEVENT\r\nUID:once@x", b"BEGIN:VEVENT\r\nUID:once@x\r\nSUMMARY:Again\r\n"
                           b"DTSTART:20270302T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:once@x")
    result = importer.import_ics(editor, doubled)  # the same UID twice: neither counted unchanged
    assert result.counts() == (0, 0, 1) and sorted(uid for uid, _ in result.skipped) == ["d@x", "once@x"]


@pytest.mark.parametrize("name", FILES)
def test_each_export_read_again_in_full_is_unchanged(app, editor, name):
    """What lets a re-import count an unchanged event without reading it: reading it again changes nothing."""
    data = (CORPUS / name).read_bytes()
    added = importer.import_ics(editor, data).added
    assert importer.import_ics(editor, data).counts() == (0, 0, added)  # its events unread
    first, rest = data.split(b"\n", 1)
    touched = first + b"\nX-HUB-TEST:another calendar property, so every event is read again\r\n" + rest
    result = importer.import_ics(editor, touched)
    assert result.counts() == (0, 0, added) and result.skipped == []


def test_a_hub_feed_imported_into_an_empty_calendar_keeps_labels_changes_and_cancellations(app, editor, make_entry):
    made = make_entry(title="Partner day", products=["Lumora"], audience=["EMEA", "Partners"],
                      rrule="FREQ=WEEKLY;COUNT=4", exdates=["2026-03-09T09:00:00-04:00"],
                      overrides=[{"recurrence_id": "2026-03-16T09:00:00-04:00", "starts_at": "2026-03-16T13:00:00-04:00",
                                  "ends_at": "2026-03-16T14:00:00-04:00", "title": "Partner day (afternoon)"}])
    gone = services.cancel_entry(editor, make_entry(title="Roadshow", all_day=True, starts_at="2026-04-01",
                                                    ends_at="2026-04-02"))
    body = feeds.render(editor, {}, None, URLS)
    expected = hub_occurrences()
    for item in (made, gone):
        services.delete_entry(editor, services.cancel_entry(editor, item))
    result = importer.import_ics(editor, body, published=True)
    assert result.counts() == (2, 0, 0) and result.skipped == []
    assert hub_occurrences() == expected
    copy, cancelled = entry(made.uid), entry(gone.uid)
    assert (copy.products, copy.audience, copy.span_starts_at) == (["Lumora"], ["EMEA", "Partners"], made.span_starts_at)
    assert [c.title for c in copy.moved] == ["Partner day (afternoon)"] and len(copy.removed) == 1
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None and cancelled.ends_on == date(2026, 4, 2)
    assert importer.import_ics(editor, body).counts() == (0, 0, 2)


def test_a_new_dtstamp_alone_changes_nothing_and_a_broken_one_is_still_reported(app, editor):
    importer.import_ics(editor, office_file())
    restamped = office_file().replace(b"DTSTAMP:20260101T000000Z", b"DTSTAMP:20261201T083000Z")
    assert importer.import_ics(editor, restamped).counts() == (0, 0, 3)  # as Google's exports restamp each event
    broken = office_file().replace(b"UID:fair@x\r\nDTSTAMP:20260101T000000Z", b"UID:fair@x\r\nDTSTAMP:2026-01-01")
    result = importer.import_ics(editor, broken)
    assert result.counts() == (0, 0, 2) and [uid for uid, _ in result.skipped] == ["fair@x"]
