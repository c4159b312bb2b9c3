"""The search-backend seam: what Hub needs from an index, whatever engine provides it."""
from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class IndexUnavailable(Exception):
    """The index cannot answer (missing, unreadable, built for another version): searches answer
    from the database meanwhile, and the worker repairs it."""


class IndexBusy(Exception):
    """Another writer holds the index's write lock past the timeout: the job is retried later."""


@dataclass
class Query:
    """One search as the results page asks for it."""

    text: str = ""
    filters: dict = field(default_factory=dict)   # facet name -> value
    live_only: bool = True                         # approved and unexpired (reps)
    today: int = 0                                 # YYYYMMDD, for expiry
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"                        # or "newest"
    facets: tuple = ("stage", "content_type", "product", "industry", "persona")
    lifts: dict = field(default_factory=dict)     # item id -> score factor (recent use), relevance only


@dataclass
class Hit:
    id: int
    score: float
    snippet: list  # [(text, highlighted: bool), ...]


@dataclass
class Results:
    total: int
    hits: list
    facets: dict                 # facet name -> {value: count}
    suggestion: str | None = None
    corrected: bool = False      # hits are for the suggestion, the original found nothing
    notice: str = ""


@dataclass
class Drift:
    missing: list
    stale: list
    extra: list

    @property
    def clean(self):
        return not (self.missing or self.stale or self.extra)


class SearchBackend(ABC):
    """An index of collateral documents (dicts built by hub.search.documents.document_for)."""

    @abstractmethod
    def apply(self, changes):
        """Under the write lock, call changes() -> (documents, removed ids) and apply them atomically."""

    @abstractmethod
    def rebuild(self, documents, progress=None):
        """Replace the whole index with these documents."""

    @abstractmethod
    def search(self, query):
        """Run a Query and return Results; IndexUnavailable when the index cannot answer."""

    @abstractmethod
    def doc_count(self):
        """How many documents the index holds; IndexUnavailable when it cannot tell."""

    @abstractmethod
    def fingerprints(self):
        """{id: fingerprint} of every indexed document, for drift checks."""

    def check(self, expected):
        """Compare {id: fingerprint} from the database with the index: a Drift."""
        indexed = self.fingerprints()
        return Drift(
            missing=sorted((i for i in expected if i not in indexed), key=int),
            stale=sorted((i for i in expected if i in indexed and indexed[i] != expected[i]), key=int),
            extra=sorted((i for i in indexed if i not in expected), key=int),
        )
