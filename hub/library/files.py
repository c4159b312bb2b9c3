"""Uploaded files: stream to disk, decide the type from the content, store under a generated name."""
import errno
import hashlib
import os
import re
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hub import jobs
from hub.child import Child
from hub.errors import ApiError, Invalid
from hub.units import size_label

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    mimetype: str
    extensions: tuple


KINDS = {
    k.key: k
    for k in [
        Kind("pdf", "PDF", "application/pdf", (".pdf",)),
        Kind("docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
        Kind("pptx", "PowerPoint deck", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)),
        Kind("xlsx", "Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
        Kind("txt", "Text file", "text/plain", (".txt", ".text")),
        Kind("md", "Markdown", "text/markdown", (".md", ".markdown")),
        Kind("png", "PNG image", "image/png", (".png",)),
        Kind("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg")),
    ]
}
EXTENSION_KIND = {ext: k.key for k in KINDS.values() for ext in k.extensions}
PREVIEWABLE = {"pdf", "png", "jpeg"}
ACCEPTED = "PDF, DOCX, PPTX, XLSX, TXT, Markdown, PNG or JPEG"
OOXML_PARTS = {"word/document.xml": "docx", "ppt/presentation.xml": "pptx", "xl/workbook.xml": "xlsx"}
# Content types of a package's main part (ECMA-376 Part 1, 11.3, 13.3, 12.3), templates and
# shows included; the macro-enabled ones are refused.
MAIN_TYPES = {
    "wordprocessingml.document.main": "docx", "wordprocessingml.template.main": "docx",
    "presentationml.presentation.main": "pptx", "presentationml.slideshow.main": "pptx",
    "presentationml.template.main": "pptx",
    "spreadsheetml.sheet.main": "xlsx", "spreadsheetml.template.main": "xlsx",
}
MACRO_TYPE = re.compile(rb"macroEnabled|vbaProject|ms-office\.activeX", re.IGNORECASE)
PASSWORD_PROTECTED = "This file is password-protected: remove the password and upload it again."
MACROS = ("This file contains macros, which Hub does not accept: save it as a document without macros "
          "(DOCX, PPTX or XLSX) and upload it again.")
MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body", b"<iframe")


class DiskFull(ApiError):
    """The upload folder's disk is full (RFC 4918 §11.5, 507 Insufficient Storage): nothing is kept."""

    def __init__(self):
        super().__init__(507, "insufficient_storage", "The server's disk is full: the file was not stored. "
                                                      "Try again later, or tell a Hub admin.", "file")


class TooLarge(ApiError):
    def __init__(self, limit):
        super().__init__(413, "too_large", f"The file is too large: the limit is {size_label(limit)}.", "file")


@dataclass
class StoredFile:
    """A validated upload on disk under its generated name, not yet in the database."""

    path: Path
    stored_name: str
    original_name: str
    size: int
    sha256: str
    kind: Kind
    mimetype: str

    def discard(self):
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Staged:
    """A validated upload kept aside after its form was refused, so the person need not pick it again:
    `token` (signed, for the form's hidden field) names it; `original_name` and `size` are shown."""

    token: str
    original_name: str
    size: int


STAGED_HOURS = 24  # how long a refused form's file is kept for the next attempt
STAGED_NAME = re.compile(r"[0-9a-f]{32}\.[a-z]{2,5}")


def staging_folder():
    return upload_folder() / ".staged"


def signer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="hub.library.staged-upload")


def stage(stored, user_id):
    """Move a stored upload aside for the same user's next attempt; returns its Staged."""
    folder = staging_folder()
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(stored.path, folder / stored.stored_name)
    os.utime(folder / stored.stored_name)  # the sweep counts from the last refused attempt
    token = signer().dumps({"n": stored.stored_name, "o": stored.original_name, "s": stored.size,
                            "h": stored.sha256, "k": stored.kind.key, "m": stored.mimetype, "u": user_id})
    return Staged(token, stored.original_name, stored.size)


def unstage(token, user_id):
    """The StoredFile a Staged token names, moved back among the uploads (the caller discards it if
    the database never takes it). Invalid when the token is forged, another user's, older than
    STAGED_HOURS, or its file is gone (taken by an earlier post of the same form)."""
    gone = Invalid("The file chosen earlier is no longer kept: choose it again.", "file")
    try:
        data = signer().loads(token if isinstance(token, str) else "", max_age=STAGED_HOURS * 3600)
    except (BadSignature, SignatureExpired):
        raise gone from None
    if data.get("u") != user_id or not STAGED_NAME.fullmatch(str(data.get("n"))) or data.get("k") not in KINDS:
        raise gone
    final = upload_folder() / data["n"]
    try:
        os.replace(staging_folder() / data["n"], final)
    except FileNotFoundError:
        raise gone from None
    return StoredFile(final, data["n"], data["o"], data["s"], data["h"], KINDS[data["k"]], data["m"])


def staged_details(token, user_id):
    """(original_name, size) of a Staged token that is still good for this user, else None: what the
    form shows again when it is re-rendered."""
    try:
        data = signer().loads(token if isinstance(token, str) else "", max_age=STAGED_HOURS * 3600)
    except (BadSignature, SignatureExpired):
        return None
    if data.get("u") != user_id or not STAGED_NAME.fullmatch(str(data.get("n"))):
        return None
    if not (staging_folder() / data["n"]).is_file():
        return None
    return Staged(token, data["o"], data["s"])


@jobs.periodic(3600)
def sweep_staged():
    """Remove staged uploads older than STAGED_HOURS (forms that were never sent again)."""
    folder = staging_folder()
    if not folder.is_dir():
        return
    cutoff = time.time() - STAGED_HOURS * 3600
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def upload_folder():
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_for(stored_name):
    return upload_folder() / stored_name


def clean_filename(name):
    """The user's file name as safe metadata: no folders, no control characters, bounded."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def download_name(original_name, kind_key):
    """The original name, with the stored type's extension when the name lacks it."""
    kind = KINDS[kind_key]
    name = original_name or "download"
    if Path(name).suffix.lower() not in kind.extensions:
        name += kind.extensions[0]
    return name


def store_upload(file_storage):
    """Stream an upload to disk, check size and type, and keep it under a generated name."""
    if file_storage is None or not file_storage.filename:
        raise Invalid("Choose a file to upload.", "file")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{uuid.uuid4().hex}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(tmp, "wb") as out:
            while chunk := file_storage.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid("The file is empty.", "file")
        original = clean_filename(file_storage.filename)
        kind = sniff(tmp, original)
        mimetype = kind.mimetype
        if kind.key in ("txt", "md"):
            with open(tmp, "rb") as f:
                mimetype += f"; charset={text_charset(f.read(CHUNK))}"
        stored_name = f"{uuid.uuid4().hex}{kind.extensions[0]}"
        final = folder / stored_name
        os.replace(tmp, final)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull() from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredFile(final, stored_name, original or f"file{kind.extensions[0]}", size, digest.hexdigest(), kind,
                      mimetype)


def sniff(path, original_name=""):
    """Decide the type from the bytes; refuse anything else, or a name whose extension is not the
    type's (`notes.exe` holding text is refused; a name without an extension is fine)."""
    with open(path, "rb") as f:
        head = f.read(CHUNK)
    key = sniff_bytes(head, path, original_name)
    suffix = Path(original_name).suffix.lower()
    claimed = EXTENSION_KIND.get(suffix)
    named = re.fullmatch(r"\.[a-z][a-z0-9]{0,9}", suffix) is not None  # "v1.2" has no extension
    if (claimed or named) and claimed != key and {claimed, key} != {"txt", "md"}:
        raise Invalid(
            f"The file is named {suffix} but its content is a {KINDS[key].label}. "
            f"Name it {KINDS[key].extensions[0]} or upload the right file.",
            "file",
        )
    return KINDS[key]


def sniff_bytes(head, path, original_name):
    if head.startswith(b"%PDF-"):
        check_pdf(path)
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return sniff_ooxml(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if is_encrypted_ooxml(path):
            raise Invalid(PASSWORD_PROTECTED, "file")
        raise Invalid("Legacy Office files (.doc, .ppt, .xls) are not accepted: save as DOCX, PPTX or XLSX.", "file")
    if is_text(head):
        return "md" if Path(original_name).suffix.lower() in KINDS["md"].extensions else "txt"
    raise Invalid(f"This type of file is not accepted. Upload a {ACCEPTED} file.", "file")


def is_encrypted_ooxml(path):
    """Whether an OLE2 compound file is an Office document encrypted with a password (MS-OFFCRYPTO
    2.3.4: the package is the EncryptedPackage stream beside EncryptionInfo)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptedPackage") and ole.exists("EncryptionInfo")
    except (OSError, ValueError, olefile.olefile.OleFileError):
        return False


def sniff_ooxml(path):
    """A ZIP is accepted only as a Word, PowerPoint or Excel file without macros: the main part is
    found through the package relationships and its content type decides (ECMA-376 Part 2), so a
    main part named otherwise, or Strict Open XML, is recognised too."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist()[:20000])
            types = read_member(z, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
            rels = read_member(z, "_rels/.rels") if "_rels/.rels" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Invalid("The file looks like a damaged Office document or ZIP archive.", "file") from None
    if not types:
        raise Invalid(f"ZIP archives are not accepted. Upload a {ACCEPTED} file.", "file")
    if MACRO_TYPE.search(types) or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Invalid(MACROS, "file")
    key = main_part_kind(types, rels) or next((k for part, k in OOXML_PARTS.items() if part in names), None)
    if key:
        check_office(path)
        return key
    raise Invalid(f"ZIP archives are not accepted. Upload a {ACCEPTED} file.", "file")


# Office archives: the limits the text extractor applies again (hub/search/readers.py), kept equal
# so that no file passes the upload and then fails extraction as a bomb.
MAX_MEMBERS = 5000             # entries in an Office archive
MAX_MEMBER_BYTES = 256 << 20   # one part, uncompressed
MAX_TOTAL_BYTES = 1 << 30      # all parts, uncompressed
MAX_RATIO = 500                # uncompressed/compressed, beyond which a part is a bomb (XML is 5-50)
MACRO_PART = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/)", re.IGNORECASE)
DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


RENDER_SCRIPT = Path(__file__).with_name("render.py")
CHECK_PDF_SECONDS = 30
pdf_checker = Child(RENDER_SCRIPT, "Checking the PDF")


def check_pdf(path):
    """A "PDF" must open in a PDF reader (PDFium, Chromium's) and have a page; a password-protected
    one counts, since its readers can open it. Refused at upload otherwise (issue 11). PDFium runs
    in the render child process (hub/library/render.py), never in the web process, so a PDF that
    crashes PDFium or exhausts its memory costs that child and is refused."""
    answer = pdf_checker.run([str(path), "pdf-check", ""], CHECK_PDF_SECONDS)
    if answer.get("password"):
        return
    if "pages" not in answer:
        raise refuse("This PDF cannot be opened by a PDF reader: it is damaged, cut short or not really "
                     "a PDF.")
    if not answer["pages"]:
        raise refuse("This PDF has no pages.")


def refuse(why):
    return Invalid(why, "file")


def check_office(path):
    """Refuse at upload what Hub will not keep: macros or ActiveX (the .docm/.xlsm/.pptm family,
    whatever the name says), a DTD or entity declarations in any XML part (Office never writes
    them; they carry XXE and billion-laughs attacks), and archives that fail the bomb guards: too
    many parts, a part too large or too compressed, too much data in all. Each XML part is read
    (bounded), so the guards use real sizes, not the sizes the archive declares."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise refuse(f"The Office file has more than {MAX_MEMBERS} parts.")
        content_types = archive.read("[Content_Types].xml")[:MAX_MEMBER_BYTES] if len(infos) else b""
        if any(MACRO_PART.search(info.filename) for info in infos) or b"macroEnabled" in content_types:
            raise refuse("Office files with macros or ActiveX controls are not accepted: save it without "
                         "macros (DOCX, PPTX or XLSX) and upload that.")
        total = 0
        for info in infos:
            if info.file_size > MAX_MEMBER_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
                raise refuse("The Office file looks like a zip bomb.")
            if not info.filename.lower().endswith((".xml", ".rels")):
                total += info.file_size
                continue
            try:
                with archive.open(info) as part:
                    data = part.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
                raise refuse("The file looks like a damaged Office document.") from None
            total += len(data)
            if len(data) > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                raise refuse("The Office file looks like a zip bomb.")
            if DTD.search(data[:4096]):
                raise refuse("The Office file contains a DTD or entity declarations, which Office never writes.")
        if total > MAX_TOTAL_BYTES:
            raise refuse("The Office file expands to too much data.")
def read_member(archive, name, limit=1 << 20):
    with archive.open(name) as f:
        return f.read(limit)


def main_part_kind(types, rels):
    """'docx', 'pptx' or 'xlsx' from the content type of the part the officeDocument relationship
    names; None when the package does not say."""
    target = re.search(rb'<Relationship\b[^>]*?Type="[^"]*/officeDocument"[^>]*>', rels)
    name = re.search(rb'Target="/?([^"]+)"', target.group()) if target else None
    if not name:
        return None
    part = re.escape(b"/" + name.group(1).lstrip(b"/"))
    override = re.search(rb'<Override\b[^>]*PartName="' + part + rb'"[^>]*>', types, re.IGNORECASE)
    content = re.search(rb'ContentType="application/vnd\.openxmlformats-officedocument\.([^"+]+)\+xml"',
                        override.group()) if override else None
    return MAIN_TYPES.get(content.group(1).decode()) if content else None


# Encodings text files are saved in besides UTF-8: Windows code pages first (the old default kept
# winning ties), then the East Asian multi-byte ones. Mac, EBCDIC and BOM-less UTF-16 guesses that
# charset-normalizer also considers are left out: on short texts they win with gibberish.
LEGACY_ENCODINGS = ["cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
                    "cp932", "euc_jp", "gb18030", "big5", "cp949", "koi8_r", "iso8859_11"]


def detect_encoding(raw):
    """The legacy encoding of bytes that are not UTF-8. Western text (accented letters among plain
    ones, never three in a row) is cp1252, as before: on short French or German text
    charset-normalizer often prefers a Baltic or Central European code page. Otherwise the one
    charset-normalizer finds least messy among LEGACY_ENCODINGS, earlier ones winning ties;
    cp1252 when none decodes."""
    from charset_normalizer import from_bytes

    if looks_western(raw[:200_000]):
        return "cp1252"
    matches = list(from_bytes(raw[:200_000], cp_isolation=LEGACY_ENCODINGS))
    if not matches:
        return "cp1252"
    rank = {name: i for i, name in enumerate(LEGACY_ENCODINGS)}
    return min(matches, key=lambda m: (round(m.chaos, 2), rank.get(m.encoding, 99))).encoding


WESTERN_RUN = re.compile(r"[^\x00-\x7f]{3}")


def looks_western(raw):
    """Whether bytes read as Windows-1252 give Western European text: few accented letters, each
    next to plain ones (Cyrillic, Greek or East Asian bytes read so give long runs of them)."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = sum(1 for ch in text if ch.isalpha())
    accented = sum(1 for ch in text if not ch.isascii())
    return accented <= 0.3 * max(letters, 1) and not WESTERN_RUN.search(text)


# The WHATWG Encoding Standard's names for them, which browsers understand in a charset parameter.
CHARSET_LABELS = {"cp932": "shift_jis", "euc_jp": "euc-jp", "gb18030": "gb18030", "big5": "big5", "cp949": "euc-kr",
                  "koi8_r": "koi8-r", "iso8859_11": "windows-874"}


def text_charset(head):
    """The charset a browser needs to show this text: from the BOM, else UTF-8 if it decodes, else the
    detected legacy encoding (detect_encoding)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            encoding = detect_encoding(head)
            return CHARSET_LABELS.get(encoding, encoding.replace("cp", "windows-"))
    return "utf-8"


def is_text(head):
    """Plain text in a common encoding, and not markup a browser would run."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    else:
        if b"\x00" in head:
            return False
        raw = head.removeprefix(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            if e.start >= len(raw) - 3:  # a character cut at the end of the sample
                text = raw[: e.start].decode("utf-8")
            else:
                text = raw.decode("latin-1")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):
        return False
    return not text.lstrip().lower().encode("utf-8", "ignore").startswith(MARKUP_STARTS)


def send(version, inline=False):
    """A stored version with safe headers: attachment unless previewing, its stored type, no shared caching."""
    path = path_for(version.stored_name)
    if not path.is_file():
        abort(404, "The file for this version is missing from storage.")
    response = send_file(path, mimetype=version.mimetype, as_attachment=not inline,
                         download_name=download_name(version.original_name, version.kind),
                         conditional=True, etag=version.sha256, max_age=0)
    response.headers["Content-Type"] = version.mimetype  # as stored; send_file would add a second charset
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A file is never a page of Hub's: scripts, forms and same-origin access stay off even if a
    # browser renders it (HTML in an SVG, a PDF's JavaScript). Chromium's PDF viewer ignores it.
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
