"""People: teams on users, and deleting a user (their history stays, anonymised)."""
import pytest
from sqlalchemy import func, select

from hub.auth import services
from hub.auth.models import ApiToken, User
from hub.calendar.models import FeedFetch
from hub.errors import Conflict, Forbidden, Invalid
from hub.extensions import db
from hub.usage import feedback
from hub.usage import services as usage
from hub.usage.models import DealUse, Rating, RequestVote, UsageEvent
from tests.conftest import PASSWORD

# --- teams --------------------------------------------------------------------------------------


def test_team_is_trimmed_and_listed_once(app, make_user):
    services.create_user("a@example.com", "Ann", "sales", PASSWORD, team="  EMEA   Enterprise ")
    services.create_user("b@example.com", "Bob", "sales", PASSWORD, team="EMEA Enterprise\t")
    services.create_user("c@example.com", "Cy", "sales", PASSWORD, team="Americas")
    make_user("sales")  # no team
    teams = db.session.scalars(select(User.team).order_by(User.email)).all()
    assert teams[:3] == ["EMEA Enterprise", "EMEA Enterprise", "Americas"]
    assert services.list_teams() == ["Americas", "EMEA Enterprise"]


@pytest.mark.parametrize("team,ok", [("x" * 60, True), ("x" * 61, False), ("", True)])
def test_team_length(app, make_user, team, ok):
    admin, rep = make_user("admin"), make_user("sales")
    if ok:
        assert services.update_user(rep, admin, team=team).team == team
        assert services.create_user("t@example.com", "T", "sales", PASSWORD, team=team).team == team
    else:
        for call in (lambda: services.update_user(rep, admin, team=team),
                     lambda: services.create_user("t@example.com", "T", "sales", PASSWORD, team=team)):
            with pytest.raises(Invalid) as error:
                call()
            assert error.value.field == "team" and "60" in error.value.message
        db.session.rollback()
        assert db.session.get(User, rep.id).team == ""


def test_admin_page_sets_and_changes_teams(app, as_user):
    admin, _ = as_user("admin")
    response = admin.post("/admin/users", data={"name": "Nia", "email": "nia@example.com", "role": "sales",
                                                "team": " North America ", "password": PASSWORD})
    assert response.status_code == 303
    nia = db.session.scalar(select(User).where(User.email == "nia@example.com"))
    assert nia.team == "North America"
    assert "North America" in admin.get("/admin/users").get_data(as_text=True)
    assert admin.post(f"/admin/users/{nia.id}", data={"team": "EMEA"}).status_code == 303
    assert db.session.get(User, nia.id).team == "EMEA"
    assert admin.post(f"/admin/users/{nia.id}", data={"role": "marketing"}).status_code == 303
    assert db.session.get(User, nia.id).team == "EMEA"  # a form without the field leaves the team alone
    page = admin.post(f"/admin/users/{nia.id}", data={"team": "x" * 61}, follow_redirects=True)
    assert "60 characters" in page.get_data(as_text=True)
    assert db.session.get(User, nia.id).team == "EMEA"


def test_admin_add_user_with_long_team_is_422_and_keeps_values(app, as_user):
    admin, _ = as_user("admin")
    response = admin.post("/admin/users", data={"name": "Nia", "email": "nia@example.com", "role": "sales",
                                                "team": "y" * 61, "password": PASSWORD})
    assert response.status_code == 422
    assert "60 characters" in response.get_data(as_text=True) and "y" * 61 in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "nia@example.com")) is None


def test_cli_create_user_with_team(app, runner):
    result = runner.invoke(args=["create-user", "cli@example.com", "--role", "sales", "--name", "Cli",
                                 "--team", "EMEA", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.team).where(User.email == "cli@example.com")) == "EMEA"
    result = runner.invoke(args=["create-user", "c2@example.com", "--role", "sales", "--name", "C",
                                 "--team", "z" * 61, "--password", PASSWORD])
    assert result.exit_code != 0 and "60 characters" in result.output


def test_api_me_and_openapi_show_the_team(app, client, token_for):
    user = services.create_user("api@example.com", "Api", "sales", PASSWORD, team="EMEA")
    assert client.get("/api/v1/me", headers=token_for(user)).get_json()["team"] == "EMEA"
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["User"]
    assert schema["properties"]["team"]["type"] == "string"


def test_demo_users_have_teams_even_when_seeded_before_teams(app):
    from hub.demo import catalog
    from hub.demo.cli import seed_users

    rep = next(e for e in catalog.USERS if e["role"] == "sales")
    services.create_user(rep["email"], rep["name"], "sales", PASSWORD)  # an older demo database
    users, _ = seed_users()
    reps = {u.team for u in users.values() if u.role == "sales"}
    assert len(reps) == 2 and "" not in reps
    assert {u.team for u in users.values() if u.role == "marketing"} == {"Marketing"}
    assert set(services.list_teams()) == reps | {"Marketing"}


# --- deleting a user ----------------------------------------------------------------------------


@pytest.fixture
def history(app, make_user, make_item, token_for):
    """A rep with a view, a rating, a deal, a request vote and an API token."""
    rep, other = make_user("sales"), make_user("sales")
    item = make_item("approved", title="Battlecard")
    usage.record_event("view", rep, item)
    feedback.rate_item(rep, item, 4, "Handy")
    usage.record_deal(rep, item, {"account": "Acme", "opportunity": "OPP-9", "stage": "awareness"})
    feedback.vote(rep, feedback.create_request(other, {"title": "Bank case study"}))
    db.session.add(FeedFetch(user_id=rep.id, user_agent="Google-Calendar-Importer"))
    db.session.commit()
    return {"rep": rep, "item": item, "headers": token_for(rep)}


def test_deleting_keeps_history_anonymised(app, client, make_user, token_for, history):
    rep, item = history["rep"], history["item"]
    admin = make_user("admin")
    services.delete_user(admin, rep)
    assert db.session.get(User, rep.id) is None
    events = db.session.scalars(select(UsageEvent).where(UsageEvent.collateral_id == item.id)).all()
    assert [(e.action, e.user_id) for e in events if e.action == "view"] == [("view", None)]
    assert [(r.stars, r.user_id) for r in db.session.scalars(select(Rating))] == [(4, None)]
    assert [d.user_id for d in db.session.scalars(select(DealUse))] == [None]
    assert [v.user_id for v in db.session.scalars(select(RequestVote))] == [None]  # the vote still counts
    assert [votes for _, votes in feedback.list_requests()] == [1]
    assert [f.user_id for f in db.session.scalars(select(FeedFetch))] == [None]    # the poll stays, nameless
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == rep.id)) == 0
    report = client.get("/api/v1/analytics/content", headers=token_for(admin)).get_json()["items"]
    assert next(r for r in report if r["id"] == item.id)["views"] == 1
    marketing = make_user("marketing")
    from tests.conftest import Browser

    viewer = Browser(app.test_client())
    viewer.login(marketing)
    assert "Former user" in viewer.get(f"/items/{item.id}").get_data(as_text=True)


def test_deleted_users_tokens_and_sessions_stop(app, client, as_user, make_user, token_for):
    browser, rep = as_user("sales")
    headers = token_for(rep)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    services.delete_user(make_user("admin"), rep)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert browser.get("/").status_code == 302
    assert browser.login(rep).status_code == 401


def test_admin_deletes_from_the_users_page(app, as_user, history):
    admin, _ = as_user("admin")
    rep_id, email = history["rep"].id, history["rep"].email
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{rep_id}/delete"' in page and "data-confirm=" in page
    response = admin.post(f"/admin/users/{rep_id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert f"Deleted {email}" in response.get_data(as_text=True)
    assert db.session.get(User, rep_id) is None


@pytest.mark.parametrize("role", ["sales", "marketing"])
def test_only_admins_delete_users(app, as_user, make_user, role):
    browser, actor = as_user(role)
    victim = make_user("sales")
    assert browser.post(f"/admin/users/{victim.id}/delete").status_code == 403
    with pytest.raises(Forbidden):
        services.delete_user(actor, victim)
    assert db.session.get(User, victim.id) is not None


def test_delete_needs_csrf_and_a_real_user(app, as_user, make_user):
    admin, _ = as_user("admin")
    victim = make_user("sales")
    assert admin.client.post(f"/admin/users/{victim.id}/delete").status_code == 400
    assert db.session.get(User, victim.id) is not None
    assert admin.post("/admin/users/9999/delete").status_code == 404
    assert admin.get(f"/admin/users/{victim.id}/delete").status_code == 405


def test_admin_cannot_delete_themselves(app, as_user):
    admin, me = as_user("admin")
    page = admin.post(f"/admin/users/{me.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "cannot delete yourself" in page
    assert db.session.get(User, me.id) is not None
    with pytest.raises(Conflict):
        services.delete_user(me, me)


def test_the_last_active_admin_stays(app, make_user):
    admin, other = make_user("admin"), make_user("admin")
    services.update_user(other, admin, active=False)
    with pytest.raises(Conflict) as error:
        services.delete_user(None, admin)  # the command line has no signed-in actor
    assert "last active admin" in error.value.message
    services.delete_user(admin, other)  # a deactivated admin can go
    assert db.session.get(User, other.id) is None


def test_cli_delete_user(app, runner, make_user, history):
    rep = history["rep"]
    make_user("admin")
    aborted = runner.invoke(args=["delete-user", rep.email], input="n\n")
    assert aborted.exit_code != 0 and db.session.get(User, rep.id) is not None
    assert "history" in aborted.output  # the prompt says what happens to it
    result = runner.invoke(args=["delete-user", rep.email.upper(), "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.get(User, rep.id) is None
    assert db.session.scalar(select(func.count()).select_from(Rating).where(Rating.user_id.is_(None))) == 1


@pytest.mark.parametrize("email,message", [("ghost@example.com", "No user"), ("admin1@example.com", "last active admin")])
def test_cli_delete_user_errors_exit_non_zero(app, runner, make_user, email, message):
    make_user("admin", email="admin1@example.com")
    result = runner.invoke(args=["delete-user", email, "--yes"])
    assert result.exit_code != 0
    assert message in result.output
