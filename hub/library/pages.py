"""Page images of a stored version: what a share link without download rights shows instead of the file.

A PDF's pages are rendered by PDFium (pypdfium2); an image is re-encoded, scaled down, as PNG. Either
way the viewer gets pictures of the pages, never the original file (its text, attachments,
metadata or full resolution). Images are kept in PAGE_IMAGE_FOLDER by content hash, so each page
of each file is rendered once.
"""
import io
import logging
import os
from pathlib import Path

from flask import abort, current_app
from PIL import Image

from hub.library.files import path_for

log = logging.getLogger(__name__)
WIDTH = 1200  # pixels: readable on a laptop, far from print quality


def folder():
    path = Path(current_app.config.get("PAGE_IMAGE_FOLDER") or Path(current_app.instance_path) / "page-images")
    path.mkdir(parents=True, exist_ok=True)
    return path


def page_count(version):
    """How many page images the version has (at most SHARE_PREVIEW_MAX_PAGES); 0 when it has none."""
    limit = current_app.config["SHARE_PREVIEW_MAX_PAGES"]
    if version is None or version.kind not in ("pdf", "png", "jpeg"):
        return 0
    if version.kind != "pdf":
        return 1
    try:
        import pypdfium2

        document = pypdfium2.PdfDocument(str(path_for(version.stored_name)))
        try:
            return min(len(document), limit)
        finally:
            document.close()
    except Exception:  # an unreadable file has no pages to show
        log.warning("no page images for version %s", version.id, exc_info=True)
        return 0


def page_png(version, number):
    """PNG bytes of page `number` (1-based) of the version; 404 when there is no such page."""
    if not 1 <= number <= page_count(version):
        abort(404, "There is no such page.")
    cached = folder() / f"{version.sha256}-{number}-{WIDTH}.png"
    if cached.is_file():
        return cached.read_bytes()
    try:
        data = _render(version, number)
    except Exception:
        log.warning("could not render page %s of version %s", number, version.id, exc_info=True)
        abort(404, "This page cannot be shown.")
    partial = cached.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(cached)  # atomic: a reader never sees half a file
    return data


def _render(version, number):
    path = path_for(version.stored_name)
    if version.kind == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(str(path))
        try:
            page = document[number - 1]
            width = page.get_width() or WIDTH
            image = page.render(scale=min(WIDTH / width, 4.0)).to_pil()
        finally:
            document.close()
    else:
        with Image.open(path) as opened:
            opened.thumbnail((WIDTH, WIDTH * 4))
            image = opened.copy()
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=False)
    return out.getvalue()
