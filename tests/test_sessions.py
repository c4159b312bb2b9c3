"""Identity and sessions (issue 11, ASVS 5.0 V7): ids are never reused, and a session ends for good
on sign-out, sign-out everywhere, password change, deactivation and deletion."""
import re

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from hub.auth.models import User
from hub.extensions import db
from tests.conftest import PASSWORD, Browser

NEW_PASSWORD = "violet kettle harbour lamp"


def copied(app, browser):
    """A second client holding a copy of the browser's session cookie (a stolen or synced cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", browser.client.get_cookie("session").value)
    return thief


def signed_in(client):
    return client.get("/account").status_code == 200


def add_user(admin, email, role, password=PASSWORD):
    response = admin.post("/admin/users", data={"email": email, "name": email.split("@")[0], "role": role,
                                                "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(select(User).where(User.email == email))


def test_a_deleted_users_cookie_never_signs_in_as_the_next_user(app, as_user):
    """The repro from issue 11: rep signs in, keeps the cookie; rep deleted; an admin created."""
    admin, _ = as_user("admin")
    rep = add_user(admin, "rep@example.com", "sales")
    rep_browser = Browser(app.test_client())
    assert rep_browser.login(rep).status_code == 302
    old_cookie = copied(app, rep_browser)
    rep_id = rep.id
    assert admin.post(f"/admin/users/{rep_id}/delete").status_code == 303
    newcomer = add_user(admin, "newadmin@example.com", "admin")
    assert newcomer.id > rep_id  # never the deleted rep's id
    assert old_cookie.get("/admin/users").status_code == 302
    assert old_cookie.get("/").status_code == 302


def test_ids_of_deleted_items_are_not_handed_out_again(app, as_user):
    editor, _ = as_user("marketing")
    ids = []
    for title in ("First brief", "Second brief"):
        response = editor.post("/items/new", data={"title": title, "content_type": "one_pager", "stages": "decision",
                                                      "url": "https://example.com/x"})
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        ids.append(int(re.search(r"/items/(\d+)", response.headers["Location"]).group(1)))
        if title == "First brief":
            assert editor.post(f"/items/{ids[0]}/delete").status_code == 303
    assert ids[1] > ids[0]


def test_logout_ends_every_session_of_the_user(app, as_user):
    browser, user = as_user("sales")
    other = copied(app, browser)
    laptop = Browser(app.test_client())
    assert laptop.login(user).status_code == 302
    assert signed_in(other) and signed_in(laptop.client)
    assert browser.post("/logout").status_code == 303
    assert not signed_in(other)
    assert not signed_in(laptop.client)
    assert not signed_in(browser.client)


def test_sign_out_everywhere_from_the_account_page(app, as_user):
    browser, user = as_user("sales")
    assert "Sign out everywhere" in browser.get("/account").get_data(as_text=True)
    phone = Browser(app.test_client())
    phone.login(user)
    assert browser.post("/account/sessions/end").status_code == 303
    assert not signed_in(browser.client) and not signed_in(phone.client)
    assert browser.login(user).status_code == 302  # signing in again works


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(app, as_user):
    browser, user = as_user("sales")
    other = copied(app, browser)
    response = browser.post("/account/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                       "confirm_password": NEW_PASSWORD})
    assert response.status_code == 303
    assert signed_in(browser.client)
    assert not signed_in(other)
    browser.post("/logout")
    assert browser.login(user).status_code == 401
    assert browser.login(user, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("current,new,confirm,field", [
    ("not my password", NEW_PASSWORD, NEW_PASSWORD, "current_password"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "confirm_password"),
    (PASSWORD, "password123", "password123", "password"),
    (PASSWORD, "short", "short", "password"),
])
def test_a_refused_password_change_changes_nothing(app, as_user, current, new, confirm, field):
    browser, user = as_user("sales")
    other = copied(app, browser)
    response = browser.post("/account/password", data={"current_password": current, "password": new,
                                                       "confirm_password": confirm})
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert signed_in(other)
    browser.post("/logout")
    assert browser.login(user).status_code == 302


def test_a_password_set_by_the_cli_ends_sessions(app, as_user, runner):
    browser, user = as_user("sales")
    result = runner.invoke(args=["set-password", user.email, "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not signed_in(browser.client)


def test_reactivating_a_user_does_not_revive_old_sessions(app, as_user):
    admin, _ = as_user("admin")
    browser, user = as_user("sales")
    kept = copied(app, browser)
    assert admin.post(f"/admin/users/{user.id}", data={"active": "0"}).status_code == 303
    assert not signed_in(kept)
    assert admin.post(f"/admin/users/{user.id}", data={"active": "1"}).status_code == 303
    assert not signed_in(kept)
    assert not signed_in(browser.client)
    assert browser.login(user).status_code == 302


def test_remember_me_cookie_carries_the_session_secret(app, make_user):
    """Flask-Login's remember-me cookie holds User.get_id() (signed): it dies with the secret too."""
    user = make_user("sales")
    remembered = app.test_client()
    remembered.set_cookie("remember_token", encode_cookie(user.get_id()))
    assert signed_in(remembered)
    browser = Browser(app.test_client())
    browser.login(user)
    browser.post("/logout")
    remembered.delete_cookie("session")  # the cookie alone, as a browser restarted later sends it
    assert not signed_in(remembered)


def test_a_forged_session_id_is_refused(app, make_user):
    user = make_user("admin")
    for value in (str(user.id), f"{user.id}.", f"{user.id}.wrong", "99999999999999999999.x", "x.y"):
        client = app.test_client()
        client.set_cookie("remember_token", encode_cookie(value))
        assert not signed_in(client), value
