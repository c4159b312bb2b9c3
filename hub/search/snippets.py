"""Highlighted snippets: the passage of a document's text that holds the most query words.

Words are matched the way the index analyzes them (hub.search.analysis: folded, CJK bigrams,
stemmed), but without running the analyzer over the whole text: each distinct word is analysed
once (and cached), and only the tokens holding a term the query looks for are visited. Running
the analyzer's token pipeline over ten 600-word hits took 15 to 30 ms per results page; this
takes about one. The snippet shows the original text: accents, ligatures and case as written.
"""
import re

from hub.search.analysis import terms_of, token_pattern

SPACE = re.compile(r"\s+")


def matches(text, terms):
    """[(start, end, term)] of every stretch of `text` whose index term is one of `terms`, in text
    order; overlapping CJK bigrams (東京, 京本) are merged into one stretch."""
    pattern = token_pattern(text)
    wanted = {word for word in set(pattern.findall(text)) if any(t in terms for _, _, t in terms_of(word))}
    if not wanted:
        return []
    found = []
    for m in pattern.finditer(text):
        if m.group() not in wanted:
            continue
        for start, end, term in terms_of(m.group()):
            if term not in terms:
                continue
            start, end = m.start() + start, m.start() + end
            if found and start < found[-1][1]:
                found[-1] = (found[-1][0], max(end, found[-1][1]), found[-1][2])
            else:
                found.append((start, end, term))
    return found


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
