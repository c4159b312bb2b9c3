"""Full-text search over the library, kept in step with the database."""
from hub.search import models, sync  # noqa: F401  (the outbox table and its session hooks)
from hub.search.views import bp

__all__ = ["bp"]
