"""What's new for me (issue 14): saved items, recently viewed, "New for you", notifications and their e-mail."""
import re
from datetime import timedelta

from hub.extensions import db
from hub.library import services as library
from hub.library import workflow
from hub.library.models import StatusChange
from hub.models import today, utcnow
from hub.usage import feedback
from hub.usage.models import UsageEvent
from hub.whatsnew import services
from hub.whatsnew.models import Notification

from .conftest import upload


def bell(page_html):
    """The unread count the top bar shows (0 when there is no count)."""
    match = re.search(r"data-bell-count>(\d+)<", page_html)
    return int(match.group(1)) if match else 0


def notes_of(user):
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


# --- saved items ---------------------------------------------------------------------------------

def test_a_star_saves_and_unsaves_without_script(as_user, make_item):
    item = make_item(title="Pricing one-pager")
    rep, _ = as_user("sales")
    home = rep.get("/").get_data(as_text=True)
    assert f'action="/saved/{item.id}"' in home and 'aria-pressed="false"' in home
    answer = rep.post(f"/saved/{item.id}", {"saved": "1", "next": "/stages/awareness"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/stages/awareness")
    saved = rep.get("/saved").get_data(as_text=True)
    assert "Pricing one-pager" in saved and 'aria-pressed="true"' in saved
    assert rep.post(f"/saved/{item.id}", {"saved": "1"}).status_code == 303  # twice: still one
    assert rep.post(f"/saved/{item.id}", {"saved": "0"}).status_code == 303
    assert "Nothing saved yet" in rep.get("/saved").get_data(as_text=True)


def test_the_star_answers_script_with_json_and_refuses_without_csrf(as_user, make_item):
    item = make_item()
    rep, _ = as_user("sales")
    answer = rep.post(f"/saved/{item.id}", {"saved": "1"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json() == {"saved": True, "collateral_id": item.id}
    assert rep.client.post(f"/saved/{item.id}", data={"saved": "0"}).status_code == 400  # no CSRF token
    assert item.id in {i.id for i in services.saved_items(_user(rep))}


def _user(b):
    from hub.auth.models import User

    email = re.search(r"<p class=\"muted\">([^ ]+@[^ ]+) ·", b.get("/account").get_data(as_text=True)).group(1)
    return db.session.scalar(db.select(User).where(User.email == email))


def test_reps_cannot_save_what_they_cannot_see(as_user, make_item):
    draft = make_item(status="draft")
    rep, _ = as_user("sales")
    assert rep.post(f"/saved/{draft.id}", {"saved": "1"}).status_code == 404
    assert rep.post("/saved/99999999", {"saved": "1"}).status_code == 404


# --- recently viewed and "New for you" -----------------------------------------------------------

def test_recently_viewed_lists_the_last_items_opened_newest_first(as_user, make_item):
    first, second = make_item(title="First deck"), make_item(title="Second deck")
    rep, user = as_user("sales")
    rep.get(f"/items/{first.id}")
    rep.get(f"/items/{second.id}")
    rep.get(f"/items/{first.id}")
    assert [i.title for i in services.recently_viewed(user)] == ["First deck", "Second deck"]
    page = rep.get("/saved").get_data(as_text=True)
    recent = page[page.index("Recently viewed"):]
    assert recent.index("First deck") < recent.index("Second deck")
    assert "Recently viewed" in rep.get("/").get_data(as_text=True)


def test_new_for_you_shows_what_changed_since_the_last_visit_in_what_the_rep_uses(app, as_user, make_item, make_user):
    editor = make_user("marketing")
    used = make_item(title="Old healthcare deck", industry="Healthcare", owner=editor)
    rep, user = as_user("sales")
    days_ago = utcnow() - timedelta(days=3)
    db.session.add(UsageEvent(user_id=user.id, action="view", collateral_id=used.id, at=days_ago))
    db.session.add(UsageEvent(user_id=user.id, action="view", collateral_id=used.id, at=days_ago))
    db.session.execute(db.update(StatusChange).where(StatusChange.collateral_id == used.id)
                       .values(created_at=days_ago - timedelta(days=1)))
    db.session.commit()
    make_item(title="Fresh healthcare case study", industry="Healthcare", owner=editor)
    make_item(title="Fresh retail case study", industry="Retail", owner=editor)
    items, since = services.new_for_you(user)
    titles = [i.title for i in items]
    assert "Fresh healthcare case study" in titles and "Fresh retail case study" not in titles
    assert since >= days_ago - timedelta(seconds=1)
    version = library.add_version(editor, used, upload())
    db.session.commit()
    assert "Old healthcare deck" not in [i.title for i in services.new_for_you(user)[0]]  # waits for approval
    workflow.decide_version(editor, used, version.number, approve=True)
    db.session.commit()
    items, _ = services.new_for_you(user)
    news = {i.title: i.news for i in items}
    assert news["Old healthcare deck"] == "New version" and news["Fresh healthcare case study"] == "New"
    page = rep.get("/").get_data(as_text=True)
    strip = page[page.index("New for you"):page.index("Recently viewed") if "Recently viewed" in page else None]
    assert "Fresh healthcare case study" in strip and "New version" in strip and "Fresh retail" not in strip


# --- notifications -------------------------------------------------------------------------------

def test_a_new_version_of_a_saved_item_notifies_and_mails_those_who_asked(app, as_user, make_item, make_user,
                                                                          mailbox, work):
    editor = make_user("marketing")
    item = make_item(title="Battlecard", owner=editor)
    rep, user = as_user("sales")
    quiet, quiet_user = as_user("sales")
    for b in (rep, quiet):
        assert b.post(f"/saved/{item.id}", {"saved": "1"}).status_code == 303
    assert rep.post("/account/notifications", {"mail": ["new_version", "withdrawn"]}).status_code == 303
    assert 'value="new_version" checked' in rep.get("/account").get_data(as_text=True)
    assert bell(rep.get("/").get_data(as_text=True)) == 0

    version = library.add_version(editor, item, upload())
    work()
    assert bell(rep.get("/").get_data(as_text=True)) == 0  # it waits for re-approval: reps keep version 1
    workflow.decide_version(editor, item, version.number, approve=True)
    work()
    assert bell(rep.get("/").get_data(as_text=True)) == 1 and bell(quiet.get("/").get_data(as_text=True)) == 1
    page = rep.get("/notifications").get_data(as_text=True)
    assert "“Battlecard” has a new version (2)." in page and f'href="/items/{item.id}"' in page
    [message] = mailbox.to(user.email)
    assert message["Subject"] == "Hub: “Battlecard” has a new version (2)."
    assert f"https://hub.example.com/items/{item.id}" in message.get_body(("plain",)).get_content()
    assert mailbox.to(quiet_user.email) == []  # did not ask for e-mail

    [note] = notes_of(user)
    assert rep.post("/notifications/read", {"id": str(note.id)}).status_code == 303
    assert bell(rep.get("/").get_data(as_text=True)) == 0
    assert rep.post("/notifications/read", {"id": "nope"}).status_code == 400
    assert quiet.post("/notifications/read").status_code == 303
    assert bell(quiet.get("/").get_data(as_text=True)) == 0


def test_withdrawn_items_notify_who_saved_or_shared_them(as_user, make_item, make_user):
    editor = make_user("marketing")
    item = make_item(title="Old pricing", owner=editor)
    saver, saver_user = as_user("sales")
    sharer, sharer_user = as_user("sales")
    _, bystander = as_user("sales")
    saver.post(f"/saved/{item.id}", {"saved": "1"})
    assert sharer.post(f"/items/{item.id}/shares", {"recipient": "Dana", "account": "Acme"}).status_code == 303
    workflow.transition(editor, item, "archived")
    db.session.commit()
    for person in (saver_user, sharer_user):
        assert [n.kind for n in notes_of(person)] == ["withdrawn"]
    assert notes_of(bystander) == [] and notes_of(editor) == []


def test_expiry_check_is_idempotent(as_user, make_item, make_user, work):
    editor = make_user("marketing")
    soon = make_item(title="Ends soon", owner=editor, expires_on=(today() + timedelta(days=3)).isoformat())
    later = make_item(title="Ends later", owner=editor, expires_on=(today() + timedelta(days=30)).isoformat())
    rep, user = as_user("sales")
    for item in (soon, later):
        rep.post(f"/saved/{item.id}", {"saved": "1"})
    work()
    work()
    assert [n.text for n in notes_of(user)] == [f"“Ends soon” expires in 3 days ({soon.expires_on:%d %b %Y})."]


def test_request_status_changes_notify_the_requester_and_voters(as_user, make_user):
    editor = make_user("marketing")
    _, requester = as_user("sales")
    _, voter = as_user("sales")
    _, other = as_user("sales")
    req = feedback.create_request(requester, {"title": "Healthcare ROI calculator"})
    feedback.vote(voter, req)
    feedback.update_request(editor, req, {"status": "planned"})
    feedback.update_request(editor, req, {"title": "Healthcare ROI calculator v2"})  # no status change
    db.session.commit()
    for person in (requester, voter):
        assert [n.text for n in notes_of(person)] == ["Your request “Healthcare ROI calculator” is now planned."]
    assert notes_of(other) == []


def test_a_new_calendar_entry_notifies_its_audience_once(as_user, make_entry):
    _, emea = as_user("sales")
    _, us = as_user("sales")
    emea.team, us.team = "EMEA Enterprise", "US Mid-market"
    db.session.commit()
    entry = make_entry(title="EMEA webinar", audience=["EMEA"])
    make_entry(title="Draft webinar", audience=["EMEA"], published=False)
    db.session.commit()
    assert [n.text for n in notes_of(emea)] == ["New in the calendar: “EMEA webinar”, 2026-03-02 14:00 UTC."]
    assert notes_of(us) == []
    from hub.calendar import services as calendar

    calendar.update_entry(calendar_editor(entry), entry, {"title": "EMEA webinar"})
    db.session.commit()
    assert len(notes_of(emea)) == 1


def calendar_editor(entry):
    return entry.owner


def import_file(*titles, start=1):
    """An .ics file with one timed event per title (UIDs imp-<n>@example.com, a day apart in April 2026)."""
    blocks = "".join(
        f"BEGIN:VEVENT\r\nUID:imp-{n}@example.com\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{title}\r\n"
        f"DTSTART:202604{n:02d}T140000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
        for n, title in enumerate(titles, start))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{blocks}END:VCALENDAR\r\n".encode()


def calendar_notes(user):
    return [n for n in notes_of(user) if n.kind == "calendar"]


def test_an_import_notifies_each_rep_once_with_a_summary_and_at_most_one_mail(as_user, editor, mailbox, work):
    from hub.calendar import importer

    rep, user = as_user("sales")
    _, quiet_user = as_user("sales")
    assert rep.post("/account/notifications", {"mail": ["calendar"]}).status_code == 303
    titles = ["Spring webinar", "Partner summit", *[f"Event {n}" for n in range(3, 13)]]
    result = importer.import_ics(editor, import_file(*titles), kind="event", published=True)
    db.session.commit()
    assert result.added == 12
    for person in (user, quiet_user):
        [note] = calendar_notes(person)
        assert note.text == ("12 new calendar entries from an import: “Spring webinar”, “Partner summit” and 10 more.")
        assert services.link_of(note) == ("calendar.agenda", {"from": "2026-04-01"})
    assert calendar_notes(editor) == []  # marketing made them
    assert 'href="/calendar/agenda?from=2026-04-01"' in rep.get("/notifications").get_data(as_text=True)
    work()
    [message] = mailbox.to(user.email)
    assert message["Subject"].startswith("Hub: 12 new calendar entries from an import")
    assert mailbox.to(quiet_user.email) == []

    again = importer.import_ics(editor, import_file(*titles), kind="event", published=True)  # unchanged
    db.session.commit()
    assert again.unchanged == 12 and len(calendar_notes(user)) == 1 and len(calendar_notes(quiet_user)) == 1
    changed = importer.import_ics(editor, import_file("Spring webinar (moved)", *titles[1:]), published=True)
    db.session.commit()
    assert changed.updated == 1 and len(calendar_notes(user)) == 1  # an edit of what reps saw: no news
    work()
    assert len(mailbox.to(user.email)) == 1


def test_an_import_of_one_entry_notifies_as_one_entry(as_user, editor):
    from hub.calendar import importer

    _, user = as_user("sales")
    importer.import_ics(editor, import_file("Partner summit"), kind="event", published=True)
    db.session.commit()
    [note] = calendar_notes(user)
    assert note.text == "New in the calendar: “Partner summit”, 2026-04-01 14:00 UTC."
    assert note.key.startswith("calendar:") and services.link_of(note)[0] == "calendar.entry"


def test_a_draft_import_notifies_nobody_until_an_entry_is_published(as_user, editor):
    from hub.calendar import importer
    from hub.calendar import services as calendar
    from hub.calendar.models import CalendarEntry

    _, user = as_user("sales")
    importer.import_ics(editor, import_file("Spring webinar", "Partner summit", "Roadshow"), kind="event")
    db.session.commit()
    assert calendar_notes(user) == []
    entries = {e.title: e for e in db.session.scalars(db.select(CalendarEntry))}
    calendar.set_published(editor, entries["Spring webinar"], True)  # the publish button
    calendar.update_entry(editor, entries["Partner summit"], {"published": True})  # the edit form's tick
    db.session.commit()
    assert [n.text for n in calendar_notes(user)] == ["New in the calendar: “Spring webinar”, 2026-04-01 14:00 UTC.",
                                                      "New in the calendar: “Partner summit”, 2026-04-02 14:00 UTC."]
    calendar.update_entry(editor, entries["Partner summit"], {"title": "Partner summit 2026"})
    calendar.set_published(editor, entries["Spring webinar"], False)
    calendar.set_published(editor, entries["Spring webinar"], True)  # back to draft and out again: told once
    db.session.commit()
    assert len(calendar_notes(user)) == 2


def test_the_collateral_update_entry_made_at_approval_notifies_reps(as_user, make_item, make_user):
    editor = make_user("marketing")
    _, user = as_user("sales")
    item = make_item(title="Security whitepaper", status="in_review", owner=editor)
    workflow.transition(editor, item, "approved", announce=True)
    db.session.commit()
    [note] = calendar_notes(user)
    assert note.text == f"New in the calendar: “New: Security whitepaper”, {today().isoformat()}."


def test_an_import_summary_follows_each_reps_audience_and_leaves_out_what_they_were_told(as_user):
    from hub import events

    emea_browser, emea = as_user("sales")
    _, us = as_user("sales")
    emea.team, us.team = "EMEA Enterprise", "US Mid-market"
    db.session.commit()
    services.notify([emea.id, us.id], "calendar", "calendar:901", "New in the calendar: “Told before”, 2026-04-01.")

    def shown(n, title, audience=(), fresh=True):
        return {"id": n, "fresh": fresh, "title": title, "audience": list(audience), "starts": "2026-04-01",
                "link": ("calendar.entry", {"entry_id": n})}

    events.calendar_entries_published.send(None, link=("calendar.agenda", {}), entries=[
        shown(901, "Told before", fresh=False), shown(902, "EMEA roadshow", ["EMEA"]),
        shown(903, "Everyone webinar"), shown(904, "EMEA dinner", ["emea"])])
    db.session.commit()
    assert [n.text for n in calendar_notes(emea)][1:] == [
        "3 new calendar entries from an import: “EMEA roadshow”, “Everyone webinar” and 1 more."]
    assert [(n.text, n.key) for n in calendar_notes(us)][1:] == [
        ("New in the calendar: “Everyone webinar”, 2026-04-01.", "calendar:903")]
    assert bell(emea_browser.get("/").get_data(as_text=True)) == 2


def test_the_bells_count_is_a_cheap_uncached_get_that_changes_nothing(as_user, app, make_entry):
    rep, user = as_user("sales")
    make_entry(title="Webinar")
    db.session.commit()
    answer = rep.get("/notifications/unread.json")
    assert answer.status_code == 200 and answer.get_json() == {"unread": 1}
    assert answer.headers["Cache-Control"] == "no-store"
    assert rep.get("/notifications/unread.json").get_json() == {"unread": 1}  # reading the count reads nothing
    assert [n.read_at for n in notes_of(user)] == [None]
    page = rep.get("/").get_data(as_text=True)
    assert 'data-unread-url="/notifications/unread.json"' in page and 'data-poll-seconds="60"' in page
    assert "js/bell.js" in page
    stranger = app.test_client().get("/notifications/unread.json", headers={"Accept": "application/json"})
    assert stranger.status_code == 401 and stranger.headers["Cache-Control"] == "no-store"
    assert "unread" not in stranger.get_json()


def test_mail_choices_refuse_unknown_kinds(as_user):
    rep, user = as_user("sales")
    assert rep.post("/account/notifications", {"mail": ["bogus"]}).status_code == 400
    assert services.mail_kinds(user) == set()


# --- API -----------------------------------------------------------------------------------------

def test_api_saves_lists_and_unsaves_collateral(app, make_user, make_item, token_for):
    item = make_item(title="API deck")
    draft = make_item(status="draft")
    rep = make_user("sales")
    headers = token_for(rep)
    http = app.test_client()
    assert http.put(f"/api/v1/me/saved/{item.id}", headers=headers).get_json() == {"collateral_id": item.id, "saved": True}
    assert http.put(f"/api/v1/me/saved/{item.id}", headers=headers).status_code == 200  # idempotent
    assert http.put(f"/api/v1/me/saved/{draft.id}", headers=headers).status_code == 404
    page = http.get("/api/v1/me/saved", headers=headers).get_json()
    assert page["total"] == 1 and page["items"][0]["collateral"]["title"] == "API deck" and page["items"][0]["saved_at"]
    assert http.delete(f"/api/v1/me/saved/{item.id}", headers=headers).get_json()["saved"] is False
    assert http.get("/api/v1/me/saved", headers=headers).get_json()["items"] == []


def test_api_lists_notifications_with_the_unread_count(app, make_user, make_item, token_for):
    editor = make_user("marketing")
    item = make_item(title="API battlecard", owner=editor)
    rep = make_user("sales")
    headers = token_for(rep)
    http = app.test_client()
    http.put(f"/api/v1/me/saved/{item.id}", headers=headers)
    version = library.add_version(editor, item, upload())
    workflow.decide_version(editor, item, version.number, approve=True)  # news once reps get it
    db.session.commit()
    body = http.get("/api/v1/me/notifications", headers=headers).get_json()
    assert body["unread"] == 1 and body["total"] == 1
    [note] = body["items"]
    assert note["kind"] == "new_version" and note["url"].endswith(f"/items/{item.id}") and note["read_at"] is None
    assert http.get("/api/v1/me/notifications?unread=maybe", headers=headers).status_code in (400, 422)
    spec = http.get("/api/v1/openapi.json").get_json()
    assert {"put", "delete"} <= set(spec["paths"]["/me/saved/{item_id}"])
    assert "get" in spec["paths"]["/me/saved"] and "get" in spec["paths"]["/me/notifications"]


# --- the rep's title and photo on pitches --------------------------------------------------------

def image_bytes(fmt="PNG", size=(800, 600)):
    """An image file of one colour (PNG: a few hundred bytes)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def test_title_and_photo_show_on_the_reps_pitches(app, as_user, make_item):
    import io

    from PIL import Image

    from hub.usage import pitches

    item = make_item(title="Pitch deck")
    rep, user = as_user("sales")
    assert rep.post("/account/profile", {"title": "Account Executive, EMEA"}).status_code == 303
    answer = rep.post("/account/photo", {"photo": (io.BytesIO(image_bytes()), "me.png")},
                      content_type="multipart/form-data")
    assert answer.status_code == 303
    mine = rep.get("/account/photo")
    assert mine.status_code == 200 and mine.mimetype == "image/jpeg"
    assert mine.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in mine.headers["Content-Security-Policy"]
    with Image.open(io.BytesIO(mine.data)) as photo:
        assert photo.format == "JPEG" and max(photo.size) == 320  # re-encoded and scaled

    _, token = pitches.create_pitch(user, {"title": "For Acme", "collateral_ids": [item.id]})
    db.session.commit()
    prospect = app.test_client()
    page = prospect.get(f"/p/{token}").get_data(as_text=True)
    assert "Account Executive, EMEA" in page and f"/p/{token}/photo" in page
    assert prospect.get(f"/p/{token}/photo").mimetype == "image/jpeg"


def test_a_photo_must_be_a_real_image(as_user):
    import io

    rep, _ = as_user("sales")
    for data, name in ((b"<script>alert(1)</script>", "me.png"), (b"GIF89a not really", "me.gif"),
                       (image_bytes("BMP", (100, 100)), "me.bmp")):  # small: no spooled temp file
        answer = rep.post("/account/photo", {"photo": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert answer.status_code == 422 and "not a photo Hub can read" in answer.get_data(as_text=True)
    assert rep.get("/account/photo").status_code == 404
    assert rep.post("/account/profile", {"title": "x" * 121}).status_code == 422


def test_the_item_page_has_the_star_too(as_user, make_item):
    item = make_item(title="Starred from its page")
    rep, _ = as_user("sales")
    assert f'action="/saved/{item.id}"' in rep.get(f"/items/{item.id}").get_data(as_text=True)
    assert rep.post(f"/saved/{item.id}", {"saved": "1", "next": f"/items/{item.id}"}).status_code == 303
    assert 'aria-pressed="true"' in rep.get(f"/items/{item.id}").get_data(as_text=True)


def test_deleting_a_user_deletes_their_saved_items_notifications_and_photo(as_user, make_item, make_user):
    import io

    from hub.auth import services as auth_services
    from hub.auth.models import UserPhoto
    from hub.whatsnew.models import SavedItem

    editor = make_user("marketing")
    item = make_item(owner=editor)
    rep, user = as_user("sales")
    rep.post(f"/saved/{item.id}", {"saved": "1"})
    rep.post("/account/notifications", {"mail": ["new_version"]})
    rep.post("/account/photo", {"photo": (io.BytesIO(image_bytes()), "me.png")}, content_type="multipart/form-data")
    library.add_version(editor, item, upload())
    db.session.commit()
    user_id = user.id
    auth_services.delete_user(None, user)
    db.session.commit()
    for model in (SavedItem, Notification, UserPhoto):
        assert db.session.scalar(db.select(db.func.count()).select_from(model).where(model.user_id == user_id)) == 0
