"""What usage tracking tells the other features about one person (answers to hub.events questions):
the items they follow by sharing them, what they opened last, and what they use most."""
from datetime import timedelta

from sqlalchemy import func, select

from hub.extensions import db
from hub.library.models import Collateral, Stage, collateral_stages
from hub.models import utcnow
from hub.usage.models import Pitch, PitchItem, Share, UsageEvent

OPENED = ("view", "preview", "download")
USED = ("view", "preview", "download", "share_created", "used_in_deal", "search_click")
INTEREST_DAYS = 90     # what "use most" looks at
TOP = 3                # stages, products and industries kept of each
VISIT_GAP = timedelta(hours=1)  # events closer than this belong to the same visit


def followers(item, **_):
    """Ids of the users who shared `item` or put it in a pitch (the collateral_followers answer)."""
    shared = select(Share.created_by_id).where(Share.collateral_id == item.id)
    pitched = (select(Pitch.created_by_id).join(PitchItem, PitchItem.pitch_id == Pitch.id)
               .where(PitchItem.collateral_id == item.id))
    return {user_id for user_id in db.session.scalars(shared.union(pitched)) if user_id is not None}


def recently_viewed(user, limit=20, **_):
    """Ids of the items `user` opened (viewed, previewed, downloaded) most recently, newest first, distinct."""
    latest = func.max(UsageEvent.at)
    rows = db.session.execute(
        select(UsageEvent.collateral_id, latest)
        .where(UsageEvent.user_id == user.id, UsageEvent.action.in_(OPENED), UsageEvent.collateral_id.is_not(None))
        .group_by(UsageEvent.collateral_id).order_by(latest.desc(), UsageEvent.collateral_id.desc()).limit(limit))
    return [collateral_id for collateral_id, _ in rows]


def most_used(user, column, since):
    """The TOP most frequent non-empty values of `column` (of the items, or their stages' slugs) over
    the user's recent use of items."""
    count = func.count()
    query = select(column, count).select_from(UsageEvent).join(Collateral, Collateral.id == UsageEvent.collateral_id)
    if column is Stage.slug:
        query = (query.join(collateral_stages, collateral_stages.c.collateral_id == Collateral.id)
                 .join(Stage, Stage.id == collateral_stages.c.stage_id))
    query = (query.where(UsageEvent.user_id == user.id, UsageEvent.action.in_(USED), UsageEvent.at >= since, column != "")
             .group_by(column).order_by(count.desc(), column).limit(TOP))
    return [value for value, _ in db.session.execute(query)]


def interests(user, **_):
    """What `user` uses most in the last INTEREST_DAYS (stages, products, industries) and when their
    previous visit was: the newest of their events older than VISIT_GAP (None: no earlier visit)."""
    since = utcnow() - timedelta(days=INTEREST_DAYS)
    last_visit_at = db.session.scalar(select(func.max(UsageEvent.at)).where(
        UsageEvent.user_id == user.id, UsageEvent.at < utcnow() - VISIT_GAP))
    return {"stages": most_used(user, Stage.slug, since),
            "products": most_used(user, Collateral.product, since),
            "industries": most_used(user, Collateral.industry, since),
            "last_visit_at": last_visit_at}


def connect(events):
    """Answer the other features' questions about a person."""
    events.collateral_followers.connect(followers)
    events.recently_viewed.connect(recently_viewed)
    events.user_interests.connect(interests)
