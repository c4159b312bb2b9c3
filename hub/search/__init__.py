"""Full-text search over the library, kept in step with the database."""
# sync holds the session hook that queues index jobs, the job handlers and the index watch.
from hub.search import models, sync  # noqa: F401
from hub.search.views import bp

__all__ = ["bp"]
