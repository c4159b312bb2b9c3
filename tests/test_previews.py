"""Thumbnails and page images (issue 14): made by the worker, served with the download rules."""
import io
import shutil

import pytest
from PIL import Image

from hub.library import previews
from hub.library import services as library_services

from . import search_files
from .conftest import upload

LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice not installed: apt-get install "
                                       "libreoffice-core-nogui libreoffice-writer-nogui libreoffice-impress-nogui")


def png(width=1600, height=1200, colour=(200, 30, 30)):
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, "PNG")
    return buf.getvalue()


def image_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return Image.open(io.BytesIO(response.get_data()))


def test_pdf_gets_a_thumbnail_and_a_png_per_page(app, as_user, make_item):
    item = make_item(title="Pricing guide", file=(search_files.pdf(pages=3), "pricing.pdf"))
    version = item.current_version
    assert previews.manifest(version) == {"pages": 3, "source": "pdf", "error": ""}
    assert previews.page_count(version) == 3
    browser, _ = as_user("sales")

    thumb = browser.get(f"/items/{item.id}/thumbnail?v={version.id}")
    assert thumb.mimetype == "image/png"
    image = image_of(thumb)
    assert image.width == 480 and image.height > image.width  # an A4 page, portrait
    assert thumb.headers["ETag"] and "max-age" in thumb.headers["Cache-Control"]
    again = browser.get(f"/items/{item.id}/thumbnail?v={version.id}", headers={"If-None-Match": thumb.headers["ETag"]})
    assert again.status_code == 304

    for number in (1, 2, 3):
        page = image_of(browser.get(f"/items/{item.id}/pages/{number}"))
        assert page.width == 1200
    for number in (0, 4):
        assert browser.get(f"/items/{item.id}/pages/{number}").status_code == 404


def test_reps_see_previews_of_live_items_only(app, as_user, make_item):
    draft = make_item("draft", file=(search_files.pdf(pages=1), "draft.pdf"))
    expired = make_item(file=(search_files.pdf(pages=1), "old.pdf"), expires_on="2020-01-01")
    rep, _ = as_user("sales")
    editor, _ = as_user("marketing")
    for item in (draft, expired):
        assert rep.get(f"/items/{item.id}/thumbnail").status_code == 404
        assert rep.get(f"/items/{item.id}/pages/1").status_code == 404
        assert image_of(editor.get(f"/items/{item.id}/thumbnail")).width == 480
        assert image_of(editor.get(f"/items/{item.id}/pages/1")).width == 1200
    anonymous = app.test_client()
    assert anonymous.get(f"/items/{draft.id}/thumbnail").status_code in (302, 303)


def test_an_image_gets_a_scaled_copy(app, as_user, make_item):
    item = make_item(file=(png(), "photo.png"))
    browser, _ = as_user("sales")
    image = image_of(browser.get(f"/items/{item.id}/thumbnail"))
    assert image.size == (480, 360)
    assert image.getpixel((240, 180))[:3] == (200, 30, 30)
    assert previews.page_count(item.current_version) == 0  # an image has no pages to turn


@pytest.mark.parametrize("kind,data,name", [
    ("link", None, None),
    ("md", b"# Notes\n\nPlain text.\n", "notes.md"),
])  # a PDF no reader opens is refused at upload (issue 11); the Office test below covers a failed render
def test_items_without_an_image_get_a_typed_placeholder_card(app, as_user, make_item, kind, data, name):
    title = 'Q3 <script>alert("x")</script> & friends'
    if kind == "link":
        item = make_item(title=title, url="https://videos.example.com/demo", content_type="video")
    else:
        item = make_item(title=title, file=(data, name))
    browser, _ = as_user("sales")
    response = browser.get(f"/items/{item.id}/thumbnail")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Cache-Control"] == "private, no-cache"  # the real one may be on its way
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg ") and "<script" not in svg
    assert "Q3 &lt;script&gt;" in svg and "&amp; friends" in svg
    assert {"link": "LINK", "md": "MD"}[kind] in svg
    assert browser.get(f"/items/{item.id}/thumbnail", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_office_files_without_libreoffice_get_a_placeholder(app, as_user, make_item):
    app.config["OFFICE_CONVERTER"] = "/nonexistent/soffice"
    item = make_item(file=(search_files.pptx(slides=2), "deck.pptx"), content_type="slide_deck")
    assert previews.manifest(item.current_version)["error"] == "No LibreOffice to convert Office files."
    browser, _ = as_user("sales")
    svg = browser.get(f"/items/{item.id}/thumbnail").get_data(as_text=True)
    assert "PPTX" in svg and "SLIDE DECK" in svg
    assert browser.get(f"/items/{item.id}/pages/1").status_code == 404


@needs_libreoffice
@pytest.mark.parametrize("kind,data,pages", [
    ("pptx", search_files.pptx(slides=4), 4),
    ("docx", search_files.docx(), 1),
    ("xlsx", search_files.xlsx(), None),
])
def test_office_files_are_converted_by_libreoffice(app, as_user, make_item, kind, data, pages):
    item = make_item(file=(data, f"file.{kind}"))
    found = previews.manifest(item.current_version)
    assert found["error"] == "" and found["source"] == "libreoffice", found
    if pages is not None:
        assert found["pages"] == pages
    browser, _ = as_user("sales")
    thumb = image_of(browser.get(f"/items/{item.id}/thumbnail"))
    assert thumb.width == 480
    if kind == "pptx":
        assert thumb.width > thumb.height  # a slide, landscape
        assert image_of(browser.get(f"/items/{item.id}/pages/4")).width == 1200


def test_a_new_version_gets_its_own_previews_and_deleting_removes_them(app, as_user, make_item, make_user, work):
    item = make_item("draft", file=(search_files.pdf(pages=1), "v1.pdf"))
    first = item.current_version
    library_services.add_version(item.owner, item, upload(search_files.pdf(pages=2), "v2.pdf"))
    work()
    second = item.current_version
    assert second.id != first.id and previews.page_count(second) == 2
    assert previews.page_count(first) == 1  # old versions keep theirs, for now
    folders = [previews.folder_for(first.id), previews.folder_for(second.id)]
    assert all(f.is_dir() for f in folders)
    library_services.delete_item(make_user("marketing"), item)
    work()
    assert not any(f.exists() for f in folders)


def test_rendering_again_replaces_the_images(app, make_item):
    item = make_item(file=(search_files.pdf(pages=2), "deck.pdf"))
    version = item.current_version
    again = previews.render_version(version.id, version.kind, version.stored_name)
    assert again == {"pages": 2, "source": "pdf", "error": ""}
    assert sorted(p.name for p in previews.folder_for(version.id).iterdir()) == [
        "manifest.json", "page-0001.png", "page-0002.png", "text.json", "thumb.png"]
    assert not [p for p in previews.folder_for(version.id).parent.iterdir() if p.name.startswith(".")]


def test_render_previews_command_queues_files_without_images(app, runner, make_item, work):
    item = make_item(file=(search_files.pdf(pages=1), "a.pdf"))
    previews.remove([item.current_version.id])  # as if stored before previews existed
    make_item(url="https://example.com/video")
    result = runner.invoke(args=["render-previews"])
    assert result.exit_code == 0 and "Queued 1 preview jobs" in result.output, result.output
    work()
    assert previews.page_count(item.current_version) == 1
    assert "Queued 0 preview jobs" in runner.invoke(args=["render-previews"]).output
    assert "Queued 1 preview jobs" in runner.invoke(args=["render-previews", "--all"]).output


def test_a_search_hit_inside_a_pdf_opens_the_viewer_at_its_page(app, as_user, make_item):
    item = make_item(title="Pricing guide", file=(search_files.pdf(pages=5, marker="zebra quartz marker"), "guide.pdf"))
    browser, _ = as_user("sales")
    html = browser.get("/search?q=zebra+quartz").get_data(as_text=True)
    assert "page 5 of 5" in html
    assert f'href="/items/{item.id}?page=5#viewer"' in html
    assert f"/items/{item.id}/pages/5?v=" in html  # that page's image beside the snippet
    assert "Page 5 of 5" in browser.get(f"/items/{item.id}?page=5").get_data(as_text=True)
    # A word on no page in particular (the title) opens the item at its start.
    other = browser.get("/search?q=guide").get_data(as_text=True)
    assert "page 1 of 5" in other or f'href="/items/{item.id}"' in other


@needs_libreoffice
def test_a_search_hit_on_slide_14_opens_the_viewer_at_slide_14(app, as_user, make_item):
    deck = make_item(title="Healthcare deck", content_type="slide_deck", file=(search_files.pptx(slides=14), "deck.pptx"))
    browser, _ = as_user("sales")
    html = browser.get("/search?q=objection+handling").get_data(as_text=True)
    assert "page 14 of 14" in html and f'href="/items/{deck.id}?page=14#viewer"' in html
