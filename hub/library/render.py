"""Page images and a thumbnail from a PDF or an image, in a process of its own.

`python render.py --serve` reads one JSON line per file, `[SOURCE, KIND, OUTDIR]`, writes
OUTDIR/thumb.png and OUTDIR/page-0001.png onwards (an image: one page-0001.png), and answers one
JSON line: {"pages": int} or {"error": "..."}. KIND "pdf-check" only opens a PDF and counts its
pages (the upload check), writing nothing. hub.library.previews keeps one such process per worker and gives each file a
deadline; the address-space limit below makes a hostile file cost this process (killed and
replaced), never the worker. Imports only pypdfium2 and Pillow, and needs no app.
"""
import json
import resource
import sys
from pathlib import Path

MEMORY = 2 << 30     # address space of this process
THUMB_WIDTH = 480    # pixels; shown at 240 CSS px, sharp on 2x screens
PAGE_WIDTH = 1200    # pixels; the viewer shows it at most 900 CSS px wide
MAX_PAGES = 300      # pages rendered for the viewer; the rest are not shown
MAX_PIXELS = 60_000_000
MAX_PAGE_TEXT = 20_000  # characters of a page's text kept for finding search hits


def limit_memory():
    """Cap this process's address space at MEMORY (never above the hard limit it was given)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = MEMORY if hard == resource.RLIM_INFINITY else min(MEMORY, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def save_png(image, path, width, palette=False):
    """Scale `image` (PIL) down to `width` pixels wide at most and save it as a PNG; with `palette`,
    in 256 colours (a text page: a third of the bytes of full colour, and four times faster to write)."""
    from PIL import Image

    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.convert("RGBA").split()[-1])
        image = background
    if palette and image.mode == "RGB":
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    image.save(path, "PNG", compress_level=6)


def render_pdf(source, outdir):
    """Every page (up to MAX_PAGES) at PAGE_WIDTH, the first also at THUMB_WIDTH, and each page's text
    in OUTDIR/text.json (a list, for finding the page a search hit is on); returns the page count."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(source))
    texts = []
    try:
        count = min(len(pdf), MAX_PAGES)
        for index in range(count):
            page = pdf[index]
            width, _ = page.get_size()  # PDF points
            image = page.render(scale=PAGE_WIDTH / max(width, 1), draw_annots=True).to_pil()
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded()[:MAX_PAGE_TEXT])
            textpage.close()
            page.close()
            save_png(image, outdir / f"page-{index + 1:04d}.png", PAGE_WIDTH, palette=True)
            if index == 0:
                save_png(image, outdir / "thumb.png", THUMB_WIDTH)
        (outdir / "text.json").write_text(json.dumps(texts))
        return count
    finally:
        pdf.close()


def render_image(source, outdir):
    """A scaled copy for the thumbnail, and one at PAGE_WIDTH (page-0001.png) for share links
    without download rights; an image has no pages to turn, so the count is 0."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(source) as image:
        image.load()
        save_png(image, outdir / "thumb.png", THUMB_WIDTH)
        save_png(image, outdir / "page-0001.png", PAGE_WIDTH)
    return 0


def check_pdf(source):
    """{"pages": int} when PDFium opens the file, {"password": True} when it needs a password to,
    else {"error": why}: the upload check (hub.library.files.check_pdf), kept out of the web process."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError as e:
        return {"password": True} if "password" in str(e).lower() else {"error": str(e)[:300]}
    try:
        return {"pages": len(pdf)}
    finally:
        pdf.close()


def render(source, kind, outdir):
    """{"pages": int} or {"error": str}: one file's images, failures reported as data."""
    source, outdir = Path(source), Path(outdir)
    try:
        if kind == "pdf-check":
            return check_pdf(source)
        return {"pages": render_pdf(source, outdir) if kind == "pdf" else render_image(source, outdir)}
    except MemoryError:
        return {"error": "Rendering the file needed too much memory."}
    except Exception as exc:  # noqa: BLE001 - any failure is the file's, never the worker's
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}


def serve():
    """Cap the address space, then answer one request per line until stdin closes."""
    limit_memory()
    for line in sys.stdin:
        sys.stdout.write(json.dumps(render(*json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve()
