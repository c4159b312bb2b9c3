"""Extraction benchmark: word recall per format on the document corpus, time and peak memory per
file, a 100-page PDF, a 150,000-row workbook, and the index size under each analysis.

Recall: a word counts as found when every index term the query side makes of it is among the
terms the index side makes of the file's text (what a one-word search needs). "before" is the
extractor and analyzer of `--base` (a git revision, read with `git show`), "after" the working
tree's; candidate libraries (docx2python, python-pptx, openpyxl, pdfminer.six) are measured with
the new analyzer, in this process (no sandbox: benchmark input only).

    .venv/bin/python bench/extract.py [--base 854e6ec] [--skip-big]
"""
import argparse
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh.analysis import StemmingAnalyzer

from hub.search import analysis
from hub.search import extract as current
from tests import corpus_documents as corpus

SENTENCE = ("Lumora Forecast cuts month-end close from nine days to four by reconciling revenue drivers "
            "automatically, with explainable models that finance teams can audit line by line. ")


def old_extractor(base, folder):
    """The extract module as it was at `base` (it runs itself as the worker, so it gets a file)."""
    path = folder / "old_extract.py"
    path.write_text(subprocess.check_output(["git", "-C", str(ROOT), "show", f"{base}:hub/search/extract.py"], text=True))
    spec = importlib.util.spec_from_file_location("old_extract", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def terms(analyzer, text):
    return {t.text for t in analyzer(text)}


def recall(analyzer, text, words):
    have = terms(analyzer, text)
    return sum(1 for w in words if terms(analyzer, w) and terms(analyzer, w) <= have)


# --- candidate libraries, for comparison ---------------------------------------------------------


def docx2python_text(path):
    from docx2python import docx2python

    with docx2python(path) as document:
        return document.text


def python_pptx_text(path):
    from pptx import Presentation

    def shapes(items):
        for shape in items:
            if shape.shape_type == 6:  # group
                yield from shapes(shape.shapes)
            if shape.has_text_frame:
                yield shape.text_frame.text
            if getattr(shape, "has_table", False) and shape.has_table:
                yield "\n".join(cell.text for row in shape.table.rows for cell in row.cells)
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                if chart.has_title:
                    yield chart.chart_title.text_frame.text
                yield "\n".join(str(c) for c in chart.plots[0].categories) if chart.plots else ""
                yield "\n".join(s.name for s in chart.series)

    out = []
    for slide in Presentation(path).slides:
        out += shapes(slide.shapes)
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(out)


def openpyxl_text(path):
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    out = ["\t".join(str(v) for v in row if v is not None) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True)]
    workbook.close()
    return "\n".join(out)


def pdfminer_text(path):
    from pdfminer.high_level import extract_text

    return extract_text(path)


CANDIDATES = {"docx": [("docx2python", docx2python_text)], "pptx": [("python-pptx", python_pptx_text)],
              "xlsx": [("openpyxl read_only", openpyxl_text)], "pdf": [("pdfminer.six", pdfminer_text)]}


def safely(reader, path):
    try:
        return reader(path)
    except Exception as e:  # noqa: BLE001 - a candidate failing on a file is a result
        return f"<{type(e).__name__}>"


def measure_corpus(old, folder):
    new_analyzer, old_analyzer = analysis.analyzer(), StemmingAnalyzer()
    totals = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    print(f"{'file':30} {'words':>5} {'before':>7} {'after':>6} {'hidden shown':>12} {'ms':>6} {'peak MB':>8}")
    for case in corpus.CASES:
        kind = case.name.rsplit(".", 1)[1]
        path = folder / case.name
        path.write_bytes(case.make())
        before = old.extract(path, kind).text
        current.worker.stop()  # a fresh worker: its peak memory is this file's
        start = time.perf_counter()
        result = current.extract(path, kind)
        ms = (time.perf_counter() - start) * 1000
        found_before, found_after = recall(old_analyzer, before, case.find), recall(new_analyzer, result.text, case.find)
        shown = recall(new_analyzer, result.text, case.absent)
        totals[kind]["before"][0] += found_before
        totals[kind]["after"][0] += found_after
        for name, reader in CANDIDATES.get(kind, []):
            totals[kind][name][0] += recall(new_analyzer, safely(reader, path), case.find)
            totals[kind][name][1] += len(case.find)
        for label in ("before", "after"):
            totals[kind][label][1] += len(case.find)
        print(f"{case.name:30} {len(case.find):5} {found_before:7} {found_after:6} {shown:12} {ms:6.0f} "
              f"{result.peak_kb / 1024:8.0f}")
    print("\nWord recall per format (found / expected):")
    for kind, rows in sorted(totals.items()):
        print(f"  {kind:5} " + "  ".join(f"{label}: {found}/{total} ({found / total:.0%})"
                                        for label, (found, total) in rows.items()))


def hundred_page_pdf(path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(100):
        for line in range(45):
            c.drawString(40, 800 - 17 * line, f"{page + 1}.{line + 1} " + SENTENCE[:90])
        c.showPage()
    c.save()


def timed_file(label, path, kind, old):
    current.worker.stop()
    current.extract(corpus.FOLDER / "xlsx_misc.xlsx", "xlsx")  # a warm worker, its peak from a small file
    start = time.perf_counter()
    result = current.extract(path, kind)
    after = time.perf_counter() - start
    old.extract(corpus.FOLDER / "xlsx_misc.xlsx", "xlsx")
    start = time.perf_counter()
    before = old.extract(path, kind)
    before_s = time.perf_counter() - start
    print(f"{label}: {path.stat().st_size / 1e6:.1f} MB, after {after:.2f} s ({len(result.text):,} chars, "
          f"{result.cpu_ms / 1000:.2f} s CPU in the worker, "
          f"status {'partial: ' + result.partial if result.partial else 'failed: ' + result.error if result.error else 'complete'}, "
          f"worker peak {result.peak_kb / 1024:.0f} MB); before {before_s:.2f} s "
          f"({len(before.text):,} chars{', ' + before.error if before.error else ''})")


def index_size(folder, texts, analyzer_factory, label):
    from whoosh import fields, index

    ix_folder = folder / f"ix-{label}"
    ix_folder.mkdir()
    ix = index.create_in(ix_folder, fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(analyzer=analyzer_factory())))
    writer = ix.writer(limitmb=256)
    start = time.perf_counter()
    for i, text in enumerate(texts):
        writer.add_document(id=str(i), body=text)
    writer.commit()
    size = sum(p.stat().st_size for p in ix_folder.iterdir())
    print(f"  {label:7} {size / 1e6:6.2f} MB, {time.perf_counter() - start:.1f} s")
    return size


def main():
    options = argparse.ArgumentParser()
    options.add_argument("--base", default="854e6ec")
    options.add_argument("--skip-big", action="store_true")
    options.add_argument("--only-big", action="store_true", help="only the 100-page PDF and the big workbook")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = old_extractor(args.base, folder)
        if not args.only_big:
            measure_corpus(old, folder)
        print()
        pdf = folder / "hundred.pdf"
        hundred_page_pdf(pdf)
        timed_file("100-page PDF", pdf, "pdf", old)
        if not args.skip_big:
            big = folder / "big.xlsx"
            big.write_bytes(corpus.big_workbook())
            timed_file("150,000-row workbook", big, "xlsx", old)
        if args.only_big:
            return
        rng = random.Random(7)
        words = SENTENCE.split() + [c.name.split(".")[0] for c in corpus.CASES]
        texts = [" ".join(rng.choices(words, k=600)) for _ in range(2000)]
        texts += [current.extract(folder / c.name, c.name.rsplit(".", 1)[1]).text for c in corpus.CASES] * 20
        print("\nIndex size, 2,000 English items of 600 words and the corpus 20 times:")
        before = index_size(folder, texts, StemmingAnalyzer, "before")
        after = index_size(folder, texts, analysis.analyzer, "after")
        print(f"  change {100 * (after - before) / before:+.1f} %")


if __name__ == "__main__":
    main()
