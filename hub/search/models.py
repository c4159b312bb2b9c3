"""The PostgreSQL search backend's tables (hub.search.postgres_backend): a document per item with
its weighted tsvector, and the lexicon of folded words that "Did you mean" looks through.

Both tables exist on every database so that models and migrations agree; on SQLite they stay
empty (the Whoosh backend keeps its index in files) and their indexes are ordinary ones.
"""
from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db

VECTOR = Text().with_variant(TSVECTOR(), "postgresql")


class SearchDocument(db.Model):
    """One item as the PostgreSQL backend indexes it: written by hub.search.sync from the outbox,
    never by a request. Facet and access columns are copies of the document (hub.search.documents),
    so a search reads this one table; `fingerprint` and `analysis` tell a current vector from a
    stale one (`check-index`)."""

    __tablename__ = "search_documents"
    __table_args__ = (db.Index("ix_search_documents_vector", "vector", postgresql_using="gin"),)

    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(String(16))
    analysis: Mapped[int] = mapped_column(Integer)               # hub.search.analysis.ANALYSIS_VERSION
    vector = mapped_column(VECTOR, nullable=False)               # title A, tags B, description and labels C, body D
    title_exact: Mapped[str] = mapped_column(Text, default="")   # the title's folded words: exact matches rank first
    stage: Mapped[str] = mapped_column(Text, default="")         # stage slugs, comma-separated
    content_type: Mapped[str] = mapped_column(String(30), default="")
    product: Mapped[str] = mapped_column(String(100), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    persona: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="")
    expires: Mapped[int] = mapped_column(Integer)                # YYYYMMDD, 99991231 for never
    updated: Mapped[int] = mapped_column(BigInteger)             # microseconds since the epoch


class SearchWord(db.Model):
    """Every folded, unstemmed word (3 to 30 letters) ever indexed: the candidates for "Did you
    mean", found by trigram similarity (pg_trgm). Never pruned; a candidate counts only once a
    document the reader may open holds it (hub.search.postgres_backend)."""

    __tablename__ = "search_words"
    __table_args__ = (db.Index("ix_search_words_trigrams", "word", postgresql_using="gin",
                               postgresql_ops={"word": "gin_trgm_ops"}),)

    word: Mapped[str] = mapped_column(String(30), primary_key=True)
