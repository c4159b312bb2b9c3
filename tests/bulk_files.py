"""Twenty real files for the bulk upload tests: nineteen Hub accepts (PDF, DOCX, PPTX, XLSX, text and
Markdown from tests/corpus_documents.py and tests/search_files.py) and one it refuses, with the
word a search must find in each accepted file once the worker has read it."""
import io

from tests import corpus_documents, search_files

ACCEPTED = ("docx_breaks.docx", "docx_textbox.docx", "docx_languages.docx", "pptx_misc.pptx", "xlsx_misc.xlsx",
            "sjis.txt", "utf16.txt", "languages.md", "hidden.docx", "strict.docx", "strict.pptx", "strict.xlsx",
            "smartart.pptx", "sheets.xlsx", "form.pdf", "restricted.pdf", "emphasis.md", "ligatures.txt")
REFUSED_NAME = "Locked pricing.docx"
REFUSED_REASON = "This file is password-protected: remove the password and upload it again."


def encrypted_docx():
    """A Word file saved with a password to open (ECMA-376 Agile encryption, as Office writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(search_files.docx())).encrypt("s3cret-password", out)
    return out.getvalue()


def twenty_files():
    """[(file name, bytes, a word that finds it or None for the refused one)]: 19 accepted, the
    refused one 11th."""
    cases = {case.name: case for case in corpus_documents.CASES}
    accepted = [(name, cases[name].make(), cases[name].find[0]) for name in ACCEPTED]
    accepted.append(("Pricing_guide-2025.pdf", search_files.pdf(marker="wombatpricing"), "wombatpricing"))
    return accepted[:10] + [(REFUSED_NAME, encrypted_docx(), None)] + accepted[10:]
