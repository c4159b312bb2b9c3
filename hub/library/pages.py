"""Page images of a stored version: what a share link without download rights shows instead of the file.

The images are the ones the background worker rendered for the item's viewer (hub.library.previews:
PDFium for PDFs, Pillow for images, in the render child process), so no PDF or image parser ever
runs in a web process for a share link, and a hostile file costs only that child. Either way the
viewer gets pictures of the pages, never the original file (its text, attachments, metadata or
full resolution). Until the worker has rendered a new version, the share page says the pages are
being prepared.
"""
from flask import abort, current_app

from hub.library import previews


def pending(version):
    """Whether the worker has yet to render the version's images (it has a kind it renders)."""
    return version is not None and version.kind in ("pdf", "png", "jpeg") and previews.manifest(version) is None


def page_count(version):
    """How many page images the version has (at most SHARE_PREVIEW_MAX_PAGES); 0 when it has none
    (not rendered yet, not a PDF or an image, or a file the renderer could not read)."""
    if version is None or version.kind not in ("pdf", "png", "jpeg"):
        return 0
    found = previews.manifest(version)
    if not found:
        return 0
    if version.kind != "pdf":
        return 1 if image_path(version, 1) else 0
    return min(int(found.get("pages", 0)), current_app.config["SHARE_PREVIEW_MAX_PAGES"])


def image_path(version, number):
    """The rendered PNG of page `number` (1-based), or None. An image rendered before page-0001.png
    was written for images has its thumbnail instead."""
    folder = previews.folder_for(version.id)
    for path in (folder / f"page-{number:04d}.png",) + ((folder / "thumb.png",) if version.kind != "pdf" else ()):
        if path.is_file():
            return path
    return None


def page_png(version, number):
    """PNG bytes of page `number` (1-based) of the version; 404 when there is no such page."""
    path = image_path(version, number) if 1 <= number <= page_count(version) else None
    if path is None:
        abort(404, "There is no such page.")
    return path.read_bytes()
