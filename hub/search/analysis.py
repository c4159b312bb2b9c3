"""How text becomes index terms, the same for documents and queries: words as people type them.

A word is a run of letters and digits with the combining marks inside it (Python's `\\w` stops at
a mark, which cut Arabic with harakat and decomposed accents into pieces). Each word is folded:
Unicode NFKC (the ﬁ/ﬂ ligatures of pdfTeX and InDesign become fi/fl, full-width forms plain),
case-folded (German ß becomes ss, so `Grosskunden` finds "Großkunden"), and stripped of Latin,
Greek, Cyrillic, Hebrew and Arabic diacritics (`equipe` finds "équipe", `Arzte` "Ärzte", Arabic
without harakat finds text with them). Chinese, Japanese and Korean have no spaces, so a run of
their characters becomes overlapping character bigrams, as Lucene's CJKBigramFilter does
("東京本社" gives 東京 京本 本社); a query word becomes a phrase of its bigrams. German compounds
are found through prefix search (`Vertrieb*` finds "Vertriebsunterlagen"), not decomposed.
Then English stop words go and words are Porter-stemmed, as before.

ANALYSIS_VERSION is stored with the index's schema: an index built with another version is
rebuilt (hub.search.whoosh_backend).
"""
import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.lang.porter import stem

ANALYSIS_VERSION = 2


def _mark_class():
    """A regex character class of every combining mark (Unicode categories Mn, Mc, Me)."""
    ranges, start = [], None
    for code in range(0x20000):  # the planes that have combining marks in running text
        is_mark = unicodedata.category(chr(code)) in ("Mn", "Mc", "Me")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append((start, code - 1))
            start = None
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


MARKS = _mark_class()
# As Whoosh's `\w+(\.?\w+)*` with combining marks kept; one character class is several times
# faster than an alternation, so underscores are split off in pieces() instead.
TOKEN = re.compile(rf"[\w{MARKS}]+(?:\.[\w{MARKS}]+)*")
ASCII_TOKEN = re.compile(r"\w+(?:\.\w+)*")  # the same matches on ASCII text, three times faster
UNDERSCORES = re.compile("_+")


def token_pattern(text):
    """The TOKEN pattern to run over `text` (ASCII_TOKEN when it is ASCII: same tokens, faster)."""
    return ASCII_TOKEN if text.isascii() else TOKEN
LETTERS = re.compile(rf"(?:[^\W\d_]|[{MARKS}])+")  # words for spelling suggestions
CJK = re.compile("([\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                 "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]+)")
DIACRITICS = re.compile("[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670"
                        "\u06d6-\u06ed]")


def fold_text(text):
    """Any text folded as the index folds words: NFKC, case-folded, without diacritics (the
    database search folds whole texts with it, hub.search.fallback)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    return unicodedata.normalize("NFC", DIACRITICS.sub("", unicodedata.normalize("NFD", text)))


@lru_cache(maxsize=200_000)
def fold(word):
    """A word as the index holds it before stemming: NFKC, case-folded, without diacritics."""
    return fold_text(word)


@lru_cache(maxsize=200_000)
def pieces(word):
    """[(start, end, folded text)] of one TOKEN match, offsets within it: split at underscores, CJK
    runs as bigrams (a lone character as itself), other runs folded; single letters and digits
    dropped, as before."""
    if word.isascii() and "_" not in word:
        return ((0, len(word), word.lower()),) if len(word) > 1 else ()
    out, offset = [], 0
    for part in UNDERSCORES.split(word):
        if part:
            start = word.index(part, offset)
            out += [(start + a, start + b, text) for a, b, text in _runs(part)]
            offset = start + len(part)
    return tuple(out)


def _runs(word):
    """pieces() of a word without underscores."""
    if word.isascii():
        return [(0, len(word), word.lower())] if len(word) > 1 else []
    out, offset = [], 0
    for i, run in enumerate(CJK.split(word)):
        if not run:
            continue
        if i % 2:  # a CJK run
            if len(run) == 1:
                out.append((offset, offset + 1, fold(run)))
            out += [(offset + j, offset + j + 2, fold(run[j:j + 2])) for j in range(len(run) - 1)]
        elif len(folded := fold(run)) > 1:
            out.append((offset, offset + len(run), folded))
        offset += len(run)
    return out


@lru_cache(maxsize=300_000)
def terms_of(word):
    """[(start, end, index term)] for one TOKEN match, offsets within it: folded, CJK bigrams,
    English stop words dropped, Porter-stemmed. The tokenizer and the snippets both use it."""
    return tuple((start, end, stem(text)) for start, end, text in pieces(word) if text not in STOP_WORDS)


class HubTokenizer(Tokenizer):
    """The whole analysis as one Whoosh tokenizer (a chain of Whoosh filters cost twice the time on
    a 150,000-row workbook): index terms with positions (stop words leave no gap, as Whoosh's
    StopFilter renumbers) and offsets in the original text."""

    def __init__(self):
        self.version = ANALYSIS_VERSION

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost, token.stopped = 1.0, False
        if not tokenize:  # a prefix or wildcard: the whole text, folded and stemmed as before
            token.original = token.text = stem(fold(value))
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        pos = start_pos
        for match in token_pattern(value).finditer(value):
            base = match.start()
            for start, end, text in terms_of(match.group()):
                token.text = text
                if keeporiginal:
                    token.original = value[base + start:base + end]
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar, token.endchar = start_char + base + start, start_char + base + end
                yield token


def analyzer():
    """The analyzer of every text field (documents and queries)."""
    return HubTokenizer()


def analysis_version(schema):
    """The ANALYSIS_VERSION an index's schema was built with (0 before there was one)."""
    return getattr(schema["body"].analyzer, "version", 0)


def folded_words(text):
    """The distinct folded words (letters only, 3 to 30) of a text, for spelling suggestions."""
    return {w for w in map(fold, LETTERS.findall(text)) if 3 <= len(w) <= 30}
