"""Access as an attacker tries it (issue 11, ASVS 5.0 V8 and V3.7): another rep's opportunity, and
redirects that leave the site."""
import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.usage.models import DealUse, Opportunity


def deal(item, ref, **extra):
    return {"collateral_id": item.id, "action": "used_in_deal", "account": "Acme", "opportunity": ref,
            "stage": "decision", **extra}


def test_a_rep_cannot_take_over_another_reps_opportunity(app, client, make_user, token_for, make_item):
    owner, thief, editor = make_user("sales"), make_user("sales"), make_user("marketing")
    item = make_item("approved")
    assert client.post("/api/v1/usage", json=deal(item, "OPP-77"), headers=token_for(owner)).status_code == 201
    # The API, as the attacker did it: used_in_deal with the ref, then the outcome.
    taken = client.post("/api/v1/usage", json=deal(item, "OPP-77"), headers=token_for(thief))
    assert taken.status_code == 403
    assert client.put("/api/v1/opportunities/OPP-77/outcome", json={"outcome": "lost"},
                      headers=token_for(thief)).status_code == 403
    assert db.session.scalar(select(DealUse.id).where(DealUse.user_id == thief.id)) is None
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.ref == "OPP-77"))
    assert (opportunity.owner_id, opportunity.outcome) == (owner.id, "open")
    # Marketing and admins may still record and close it; its owner too.
    assert client.post("/api/v1/usage", json=deal(item, "OPP-77"), headers=token_for(editor)).status_code == 201
    assert client.put("/api/v1/opportunities/OPP-77/outcome", json={"outcome": "won"},
                      headers=token_for(owner)).status_code == 200


def test_the_pages_refuse_another_reps_opportunity_too(app, as_user, make_user, token_for, make_item, client):
    owner = make_user("sales")
    item = make_item("approved")
    client.post("/api/v1/usage", json=deal(item, "OPP-78"), headers=token_for(owner))
    browser, thief = as_user("sales")
    response = browser.post(f"/items/{item.id}/deals", data={"account": "Acme", "opportunity": "OPP-78",
                                                             "stage": "decision"})
    assert response.status_code == 303  # back to the item, with the refusal as a message
    assert db.session.scalar(select(DealUse.id).where(DealUse.user_id == thief.id)) is None
    assert "belongs to another rep" in browser.get(response.headers["Location"]).get_data(as_text=True)
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.ref == "OPP-78"))
    assert browser.post(f"/opportunities/{opportunity.id}/outcome", data={"outcome": "won"}).status_code == 403
    assert db.session.get(Opportunity, opportunity.id).outcome == "open"
    assert "OPP-78" not in browser.get("/opportunities").get_data(as_text=True)


EVIL_TARGETS = ["//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example",
                "/\\evil.example", "/\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "/%09/x\x00"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_next_never_leaves_the_site(app, client, make_user, target):
    from tests.conftest import PASSWORD, csrf_token

    user = make_user("sales")
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_share_revoke_next_never_leaves_the_site(app, as_user, make_item, target):
    from hub.usage import shares

    browser, rep = as_user("sales")
    share, _ = shares.create_share(rep, make_item("approved").id, {"recipient": "Prospect"})
    db.session.commit()
    response = browser.post(f"/shares/{share.id}/revoke", data={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/shares"


def test_share_revoke_next_follows_a_local_path(app, as_user, make_item):
    from hub.usage import shares

    browser, rep = as_user("sales")
    item = make_item("approved")
    share, _ = shares.create_share(rep, item.id, {"recipient": "Prospect"})
    db.session.commit()
    response = browser.post(f"/shares/{share.id}/revoke", data={"next": f"/items/{item.id}"})
    assert response.headers["Location"] == f"/items/{item.id}"
