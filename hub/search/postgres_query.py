"""Documents and queries as PostgreSQL text search sees them, analysed by Hub's own analysis.

Both are built in Python with hub.search.analysis (folding, CJK bigrams, stop words, Porter
stems), so the PostgreSQL backend finds exactly the words the Whoosh backend finds, and neither
PostgreSQL's text search configurations nor unaccent decide what a word is. A document becomes a
tsvector literal (lexemes with positions and weights: title A, tags B, description and labels C,
body D); a query becomes a tsquery literal (`&`, `|`, `!`, `<->` for phrases, `:*` for prefixes).
Both are cast, never parsed by to_tsvector/to_tsquery (PostgreSQL docs, "8.11. Text Search Types").

The query syntax is the Whoosh backend's (hub.search.whoosh_query.parser): words, "phrases",
AND, OR, NOT, ANDNOT, ANDMAYBE, parentheses and trailing prefixes (integr*). Binary operators
bind tighter than plain juxtaposition and apply left to right, as Whoosh's operators plugin does;
juxtaposed clauses are joined by the default group (AND, or OR when a search is widened).
"""
import re
from dataclasses import dataclass
from functools import lru_cache

from whoosh.lang.porter import stem

from hub.search.analysis import fold, pieces, terms_of, token_pattern

# (document field, weight) in position order; fields are a position apart so no phrase spans two.
FIELDS = (("title", "A"), ("tags", "B"), ("description", "C"), ("meta", "C"), ("body", "D"))
MAX_POSITION = 16383        # PostgreSQL keeps positions up to this (larger ones are set to it)
MAX_POSITIONS = 256         # and at most this many per lexeme
MAX_LEXEME_BYTES = 2046     # longer lexemes are refused
MAX_VECTOR_BYTES = 900_000  # a tsvector must stay under 1 MB: beyond this, positions are dropped
QUERY_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
BINARY = {"AND": "and", "OR": "or", "ANDNOT": "andnot", "ANDMAYBE": "andmaybe"}


def quote(lexeme):
    """A lexeme as a quoted tsvector/tsquery token (quotes doubled, backslashes escaped)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


@lru_cache(maxsize=300_000)
def token_analysis(token):
    """(index terms, suggestion words) of one TOKEN match: terms_of() as the Whoosh tokenizer uses
    it, and its folded letter-only pieces of 3 to 30 characters (hub.search.analysis.folded_words)."""
    words = tuple(text for _, _, text in pieces(token) if 3 <= len(text) <= 30 and text.isalpha())
    return tuple(term for _, _, term in terms_of(token)), words


def analyse(doc):
    """({lexeme: ["position" + weight, ...]}, {folded words}) of an index document. Positions are
    counted as Whoosh counts them (stop words leave no gap), each field two after the last; at most
    MAX_POSITIONS per lexeme, none above MAX_POSITION (PostgreSQL's limits)."""
    found, words, position = {}, set(), 1
    for field, weight in FIELDS:
        text = doc.get(field) or ""
        for token in token_pattern(text).findall(text):
            terms, token_words = token_analysis(token)
            if token_words:
                words.update(token_words)
            for term in terms:
                places = found.get(term)
                if places is None:
                    places = found[term] = []
                if len(places) < MAX_POSITIONS:
                    places.append(f"{min(position, MAX_POSITION)}{weight}")
                position += 1
        position += 1
    return found, words


def vector_literal(terms):
    """The tsvector literal of analyse()'s lexemes, for CAST(... AS tsvector).

    PostgreSQL holds at most 1 MB of lexemes and positions per tsvector ("string is too long for
    tsvector"). A text past that (a 150,000-row workbook has 250,000 distinct tokens, mostly
    numbers) keeps its words before its numbers, then each lexeme with one position, then stops:
    the item is indexed, not its every number. The Whoosh backend has no such limit."""
    ordered = sorted((t for t in terms if len(t.encode("utf-8")) <= MAX_LEXEME_BYTES),
                     key=lambda t: any(c.isdigit() for c in t))  # stable: words first, in text order
    parts, used = [], 0
    for term in ordered:
        places = list(dict.fromkeys(terms[term]))
        size = len(term.encode("utf-8")) + 4
        if used + size + 2 * len(places) > MAX_VECTOR_BYTES:
            places = places[:1]
        if used + size + 2 > MAX_VECTOR_BYTES:
            break
        used += size + 2 * len(places)
        parts.append(quote(term) + ":" + ",".join(places))
    return " ".join(parts)


# --- queries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One node of a parsed query: kind is term, phrase, and, or or not."""

    kind: str
    text: str = ""              # term: the lexeme
    prefix: bool = False        # term: a trailing-prefix match
    parts: tuple = ()           # phrase: lexemes; and/or: child nodes; not: (child,)


def word_node(word):
    """The node of one query word: a lexeme, a phrase of its pieces (CJK bigrams, status:draft),
    a prefix (integr*), or None for a stop word or punctuation."""
    prefix = word.endswith("*")
    word = word.rstrip("*")
    terms = [term for match in token_pattern(word).finditer(word) for _, _, term in terms_of(match.group())]
    if prefix and word.isalnum() and len(word) > 2:
        return Node("term", stem(fold(word)), prefix=True)  # as the Whoosh backend's tokenizer does
    if not terms:
        return None
    if len(terms) == 1:
        return Node("term", terms[0])
    return Node("phrase", parts=tuple(terms))


def phrase_node(text):
    """A quoted phrase: every lexeme of its words, consecutive."""
    terms = [term for match in token_pattern(text).finditer(text) for _, _, term in terms_of(match.group())]
    if not terms:
        return None
    return Node("term", terms[0]) if len(terms) == 1 else Node("phrase", parts=tuple(terms))


class Parser:
    """Recursive descent over the query's tokens; never raises on any input (unknown shapes are
    read as words, operators without operands are dropped)."""

    def __init__(self, text, group):
        self.tokens = QUERY_TOKEN.findall(text)
        self.i = 0
        self.group = group

    def parse(self):
        return self.sequence(top=True)

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def sequence(self, top=False):
        clauses = []
        while (token := self.peek()) is not None:
            if token == ")":
                self.i += 1
                if top:
                    continue  # a stray closing parenthesis
                break
            if token in BINARY:
                self.i += 1  # an operator without a left operand
                continue
            clauses.append(self.binary())
        return combine(self.group, clauses)

    def binary(self):
        left = self.unary()
        while self.peek() in BINARY:
            op = BINARY[self.tokens[self.i]]
            self.i += 1
            if self.peek() in (None, ")") or self.peek() in BINARY:
                break
            right = self.unary()
            if op in ("and", "or"):
                left = combine(op, [left, right])
            elif op == "andnot" and left and right:
                left = combine("and", [left, Node("not", parts=(right,))])
            # ANDMAYBE: its optional side only adds to the score in Whoosh; here it is left out.
        return left

    def unary(self):
        token = self.tokens[self.i]
        self.i += 1
        if token == "NOT":
            if self.peek() in (None, ")") or self.peek() in BINARY:
                return None
            inner = self.unary()
            return Node("not", parts=(inner,)) if inner else None
        if token == "(":
            return self.sequence()
        if token.startswith('"'):
            return phrase_node(token.strip('"'))
        return word_node(token)


def combine(kind, nodes):
    """An and/or node of the non-empty nodes (the node itself when only one is left)."""
    nodes = tuple(n for n in nodes if n is not None)
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return Node(kind, parts=nodes)


def parse(text, group="and"):
    """The query tree of a search text (None when nothing searchable is left), `group` joining
    juxtaposed words: 'and' (every word) or 'or' (any word)."""
    return Parser(text, group).parse()


def tsquery(node):
    """A query tree as a tsquery literal, for CAST(... AS tsquery)."""
    if node.kind == "term":
        return quote(node.text) + (":*" if node.prefix else "")
    if node.kind == "phrase":
        return "(" + " <-> ".join(quote(t) for t in node.parts) + ")"
    if node.kind == "not":
        return "!" + tsquery(node.parts[0])
    joiner = " & " if node.kind == "and" else " | "
    return "(" + joiner.join(tsquery(part) for part in node.parts) + ")"


class QueryTerms:
    """The lexemes a query looks for (not those it excludes), prefixes included, as the snippet
    code asks of a set: `term in terms` and `len(terms)`."""

    def __init__(self, node):
        self.exact, prefixes = set(), set()
        self._collect(node, self.exact, prefixes)
        self.prefixes = tuple(sorted(prefixes))

    def _collect(self, node, exact, prefixes):
        if node is None or node.kind == "not":
            return
        if node.kind == "term":
            (prefixes if node.prefix else exact).add(node.text)
        elif node.kind == "phrase":
            exact.update(node.parts)
        else:
            for part in node.parts:
                self._collect(part, exact, prefixes)

    def __contains__(self, term):
        return term in self.exact or (bool(self.prefixes) and term.startswith(self.prefixes))

    def __len__(self):
        return len(self.exact) + len(self.prefixes)
