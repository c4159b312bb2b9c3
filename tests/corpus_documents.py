"""A corpus of documents, each showing one kind of content a reader sees (or must not find), with
the words a rep types to find it. Files in tests/corpus/documents/ came from reports of search
missing words; the rest are made here the way their producers write them (python-docx,
python-pptx, XlsxWriter, reportlab, pypdf), with a part edited where no library writes it.
Used by tests/test_documents.py and bench/extract.py.
"""
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

FOLDER = Path(__file__).parent / "corpus" / "documents"


@dataclass(frozen=True)
class Case:
    name: str           # the file name uploaded
    make: object        # () -> bytes
    find: tuple         # words (as a rep types them) that must find the file
    absent: tuple = ()  # words in the file's markup that a reader does not see


def stored(name):
    return lambda: (FOLDER / name).read_bytes()


def rezip(data, rename=None, replace=None, add=None):
    """An archive with parts renamed, byte strings replaced in every XML part, and parts added."""
    rename, replace, add = rename or {}, replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                for old, new in replace.items():
                    body = body.replace(old, new)
            dst.writestr(rename.get(info.filename, info.filename), body)
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


# --- Word ---------------------------------------------------------------------------------------


def docx_bytes(build):
    from docx import Document

    document = Document()
    build(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_hidden():
    def build(d):
        p = d.add_paragraph("Visible pelican paragraph ")
        p.add_run("phantomword").font.hidden = True
    return docx_bytes(build)


def docx_main_part_renamed():
    """The main document part named word/main.xml (found through the package relationships)."""
    data = docx_bytes(lambda d: d.add_paragraph("Renamed main part about lighthouse pricing"))
    return rezip(data, rename={"word/document.xml": "word/main.xml", "word/_rels/document.xml.rels":
                               "word/_rels/main.xml.rels"},
                 replace={b"/word/document.xml": b"/word/main.xml", b'Target="word/document.xml"': b'Target="word/main.xml"'})


STRICT = {b"http://schemas.openxmlformats.org/wordprocessingml/2006/main": b"http://purl.oclc.org/ooxml/wordprocessingml/main",
          b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
          b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
          b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
          b"http://schemas.openxmlformats.org/presentationml/2006/main": b"http://purl.oclc.org/ooxml/presentationml/main"}


def docx_strict():
    return rezip(docx_bytes(lambda d: d.add_paragraph("Strict Open XML about quetzal onboarding")), replace=STRICT)


def pptx_strict():
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Strict deck"
    slide.notes_slide.notes_text_frame.text = "Mention the toucan pilot"
    buf = io.BytesIO()
    deck.save(buf)
    return rezip(buf.getvalue(), replace=STRICT)


def xlsx_strict():
    import xlsxwriter

    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf)
    workbook.add_worksheet("Plan").write("B2", "Strict workbook about axolotl pricing")
    workbook.close()
    return rezip(buf.getvalue(), replace=STRICT)


# --- PowerPoint ---------------------------------------------------------------------------------

DIAGRAM = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
           b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><dgm:ptLst>'
           b'<dgm:pt modelId="1" type="doc"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p><a:r><a:t>Synergia</a:t></a:r></a:p>'
           b'</dgm:t></dgm:pt><dgm:pt modelId="2"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:p><a:r><a:t>Onboard'
           b'</a:t></a:r><a:br/><a:r><a:t>Flamingo</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst><dgm:cxnLst/></dgm:dataModel>')


def pptx_smartart():
    """A slide whose SmartArt text lives in a diagram data part, as PowerPoint writes it."""
    from pptx import Presentation

    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = "Process overview"
    buf = io.BytesIO()
    deck.save(buf)
    rel = (b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'diagramData" Target="../diagrams/data1.xml"/></Relationships>')
    override = (b'<Override PartName="/ppt/diagrams/data1.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.drawingml.diagramData+xml"/></Types>')
    return rezip(buf.getvalue(), replace={b"</Relationships>": rel, b"</Types>": override},
                 add={"ppt/diagrams/data1.xml": DIAGRAM})


# --- Excel --------------------------------------------------------------------------------------


def xlsx_renamed_sheet_and_phonetics():
    """A second sheet whose part is not sheetN.xml, and a shared string with a phonetic guide (rPh)."""
    import xlsxwriter

    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf)
    first = workbook.add_worksheet("Summary")
    first.write("A1", "東京")
    first.write("A2", "Summary of the year")
    first.write_datetime("B2", datetime(2024, 7, 1), workbook.add_format({"num_format": "yyyy-mm-dd"}))
    second = workbook.add_worksheet("Regions")
    second.write("C9", "Capybara territory")
    workbook.close()
    data = buf.getvalue()
    phonetic = b"<t>\xe6\x9d\xb1\xe4\xba\xac</t><rPh sb=\"0\" eb=\"2\"><t>\xe3\x83\x88\xe3\x82\xa6\xe3\x82\xad\xe3\x83\xa7\xe3\x82\xa6</t></rPh>"
    return rezip(data, rename={"xl/worksheets/sheet2.xml": "xl/worksheets/regions_q3.xml"},
                 replace={b"worksheets/sheet2.xml": b"worksheets/regions_q3.xml",
                          "<t>東京</t>".encode(): phonetic})


# --- PDF ----------------------------------------------------------------------------------------


def pdf_bytes(lines, form_value=None):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 20 * i, line)
    if form_value:
        c.acroForm.textfield(name="customer", value=form_value, x=72, y=500, width=300, height=20)
    c.showPage()
    c.save()
    return buf.getvalue()


def pdf_annotations_and_form():
    """A filled-in form field and a sticky-note comment, besides the page text."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(["Order form for partners"], "Kestrelvalue Ltd"))))
    writer.add_annotation(0, Text(rect=(50, 550, 200, 650), text="Reviewer says pelicannote"))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_permissions_only():
    """AES-256 encryption with an owner password only: anyone opens it, copying is restricted."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(["Ocelot datasheet, printing restricted"]))))
    writer.encrypt(user_password="", owner_password="owner-only", permissions_flag=0, algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# --- text ---------------------------------------------------------------------------------------

MARKDOWN = ("# Zqxheading\n\nA **zqxword** in bold, _zqxemph_ in italics, ~~zqxstruck~~ and "
            "[zqxlink](https://example.com/zqxaddress).\n\n- item with `zqxcode`\n")


CASES = [
    Case("docx_breaks.docx", stored("docx_breaks.docx"), ("forecast", "territory", "quarterly", "wombat")),
    Case("docx_textbox.docx", stored("docx_textbox.docx"), ("zephyrine", "closing")),
    Case("docx_tracked_sdt_field.docx", stored("docx_tracked_sdt_field.docx"), ("obsidian", "marigold", "cobalt"),
         ("tangerine", "zucchini", "mergefield")),
    Case("docx_languages.docx", stored("docx_languages.docx"),
         ("東京", "営業", "上海", "销售", "Vertriebsunterlagen", "Großkunden", "Grosskunden", "Preisübersicht", "équipe",
          "equipe", "stratégie", "strategie", "المبيعات", "Презентация", "продаж")),
    Case("pptx_misc.pptx", stored("pptx_misc.pptx"),
         ("results", "enterprise", "quokka", "groupie", "tablecell", "hemisphere", "atlantis", "zenith")),
    Case("xlsx_misc.xlsx", stored("xlsx_misc.xlsx"), ("renewal", "2025", "alphacentauri", "豊田")),
    Case("sjis.txt", stored("sjis.txt"), ("kawasemi", "東京の営業チーム向け資料")),
    Case("utf16.txt", stored("utf16.txt"), ("narwhal", "ärzte", "Arzte")),
    Case("languages.md", stored("languages.md"), ("Vertriebsunterlagen", "équipe", "equipe", "cafe", "café", "naive")),
    Case("hidden.docx", docx_hidden, ("pelican",), ("phantomword",)),
    Case("renamed-main.docx", docx_main_part_renamed, ("lighthouse",)),
    Case("strict.docx", docx_strict, ("quetzal",)),
    Case("strict.pptx", pptx_strict, ("toucan", "strict")),
    Case("strict.xlsx", xlsx_strict, ("axolotl",)),
    Case("smartart.pptx", pptx_smartart, ("synergia", "onboard", "flamingo")),
    Case("sheets.xlsx", xlsx_renamed_sheet_and_phonetics, ("capybara", "regions", "東京", "2024-07-01"),
         ("トウキョウ",)),
    Case("form.pdf", pdf_annotations_and_form, ("kestrelvalue", "pelicannote", "partners")),
    Case("restricted.pdf", pdf_permissions_only, ("ocelot", "datasheet")),
    # only pdfminer.six reads these (tests/test_documents.py checks that pypdf still cannot):
    Case("pdf_cyclic_page_tree.pdf", stored("pdf_cyclic_page_tree.pdf"), ("gyroscope", "calibration", "marlowe")),
    Case("pdf_garbled_encoding.pdf", stored("pdf_garbled_encoding.pdf"), ("brightwater", "impeller", "saltwater")),
    Case("emphasis.md", lambda: MARKDOWN.encode(), ("zqxheading", "zqxword", "zqxemph", "zqxstruck", "zqxlink", "zqxcode")),
    Case("ligatures.txt", lambda: "The ﬁnance team reads diﬀerently; cash ﬂow".encode(), ("finance", "differently", "flow")),
    Case("arabic.txt", lambda: "عَرْضُ الْمَبِيعَاتِ لِلْعُمَلَاءِ".encode(), ("المبيعات", "عرض")),
    Case("gb18030.txt", lambda: "上海办事处的销售演示文稿".encode("gb18030"), ("上海", "销售", "演示文稿")),
    Case("cp1251.txt", lambda: "Презентация для отдела продаж".encode("cp1251"), ("Презентация", "отдела")),
    Case("cp1252.txt", lambda: "Préparée pour l'équipe: Großkunden".encode("cp1252"), ("preparee", "equipe", "grosskunden")),
]


def big_workbook(rows=150_000, last_word="zanzibarfinal"):
    """A workbook of `rows` rows of text, numbers and dates (about 5 MB), `last_word` on the last row."""
    import xlsxwriter

    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, {"constant_memory": True})
    sheet = workbook.add_worksheet("Pipeline")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r in range(rows):
        sheet.write_string(r, 0, f"Account {r} customer" if r < rows - 1 else f"Account {r} {last_word}")
        sheet.write_string(r, 1, ("North", "South", "East", "West")[r % 4])
        sheet.write_number(r, 2, r * 1.5)
        sheet.write_datetime(r, 3, datetime(2025, 1, 1 + r % 28), dates)
    workbook.close()
    return buf.getvalue()

