"""Real demo documents as bytes (PDF, DOCX, PPTX, XLSX, Markdown, text) built from the catalogue.

Text documents are first described as a `Doc` of simple blocks, then rendered by the writer the
file name's extension asks for; decks and workbooks have their own builders.
"""
import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from pptx import Presentation
from pptx.util import Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hub.demo import catalog
from hub.demo.catalog import COMPANY

BRAND = colors.HexColor("#1F4E79")


@dataclass
class Doc:
    """A text document: a cover line, title and subtitle, then blocks.

    Blocks are ("h", text), ("p", text), ("ul", [text]), ("table", [row]), ("quote", (text, who))
    and ("break", None); the first table row is its header.
    """

    label: str
    title: str
    subtitle: str = ""
    blocks: list = field(default_factory=list)


# --- content: catalogue entries as Docs ---------------------------------------------------------


def section_blocks(sections, page_per_section=False):
    """Blocks for (heading, body) sections; strings are paragraphs, lists are bullets."""
    blocks = []
    for heading, body in sections:
        if page_per_section:
            blocks.append(("break", None))
        blocks.append(("h", heading))
        blocks.extend(("ul", part) if isinstance(part, list) else ("p", part) for part in body)
    return blocks


def paper(key):
    """Whitepapers, guides and one-pagers written as sections."""
    entry = catalog.PAPERS[key]
    paged = entry.get("one_section_per_page", False)
    blocks = [("p", f"Published by {COMPANY}.")]
    if paged:
        blocks += [("h", "Contents"), ("ul", [heading for heading, _ in entry["sections"]])]
    blocks += section_blocks(entry["sections"], paged)
    return Doc(entry["label"], entry["title"], entry["subtitle"], blocks)


def one_pager(key):
    """A product one-pager: what it is, top capabilities, proof."""
    product = catalog.PRODUCTS[key]
    bullets = [f"{name}: {text}" for name, text in product["features"]]
    blocks = [("p", product["summary"]), ("h", "What you get"), ("ul", bullets),
              ("h", "Proof"), ("p", product["proof"]),
              ("h", "Next step"), ("p", "Ask your account executive for a 30-minute tailored demo.")]
    return Doc("One-pager", product["name"], product["tagline"], blocks)


def datasheet(key):
    """A product datasheet: capabilities table and technical specifications."""
    product = catalog.PRODUCTS[key]
    blocks = [("p", product["summary"]),
              ("h", "Capabilities"), ("table", [("Capability", "What it does"), *product["features"]]),
              ("h", "Technical specifications"), ("table", [("Item", "Specification"), *product["specs"]]),
              ("h", "Customer result"), ("p", product["proof"])]
    return Doc("Datasheet", f"{product['name']} datasheet", product["tagline"], blocks)


def case_study(key):
    """A two-page case study: at a glance and results, then challenge, solution and quote."""
    customer = catalog.CUSTOMERS[key]
    headline, metric = customer["results"][0]
    blocks = [("h", "At a glance"), ("table", [("Customer", customer["name"]), *customer["profile"]]),
              ("h", "Results"), ("table", [("Result", "Measure"), *customer["results"]]),
              ("break", None),
              ("h", "The challenge"), *(("p", text) for text in customer["challenge"]),
              ("h", "The solution"), *(("p", text) for text in customer["solution"]),
              ("quote", customer["quote"])]
    return Doc("Case study", customer["name"], f"{metric}: {headline}", blocks)


def battlecard(key):
    """A competitive battlecard with objection handling and landmine questions."""
    rival = catalog.COMPETITORS[key]
    objections = [("Objection", "Response"), *rival["objections"]]
    blocks = [("p", rival["profile"]),
              ("h", f"Where {rival['name']} is strong"), ("ul", rival["strengths"]),
              ("h", f"Where {rival['name']} is weak"), ("ul", rival["weaknesses"]),
              ("h", "Our win themes"), ("ul", rival["win_themes"]),
              ("h", "Objection handling"), ("table", objections),
              ("h", "Landmine questions to ask"), ("ul", rival["landmines"]),
              ("p", "Internal use only. Do not share battlecards with prospects.")]
    return Doc("Battlecard", f"{COMPANY} vs {rival['name']}", "Competitive battlecard for the field", blocks)


def email(key):
    """An e-mail template with merge fields and usage notes."""
    entry = catalog.EMAILS[key]
    blocks = [("p", f"Subject: {entry['subject']}"), *(("p", text) for text in entry["body"]),
              ("h", "How to use this template"),
              ("ul", [*entry["notes"], "Replace every {{merge_field}} before sending."])]
    return Doc("E-mail template", entry["title"], "", blocks)


def pricing(_key):
    """The price book: tiers, add-ons, volume discounts and terms."""
    price = catalog.PRICING
    tiers = [("Tier", "List price", "Platform fee", "Users", "Includes")]
    for tier in price["tiers"]:
        fee = f"${tier['platform_fee']:,} / year" if tier["platform_fee"] else "None"
        tiers.append((tier["name"], f"${tier['price']} per user / month", fee, tier["users"],
                      "; ".join(tier["includes"])))
    blocks = [("h", "Tiers"), ("table", tiers),
              ("h", "Add-ons"), ("table", [("Add-on", "Price", "Note"), *price["add_ons"]]),
              ("h", "Volume discounts"), ("table", [("Named users", "Discount off list"), *price["volume"]]),
              ("break", None), ("h", "Commercial terms"), ("ul", price["terms"])]
    return Doc("Price book", f"{COMPANY} price book", "List prices in USD, effective this fiscal year", blocks)


CONTENT = {"paper": paper, "one_pager": one_pager, "datasheet": datasheet, "case_study": case_study,
           "battlecard": battlecard, "email": email, "pricing": pricing}


# --- writers for Docs ---------------------------------------------------------------------------


def pdf_styles():
    """Paragraph styles for PDFs, derived from reportlab's sample sheet."""
    sheet = getSampleStyleSheet()
    return {
        "label": ParagraphStyle("label", parent=sheet["Normal"], textColor=BRAND, fontSize=10, spaceAfter=6),
        "title": ParagraphStyle("title", parent=sheet["Title"], alignment=0, textColor=BRAND),
        "subtitle": ParagraphStyle("subtitle", parent=sheet["Heading3"], textColor=colors.grey),
        "h": ParagraphStyle("h", parent=sheet["Heading2"], textColor=BRAND),
        "p": ParagraphStyle("p", parent=sheet["BodyText"], fontSize=10.5, leading=15),
        "cell": ParagraphStyle("cell", parent=sheet["BodyText"], fontSize=9, leading=12),
        "quote": ParagraphStyle("quote", parent=sheet["Italic"], fontSize=12, leading=17, leftIndent=18,
                                textColor=BRAND, spaceBefore=12),
    }


def pdf_table(rows, styles):
    """A full-width table whose first row is a shaded header."""
    cells = [[Paragraph(escape(str(value)), styles["cell"]) for value in row] for row in rows]
    table = Table(cells, colWidths=column_widths(rows, 17 * cm), repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def column_widths(rows, total):
    """Share the width between columns by how much text each holds, within limits."""
    weights = [min(max(len(str(row[i])) for row in rows), 60) + 10 for i in range(len(rows[0]))]
    return [total * weight / sum(weights) for weight in weights]


def pdf_flowables(kind, value, styles):
    """The reportlab flowables for one block."""
    if kind == "break":
        return [PageBreak()]
    if kind == "table":
        return [pdf_table(value, styles), Spacer(1, 8)]
    if kind == "ul":
        items = [Paragraph(escape(text), styles["p"]) for text in value]
        # An en dash, not reportlab's default bullet, which pypdf extracts as the control character \x7f.
        return [ListFlowable(items, bulletType="bullet", start="\u2013", leftIndent=14)]
    if kind == "quote":
        text, who = value
        return [Paragraph(f"\u201c{escape(text)}\u201d<br/>\u2014 {escape(who)}", styles["quote"])]
    return [Paragraph(escape(value), styles[kind])]


def pdf_page_frame(canvas, document):
    """Brand line at the top and the page number at the bottom of every page."""
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(BRAND)
    canvas.drawString(2 * cm, A4[1] - 1.2 * cm, f"{COMPANY} | {document.title}")
    canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {document.page}")
    canvas.restoreState()


def to_pdf(doc):
    """A PDF with a branded header, page numbers and the Doc's blocks."""
    styles = pdf_styles()
    story = [Paragraph(escape(doc.label.upper()), styles["label"]), Paragraph(escape(doc.title), styles["title"])]
    if doc.subtitle:
        story.append(Paragraph(escape(doc.subtitle), styles["subtitle"]))
    for kind, value in doc.blocks:
        story.extend(pdf_flowables(kind, value, styles))
    out = io.BytesIO()
    template = SimpleDocTemplate(out, pagesize=A4, title=doc.title, author=COMPANY, subject=doc.label,
                                 invariant=True, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm)
    template.build(story, onFirstPage=pdf_page_frame, onLaterPages=pdf_page_frame)
    return out.getvalue()


def docx_block(document, kind, value):
    """Add one block to a Word document."""
    if kind == "break":
        document.add_page_break()
    elif kind == "h":
        document.add_heading(value, level=1)
    elif kind == "ul":
        for text in value:
            document.add_paragraph(text, style="List Bullet")
    elif kind == "table":
        table = document.add_table(rows=0, cols=len(value[0]))
        table.style = "Light Grid Accent 1"
        for row in value:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = str(text)
    elif kind == "quote":
        document.add_paragraph(f"\u201c{value[0]}\u201d \u2014 {value[1]}", style="Intense Quote")
    else:
        document.add_paragraph(value)


def to_docx(doc):
    """A Word document with title, subtitle and the Doc's blocks."""
    document = docx.Document()
    document.core_properties.title = doc.title
    document.core_properties.author = COMPANY
    document.add_paragraph(doc.label, style="Subtitle")
    document.add_heading(doc.title, level=0)
    if doc.subtitle:
        document.add_paragraph(doc.subtitle, style="Subtitle")
    for kind, value in doc.blocks:
        docx_block(document, kind, value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def markdown_lines(kind, value):
    """Markdown for one block."""
    if kind == "break":
        return ["---"]
    if kind == "h":
        return [f"## {value}"]
    if kind == "ul":
        return [f"- {text}" for text in value]
    if kind == "table":
        header, *rows = value
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    if kind == "quote":
        return [f"> {value[0]}", ">", f"> \u2014 {value[1]}"]
    return [value]


def to_markdown(doc):
    """A Markdown document."""
    parts = [f"# {doc.title}", f"*{doc.label} \u00b7 {COMPANY}*" + (f"  \n{doc.subtitle}" if doc.subtitle else "")]
    parts += ["\n".join(markdown_lines(kind, value)) for kind, value in doc.blocks]
    return ("\n\n".join(parts) + "\n").encode()


def text_lines(kind, value):
    """Plain text for one block."""
    if kind == "h":
        return [value.upper() + "\n" + "-" * len(value)]
    if kind == "ul":
        return [f"  * {text}" for text in value]
    if kind == "table":
        return ["  " + " | ".join(str(cell) for cell in row) for row in value]
    if kind == "quote":
        return [f'"{value[0]}"', f"  - {value[1]}"]
    return [value]


def to_text(doc):
    """A plain-text document."""
    parts = [doc.title + "\n" + "=" * len(doc.title), f"{doc.label}, {COMPANY}"]
    parts += ["\n".join(text_lines(kind, value)) for kind, value in doc.blocks if kind != "break"]
    return ("\n\n".join(parts) + "\n").encode()


WRITERS = {".pdf": to_pdf, ".docx": to_docx, ".md": to_markdown, ".txt": to_text}


# --- decks and workbooks ------------------------------------------------------------------------


def deck(key):
    """A PowerPoint deck: a title slide, then bulleted slides with speaker notes where given."""
    entry = catalog.DECKS[key]
    presentation = Presentation()
    title_slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    title_slide.shapes.title.text = entry["title"]
    title_slide.placeholders[1].text = f"{entry['subtitle']}\n{COMPANY}"
    for title, bullets, notes in entry["slides"]:
        add_bullet_slide(presentation, title, bullets, notes)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def add_bullet_slide(presentation, title, bullets, notes):
    """One title-and-content slide; long bullets get a smaller font so they fit."""
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    size = Pt(16) if max(len(b) for b in bullets) > 70 else Pt(22)
    for i, text in enumerate(bullets):
        paragraph = body.paragraphs[0] if i == 0 else body.add_paragraph()
        paragraph.text = text
        paragraph.font.size = size
    if notes:
        slide.notes_slide.notes_text_frame.text = notes


def header_row(sheet, columns, widths):
    """Write a bold, shaded header row and set column widths."""
    sheet.append(list(columns))
    for cell, width in zip(sheet[1], widths, strict=True):
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def number_format(unit):
    """The Excel number format for a unit."""
    return {"%": "0%", "USD": '"$"#,##0', "months": "0.0"}.get(unit, "#,##0")


def named_rows(workbook, sheet, rows, input_cells):
    """Append (name, label, value, unit) rows and give each value cell a workbook-wide name."""
    for name, label, value, unit in rows:
        sheet.append([label, value, unit])
        cell = sheet.cell(row=sheet.max_row, column=2)
        cell.number_format = number_format(unit)
        if input_cells:
            cell.font = Font(color="0000FF")
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        ref = f"{sheet.title}!$B${cell.row}"
        workbook.defined_names[name] = DefinedName(name, attr_text=ref)


def result_unit(name):
    """The display unit of a result, guessed from its name."""
    if name.endswith("roi"):
        return "%"
    return "months" if name.endswith("months") else "USD"


def roi(key):
    """An ROI workbook: named assumptions, results as formulas over those names, and how to use it."""
    model = catalog.ROI_MODELS[key]
    workbook = openpyxl.Workbook()
    inputs = workbook.active
    inputs.title = "Assumptions"
    header_row(inputs, ("Assumption", "Value", "Unit"), (52, 16, 10))
    named_rows(workbook, inputs, model["inputs"], True)
    results = workbook.create_sheet("Results")
    header_row(results, ("Result", "Value", "Unit"), (40, 18, 10))
    rows = [(name, label, formula, result_unit(name)) for name, label, formula in model["results"]]
    named_rows(workbook, results, rows, False)
    about_sheet(workbook, model)
    return workbook_bytes(workbook)


def plan(_key):
    """The implementation plan: tasks by week with a status drop-down and a progress formula."""
    entry = catalog.PLAN
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    header_row(sheet, entry["columns"], (8, 40, 28, 34, 14))
    for task in entry["tasks"]:
        sheet.append(list(task))
    last = sheet.max_row
    statuses = DataValidation(type="list", formula1='"Not started,In progress,Done,Blocked"', allow_blank=False)
    sheet.add_data_validation(statuses)
    statuses.add(f"E2:E{last}")
    sheet.append([])
    sheet.append(["", "Share of tasks done", "", "", f'=COUNTIF(E2:E{last},"Done")/COUNTA(E2:E{last})'])
    sheet.cell(row=sheet.max_row, column=5).number_format = "0%"
    about_sheet(workbook, entry)
    return workbook_bytes(workbook)


def questionnaire(_key):
    """Approved security-review answers, one question per row."""
    entry = catalog.QUESTIONNAIRE
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Answers"
    header_row(sheet, entry["columns"], (18, 46, 70, 26))
    for row in entry["rows"]:
        sheet.append(list(row))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    about_sheet(workbook, entry)
    return workbook_bytes(workbook)


def about_sheet(workbook, entry):
    """A last sheet with the workbook's title and how to use it."""
    sheet = workbook.create_sheet("About")
    header_row(sheet, (entry["title"],), (110,))
    for text in entry["about"]:
        sheet.append([text])


def workbook_bytes(workbook):
    """The saved .xlsx file as bytes."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FILE_BUILDERS = {"deck": deck, "roi": roi, "plan": plan, "questionnaire": questionnaire}


def build(file_spec):
    """The bytes of a catalogue file given as (file name, builder, entry)."""
    name, builder, key = file_spec
    if builder in FILE_BUILDERS:
        return FILE_BUILDERS[builder](key)
    return WRITERS[Path(name).suffix.lower()](CONTENT[builder](key))
