"""Thumbnails and page images of file versions, made by the background worker.

Storing a file version queues a `library.previews` job (in the same transaction). The worker renders
the file in a child process (hub/library/render.py: pypdfium2 for PDFs, Pillow for images); Word,
PowerPoint and Excel files are first converted to PDF by LibreOffice in headless mode when it is
installed (HUB_OFFICE_CONVERTER, else `soffice` or `libreoffice` on PATH). The images go to
UPLOAD_FOLDER/previews/<version id>/ with a manifest.json ({"pages", "source", "error"}). Anything
without an image (a link, a text file, an Office file with no converter, a file that failed) gets a
typed placeholder card: an SVG Hub draws from the item's type and title, never a broken image.
"""
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import textwrap
import uuid
from pathlib import Path

from flask import abort, current_app, send_file
from flask_sqlalchemy.session import Session as FlaskSession
from markupsafe import escape
from sqlalchemy import event, select

from hub import jobs
from hub.child import Child
from hub.extensions import db
from hub.library.files import KINDS, path_for, upload_folder
from hub.library.models import FileVersion

log = logging.getLogger(__name__)
JOB = "library.previews"
OFFICE = {"docx", "pptx", "xlsx"}
RENDERED = {"pdf", "png", "jpeg"} | OFFICE
PAGED = {"pdf", "docx", "pptx"}          # kinds the item page turns page by page
RENDER_SCRIPT = Path(__file__).with_name("render.py")
DEFAULTS = {
    "OFFICE_CONVERTER": "",              # path to soffice; empty: look for soffice/libreoffice on PATH
    "OFFICE_CONVERT_SECONDS": 120,       # LibreOffice's deadline per file
    "PREVIEW_RENDER_SECONDS": 120,       # the renderer's deadline per file
}
COLOURS = {"pdf": "#d93f3f", "docx": "#2b5fd9", "pptx": "#d9682b", "xlsx": "#1f8a4c", "txt": "#5b6478",
           "md": "#5b6478", "png": "#7b4fd9", "jpeg": "#7b4fd9", "link": "#3948c9"}
SHORT = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "xlsx": "XLSX", "txt": "TXT", "md": "MD", "png": "PNG",
         "jpeg": "JPG", "link": "LINK"}


# --- queueing (inside the uploader's transaction) -------------------------------------------------


@event.listens_for(FlaskSession, "after_flush")
def queue_new_versions(session, flush_context):
    """Queue a preview job for every file version this flush stored."""
    ids = sorted(obj.id for obj in session.new if isinstance(obj, FileVersion) and obj.kind in RENDERED)
    if ids:
        jobs.enqueue(JOB, ids, session=session)


# --- storage --------------------------------------------------------------------------------------


def folder_for(version_id):
    """Where a version's images live: UPLOAD_FOLDER/previews/<version id>/."""
    return upload_folder() / "previews" / str(int(version_id))


def manifest(version):
    """{"pages": int, "source": str, "error": str} for a rendered version, or None (not rendered yet,
    or nothing to render)."""
    if version is None:
        return None
    try:
        return json.loads((folder_for(version.id) / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def page_count(version):
    """How many page images the viewer can show for this version (0: none)."""
    found = manifest(version) if version is not None and version.kind in PAGED else None
    return int(found.get("pages", 0)) if found else 0


def matching_page(version, words):
    """The page (1-based) of a rendered version whose text holds the most of `words` (lower-case
    strings), the earliest on a tie; None when no page holds any, or the version has no page text."""
    if version is None or version.kind not in PAGED or not words:
        return None
    try:
        texts = json.loads((folder_for(version.id) / "text.json").read_text())
    except (OSError, ValueError):
        return None
    best, best_count = None, 0
    for number, text in enumerate(texts, 1):
        text = text.lower()
        count = sum(1 for word in words if word in text)
        if count > best_count:
            best, best_count = number, count
    return best


def remove(version_ids):
    """Delete the images of these versions (after the rows are gone)."""
    for version_id in version_ids:
        shutil.rmtree(folder_for(version_id), ignore_errors=True)


# --- the worker's side ----------------------------------------------------------------------------


@jobs.handler(JOB)
def make_previews(claimed):
    """Render each claimed version; a version deleted meanwhile is skipped. Idempotent: a version is
    rendered afresh into a new folder that replaces the old one."""
    ids = [int(job.key) for job in claimed]
    rows = db.session.execute(select(FileVersion.id, FileVersion.kind, FileVersion.stored_name)
                              .where(FileVersion.id.in_(ids))).all()
    db.session.commit()  # end the read: rendering may take minutes and must hold no database lock
    for version_id, kind, stored_name in rows:
        result = render_version(version_id, kind, stored_name)
        log.info("previews for version %s: %s", version_id, result)


def office_converter():
    """The LibreOffice executable to convert with, or None when there is none."""
    configured = current_app.config.get("OFFICE_CONVERTER") or ""
    if configured:
        return configured if os.access(configured, os.X_OK) else shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def render_version(version_id, kind, stored_name):
    """Write a version's thumbnail and page images and its manifest; returns the manifest."""
    source = path_for(stored_name)
    final = folder_for(version_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    work = final.parent / f".work-{uuid.uuid4().hex}"
    work.mkdir()
    try:
        result = render_into(source, kind, work)
        (work / "manifest.json").write_text(json.dumps(result))
        old = final.parent / f".old-{uuid.uuid4().hex}"
        if final.exists():
            final.rename(old)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_into(source, kind, outdir):
    """{"pages", "source", "error"} after rendering `source` (of `kind`) into `outdir`."""
    if not source.is_file():
        return {"pages": 0, "source": "", "error": "The stored file is missing."}
    if kind in OFFICE:
        converter = office_converter()
        if converter is None:
            return {"pages": 0, "source": "", "error": "No LibreOffice to convert Office files."}
        pdf, error = convert_to_pdf(converter, source, outdir)
        if pdf is None:
            return {"pages": 0, "source": "", "error": error}
        result = run_renderer(pdf, "pdf", outdir)
        pdf.unlink(missing_ok=True)
        return {**result, "source": "libreoffice"}
    return {**run_renderer(source, kind, outdir), "source": kind}


def convert_to_pdf(converter, source, outdir):
    """(pdf path, "") from LibreOffice headless, or (None, reason). A private profile folder per run,
    so conversions never share (or lock) a user's profile; a deadline, so a hung soffice is killed."""
    with tempfile.TemporaryDirectory(prefix="hub-soffice-") as scratch:
        scratch = Path(scratch)
        inbox = scratch / f"source{source.suffix}"
        shutil.copyfile(source, inbox)
        command = [converter, f"-env:UserInstallation={(scratch / 'profile').as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(scratch / "out"), str(inbox)]
        try:
            subprocess.run(command, capture_output=True, timeout=current_app.config["OFFICE_CONVERT_SECONDS"],
                           check=False, start_new_session=True, env={**os.environ, "HOME": str(scratch)})
        except subprocess.TimeoutExpired:
            return None, "LibreOffice took too long to convert the file."
        except OSError as e:
            return None, f"LibreOffice could not start: {e.strerror}."
        made = scratch / "out" / "source.pdf"
        if not made.is_file():
            return None, "LibreOffice could not convert the file."
        target = outdir / "converted.pdf"
        shutil.move(made, target)
        return target, ""


renderer = Child(RENDER_SCRIPT, "Rendering")


def run_renderer(source, kind, outdir):
    """{"pages", "error"} from the render process for `source`."""
    answer = renderer.run([str(source), kind, str(outdir)], current_app.config["PREVIEW_RENDER_SECONDS"])
    if "pages" not in answer:
        return {"pages": 0, "error": answer.get("error") or "The renderer gave no answer."}
    return {"pages": int(answer["pages"]), "error": ""}


# --- serving --------------------------------------------------------------------------------------


def sandboxed(response):
    """Image headers: no script ever runs, no type guessing."""
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_image(path, etag):
    """A stored PNG, revalidated by ETag (the URL names the version, so it may be kept a day)."""
    response = send_file(path, mimetype="image/png", conditional=True, etag=etag, max_age=0)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return sandboxed(response)


def send_thumbnail(item, request):
    """The item's thumbnail: its first page or image when rendered, else a placeholder card."""
    version = item.current_version
    if version is not None:
        path = folder_for(version.id) / "thumb.png"
        if path.is_file():
            return send_image(path, f"v{version.id}-{version.sha256[:16]}-thumb")
    return send_placeholder(item, request)


def send_page(item, number):
    """Page `number` (1-based) of the item's current version, or 404."""
    version = item.current_version
    if version is None or not 1 <= number <= page_count(version):
        abort(404, "There is no such page.")
    path = folder_for(version.id) / f"page-{number:04d}.png"
    if not path.is_file():
        abort(404, "There is no such page.")
    return send_image(path, f"v{version.id}-{version.sha256[:16]}-p{number}")


def send_placeholder(item, request):
    """The typed card as SVG; not kept long, since the real thumbnail may be on its way."""
    svg = placeholder_svg(item).encode()
    etag = hashlib.sha256(svg).hexdigest()[:32]
    response = current_app.response_class(svg, mimetype="image/svg+xml")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return sandboxed(response.make_conditional(request))


def placeholder_svg(item):
    """A 480x360 card: the file type's badge and colour, the content type and the title (3 lines)."""
    version = item.current_version
    kind = version.kind if version else "link"
    colour = COLOURS.get(kind, "#5b6478")
    label = KINDS[kind].label if kind in KINDS else "Link"
    lines = textwrap.wrap(item.title, 26)[:3]
    if len(textwrap.wrap(item.title, 26)) > 3:
        lines[-1] = lines[-1][:24] + "…"
    title = "".join(f'<tspan x="40" dy="{0 if i == 0 else 34}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360" role="img" '
        f'aria-label="{escape(label)}: {escape(item.title)}">'
        '<rect width="480" height="360" fill="#f4f6fb"/>'
        f'<rect x="0" y="0" width="480" height="8" fill="{colour}"/>'
        f'<path d="M40 40h54l22 22v70h-76z" fill="#fff" stroke="{colour}" stroke-width="3"/>'
        f'<path d="M94 40v22h22" fill="none" stroke="{colour}" stroke-width="3"/>'
        f'<rect x="30" y="92" width="76" height="26" rx="5" fill="{colour}"/>'
        f'<text x="68" y="111" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="15" '
        f'font-weight="700" fill="#fff">{SHORT.get(kind, kind.upper())}</text>'
        '<text x="136" y="74" font-family="DejaVu Sans, Arial, sans-serif" font-size="16" font-weight="600" '
        f'fill="#5b6478" letter-spacing="1">{escape(item.content_type_label.upper())}</text>'
        '<text x="136" y="100" font-family="DejaVu Sans, Arial, sans-serif" font-size="15" '
        f'fill="#8a93a6">{escape(label)}</text>'
        '<text x="40" y="200" font-family="DejaVu Sans, Arial, sans-serif" font-size="26" font-weight="700" '
        f'fill="#141b2d">{title}</text>'
        '</svg>'
    )


def init_app(app):
    """The preview settings (HUB_OFFICE_CONVERTER and the deadlines)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
