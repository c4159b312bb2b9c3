"""Text extraction from stored files, bounded in pages, characters, memory and time.

Parsing untrusted PDF and Office files runs in a separate worker process (hub/search/readers.py
run with --serve) with an address-space limit, a CPU-time budget and a wall-clock deadline (the
worker keeps what it read by then, marked partial, and is killed if it overruns it anyway): a zip
bomb, an entity bomb or a cyclic PDF costs that worker, which is killed and replaced, never a web
worker. The worker is reused between files, so a typical document costs milliseconds, not an
interpreter start. Plain text is decoded in-process, its encoding detected by charset-normalizer.
"""
import re
from dataclasses import dataclass
from pathlib import Path

from hub.child import Child
from hub.library import files
from hub.search import readers
from hub.search.readers import CPU_SECONDS, MAX_CHARS, clean

READERS = Path(readers.__file__)
CHILD_SECONDS = CPU_SECONDS * 3  # wall clock: the CPU budget, with room for a busy machine
GRACE_SECONDS = 10  # how long after its own deadline a worker stuck in native code is still awaited
TEXT_KINDS = ("txt", "md")


@dataclass
class Extracted:
    """Text of a file; `error` when it could not be read, `partial` when only part of it was."""

    text: str
    error: str = ""
    partial: str = ""
    peak_kb: int = 0  # the worker's peak resident memory so far (for bench/extract.py)
    cpu_ms: int = 0   # CPU time the worker spent on this file

    @property
    def ok(self):
        return not self.error


def extract(path, kind):
    """Text of a stored file, or the reason it could not be read. Never raises."""
    if kind in TEXT_KINDS:
        try:
            raw = read_capped(path, MAX_CHARS * 4 + 1)
        except OSError as e:
            return Extracted("", f"The file could not be read: {e.strerror}.")
        text = decode_text(raw[: MAX_CHARS * 4])
        if kind == "md":
            text = markdown_text(text)
        cut = len(raw) > MAX_CHARS * 4 or len(text) >= MAX_CHARS
        return Extracted(text, partial=f"Only the first {MAX_CHARS:,} characters were indexed." if cut else "")
    if kind in ("png", "jpeg"):
        return Extracted("", "Images have no text to index.")
    if kind not in readers.READERS:
        return Extracted("", f"No text extraction for {kind} files.")
    return extract_in_child(path, kind)


worker = Child(READERS, "Reading the file")


def extract_in_child(path, kind, seconds=CHILD_SECONDS):
    """Run the extractor in the worker process, with a wall-clock deadline of `seconds`: the worker
    then answers with the text read so far (partial) or, having read none, an error; a worker that
    does not answer GRACE_SECONDS later is killed (an error, the file's text lost)."""
    result = worker.run([str(path), kind, seconds], seconds, grace=GRACE_SECONDS)
    return Extracted(result.get("text", ""), result.get("error", ""), result.get("partial", ""),
                     result.get("peak_kb", 0), result.get("cpu_ms", 0))


def read_capped(path, limit):
    with open(path, "rb") as f:
        return f.read(limit)


def decode_text(raw):
    """Text in whatever encoding it was saved: a BOM, else UTF-8, else what charset-normalizer finds
    most likely (Shift-JIS, GB18030, EUC-KR, Windows-125x...), else Windows-1252."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            return clean(raw[len(bom):].decode(encoding, errors="replace"))
    try:
        return clean(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data":  # the size cap cut a character in two: drop its start
            return clean(raw[:e.start].decode("utf-8", errors="replace"))
    return clean(raw.decode(files.detect_encoding(raw), errors="replace"))


MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)"), r"\1 \2"),         # links and images: text and address
    (re.compile(r"(?m)^\s{0,3}(#{1,6}|>+|[-*+]|\d+[.)])\s+"), ""),         # headings, quotes, list markers
    (re.compile(r"(?<!\w)([*_~]{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)"), r"\2"),   # **bold**, _emphasis_, ~~struck~~
    (re.compile(r"`+"), ""),                                                 # code spans
]


def markdown_text(text):
    """Markdown as the words a reader sees: emphasis, link and heading syntax removed (the link's
    address kept as words too). Offsets change, but snippets come from this text, not the file."""
    for pattern, replacement in MARKDOWN:
        text = pattern.sub(replacement, text)
    return text
