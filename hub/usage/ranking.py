"""A modest lift in search ranking for items reps use; an exact title match still ranks first.

The search engine multiplies each match's score by its item's lift before it picks the top hits,
so a much-used item can climb from page two to page one, but never by more than MAX_LIFT. The
lifts come from one grouped query over the last WINDOW_DAYS days of events, kept for
SEARCH_LIFT_SECONDS in each process: "recent use" does not need to be accurate to the second.
"""
import logging
import math
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from hub.extensions import db
from hub.models import utcnow
from hub.usage.models import UsageEvent

log = logging.getLogger(__name__)
WINDOW_DAYS = 30
MAX_LIFT = 0.15      # at most +15% on the engine's score
SATURATION = 50      # uses in the window that earn the whole lift
USED = ("view", "download", "share_created", "used_in_deal")


def recent_uses():
    """Uses per item in the last WINDOW_DAYS days (on a connection of its own: a failure here
    must not spoil the caller's transaction)."""
    since = utcnow() - timedelta(days=WINDOW_DAYS)
    with db.engine.connect() as connection:
        return dict(connection.execute(
            select(UsageEvent.collateral_id, func.count())
            .where(UsageEvent.action.in_(USED), UsageEvent.at >= since, UsageEvent.collateral_id.is_not(None))
            .group_by(UsageEvent.collateral_id)).all())


def lift(uses):
    """1.0 for unused items up to 1 + MAX_LIFT, on a log scale so a few uses already count."""
    return 1 + MAX_LIFT * min(math.log1p(uses) / math.log1p(SATURATION), 1.0)


def lifts():
    """{item id: score factor} for every recently used item; a failure costs the lift, not the search."""
    app = current_app._get_current_object()
    cached = app.extensions.get("hub_usage_lifts")
    if cached and time.monotonic() - cached[0] < app.config["SEARCH_LIFT_SECONDS"]:
        return cached[1]
    try:
        value = {item_id: lift(uses) for item_id, uses in recent_uses().items()}
    except Exception:
        log.exception("could not read recent usage for search ranking; ranking without it")
        return {}
    app.extensions["hub_usage_lifts"] = (time.monotonic(), value)
    return value
