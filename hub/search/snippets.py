"""Highlighted snippets: the passage of a document's text that holds the most query words.

Words are matched the way the index analyzes them (Whoosh's StemmingAnalyzer: `\\w+(\\.?\\w+)*`
tokens, lower-cased, Porter-stemmed), but without running the analyzer over the whole text: each
distinct word is stemmed once (and cached), and only the tokens whose stem the query looks for
are visited. Running the analyzer's token pipeline over ten 600-word hits took 15 to 30 ms per
results page; this takes about one.
"""
import re
from functools import lru_cache

from whoosh.lang.porter import stem

TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)  # the analyzer's default tokenizer pattern
SPACE = re.compile(r"\s+")


@lru_cache(maxsize=100_000)
def stem_word(word):
    """The index term for one token as it appears in the text."""
    return stem(word.lower())


def matches(text, terms):
    """[(start, end, stem)] of every token in `text` whose stem is one of `terms`, in text order."""
    wanted = {word for word in set(TOKEN.findall(text)) if stem_word(word) in terms}
    if not wanted:
        return []
    return [(m.start(), m.end(), stem_word(m.group())) for m in TOKEN.finditer(text) if m.group() in wanted]


def snippet(text, terms, width=240, scan_limit=100_000):
    """[(text, highlighted), ...] for the passage holding the most distinct query words."""
    text = text or ""
    found = matches(text[:scan_limit], terms) if terms else []
    if not found:
        return [(SPACE.sub(" ", text[:width]), False)] if text else []
    best, best_score, right = 0, -1, 0
    for left, (start, _, _) in enumerate(found):  # two pointers over the matches, in text order
        right = max(right, left)
        while right + 1 < len(found) and found[right + 1][1] <= start + width * 0.8:
            right += 1
        score = len({m[2] for m in found[left:right + 1]})
        if score > best_score:
            best, best_score = left, score
            if score == len(terms):
                break
    start = max(0, found[best][0] - width // 5)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    out = [("… ", False)] if start else []
    cursor = start
    for a, b, _ in found[best:]:
        if b > end:
            break
        out += [(text[cursor:a], False), (text[a:b], True)]
        cursor = b
    out.append((text[cursor:end], False))
    if end < len(text):
        out.append((" …", False))
    return [(SPACE.sub(" ", part), marked) for part, marked in out if part]
