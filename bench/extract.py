"""Extraction benchmark: a 40-page PDF and real Office files, through the worker process.

    .venv/bin/python bench/extract.py
"""
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from hub.search.extract import extract

SENTENCE = ("Lumora Forecast cuts month-end close from nine days to four by reconciling revenue drivers "
            "automatically, with explainable models that finance teams can audit line by line. ")


def forty_page_pdf():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in range(40):
        y = 800
        for line in range(45):
            c.drawString(40, y, f"{page + 1}.{line + 1} " + SENTENCE[: 90])
            y -= 17
        c.showPage()
    c.save()
    return buf.getvalue()


def timed(path, kind, runs=10):
    extract(path, kind)  # the first call starts the worker process
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = extract(path, kind)
        times.append((time.perf_counter() - start) * 1000)
    return result, times


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forty.pdf"
        path.write_bytes(forty_page_pdf())
        start = time.perf_counter()
        extract(path, "pdf")
        cold = (time.perf_counter() - start) * 1000
        result, times = timed(path, "pdf")
        print(f"40-page PDF ({path.stat().st_size / 1024:.0f} KB, {len(result.text):,} chars): "
              f"first call {cold:.0f} ms (starts the worker), then median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms")


if __name__ == "__main__":
    main()
