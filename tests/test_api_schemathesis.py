"""A bounded schemathesis run: requests generated from /api/v1/openapi.json, sent with a marketing and a
sales token, must get no 5xx and no answer that breaks the document (status, content type, body schema).

In testing the app also checks each answer against its pydantic model and re-raises unexpected errors, so
a failure shows the server's own traceback."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hub.extensions import db

# Per operation and role: about 40 operations x 2 roles, a minute or so on two cores. A longer hunt:
# HUB_SCHEMATHESIS_EXAMPLES=100 .venv/bin/pytest tests/test_api_schemathesis.py
EXAMPLES = int(os.environ.get("HUB_SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def run(operation, headers, known):
    """Send EXAMPLES generated requests for one operation and check each answer; about half of them aim
    at rows that exist (`known` path parameters), the rest at whatever ids the generator picks."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), aim=st.booleans())
    def check(case, aim):
        if aim and case.path_parameters:
            case.path_parameters = {k: known.get(k, v) for k, v in case.path_parameters.items()}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.slow
def test_generated_requests_get_documented_answers(app, client, make_user, make_item, make_entry, token_for):
    item = make_item(status="approved", title="Battlecard", stages=["awareness"], product="Atlas")
    make_item(status="draft", url="https://example.com/draft")
    roles = {"marketing": token_for(make_user("marketing")), "sales": token_for(make_user("sales"))}
    sales = roles["sales"]
    share = client.post(f"/api/v1/collateral/{item.id}/shares", json={"recipient": "Ana"}, headers=sales).get_json()
    request = client.post("/api/v1/requests", json={"title": "A pricing one-pager"}, headers=sales).get_json()
    deal = client.post("/api/v1/usage", json={"collateral_id": item.id, "action": "used_in_deal", "account": "Acme",
                                              "opportunity": "OPP-1", "stage": "awareness"}, headers=sales).get_json()
    pitch = client.post("/api/v1/pitches", json={"title": "For Acme", "collateral_ids": [item.id]},
                        headers=sales).get_json()
    known = {"item_id": item.id, "entry_id": make_entry().id, "share_id": share["id"], "request_id": request["id"],
             "ref": deal["opportunity"], "pitch_id": pitch["id"]}
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 39  # with the calendar import and the pitches
    for operation in operations:
        for role, headers in roles.items():
            try:
                run(operation, headers, known)
            except Exception as e:
                e.add_note(f"{operation.method.upper()} {operation.path} as {role}")
                raise
