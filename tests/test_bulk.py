"""Bulk upload over HTTP: each file is checked as the single-item form checks it, refused ones say why
and leave nothing behind, "Create drafts" makes every row or none, staged files expire."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.library import files, staging
from hub.library.models import Collateral, FileVersion, StagedUpload
from hub.search import services as search
from tests import search_files
from tests.bulk_files import REFUSED_NAME, REFUSED_REASON, encrypted_docx, twenty_files
from tests.conftest import tiny_pdf

JSON = {"Accept": "application/json"}


def upload_one(browser, name, data):
    """POST one file as the page's script does; the response."""
    return browser.post("/items/bulk/files", data={"file": (io.BytesIO(data), name)}, headers=JSON,
                        content_type="multipart/form-data")


def staged_count():
    return db.session.scalar(select(func.count()).select_from(StagedUpload))


def disk_files(app):
    folder = files.upload_folder()
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def create_form(ids, **defaults):
    form = {"content_type": "one_pager", "stages": ["awareness"], **defaults, "staged": [str(i) for i in ids]}
    return form


def test_each_file_is_staged_or_refused_with_its_reason(app, as_user):
    browser, user = as_user("marketing")
    ok = upload_one(browser, "Pricing_guide-2025 v2.pdf", tiny_pdf("bulk"))
    assert ok.status_code == 201, ok.get_data(as_text=True)
    body = ok.get_json()
    assert body["title"] == "Pricing guide 2025 v2"
    assert 'value="Pricing guide 2025 v2"' in body["row_html"]
    assert f'name="row-{body["id"]}-title"' in body["row_html"]
    staged = db.session.get(StagedUpload, body["id"])
    assert staged.owner_id == user.id and staged.kind == "pdf"
    assert files.path_for(staged.stored_name).is_file()

    before = disk_files(app)
    for name, data, reason in [
        (REFUSED_NAME, encrypted_docx(), REFUSED_REASON),
        ("notes.exe", b"MZ\x90\x00" + bytes(200), "This type of file is not accepted"),
        ("bomb.docx", search_files.entity_bomb(), "DTD or entity declarations"),
        ("empty.pdf", b"", "The file is empty."),
    ]:
        refused = upload_one(browser, name, data)
        assert refused.status_code == 422, name
        assert reason in refused.get_json()["error"]["message"], refused.get_json()
    assert disk_files(app) == before  # nothing of the refused files is kept
    assert staged_count() == 1


def test_too_large_a_file_is_413_and_the_page_says_the_limit(app, as_user):
    app.config["MAX_UPLOAD_BYTES"] = 2000
    browser, _ = as_user("marketing")
    response = upload_one(browser, "big.txt", b"words " * 1000)
    assert response.status_code == 413
    assert "The file is too large: the limit is" in response.get_json()["error"]["message"]
    assert staged_count() == 0
    assert 'data-too-large="The file is too large: the limit is 1.95 KB."' in browser.get("/items/bulk").get_data(as_text=True)


def test_create_drafts_with_defaults_and_row_overrides_then_the_worker_indexes_them(app, as_user, work):
    browser, user = as_user("marketing")
    uploaded = {}
    for name, data, word in twenty_files():
        response = upload_one(browser, name, data)
        if word is None:
            assert response.status_code == 422
            assert response.get_json()["error"]["message"] == REFUSED_REASON
            continue
        assert response.status_code == 201, (name, response.get_data(as_text=True))
        uploaded[name] = (response.get_json()["id"], word)
    assert len(uploaded) == 19

    page = browser.get("/items/bulk").get_data(as_text=True)
    assert page.count('name="staged"') == 19  # a reload loses nothing

    ids = [i for i, _ in uploaded.values()]
    form = create_form(ids, content_type="datasheet", stages=["awareness", "decision"], product="Hub Cloud",
                       industry="Retail", persona="CFO", region="EMEA", tags="pricing, q3")
    textbox = uploaded["docx_textbox.docx"][0]
    form[f"row-{textbox}-title"] = "Textbox guide"
    form[f"row-{textbox}-content_type"] = "battlecard"
    form[f"row-{textbox}-stages"] = ["onboarding"]
    form[f"row-{textbox}-persona"] = "CISO"
    response = browser.post("/items/bulk/create", data=form)
    assert response.status_code == 303, re.findall(r"(?:alert|field__error)[^<]*>([^<]*)", response.get_data(as_text=True))
    assert response.headers["Location"].endswith("/review")
    assert "19 drafts created" in browser.get("/review").get_data(as_text=True)

    items = db.session.scalars(select(Collateral).order_by(Collateral.id)).all()
    assert len(items) == 19 and staged_count() == 0
    assert all(item.status == "draft" and item.owner_id == user.id for item in items)
    special = next(item for item in items if item.title == "Textbox guide")
    assert (special.content_type, special.stage_slugs, special.product, special.industry, special.persona) == (
        "battlecard", ["onboarding"], "Hub Cloud", "Retail", "CISO")
    others = [item for item in items if item is not special]
    assert {(i.content_type, tuple(i.stage_slugs), i.product, i.industry, i.persona, i.region, i.tags)
            for i in others} == {("datasheet", ("awareness", "decision"), "Hub Cloud", "Retail", "CFO", "EMEA", "pricing,q3")}
    assert "Pricing guide 2025" in {i.title for i in items}
    assert all(len(item.history) == 1 and item.history[0].to_status == "draft" for item in items)

    _, failed = work()
    assert failed == 0
    versions = db.session.scalars(select(FileVersion)).all()
    assert {v.text_status for v in versions} == {"complete"}, [(v.original_name, v.text_status, v.text_error)
                                                               for v in versions]
    for word in ("zephyrine", "quetzal", "wombatpricing", "kestrelvalue", "narwhal"):
        hits = search.search(user, word).hits
        assert len(hits) == 1, word
    assert search.search(user, "zephyrine").hits[0][0].title == "Textbox guide"
    assert disk_files(app) == sorted(v.stored_name for v in versions)


def test_a_refused_row_creates_nothing_and_keeps_what_was_typed(app, as_user):
    browser, _ = as_user("marketing")
    first = upload_one(browser, "one.pdf", tiny_pdf("one")).get_json()["id"]
    second = upload_one(browser, "two.txt", b"Second file").get_json()["id"]
    form = create_form([first, second], stages=[])
    form[f"row-{first}-stages"] = ["decision"]
    form[f"row-{first}-title"] = "Kept title"
    form[f"row-{second}-title"] = "   "
    response = browser.post("/items/bulk/create", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "1 item needs a fix before the drafts can be created" in html
    assert html.count('class="field__error"') == 1
    assert re.search(rf'id="row-{second}-error"[^>]*>[^<]*Title', html), html
    assert 'value="Kept title"' in html
    assert db.session.scalar(select(func.count()).select_from(Collateral)) == 0
    assert staged_count() == 2


def test_create_twice_makes_the_drafts_once(app, as_user):
    browser, _ = as_user("marketing")
    staged = upload_one(browser, "deck.pptx", search_files.pptx(slides=2)).get_json()["id"]
    assert browser.post("/items/bulk/create", data=create_form([staged])).status_code == 303
    again = browser.post("/items/bulk/create", data=create_form([staged]))
    assert again.status_code == 409
    assert "already made into drafts" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Collateral)) == 1


def test_without_javascript_one_post_stages_many_and_names_each_refusal(app, as_user):
    browser, _ = as_user("marketing")
    response = browser.post("/items/bulk", data={"files": [
        (io.BytesIO(tiny_pdf("a")), "a.pdf"), (io.BytesIO(b"plain words"), "b.txt"),
        (io.BytesIO(encrypted_docx()), REFUSED_NAME)]}, content_type="multipart/form-data")
    assert response.status_code == 303
    page = browser.get("/items/bulk").get_data(as_text=True)
    assert "2 files uploaded" in page
    assert f"\u201c{REFUSED_NAME}\u201d was not uploaded: {REFUSED_REASON}" in page
    assert page.count('name="staged"') == 2

    # A row's Remove button posts the table with `remove`: the row goes, the rest is kept as typed.
    ids = [s.id for s in db.session.scalars(select(StagedUpload).order_by(StagedUpload.id))]
    name = db.session.get(StagedUpload, ids[0]).stored_name
    form = create_form(ids, product="Kept product")
    form["remove"] = str(ids[0])
    response = browser.post("/items/bulk/create", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('name="staged"') == 1 and 'value="Kept product"' in html
    assert not files.path_for(name).exists()


def test_remove_and_other_peoples_uploads(app, as_user):
    owner, _ = as_user("marketing")
    other, _ = as_user("marketing")
    staged = upload_one(owner, "a.txt", b"some text").get_json()["id"]
    path = files.path_for(db.session.get(StagedUpload, staged).stored_name)
    assert other.post(f"/items/bulk/files/{staged}/delete", headers=JSON).status_code == 404
    assert other.post("/items/bulk/create", data=create_form([staged])).status_code == 409
    assert 'name="staged"' not in other.get("/items/bulk").get_data(as_text=True)
    assert owner.post(f"/items/bulk/files/{staged}/delete", headers=JSON).status_code == 204
    assert staged_count() == 0 and not path.exists()


def test_staged_uploads_expire_with_their_files(app, as_user, runner, work):
    browser, _ = as_user("marketing")
    staged = upload_one(browser, "old.txt", b"old words").get_json()["id"]
    path = files.path_for(db.session.get(StagedUpload, staged).stored_name)
    assert "Every stored file is there" in runner.invoke(args=["check-files"]).output  # staged files are known
    work()  # the worker's housekeeping leaves young ones alone
    assert staged_count() == 1 and path.exists()
    db.session.get(StagedUpload, staged).created_at -= timedelta(hours=app.config["BULK_STAGED_HOURS"] + 1)
    db.session.commit()
    assert 'name="staged"' not in browser.get("/items/bulk").get_data(as_text=True)
    result = runner.invoke(args=["expire-staged"])
    assert result.exit_code == 0 and "Deleted 1 expired upload." in result.output
    assert staged_count() == 0 and not path.exists()


def test_the_worker_expires_staged_uploads(app, as_user, work):
    browser, _ = as_user("marketing")
    staged = upload_one(browser, "old.txt", b"old words").get_json()["id"]
    path = files.path_for(db.session.get(StagedUpload, staged).stored_name)
    db.session.get(StagedUpload, staged).created_at -= timedelta(hours=25)
    work()
    assert staged_count() == 0 and not path.exists()


@pytest.mark.parametrize("name,title", [("Pricing_guide-2025-01.pdf", "Pricing guide 2025-01"),
                                        ("  .pdf", "Untitled"), ("notes", "notes"), ("a--b__c.md", "a b c")])
def test_titles_come_from_file_names(name, title):
    assert staging.title_from_name(name) == title


def test_hostile_file_names_stay_text(app, as_user):
    browser, _ = as_user("marketing")
    name = '<img src=x onerror="alert(1)">.txt'
    body = upload_one(browser, name, b"some words").get_json()
    assert "<img" not in body["row_html"] and "&lt;img src=x onerror=" in body["row_html"]
    page = browser.get("/items/bulk").get_data(as_text=True)
    assert "<img src=x" not in page and page.count("&lt;img src=x onerror=") >= 2
