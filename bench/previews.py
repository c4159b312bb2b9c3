"""Preview benchmark: thumbnails and page images of a 40-page PDF, a 14-slide PPTX and a 2-page DOCX
(through LibreOffice when installed), as the worker makes them; prints wall times and sizes.

    .venv/bin/python bench/previews.py
"""
import io
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document
from pptx import Presentation
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from hub import create_app
from hub.library import previews

SENTENCE = "Lumora Forecast cuts month-end close from nine days to four by reconciling revenue drivers."


def pdf(pages=40):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in range(pages):
        for line in range(45):
            c.drawString(40, 800 - 17 * line, f"{page + 1}.{line + 1} {SENTENCE}")
        c.showPage()
    c.save()
    return buf.getvalue()


def pptx(slides=14):
    deck = Presentation()
    for n in range(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Slide {n + 1}"
        slide.placeholders[1].text = SENTENCE
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


def docx():
    document = Document()
    for _ in range(60):
        document.add_paragraph(SENTENCE * 3)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def timed(folder, name, data, kind, runs):
    source = folder / name
    source.write_bytes(data)
    times, result = [], None
    for run in range(runs):
        out = folder / f"out-{name}-{run}"
        out.mkdir()
        start = time.perf_counter()
        result = previews.render_into(source, kind, out)
        times.append(time.perf_counter() - start)
    size = sum(p.stat().st_size for p in out.iterdir())
    return result, times, size


def main():
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "UPLOAD_FOLDER": str(folder)})
        with app.app_context():
            previews.renderer.run([str(folder / "missing.pdf"), "pdf", str(folder)], 30)  # start the render process
            office = previews.office_converter()
            print(f"LibreOffice: {office or 'not installed (Office files get the placeholder card)'}")
            cases = [("deck40.pdf", pdf(), "pdf", 3)]
            if office:
                cases += [("deck14.pptx", pptx(), "pptx", 2), ("guide.docx", docx(), "docx", 2)]
            for name, data, kind, runs in cases:
                result, times, size = timed(folder, name, data, kind, runs)
                pages = result["pages"]
                print(f"{name:12} {pages:3d} pages  median {statistics.median(times):6.2f} s"
                      f"  ({1000 * statistics.median(times) / max(pages, 1):5.0f} ms a page)"
                      f"  images {size / 1e6:5.1f} MB  {result['error'] or 'ok'}")
            previews.renderer.stop()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
