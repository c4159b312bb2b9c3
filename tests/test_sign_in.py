"""Password guessing (issue 11, ASVS 5.0 V6.3): throttled per account and per client address in the
database, locks that end by themselves and that admins clear; common passwords refused; one-time
reset links."""
import os
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hub.auth import services, throttle
from hub.auth.models import SignInThrottle, User
from hub.extensions import db
from hub.models import utcnow
from tests.conftest import PASSWORD, Browser, csrf_token

FREE = 5  # SIGN_IN_ACCOUNT_FREE_TRIES


def attempt(client, email, password, address="198.51.100.7"):
    """One sign-in from a client address, through the login form."""
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def let_locks_end():
    """Time passes: every lock is over (the test moves the stored end, rather than sleeping)."""
    db.session.execute(update(SignInThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_an_account_is_locked_after_a_few_wrong_passwords_then_opens_again(app, client, make_user):
    user = make_user("sales")
    for _ in range(FREE):
        assert attempt(client, user.email, "wrong password!").status_code == 401
    locked = attempt(client, user.email, "wrong password!")
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 30
    # Locked: even the right password waits, from any address, and costs no hash check.
    response = attempt(client, user.email, PASSWORD, address="203.0.113.9")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    let_locks_end()
    assert attempt(client, user.email, PASSWORD, address="203.0.113.9").status_code == 302


def test_locks_grow_with_each_further_failure(app, client, make_user):
    user = make_user("sales")
    for _ in range(FREE + 1):
        attempt(client, user.email, "wrong password!")
    waits = []
    for _ in range(3):
        let_locks_end()
        response = attempt(client, user.email, "wrong password!")
        assert response.status_code == 401  # the attempt is checked, and fails...
        waits.append(int(attempt(client, user.email, "wrong password!").headers["Retry-After"]))  # ...and locks
    assert waits[0] < waits[1] < waits[2]


def test_an_unknown_email_is_locked_like_a_known_one(app, client):
    for _ in range(FREE):
        assert attempt(client, "nobody@example.com", "wrong password!").status_code == 401
    assert attempt(client, "nobody@example.com", "wrong password!").status_code == 429


def test_one_address_guessing_many_accounts_is_locked(app, client, make_user):
    app.config["SIGN_IN_ADDRESS_FREE_TRIES"] = 8
    victim = make_user("sales")
    for n in range(8):
        assert attempt(client, f"guess{n}@example.com", "wrong password!").status_code == 401
    assert attempt(client, f"guess{n}@example.com", "wrong password!").status_code == 429
    assert attempt(client, victim.email, PASSWORD).status_code == 429  # from that address
    assert attempt(client, victim.email, PASSWORD, address="203.0.113.9").status_code == 302  # elsewhere


def test_a_success_clears_the_accounts_failures(app, client, make_user):
    user = make_user("sales")
    for _ in range(FREE - 1):
        attempt(client, user.email, "wrong password!")
    assert attempt(client, user.email, PASSWORD).status_code == 302
    other = app.test_client()
    for _ in range(FREE):
        assert attempt(other, user.email, "wrong password!").status_code == 401


def test_the_count_is_shared_by_every_worker(app, database_url, tmp_path, client, make_user):
    """Two app instances (two workers or hosts) on one database see one count."""
    from tests.conftest import make_test_app

    user = make_user("sales")
    other_app = make_test_app(database_url, tmp_path / "other")
    other_worker = other_app.test_client()
    try:
        for n in range(FREE):
            worker = client if n % 2 else other_worker
            assert attempt(worker, user.email, "wrong password!").status_code == 401
        assert attempt(client, user.email, PASSWORD).status_code == 429
        assert attempt(other_worker, user.email, PASSWORD).status_code == 429
    finally:
        with other_app.app_context():
            db.engine.dispose()


def test_admins_see_and_clear_locks(app, client, as_user, make_user):
    user = make_user("sales")
    for _ in range(FREE + 1):
        attempt(client, user.email, "wrong password!")
    admin, _ = as_user("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Sign-in locks" in page and user.email in page
    lock_id = db.session.scalar(select(SignInThrottle.id).where(SignInThrottle.key == user.email))
    assert admin.post(f"/admin/sign-in-locks/{lock_id}/clear").status_code == 303
    assert "Sign-in locks" not in admin.get("/admin/users").get_data(as_text=True)
    assert attempt(client, user.email, PASSWORD).status_code == 302
    assert admin.post(f"/admin/sign-in-locks/{lock_id}/clear").status_code == 404


def test_unknown_email_costs_one_hash_check_like_a_wrong_password(app, make_user, monkeypatch):
    """No user enumeration by timing: both paths check exactly one password hash. (Counting the
    checks, not timing them: the figures are in bench/sign_in.py.)"""
    from werkzeug.security import check_password_hash

    user = make_user("sales")
    services.burn_time("warm up the stored dummy hash")
    checks = []  # a spy on Werkzeug's check: it still runs
    monkeypatch.setattr(services, "check_password_hash", lambda *a: checks.append(1) or check_password_hash(*a))
    for email in (user.email, "nobody@example.com"):
        checks.clear()
        assert services.authenticate(email, "wrong password!", "192.0.2.1") is None
        assert len(checks) == 1, email


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890", "iloveyou12", "Password1234",
                                      "aaaaaaaaaaaa", "ann.lee@example.com"])
def test_common_or_guessable_passwords_are_refused(app, as_user, password):
    admin, _ = as_user("admin")
    response = admin.post("/admin/users", data={"email": "ann.lee@example.com", "name": "Ann Lee", "role": "sales",
                                                "password": password})
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)
    assert db.session.scalar(select(User.id).where(User.email == "ann.lee@example.com")) is None


def test_length_rules_stay(app, as_user):
    admin, _ = as_user("admin")
    for password, message in (("Xk9#q", "at least 10"), ("Xk9#q" * 60, "at most 256")):
        response = admin.post("/admin/users", data={"email": "b@example.com", "name": "B", "role": "sales",
                                                    "password": password})
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def reset_url(admin, user):
    response = admin.post(f"/admin/users/{user.id}/reset-link")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    url = re.search(r'value="(http://localhost/reset/[^"]+)"', response.get_data(as_text=True)).group(1)
    return url.removeprefix("http://localhost")


def test_an_admins_reset_link_works_once(app, as_user):
    admin, _ = as_user("admin")
    browser, user = as_user("sales")
    path = reset_url(admin, user)
    stored = db.session.scalar(select(User.reset_token_hash).where(User.id == user.id))
    assert stored and stored not in path  # kept only as a hash
    visitor = Browser(app.test_client())
    assert visitor.get(path).status_code == 200
    new = "quiet orchard seven lanterns"
    response = visitor.client.post(path, data={"password": new, "confirm_password": new,
                                               "csrf_token": csrf_token(visitor.client, path)})
    assert response.status_code == 303
    assert browser.get("/account").status_code == 302  # the old sessions end
    assert visitor.login(user, new).status_code == 302
    assert app.test_client().get(path).status_code == 404  # used up


def test_a_reset_link_expires_and_a_new_one_replaces_the_old(app, as_user, make_user):
    admin, _ = as_user("admin")
    user = make_user("sales")
    first = reset_url(admin, user)
    second = reset_url(admin, user)
    client = app.test_client()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    db.session.execute(update(User).where(User.id == user.id).values(reset_expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(second).status_code == 404


def test_a_reset_link_refuses_a_weak_password_and_stays_usable(app, as_user, make_user):
    admin, _ = as_user("admin")
    user = make_user("sales")
    path = reset_url(admin, user)
    client = app.test_client()
    token = csrf_token(client, path)
    response = client.post(path, data={"password": "password123", "confirm_password": "password123", "csrf_token": token})
    assert response.status_code == 422
    assert client.get(path).status_code == 200
    assert Browser(client).login(user).status_code == 302  # the old password still works


# --- the same throttle kept in Redis (THROTTLE_STORAGE_URL), shared by every worker and host ------

REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def redis_throttle(app):
    """The app with its throttle in the real Redis at REDIS_URL; skipped when none answers there.
    Keys are unique to the test (emails and addresses made here), so parallel runs do not meet."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as e:
        pytest.skip(f"no Redis at {REDIS_URL} ({e})")
    app.config["THROTTLE_STORAGE_URL"] = REDIS_URL
    unique = uuid.uuid4().hex[:12]
    made = {"email": f"redis-{unique}@example.com", "address": f"2001:db8::{unique[:4]}:{unique[4:8]}"}
    yield made
    client = redis.Redis.from_url(REDIS_URL)
    for value in made.values():
        for key in client.scan_iter(f"{throttle.PREFIX}:*:{value}"):
            client.delete(key)


def test_with_redis_the_count_is_shared_by_every_worker_and_costs_no_database_write(
        app, database_url, tmp_path, client, make_user, redis_throttle):
    from tests.conftest import make_test_app

    user = make_user("sales", email=redis_throttle["email"])
    address = redis_throttle["address"]
    other_app = make_test_app(database_url, tmp_path / "other", THROTTLE_STORAGE_URL=REDIS_URL)
    other_worker = other_app.test_client()
    try:
        for n in range(FREE):
            worker = client if n % 2 else other_worker
            assert attempt(worker, user.email, "wrong password!", address).status_code == 401
            if n < FREE - 1:  # counted in Redis; only the lock that the last free try starts is mirrored
                assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 0
        assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 1
        locked = attempt(other_worker, user.email, "wrong password!", address)
        assert locked.status_code == 429 and 1 <= int(locked.headers["Retry-After"]) <= 30
        assert attempt(client, user.email, PASSWORD, "203.0.113.9").status_code == 429
        assert attempt(other_worker, user.email, PASSWORD, "203.0.113.9").status_code == 429
    finally:
        with other_app.app_context():
            db.engine.dispose()


def test_with_redis_admins_see_and_clear_locks(app, client, as_user, make_user, redis_throttle):
    user = make_user("sales", email=redis_throttle["email"])
    for _ in range(FREE + 1):
        attempt(client, user.email, "wrong password!", redis_throttle["address"])
    assert attempt(client, user.email, PASSWORD, redis_throttle["address"]).status_code == 429
    admin, _ = as_user("admin")
    assert user.email in admin.get("/admin/users").get_data(as_text=True)
    lock_id = db.session.scalar(select(SignInThrottle.id).where(SignInThrottle.key == user.email))
    assert admin.post(f"/admin/sign-in-locks/{lock_id}/clear").status_code == 303
    assert attempt(client, user.email, PASSWORD, redis_throttle["address"]).status_code == 302


def test_an_unreachable_throttle_store_falls_back_to_the_database(app, client, make_user):
    """A configured store that does not answer (nothing listens on port 9) costs no sign-in."""
    pytest.importorskip("redis")
    app.config["THROTTLE_STORAGE_URL"] = "redis://127.0.0.1:9/0"
    user = make_user("sales")
    for _ in range(FREE):
        assert attempt(client, user.email, "wrong password!").status_code == 401
    assert attempt(client, user.email, "wrong password!").status_code == 429
    assert db.session.scalar(select(SignInThrottle.locked_until).where(SignInThrottle.key == user.email))
    assert attempt(client, user.email, PASSWORD).status_code == 429
