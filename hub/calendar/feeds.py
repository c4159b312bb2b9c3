"""Private iCal feeds: what a feed holds, its ETag, the rendered bytes kept per process, and who polled.
Tokens, filters and saved feeds are hub/calendar/subscriptions.py."""
import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, or_, select

from hub import events
from hub.auth.models import User
from hub.calendar import ical, services
from hub.calendar.models import (
    KINDS,
    CalendarEntry,
    EntryDeletion,
    EntryLabel,
    FeedFetch,
    OccurrenceChange,
    entry_collateral,
)
from hub.calendar.subscriptions import feed_name, filter_query
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import today, utcnow
from hub.transactions import write_aside
from hub.validation import strip_controls

FORMAT = "1"  # bump when the writer's output changes, so cached ETags stop matching
CANCELLED_DAYS = 30
# --- what a feed holds --------------------------------------------------------------------------


def feed_query(user, filters, on=None):
    """Published entries for the feed (for reps, as services.rep_clause() allows): cancelled ones for
    30 days, nothing that ended a year ago."""
    on = on or today()
    cutoff = services.midnight(on - timedelta(days=CANCELLED_DAYS))
    past = services.midnight(on - timedelta(days=current_app.config["CALENDAR_FEED_PAST_DAYS"]))
    shown = CalendarEntry.published.is_(True) if user.is_editor else services.rep_clause()
    query = services.apply_filters(select(CalendarEntry).where(shown), filters)
    return query.where(
        or_(CalendarEntry.status != "cancelled", CalendarEntry.cancelled_at >= cutoff),
        or_(CalendarEntry.span_ends_at.is_(None), CalendarEntry.span_ends_at >= past),
    ).order_by(CalendarEntry.id)


def feed_links(user, entry_ids):
    """{entry_id: [(item_id, title)]} for collateral the user may see."""
    link = entry_collateral.c
    query = (select(link.entry_id, Collateral.id, Collateral.title)
             .join(Collateral, Collateral.id == link.collateral_id)
             .where(link.entry_id.in_(entry_ids)).order_by(link.entry_id, Collateral.title))
    if not user.is_editor:
        query = query.where(Collateral.live_clause())
    links = {}
    for entry_id, item_id, title in db.session.execute(query):
        links.setdefault(entry_id, []).append((item_id, title))
    return links


def state(user, filters, saved, url_root, on=None):
    """(ETag, Last-Modified) computed without rendering, so a 304 costs two small queries.

    The ETag covers every input of the bytes: the calendar's last change anywhere (edits and
    deletions), linked collateral, the reader's id and role, the filter, the host and the date
    (cancelled entries and expired collateral age out by date).
    """
    on = on or today()
    link = entry_collateral.c
    row = db.session.execute(select(
        select(func.count(CalendarEntry.id)).scalar_subquery(),
        select(func.max(CalendarEntry.updated_at)).scalar_subquery(),
        select(func.max(EntryDeletion.deleted_at)).scalar_subquery(),
        select(func.count()).select_from(entry_collateral).scalar_subquery(),
        select(func.max(Collateral.updated_at)).join(entry_collateral, link.collateral_id == Collateral.id)
        .scalar_subquery(),
    )).one()
    count, edited, deleted, links, items = row
    stamps = [services.midnight(on)] + [as_utc(v) for v in (edited, deleted, items) if v is not None]
    last_modified = max(stamps)
    config = current_app.config
    key = "|".join(str(part) for part in (
        FORMAT, user.id, user.role, url_root, filter_query(filters), saved.id if saved else "",
        saved.name if saved else "", on, count, edited, deleted, links, items,
        config["CALENDAR_TIMEZONE"], config["CALENDAR_REFRESH_MINUTES"], config["CALENDAR_FEED_PAST_DAYS"],
    ))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:40] + '"', last_modified


def as_utc(value):
    """Aggregates come back naive from some engines: they are UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(slots=True)
class FeedEntry:
    """The columns the writer reads, loaded without ORM bookkeeping (about 4x faster for big feeds)."""

    id: int
    uid: str
    title: str
    kind: str
    description: str
    all_day: bool
    timezone: str
    starts_at: datetime
    ends_at: datetime
    starts_on: date
    ends_on: date
    location: str
    url: str
    rrule: str
    status: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    products: tuple = ()  # shared empty tuples: a list per field would be 8,000 more objects per render
    audience: tuple = ()
    removed: tuple = ()
    moved: tuple = ()

    @property
    def kind_label(self):
        return KINDS.get(self.kind, self.kind)

    @property
    def added(self):
        return tuple(c for c in self.moved if c.added)


ENTRY_COLUMNS = [getattr(CalendarEntry, f.name) for f in fields(FeedEntry)[:18]]


def feed_entries(user, filters, on=None):
    """The feed's entries with their labels and changed occurrences: three queries."""
    query = feed_query(user, filters, on)
    entries = [FeedEntry(*row) for row in db.session.execute(query.with_only_columns(*ENTRY_COLUMNS))]
    by_id = {e.id: e for e in entries}
    ids = query.with_only_columns(CalendarEntry.id).order_by(None)
    labels = select(EntryLabel.entry_id, EntryLabel.facet, EntryLabel.value).where(EntryLabel.entry_id.in_(ids))
    for entry_id, facet, value in db.session.execute(labels.order_by(EntryLabel.facet, EntryLabel.value)):
        entry = by_id[entry_id]
        if facet == "product":
            entry.products += (value,)
        else:
            entry.audience += (value,)
    recurring = ids.where(CalendarEntry.rrule.is_not(None))
    changes = select(OccurrenceChange).where(OccurrenceChange.entry_id.in_(recurring)).order_by(OccurrenceChange.id)
    for change in db.session.scalars(changes):
        entry = by_id[change.entry_id]
        if change.removed:
            entry.removed += (change,)
        else:
            entry.moved += (change,)
    return entries


def render(user, filters, saved, url_templates, on=None):
    """The feed's bytes."""
    entries = feed_entries(user, filters, on)
    links = feed_links(user, [e.id for e in entries]) if entries else {}
    config = current_app.config
    return ical.calendar_bytes(entries, url_templates, links, name=feed_name(saved, filters),
                               timezone=config["CALENDAR_TIMEZONE"],
                               refresh_minutes=config["CALENDAR_REFRESH_MINUTES"], on=on)


class BodyCache:
    """Rendered feeds by ETag, in this process, least recently used first out; bounded in bytes.

    The ETag covers every input of the bytes (see `state`), so a body cached under it is the body a
    fresh render would give. Calendar apps poll every few minutes and Google's and Outlook's servers
    send no conditional headers, so most polls of a 2,000-entry feed become a dictionary lookup.
    The gzip copy is made on the first request that accepts it (RFC 9110 8.4.1.3).
    """

    def __init__(self, budget_bytes):
        self.budget = budget_bytes
        self.used = 0
        self.bodies = OrderedDict()  # etag -> {"identity": bytes, "gzip": bytes}
        self.lock = threading.Lock()

    def get(self, etag, coding, produce):
        """The body for ``etag`` in ``coding`` ('identity' or 'gzip'); ``produce()`` renders it on a miss."""
        with self.lock:
            variants = self.bodies.get(etag)
            if variants is not None:
                self.bodies.move_to_end(etag)
                if coding in variants:
                    return variants[coding]
        raw = variants["identity"] if variants else produce()
        body = raw if coding == "identity" else gzip.compress(raw, compresslevel=6, mtime=0)
        with self.lock:
            variants = self.bodies.setdefault(etag, {})
            for key, value in (("identity", raw), (coding, body)):
                if key not in variants:
                    variants[key] = value
                    self.used += len(value)
            self.bodies.move_to_end(etag)
            while self.used > self.budget and len(self.bodies) > 1:
                _, dropped = self.bodies.popitem(last=False)
                self.used -= sum(len(value) for value in dropped.values())
        return body


def body(user, filters, saved, url_templates, etag, coding="identity"):
    """The feed's bytes in ``coding`` ('identity' or 'gzip'), from this process's cache when the ETag
    was rendered before. Budget per process: HUB_CALENDAR_FEED_CACHE_MB (default 32)."""
    app = current_app._get_current_object()
    cache = app.extensions.get("hub.feed_bodies")
    if cache is None:
        cache = app.extensions.setdefault("hub.feed_bodies", BodyCache(int(app.config["CALENDAR_FEED_CACHE_MB"] * 2**20)))
    return cache.get(etag, coding, lambda: render(user, filters, saved, url_templates))


def entry_bytes(user, entry, url_templates):
    """One entry as a downloadable .ics (no feed name or refresh interval)."""
    items = services.visible_collateral(user, entry)
    return ical.calendar_bytes([entry], url_templates, {entry.id: [(i.id, i.title) for i in items]},
                               timezone=current_app.config["CALENDAR_TIMEZONE"])


# --- fetches ------------------------------------------------------------------------------------


def record_fetch(user, saved, filters, status, user_agent):
    """Write down one poll: who, which filter, when, which client; also a usage event for the person's activity."""
    agent = " ".join(strip_controls(user_agent or "").split())[:300]
    query = filter_query(filters)[:1000]
    # A poll is bookkeeping: written aside, so it never fails or slows the calendar app's fetch.
    write_aside(insert(FeedFetch).values(user_id=user.id, saved_feed_id=saved.id if saved else None, query=query,
                                         status=status, user_agent=agent, fetched_at=utcnow()), "a feed fetch")
    events.feed_polled.send(user, status=status, feed=saved.id if saved else None, filters=query,
                            user_agent=agent)


def subscribers(days=7, limit=50):
    """For marketing: who polled a feed lately, how often and when last, most recent first."""
    since = utcnow() - timedelta(days=days)
    rows = db.session.execute(
        select(User, func.count(FeedFetch.id), func.max(FeedFetch.fetched_at))
        .join(FeedFetch, FeedFetch.user_id == User.id).where(FeedFetch.fetched_at >= since)
        .group_by(User.id).order_by(func.max(FeedFetch.fetched_at).desc()).limit(limit)
    ).all()
    return [(user, count, as_utc(last)) for user, count, last in rows]
