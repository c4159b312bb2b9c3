"""Sign-in, sessions, passwords, API tokens and the auth CLI."""
import pytest
from sqlalchemy import select

from hub.auth import services
from hub.auth.models import ApiToken, User
from hub.errors import Conflict, Invalid
from hub.extensions import db
from tests.conftest import PASSWORD, Browser


def test_login_and_logout(app, client, make_user):
    user = make_user("sales")
    browser = Browser(client)
    response = browser.login(user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert user.name in client.get("/").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # no state change on GET
    assert browser.post("/logout").status_code == 303
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("email,password", [
    ("sales1@example.com", "wrong password!"),
    ("nobody@example.com", PASSWORD),
    ("SALES1@EXAMPLE.COM ", "wrong password!"),
])
def test_wrong_credentials_are_refused_alike(app, client, make_user, email, password):
    make_user("sales")
    browser = Browser(client)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": browser.token()})
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)


def test_email_is_case_insensitive(app, client, make_user):
    user = make_user("sales", email="Rita@Example.com")
    assert user.email == "rita@example.com"
    browser = Browser(client)
    response = client.post("/login", data={"email": " RITA@example.COM", "password": PASSWORD, "csrf_token": browser.token()})
    assert response.status_code == 302


def test_login_without_csrf_token_is_refused(app, client, make_user):
    user = make_user("sales")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_login_starts_a_new_session(app, client, make_user):
    user = make_user("sales")
    browser = Browser(client)
    old_token = browser.token()
    before = client.get_cookie("session").value
    browser.login(user)
    assert client.get_cookie("session").value != before
    assert browser.token() != old_token  # nothing from the anonymous session carries over
    response = client.post("/account/tokens", data={"name": "x", "csrf_token": old_token})
    assert response.status_code == 400


def test_session_cookie_flags_are_secure_by_default(database_url, tmp_path, make_user):
    from tests.conftest import make_test_app

    app = make_test_app(database_url, tmp_path / "secure", SESSION_COOKIE_SECURE=True)
    with app.app_context():
        client = app.test_client()
        client.get("/login")
        cookie = client.get_cookie("session")
        assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("target,expected", [
    ("/items/new", "/items/new"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_follows_local_paths(app, client, make_user, target, expected):
    user = make_user("marketing")
    browser = Browser(client)
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": PASSWORD, "csrf_token": browser.token()})
    assert response.headers["Location"] == expected


def test_passwords_are_hashed(app, make_user):
    user = make_user("sales")
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:")


def test_production_hash_is_scrypt(database_url, tmp_path):
    from tests.conftest import make_test_app

    app = make_test_app(database_url, tmp_path / "prod", PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        assert services.hash_password("x" * 12).startswith("scrypt:")


@pytest.mark.parametrize("email,name,role,password,field", [
    ("not-an-email", "Ann", "sales", PASSWORD, "email"),
    ("a@b.co", "", "sales", PASSWORD, "name"),
    ("a@b.co", "Ann", "superuser", PASSWORD, "role"),
    ("a@b.co", "Ann", "sales", "short", "password"),
    ("<script>@x.com", "Ann", "sales", PASSWORD, "email"),
])
def test_create_user_validation(app, email, name, role, password, field):
    with pytest.raises(Invalid) as error:
        services.create_user(email, name, role, password)
    assert error.value.field == field
    assert db.session.scalar(select(User.id)) is None


def test_duplicate_email_is_a_conflict(app, make_user):
    make_user("sales", email="dup@example.com")
    with pytest.raises(Conflict):
        services.create_user("DUP@example.com", "Another", "sales", PASSWORD)


def test_deactivated_user_cannot_sign_in_and_is_signed_out(app, as_user, make_user):
    browser, user = as_user("sales")
    admin = make_user("admin")
    services.update_user(user, admin, active=False)
    assert browser.get("/").status_code == 302  # the live session ends at once
    assert browser.login(user).status_code == 401


def test_tokens_are_stored_hashed_and_work_until_revoked(app, client, make_user):
    user = make_user("marketing")
    token, secret = services.create_token(user, "CRM")
    assert secret.startswith("hub_") and len(secret) > 40
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != secret and secret not in stored.token_hash
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["email"] == user.email
    services.revoke_token(user, token.id)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivating_a_user_stops_their_tokens_at_once(app, client, make_user, token_for):
    user, admin = make_user("sales"), make_user("admin")
    headers = token_for(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    services.update_user(user, admin, active=False)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_account_page_creates_and_revokes_tokens(app, as_user):
    browser, user = as_user("sales")
    response = browser.post("/account/tokens", data={"name": "My <b>script</b>"})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    secret = html.split('class="secret__value"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert secret.startswith("hub_")
    assert "My &lt;b&gt;script&lt;/b&gt;" in html
    assert secret not in browser.get("/account").get_data(as_text=True)  # shown once
    assert browser.client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert browser.post(f"/account/tokens/{token_id}/revoke").status_code == 303
    assert browser.client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_token_name_too_long_is_refused(app, as_user):
    browser, _ = as_user("sales")
    response = browser.post("/account/tokens", data={"name": "x" * 81})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiToken.id)) is None


def test_cli_create_user_and_token(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "Cli@Example.com", "--role", "marketing", "--name", "Cli User", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-token", "cli@example.com"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    user = services.user_for_token(secret)
    assert user.email == "cli@example.com" and user.role == "marketing"


@pytest.mark.parametrize("args,message", [
    (["create-user", "bad", "--role", "sales", "--name", "X", "--password", PASSWORD], "valid email"),
    (["create-user", "a@b.co", "--role", "king", "--name", "X", "--password", PASSWORD], "Invalid value"),
    (["create-user", "a@b.co", "--role", "sales", "--name", "X", "--password", "short"], "at least 10"),
    (["create-token", "nobody@example.com"], "No user"),
])
def test_cli_errors_exit_non_zero(app, args, message):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_cli_set_password(app, runner, make_user):
    user = make_user("sales")
    result = runner.invoke(args=["set-password", user.email.upper(), "--password", "a brand new password"])
    assert result.exit_code == 0, result.output
    assert services.authenticate(user.email, "a brand new password").id == user.id
    assert runner.invoke(args=["set-password", user.email, "--password", "short"]).exit_code != 0
    assert runner.invoke(args=["set-password", "ghost@example.com", "--password", "long enough pw"]).exit_code != 0


def test_users_choose_their_own_time_zone(app, as_user):
    browser, user = as_user("sales")
    page = browser.get("/account").get_data(as_text=True)
    assert "Hub's default" in page and 'value="Europe/Berlin"' in page
    assert browser.post("/account/time-zone", data={"time_zone": "Europe/Berlin"}).status_code == 303
    assert 'value="Europe/Berlin" selected' in browser.get("/account").get_data(as_text=True)
    refused = browser.post("/account/time-zone", data={"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 422
    assert "Choose a time zone from the list" in refused.get_data(as_text=True)
    assert browser.post("/account/time-zone", data={"time_zone": ""}).status_code == 303
    assert 'value="" selected' in browser.get("/account").get_data(as_text=True)
    db.session.refresh(user)
    assert user.time_zone == "" and user.zone is None
