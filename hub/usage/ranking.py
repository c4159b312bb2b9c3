"""A modest lift in search ranking for items reps use, that never buries an exact title match."""
import math
from datetime import timedelta

from sqlalchemy import func, select

from hub.extensions import db
from hub.models import utcnow
from hub.usage.models import UsageEvent

WINDOW_DAYS = 30
MAX_LIFT = 0.15      # at most +15% on the engine's score
SATURATION = 50      # uses in the window that earn the whole lift
USED = ("view", "download", "share_created", "used_in_deal")


def recent_uses(item_ids):
    """Uses per item in the last WINDOW_DAYS days, one grouped query on the (item, action, at) index."""
    if not item_ids:
        return {}
    since = utcnow() - timedelta(days=WINDOW_DAYS)
    return dict(db.session.execute(
        select(UsageEvent.collateral_id, func.count())
        .where(UsageEvent.collateral_id.in_(item_ids), UsageEvent.action.in_(USED), UsageEvent.at >= since)
        .group_by(UsageEvent.collateral_id)).all())


def lift(uses):
    """1.0 for unused items up to 1 + MAX_LIFT, on a log scale so a few uses already count."""
    return 1 + MAX_LIFT * min(math.log1p(uses) / math.log1p(SATURATION), 1.0)


def rerank(hits, query):
    """Reorder one page of (item, score, snippet) hits; exact title matches keep the top places."""
    if len(hits) < 2:
        return hits
    uses = recent_uses([item.id for item, _, _ in hits])
    wanted = " ".join((query or "").lower().split())

    def key(hit):
        item, score, _ = hit
        exact = bool(wanted) and " ".join(item.title.lower().split()) == wanted
        return (exact, (score or 0) * lift(uses.get(item.id, 0)))

    return sorted(hits, key=key, reverse=True)
