"""Real and hostile documents for the search tests, built in memory."""
import io
import zipfile

from docx import Document
from openpyxl import Workbook
from pptx import Presentation
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def pdf(pages=3, marker="zebra quartz marker", text="Pricing guide page"):
    """A PDF whose last page holds the marker."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        c.drawString(72, 760, f"{text} {n}")
        if n == pages:
            c.drawString(72, 700, marker)
        c.showPage()
    c.save()
    return buf.getvalue()


def docx(marker="zebra quartz marker"):
    """Body paragraph, a table cell with the marker, and a header."""
    d = Document()
    d.sections[0].header.paragraphs[0].text = "Confidential header falcon"
    d.add_paragraph("Implementation guide for retail customers.")
    table = d.add_table(rows=2, cols=2)
    table.cell(1, 1).text = marker
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pptx(slides=12, marker="zebra quartz marker"):
    """A deck whose last slide's speaker notes hold the marker."""
    p = Presentation()
    for n in range(1, slides + 1):
        slide = p.slides.add_slide(p.slide_layouts[1])
        slide.shapes.title.text = f"Slide {n}"
        slide.placeholders[1].text = "Objection handling for healthcare buyers" if n == slides else "Overview"
        if n == slides:
            slide.notes_slide.notes_text_frame.text = marker
    buf = io.BytesIO()
    p.save(buf)
    return buf.getvalue()


def xlsx(marker="zebra quartz marker"):
    """Two sheets; the marker is a cell on the last one."""
    wb = Workbook()
    wb.active.append(["Tier", "Price"])
    wb.active.append(["Starter", 35])
    last = wb.create_sheet("Assumptions")
    last["C7"] = marker
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ooxml(parts):
    """A minimal Word-looking archive with the given parts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb():
    return ooxml({"word/document.xml": b"<w:document>" + b"\0" * (200 << 20) + b"</w:document>"})


def many_members(n=5100):
    """More parts than the extractor accepts (short names keep it under the test client's 500 KB spool)."""
    return ooxml({"word/document.xml": "<w/>", **{f"m/{i}": "" for i in range(n)}})


def entity_bomb():
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9))
           + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:p><w:r><w:t>&lol8;</w:t></w:r></w:p></w:body></w:document>')
    return ooxml({"word/document.xml": lol})


def encrypted_pdf():
    reader = PdfReader(io.BytesIO(pdf()))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt("s3cret-password")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def truncated_pdf():
    data = pdf(pages=5)
    return data[: len(data) // 3]


def cyclic_pdf():
    """A page tree whose Kids point back at itself."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>endobj\n"
            b"3 0 obj<</Type/Pages/Kids[2 0 R]/Parent 2 0 R/Count 1>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def slow_pdf(pages=600):
    """A PDF of `pages` pages of 60 dense lines: pypdf needs about 8 CPU seconds for all of it."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        for line in range(60):
            c.drawString(40, 800 - line * 13, f"Page {n} line {line} " + "catalogue wording " * 6
                         + (" openingword" if n == 1 else "") + (" closingword" if n == pages else ""))
        c.showPage()
    c.save()
    return buf.getvalue()

