"""Text extraction from stored files, bounded in pages, characters, memory and time.

Parsing untrusted PDF and Office files runs in a separate worker process (this file run with
--serve) with an address-space limit, and every file has a deadline: a zip bomb, an entity bomb
or a cyclic PDF costs that worker, which is killed and replaced, never a web worker. The worker is
reused between files, so a typical document costs milliseconds, not an interpreter start. Plain
text is decoded in-process.
"""
import atexit
import json
import re
import select
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass

MAX_CHARS = 1_000_000          # text kept per file
MAX_PAGES = 2000               # PDF pages read
MAX_MEMBERS = 5000             # entries in an Office archive
MAX_MEMBER_BYTES = 64 << 20    # one XML part, uncompressed
MAX_TOTAL_BYTES = 256 << 20    # all parts read, uncompressed
MAX_RATIO = 200                # uncompressed/compressed, beyond which a part is a bomb
CHILD_MEMORY = 2 << 30         # address space of the extraction process
CHILD_SECONDS = 20.0
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Unreadable(Exception):
    """The file cannot be turned into text; the message is shown to marketing."""


@dataclass
class Extracted:
    text: str
    error: str = ""

    @property
    def ok(self):
        return not self.error


def extract(path, kind):
    """Text of a stored file, or the reason it could not be read. Never raises."""
    if kind in ("txt", "md"):
        try:
            return Extracted(decode_text(read_capped(path, MAX_CHARS * 4)))
        except OSError as e:
            return Extracted("", f"The file could not be read: {e.strerror}.")
    if kind in ("png", "jpeg"):
        return Extracted("", "Images have no text to index.")
    if kind not in EXTRACTORS:
        return Extracted("", f"No text extraction for {kind} files.")
    return extract_in_child(path, kind)


class Worker:
    """A long-lived extraction process (this file run with --serve): one JSON line in, one out."""

    def __init__(self):
        self.proc = None
        self.lock = threading.Lock()

    def run(self, path, kind, seconds):
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = subprocess.Popen([sys.executable, "-I", __file__, "--serve"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            try:
                self.proc.stdin.write((json.dumps([str(path), kind]) + "\n").encode("utf-8"))
                self.proc.stdin.flush()
                ready, _, _ = select.select([self.proc.stdout], [], [], seconds)
                line = self.proc.stdout.readline() if ready else None
            except OSError:
                line = b""
            if not line:
                self.stop_locked()
                if line is None:
                    return {"error": f"Reading the file took longer than {seconds:.0f} seconds."}
                return {"error": "Reading the file needed too much memory or crashed the reader."}
            return json.loads(line)

    def stop(self):
        with self.lock:
            self.stop_locked()

    def stop_locked(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                pipe.close()
            self.proc = None


worker = Worker()
atexit.register(worker.stop)


def extract_in_child(path, kind, seconds=CHILD_SECONDS):
    """Run the extractor in the worker process, with a deadline."""
    result = worker.run(path, kind, seconds)
    return Extracted(result.get("text", ""), result.get("error", ""))


def read_capped(path, limit):
    with open(path, "rb") as f:
        return f.read(limit)


def decode_text(raw):
    """Decode text in a common encoding: BOMs first, then UTF-8, then Windows-1252/Latin-1."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return clean(raw[len(bom):].decode(encoding, errors="replace"))
    try:
        return clean(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data":  # the size cap cut a character in two: drop its start
            return clean(raw[:e.start].decode("utf-8", errors="replace"))
    try:
        return clean(raw.decode("cp1252"))
    except UnicodeDecodeError:
        return clean(raw.decode("latin-1"))


def clean(text):
    """No control characters, bounded length."""
    return CONTROL.sub(" ", text)[:MAX_CHARS]


# --- inside the child process -------------------------------------------------------------------


class Budget:
    """Counts characters and seconds; stops extraction politely when either runs out."""

    def __init__(self, chars=MAX_CHARS, seconds=CHILD_SECONDS - 2):
        self.parts, self.chars, self.deadline = [], chars, time.monotonic() + seconds

    def add(self, text):
        if text and self.chars > 0:
            text = text[: self.chars]
            self.parts.append(text)
            self.chars -= len(text)

    @property
    def full(self):
        return self.chars <= 0 or time.monotonic() > self.deadline

    def text(self):
        return clean("".join(self.parts))


def pdf_text(path, budget):
    """Every page's text, up to the page and character limits."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("The PDF is encrypted with a password.")
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES or budget.full:
                break
            budget.add(page.extract_text() or "")
            budget.add("\n")
    except FileNotDecryptedError:
        raise Unreadable("The PDF is encrypted with a password.") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        if not budget.parts:
            raise Unreadable(f"The PDF is damaged ({type(e).__name__}).") from None


def open_archive(path):
    """An Office archive, refused when it has too many entries."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise Unreadable("The Office file is damaged.") from None
    if len(archive.infolist()) > MAX_MEMBERS:
        raise Unreadable(f"The Office file has more than {MAX_MEMBERS} parts.")
    return archive


class PartReader:
    """Reads XML parts of an archive with size, ratio and DTD checks."""

    def __init__(self, archive):
        self.archive, self.total = archive, 0

    def names(self, pattern):
        """Part names matching a regex, in natural order (slide2 before slide10)."""
        rx = re.compile(pattern)
        found = [n for n in self.archive.namelist() if rx.fullmatch(n)]
        return sorted(found, key=lambda n: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n)])

    def read(self, name):
        info = self.archive.getinfo(name)
        if info.file_size > MAX_MEMBER_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
            raise Unreadable("The Office file looks like a zip bomb.")
        self.total += info.file_size
        if self.total > MAX_TOTAL_BYTES:
            raise Unreadable("The Office file expands to too much data.")
        with self.archive.open(info) as f:
            data = f.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise Unreadable("The Office file looks like a zip bomb.")
        if re.search(rb"<!(DOCTYPE|ENTITY)", data[:4096], re.IGNORECASE):
            raise Unreadable("The Office file contains a DTD, which Office never writes.")
        return data


def xml_paragraphs(data, text_tag, para_tag):
    """Text runs joined per paragraph, parsed without entities, DTDs or network."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise Unreadable("The Office file has damaged XML.") from None
    lines = []
    for para in root.iter(para_tag):
        runs = [t.text or "" for t in para.iter(text_tag)]
        if runs:
            lines.append("".join(runs))
    return "\n".join(lines)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def docx_text(path, budget):
    """Body (with tables), headers, footers, footnotes."""
    parts = PartReader(open_archive(path))
    for name in parts.names(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml"):
        if budget.full:
            break
        budget.add(xml_paragraphs(parts.read(name), W + "t", W + "p") + "\n")


def pptx_text(path, budget):
    """Each slide's text, then its speaker notes (found through the slide's relationships)."""
    parts = PartReader(open_archive(path))
    names = set(parts.archive.namelist())
    for name in parts.names(r"ppt/slides/slide\d+\.xml"):
        if budget.full:
            break
        budget.add(xml_paragraphs(parts.read(name), A + "t", A + "p") + "\n")
        rels = name.replace("slides/slide", "slides/_rels/slide") + ".rels"
        if rels in names:
            for target in re.findall(rb'Target="\.\./notesSlides/(notesSlide\d+\.xml)"', parts.read(rels)):
                note = "ppt/notesSlides/" + target.decode()
                if note in names:
                    budget.add(xml_paragraphs(parts.read(note), A + "t", A + "p") + "\n")


def xlsx_text(path, budget):
    """Cell text and values of every sheet, shared strings resolved."""
    from lxml import etree

    parts = PartReader(open_archive(path))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    shared = []
    if "xl/sharedStrings.xml" in parts.archive.namelist():
        root = etree.fromstring(parts.read("xl/sharedStrings.xml"), parser)
        shared = ["".join(t.text or "" for t in si.iter(S + "t")) for si in root.iter(S + "si")]
    for name in parts.names(r"xl/worksheets/sheet\d+\.xml"):
        if budget.full:
            break
        try:
            root = etree.fromstring(parts.read(name), parser)
        except etree.XMLSyntaxError:
            raise Unreadable("The Office file has damaged XML.") from None
        for row in root.iter(S + "row"):
            cells = []
            for cell in row.iter(S + "c"):
                kind, value = cell.get("t"), cell.find(S + "v")
                if kind == "s" and value is not None and (value.text or "").isdigit():
                    index = int(value.text)
                    cells.append(shared[index] if index < len(shared) else "")
                elif kind == "inlineStr":
                    cells.append("".join(t.text or "" for t in cell.iter(S + "t")))
                elif value is not None and value.text:
                    cells.append(value.text)
            if cells:
                budget.add("\t".join(cells) + "\n")


EXTRACTORS = {"pdf": pdf_text, "docx": docx_text, "pptx": pptx_text, "xlsx": xlsx_text}


def serve():
    """In the worker: cap the address space, then answer one request per line until stdin closes."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    sys.setrecursionlimit(5000)
    for line in sys.stdin:
        path, kind = json.loads(line)
        sys.stdout.write(json.dumps(child_extract(path, kind)) + "\n")
        sys.stdout.flush()


def child_extract(path, kind):
    """In the worker: extract one file, reporting failures as data."""
    budget = Budget()
    try:
        EXTRACTORS[kind](path, budget)
        result = {"text": budget.text()}
    except Unreadable as e:
        result = {"text": "", "error": str(e)}
    except MemoryError:
        result = {"text": "", "error": "Reading the file needed too much memory."}
    except Exception as e:  # noqa: BLE001 - any parser failure is a property of the file, not of Hub
        result = {"text": "", "error": f"The file could not be read ({type(e).__name__})."}
    return result


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve()
