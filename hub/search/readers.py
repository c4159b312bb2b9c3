"""What a reader of a PDF, Word, PowerPoint or Excel file sees, as text: run only inside the
extraction worker (`python -I readers.py --serve`, started by hub.search.extract).

This module imports nothing from Hub, so the worker starts without the web app. The libraries
(pypdf with `cryptography`, pdfminer.six, python-calamine, lxml) read the files; in front of them
the archive is checked for zip bombs, DTDs and part counts, and a Budget stops reading when the
characters or the CPU seconds run out, which makes the text partial (and says why), never silently
short. Seconds are CPU seconds of this process, so what is indexed does not depend on how busy
the machine is. The parent also gives each file a wall-clock deadline, which this process keeps
itself (an interval timer): when it strikes, the text read so far is kept and marked partial, and
only a reader stuck in native code past the parent's grace period loses the file to a kill.
"""
import json
import posixpath
import re
import sys
import time
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as clock

MAX_CHARS = 8_000_000          # text kept per file (a 150,000-row workbook is about 6 million)
MAX_PAGES = 2000               # PDF pages read
MAX_MEMBERS = 5000             # entries in an Office archive
MAX_MEMBER_BYTES = 256 << 20   # one part, uncompressed
MAX_TOTAL_BYTES = 1 << 30      # all parts, uncompressed
MAX_RATIO = 500                # uncompressed/compressed beyond which a part is a bomb (XML is 5-50)
CPU_SECONDS = 60.0             # CPU time spent reading one file
MEMORY = 1 << 30               # address space of the worker
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WallClock(BaseException):
    """The wall-clock deadline struck (raised by the interval timer's signal handler). A
    BaseException, so that the readers' broad `except Exception` clauses let it through."""


class Unreadable(Exception):
    """The file cannot be turned into text; the message is shown to marketing."""


def clean(text, limit=MAX_CHARS):
    """No control characters (a vertical tab, PowerPoint's line break, becomes a space), bounded."""
    return CONTROL.sub(" ", text)[:limit]


class Budget:
    """Counts characters and CPU seconds; `partial` says why reading stopped early ('' if it did not)."""

    def __init__(self, chars=MAX_CHARS, seconds=CPU_SECONDS):
        self.parts, self.chars, self.deadline = [], chars, time.process_time() + seconds
        self.seconds, self.partial = seconds, ""

    def add(self, text):
        if text and not self.full:
            if len(text) > self.chars:
                self.partial = f"Only the first {MAX_CHARS:,} characters were indexed."
            text = text[: self.chars]
            self.parts.append(text)
            self.chars -= len(text)

    @property
    def full(self):
        if self.partial:
            return True
        if time.process_time() > self.deadline:
            self.partial = f"Reading stopped after {self.seconds:.0f} seconds: the rest was not indexed."
        elif self.chars <= 0:
            self.partial = f"Only the first {MAX_CHARS:,} characters were indexed."
        return bool(self.partial)

    def text(self):
        return clean("".join(self.parts))


# --- PDF --------------------------------------------------------------------------------------------

PDF_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, AssertionError,
              OSError, ZeroDivisionError)


def pdf_text(path, budget):
    """Page text, then form field values and annotation text (comments, notes), with pypdf; when pypdf
    cannot read the file at all (a cyclic page tree, say) or garbles its text, pdfminer.six reads
    the pages. Owner-password (permissions-only)
    PDFs are opened with the empty user password; AES needs `cryptography`."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("The PDF is encrypted with a password.")
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES:
                budget.partial = f"Only the first {MAX_PAGES} pages were indexed."
            if budget.full:
                break
            budget.add((page.extract_text() or "") + "\n")
            budget.add(annotation_text(page))
        budget.add(form_text(reader))
    except FileNotDecryptedError:
        raise Unreadable("The PDF is encrypted with a password.") from None
    except (PdfReadError, *PDF_ERRORS) as e:
        if not budget.parts:
            pdfminer_text(path, budget, f"The PDF is damaged ({type(e).__name__}).")
        return
    if garbled(budget.text()):
        reread_garbled(path, budget)


def garbled(text):
    """Whether more than a fifth of a text's visible characters are U+FFFD: what pypdf makes of a
    font whose encoding or widths it cannot resolve (a broken reference in /Differences or /Widths)."""
    visible = len(text) - sum(text.count(c) for c in " \t\n\r")
    return visible > 0 and text.count("\ufffd") > visible / 5


def reread_garbled(path, budget):
    """Read a PDF that pypdf garbled again with pdfminer.six, and keep pdfminer's text when it is
    less garbled (pdfminer maps such fonts through the standard encodings)."""
    kept = budget.parts, budget.chars, budget.partial
    budget.parts, budget.chars, budget.partial = [], MAX_CHARS, ""
    try:
        pdfminer_text(path, budget, "")
    except Unreadable:
        pass
    again = budget.text()
    if not again.strip() or again.count("\ufffd") >= "".join(kept[0]).count("\ufffd"):
        budget.parts, budget.chars, budget.partial = kept


def annotation_text(page):
    """Text of a page's comments, notes and free-text boxes (not links or form widgets)."""
    out = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/Subtype") in ("/Link", "/Widget", "/Popup"):
            continue
        for key in ("/Contents", "/T"):
            value = annot.get(key)
            if isinstance(value, str) and value.strip():
                out.append(value)
    return "\n".join(out) + "\n" if out else ""


def form_text(reader):
    """Filled-in form field values (a text field's value, a choice's selection)."""
    fields = reader.get_fields() or {}
    values = []
    for field in fields.values():
        value = field.get("/V")
        if isinstance(value, str) and value.strip() and not value.startswith("/"):
            values.append(value)
        elif isinstance(value, list):
            values.extend(v for v in value if isinstance(v, str))
    return "\n".join(values) + "\n" if values else ""


def pdfminer_text(path, budget, failure):
    """The second reader: pdfminer.six's layout analysis, page by page; `failure` when it fails too."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        for layout in extract_pages(path, maxpages=MAX_PAGES):
            if budget.full:
                break
            budget.add("".join(el.get_text() for el in layout if isinstance(el, LTTextContainer)) + "\n")
    except (PDFSyntaxError, *PDF_ERRORS, Exception) as e:  # pdfminer raises many kinds for damaged files
        if isinstance(e, MemoryError):
            raise
    if not "".join(budget.parts).strip():
        raise Unreadable(failure)


# --- Office archives --------------------------------------------------------------------------------


class Package:
    """An Office (OPC) archive: parts checked for bombs and DTDs before any reader sees them, and
    found through relationships (ECMA-376 Part 2), so names and Strict namespaces do not matter."""

    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise Unreadable("The Office file is damaged.") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise Unreadable(f"The Office file has more than {MAX_MEMBERS} parts.")
        total = 0
        for info in infos:
            if info.file_size > MAX_MEMBER_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
                raise Unreadable("The Office file looks like a zip bomb.")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise Unreadable("The Office file expands to too much data.")
            if info.filename.endswith((".xml", ".rels")):
                with self.zip.open(info) as f:
                    head = f.read(4096)
                if re.search(rb"<!(DOCTYPE|ENTITY)", head, re.IGNORECASE):
                    raise Unreadable("The Office file contains a DTD, which Office never writes.")
        self.names = {info.filename for info in infos}

    def read(self, name):
        """A part's bytes (its size was checked when the archive was opened)."""
        with self.zip.open(name) as f:
            return f.read(MAX_MEMBER_BYTES + 1)

    def xml(self, name):
        """A part parsed without entities, DTDs or network access."""
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
        try:
            return etree.fromstring(self.read(name), parser)
        except etree.XMLSyntaxError:
            raise Unreadable("The Office file has damaged XML.") from None

    def related(self, part, kinds=None):
        """[(kind, part name)] of a part's internal relationships, in file order; kind is the last
        segment of the relationship type ('officeDocument', 'slide', 'chart', ...)."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels not in self.names:
            return []
        out = []
        for rel in self.xml(rels):
            target, kind = rel.get("Target") or "", (rel.get("Type") or "").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External" or (kinds and kind not in kinds):
                continue
            name = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
            if name in self.names:
                out.append((kind, name, rel.get("Id")))
        return out

    def main(self):
        """The name of the package's main part (the document, presentation or workbook)."""
        found = [name for _, name, _ in self.related("", {"officeDocument"})]
        if not found:
            raise Unreadable("The Office file has no main document.")
        return found[0]


def local(tag):
    """An element's name without its namespace, so Transitional and Strict read alike."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


SKIP = {"del", "moveFrom", "delText", "delInstrText", "instrText", "rPh", "phoneticPr", "Fallback", "rPr",
        "pPr", "sectPr", "tblPr", "trPr", "tcPr", "sdtPr", "bodyPr", "spPr", "extLst", "style"}
BREAKS = {"br": "\n", "cr": "\n", "tab": "\t", "noBreakHyphen": "-"}


def markup_text(root):
    """The text of a WordprocessingML or DrawingML part as a reader sees it: paragraphs and cells on
    their own lines; line breaks, tabs and no-break hyphens kept between words; a text box once
    (mc:Choice, not its mc:Fallback copy); tracked deletions, field codes and hidden runs left out."""
    out = []

    def walk(element):
        for child in element:
            name = local(child.tag)
            if name in SKIP or (name == "r" and hidden(child)):
                continue
            if name == "AlternateContent":
                choice = next((c for c in child if local(c.tag) == "Choice"), None)
                walk(choice if choice is not None else child)
                continue
            if name == "t":
                out.append(child.text or "")
            elif name in BREAKS:
                out.append(BREAKS[name])
            walk(child)
            if name in ("p", "tc", "tr"):
                out.append("\n" if name != "tc" else "\t")

    walk(root)
    return "".join(out)


def hidden(run):
    """Whether a Word run is formatted hidden (w:vanish, not switched off)."""
    for prop in run:
        if local(prop.tag) == "rPr":
            for flag in prop:
                if local(flag.tag) == "vanish":
                    return next(iter(flag.attrib.values()), "true") not in ("0", "false", "off")
    return False


def chart_text(root):
    """A chart's title, axis titles, series names and category labels (not its numbers)."""
    out = [t.text or "" for t in root.iter() if local(t.tag) == "t"]
    for cache in root.iter():
        if local(cache.tag) == "strCache":
            out += [v.text or "" for v in cache.iter() if local(v.tag) == "v"]
    return "\n".join(out) + "\n"


def related_text(package, part, budget):
    """Charts and SmartArt (its data part, not the drawing that repeats it) placed on a part."""
    for kind, name, _ in package.related(part, {"chart", "diagramData"}):
        if budget.full:
            return
        root = package.xml(name)
        budget.add(chart_text(root) if kind == "chart" else markup_text(root) + "\n")


def docx_text(path, budget):
    """The main document (whatever its part is named), then headers, footers, footnotes and endnotes."""
    package = Package(path)
    main = package.main()
    budget.add(markup_text(package.xml(main)) + "\n")
    related_text(package, main, budget)
    for _, name, _ in package.related(main, {"header", "footer", "footnotes", "endnotes"}):
        if budget.full:
            return
        budget.add(markup_text(package.xml(name)) + "\n")


def pptx_text(path, budget):
    """Each slide in the deck's order: its shapes (groups and tables included), charts, SmartArt,
    then its speaker notes."""
    package = Package(path)
    main = package.main()
    slides = {rid: name for kind, name, rid in package.related(main, {"slide"})}
    order = [el.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
             or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
             for el in package.xml(main).iter() if local(el.tag) == "sldId"]
    for rid in order:
        if budget.full or rid not in slides:
            continue
        slide = slides[rid]
        budget.add(markup_text(package.xml(slide)) + "\n")
        related_text(package, slide, budget)
        for _, notes, _ in package.related(slide, {"notesSlide"}):
            budget.add(markup_text(package.xml(notes)) + "\n")


def xlsx_text(path, budget):
    """Every sheet's cells as Excel shows them, read by python-calamine (sheets through the
    workbook's relationships, shared strings without phonetic guides, a formula's cached value);
    a formula with no cached value shows the text its string literals make."""
    from python_calamine import CalamineWorkbook

    package = Package(path)  # the guards, before calamine opens the archive
    formulas = uncached_formulas(package)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types for damaged files
        raise Unreadable(f"The workbook is damaged ({type(e).__name__}).") from None
    for index, name in enumerate(workbook.sheet_names):
        if budget.full:
            return
        budget.add(name + "\n")
        sheet = workbook.get_sheet_by_index(index)
        extra = formulas.get(name, {})
        for r, row in enumerate(sheet.iter_rows(), start=sheet.start[0] if sheet.start else 0):
            cells = [shown(value) for value in row] + list(extra.get(r, {}).values())
            line = "\t".join(c for c in cells if c)
            if line:
                budget.add(line + "\n")
            if r % 1024 == 0 and budget.full:
                return


def shown(value):
    """A cell value as Excel displays it by default: dates as dates, whole numbers without '.0'."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == clock() else value.isoformat(sep=" ")
    if isinstance(value, (date, clock, timedelta)):
        return value.isoformat() if not isinstance(value, timedelta) else str(value)
    return str(value)


STRING = re.compile(r'"((?:[^"]|"")*)"')
CONCATENATION = re.compile(r'\s*=?\s*(?:CONCAT(?:ENATE)?\s*\()?\s*(?:"(?:[^"]|"")*"\s*[,&]?\s*)+\)?\s*', re.IGNORECASE)


def uncached_formulas(package):
    """{sheet name: {row index: {column: text}}} for formulas saved without a cached value (files
    written by libraries, not by Excel). Sheets without any formula are not parsed."""
    from lxml import etree

    workbook = package.main()
    names = {el.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"): el.get("name")
             for el in package.xml(workbook).iter() if local(el.tag) == "sheet"}
    out = {}
    for _, part, rid in package.related(workbook, {"worksheet"}):
        if not has_formula(package, part):
            continue
        found = {}
        with package.zip.open(part) as f:
            for _, cell in etree.iterparse(f, tag="{*}c", resolve_entities=False, no_network=True, load_dtd=False,
                                           huge_tree=True):
                formula = value = None
                for child in cell:
                    if local(child.tag) == "f":
                        formula = child.text
                    elif local(child.tag) == "v":
                        value = child.text
                if formula and not value and '"' in formula:
                    row, column = cell_position(cell.get("r") or "")
                    found.setdefault(row, {})[column] = literal_text(formula)
                cell.clear()
        if found:
            out[names.get(rid, "")] = found
    return out


def has_formula(package, part):
    """Whether a worksheet part holds any formula, read a megabyte at a time without parsing."""
    with package.zip.open(part) as f:
        tail = b""
        while chunk := f.read(1 << 20):
            if re.search(rb"<(\w+:)?f[ >]", tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def literal_text(formula):
    """What a formula made only of joined string literals shows; otherwise its literals, spaced."""
    literals = [s.replace('""', '"') for s in STRING.findall(formula)]
    return "".join(literals) if CONCATENATION.fullmatch(formula) else " ".join(literals)


def cell_position(ref):
    """(row index, column index), zero-based, of an A1 reference."""
    letters = re.match(r"[A-Z]*", ref).group()
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(ref[len(letters):] or 1) - 1, column - 1


READERS = {"pdf": pdf_text, "docx": docx_text, "pptx": pptx_text, "xlsx": xlsx_text}


def read(path, kind, seconds=None):
    """Extract one file: {"text", "error", "partial"}, failures reported as data. With `seconds`, a
    wall-clock deadline: when it strikes, what was read so far is the (partial) text, or, when
    nothing was, the error says the reading took too long."""
    import signal

    budget = Budget()
    if seconds:
        signal.signal(signal.SIGALRM, _strike)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            READERS[kind](path, budget)
        finally:
            if seconds:
                signal.setitimer(signal.ITIMER_REAL, 0)  # nothing strikes after this line
        return {"text": budget.text(), "partial": budget.partial}
    except WallClock:
        text = budget.text()
        if not text.strip():
            return {"text": "", "error": f"Reading the file took longer than {seconds:g} seconds."}
        return {"text": text, "partial": f"Reading stopped after {seconds:g} seconds (the machine was busy or "
                                         "the file is slow to read): the rest was not indexed."}
    except Unreadable as e:
        return {"text": "", "error": str(e)}
    except MemoryError:
        return {"text": "", "error": "Reading the file needed too much memory."}
    except Exception as e:  # noqa: BLE001 - any parser failure is a property of the file, not of Hub
        return {"text": "", "error": f"The file could not be read ({type(e).__name__})."}


def _strike(signum, frame):
    raise WallClock()


def serve():
    """Cap the address space, then answer one request per line until stdin closes."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    sys.setrecursionlimit(5000)
    for line in sys.stdin:
        path, kind, *deadline = json.loads(line)
        start = time.process_time()
        result = read(path, kind, deadline[0] if deadline else None)
        cpu_ms = round((time.process_time() - start) * 1000)
        sys.stdout.write(json.dumps({**result, "peak_kb": peak_kb(), "cpu_ms": cpu_ms}) + "\n")
        sys.stdout.flush()


def peak_kb():
    """This process's peak resident memory (VmHWM: ru_maxrss would include the parent's, as Linux
    keeps it across execve)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return 0


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve()
