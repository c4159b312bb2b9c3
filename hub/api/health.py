"""GET /api/v1/health: background work and the search index, for admins and monitoring."""
from flask import current_app, g

from hub import jobs
from hub.api import bp, schemas
from hub.api.spec import documented
from hub.errors import Forbidden
from hub.search import sync


def iso(value):
    return value.isoformat() if value is not None else None


@bp.get("/health")
@documented(ok=schemas.Health, errors=[403])
def health():
    """The queue (backlog, oldest job, last error, workers) and the index; `status` is "ok" or
    "degraded" (no live worker, failed jobs, or an index that cannot answer). Admin tokens only."""
    if not g.user.is_admin:
        raise Forbidden("Only admins can read the health report.")
    queue = jobs.health()
    index = sync.index_health(current_app._get_current_object())
    degraded = not queue["workers_alive"] or queue["failed"] or not index["answering"]
    last = queue["last_error"]
    return {
        "status": "degraded" if degraded else "ok",
        "jobs": {
            "backlog": queue["backlog"], "by_kind": queue["by_kind"], "failed": queue["failed"],
            "oldest_queued_at": iso(queue["oldest_queued_at"]), "oldest_age_seconds": queue["oldest_age_seconds"],
            "last_error": {**last, "at": iso(last["at"])} if last else None,
        },
        "workers": [{**w, "started_at": iso(w["started_at"]), "seen_at": iso(w["seen_at"])} for w in queue["workers"]],
        "search": index,
    }
