"""Governance and the upload form in real Chromium (issue 15): a new version waits for re-approval while
reps keep the live one; the upload form keeps its file after a refusal, and a double click makes one draft.
The fixtures (Chromium, the served app, the small library) are test_browser's."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.library.models import Collateral
from tests.conftest import tiny_pdf as padded_pdf
from tests.test_browser import (  # noqa: F401 (fixtures used by name)
    DESKTOP,
    PHONE,
    chromium,
    library,
    open_tab,
    server_url,
    shots,
    tiny_pdf,
)

pytestmark = pytest.mark.browser


def download(tab, name=r"^Download PDF"):
    """The bytes the item page's download button gives."""
    with tab.page.expect_download() as info:
        tab.page.get_by_role("link", name=re.compile(name)).click()
    assert info.value.failure() is None
    return Path(info.value.path()).read_bytes()


def test_a_new_version_waits_for_approval_while_reps_keep_the_live_one(library, open_tab, tmp_path):  # noqa: F811
    item = f"/items/{library['ids']['approved']}"
    new = tiny_pdf("Pricing 2026")
    (tmp_path / "Pricing 2026.pdf").write_bytes(new)

    editor = open_tab()
    editor.login(library["users"]["marketing"])
    editor.goto(item)
    editor.page.locator("form.upload-inline input[type=file]").set_input_files(str(tmp_path / "Pricing 2026.pdf"))
    with editor.page.expect_navigation():
        editor.page.get_by_role("button", name="Upload", exact=True).click()
    assert "waits for approval; until then reps keep getting version 1" in editor.page.locator(".flashes").inner_text()
    panel = editor.page.locator("section.pending-version")
    assert panel.locator("h2").text_content() == "Version 2 waits for approval"
    assert editor.axe() == []
    editor.shot("item-new-version-waiting")
    editor.goto("/review")
    assert "New version 2" in editor.page.locator(".review-grid").inner_text()

    rep = open_tab()
    rep.login(library["users"]["sales"])
    rep.goto(item)
    assert "Pricing 2025.pdf" in rep.text() and "Pricing 2026.pdf" not in rep.text()
    assert download(rep) == library["pdf"]

    editor.goto(item)
    editor.page.locator("section.pending-version").get_by_label("Comment").fill("New prices checked")
    with editor.page.expect_navigation():
        editor.page.get_by_role("button", name="Approve version 2").click()
    assert "Version 2 approved" in editor.page.locator(".flashes").inner_text()
    assert editor.page.locator("section.pending-version").count() == 0
    assert "Version 2 approved: New prices checked" in editor.page.locator("ol.timeline").inner_text()

    rep.goto(item)
    assert "Pricing 2026.pdf" in rep.text()
    assert download(rep) == new
    assert editor.problems == [] and rep.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_form_keeps_its_file_after_an_error_and_a_double_click_makes_one_draft(
        library, open_tab, tmp_path, viewport):  # noqa: F811
    big = padded_pdf("x" * (4 * 1024 * 1024))  # a few MB: nobody should pick it twice
    path = tmp_path / "Battlecard vs Rival.pdf"
    path.write_bytes(big)
    editor = open_tab(viewport)
    page = editor.page
    editor.login(library["users"]["marketing"])
    editor.goto("/items/new")
    page.get_by_label("Content type").select_option(label="Battlecard")
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Create draft").click()  # no title, no stage

    alert = page.locator("[role=alert]").inner_text()
    assert "2 things to fix" in alert and "Title is required." in alert and "Choose at least one funnel stage." in alert
    assert "Kept: Battlecard vs Rival.pdf" in page.locator("[data-staged-file]").inner_text()
    assert page.get_by_label("Content type").input_value() == "battlecard"
    assert editor.axe() == []
    editor.shot("upload-form-refused")

    page.get_by_label("Title").fill("Battlecard: Hub vs Rival")
    page.get_by_label("Decision").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create draft").dblclick()
    assert "Draft created" in page.locator(".flashes").inner_text()
    assert re.search(r"/items/\d+$", page.url)
    assert download(editor) == big
    db.session.close()
    assert db.session.scalar(select(func.count()).select_from(Collateral)
                             .where(Collateral.title == "Battlecard: Hub vs Rival")) == 1
    refused = "Failed to load resource: the server responded with a status of 422"  # the refusal itself
    assert [p for p in editor.problems if refused not in p] == []
