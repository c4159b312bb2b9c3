"""Admin pages: users, roles, deactivation and funnel stages."""
import pytest
from sqlalchemy import select

from hub.auth.models import User
from hub.extensions import db
from hub.library import funnel
from hub.library.models import Stage
from tests.conftest import PASSWORD


def test_admin_creates_a_user_who_can_sign_in(app, as_user):
    admin, _ = as_user("admin")
    response = admin.post("/admin/users", data={"name": "Nia <i>New</i>", "email": "nia@example.com",
                                                "role": "marketing", "password": PASSWORD})
    assert response.status_code == 303
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Nia &lt;i&gt;New&lt;/i&gt;" in page
    user = db.session.scalar(select(User).where(User.email == "nia@example.com"))
    assert user.role == "marketing"


@pytest.mark.parametrize("form,message", [
    ({"name": "A", "email": "bad", "role": "sales", "password": PASSWORD}, "valid email"),
    ({"name": "A", "email": "a@b.co", "role": "owner", "password": PASSWORD}, "Role must be"),
    ({"name": "A", "email": "a@b.co", "role": "sales", "password": "123"}, "at least 10"),
    ({"name": "", "email": "a@b.co", "role": "sales", "password": PASSWORD}, "name"),
])
def test_bad_user_forms_answer_422_and_keep_the_values(app, as_user, form, message):
    admin, _ = as_user("admin")
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "a@b.co")) is None


def test_role_change_and_deactivation(app, as_user, make_user):
    admin, _ = as_user("admin")
    rep = make_user("sales")
    assert admin.post(f"/admin/users/{rep.id}", data={"role": "marketing"}).status_code == 303
    assert db.session.get(User, rep.id).role == "marketing"
    assert admin.post(f"/admin/users/{rep.id}", data={"active": "0"}).status_code == 303
    assert db.session.get(User, rep.id).active is False
    assert admin.post(f"/admin/users/{rep.id}", data={"active": "1"}).status_code == 303
    assert db.session.get(User, rep.id).active is True


def test_admin_cannot_lock_themselves_out(app, as_user):
    admin, me = as_user("admin")
    admin.post(f"/admin/users/{me.id}", data={"active": "0"})
    admin.post(f"/admin/users/{me.id}", data={"role": "sales"})
    me = db.session.get(User, me.id)
    assert me.active and me.role == "admin"
    assert "cannot" in admin.get("/admin/users").get_data(as_text=True)


def test_unknown_user_is_404(app, as_user):
    admin, _ = as_user("admin")
    assert admin.post("/admin/users/9999", data={"role": "sales"}).status_code == 404


def test_stages_add_rename_reorder(app, as_user, make_item):
    admin, _ = as_user("admin")
    item = make_item(stages=["decision"])
    admin.post("/admin/stages", data={"name": "Renewal & Upsell"})
    stage = db.session.scalar(select(Stage).where(Stage.slug == "renewal-upsell"))
    assert stage.name == "Renewal & Upsell" and stage.position == 5
    decision = funnel.get_stage("decision")
    admin.post(f"/admin/stages/{decision.id}", data={"name": "Evaluation"})
    assert funnel.get_stage("decision").name == "Evaluation"  # the slug stays
    assert admin.get(f"/items/{item.id}").get_data(as_text=True).count("Evaluation") >= 1
    admin.post(f"/admin/stages/{stage.id}", data={"move": "up"})
    assert [s.slug for s in funnel.list_stages()][-2:] == ["renewal-upsell", "expansion"]
    home = admin.get("/").get_data(as_text=True)
    assert home.index("Renewal &amp; Upsell") < home.index("Expansion")


@pytest.mark.parametrize("form", [{"name": ""}, {"name": "x" * 61}, {"name": "Awareness"}, {"name": "!!!"}])
def test_bad_stage_names_change_nothing(app, as_user, form):
    admin, _ = as_user("admin")
    response = admin.post("/admin/stages", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert "flash--error" in response.get_data(as_text=True)
    assert len(funnel.list_stages()) == 5


def test_stage_api_lists_in_order(app, client, make_user, token_for):
    body = client.get("/api/v1/stages", headers=token_for(make_user())).get_json()
    assert [s["slug"] for s in body["items"]] == ["awareness", "consideration", "decision", "onboarding", "expansion"]
