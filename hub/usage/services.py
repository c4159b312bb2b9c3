"""Recording usage, deals and outcomes, and reading one's own activity."""
import json
import logging
import re

from flask import has_request_context, request
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from hub import validation
from hub.auth.services import list_users
from hub.errors import Forbidden, Invalid, NotFound
from hub.extensions import db
from hub.library.models import Collateral, Stage
from hub.models import utcnow
from hub.transactions import write_aside
from hub.usage.models import ACTIONS, CHANNELS, OUTCOMES, DealUse, Opportunity, UsageEvent
from hub.validation import row_id, strip_controls

log = logging.getLogger(__name__)
REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:#-]{0,79}$")


# --- recording ----------------------------------------------------------------------------------


def record_event(action, user=None, item=None, *, version=None, channel=None, stage="", account="",
                 opportunity="", query="", result_count=None, share_id=None, context=None, at=None):
    """Append one event on its own connection, after the action's own commit when it wrote anything
    (hub.transactions.write_aside); never raises (a failure is logged and the caller goes on)."""
    try:
        statement = insert(UsageEvent).values(event_values(
            action, user, item, version=version, channel=channel, stage=stage, account=account,
            opportunity=opportunity, query=query, result_count=result_count, share_id=share_id,
            context=context, at=at))
    except Exception:  # recording must never break what the user is doing
        log.exception("could not record usage event %r", action)
        return False
    return write_aside(statement, f"usage event {action!r}")


def record_events(events):
    """Append many events (dicts of record_event's arguments) in one statement, for bulk loads; raises on failure.

    Like record_event, call it after the caller's own commit.
    """
    rows = [event_values(**event) for event in events]
    if rows:
        with db.engine.begin() as connection:
            connection.execute(insert(UsageEvent), rows)
    return len(rows)


def event_values(action, user=None, item=None, *, version=None, channel=None, stage="", account="",
                 opportunity="", query="", result_count=None, share_id=None, context=None, at=None):
    """One usage_events row from record_event's arguments; ValueError for an unknown action."""
    if action not in ACTIONS:
        raise ValueError(f"unknown usage action {action!r}")
    if version is None and item is not None:
        version = getattr(item, "current_version", None)
    return {
        "at": at or utcnow(),
        "user_id": getattr(user, "id", user),
        "action": action,
        "collateral_id": getattr(item, "id", item),
        "version_number": getattr(version, "number", version),
        "share_id": share_id,
        "stage": (stage or "")[:40],
        "account": (account or "")[:120],
        "opportunity": (opportunity or "")[:80],
        "channel": channel or guess_channel(),
        "query": (query or "")[:200],
        "result_count": result_count,
        "context": json.dumps(context, separators=(",", ":"), default=str)[:2000] if context else "",
    }


def guess_channel():
    """'api' for API calls, else 'page'."""
    if has_request_context() and request.path.startswith("/api/"):
        return "api"
    return "page"


def client_description(user_agent):
    """'Chrome on Windows' from a User-Agent header: coarse on purpose, nothing that identifies a person."""
    ua = (user_agent or "").lower()
    browser = next((name for key, name in (("edg/", "Edge"), ("opr/", "Opera"), ("firefox/", "Firefox"),
                                          ("chrome/", "Chrome"), ("chromium/", "Chrome"), ("safari/", "Safari"),
                                          ("curl/", "curl"), ("bot", "Bot")) if key in ua), "Browser")
    system = next((name for key, name in (("android", "Android"), ("iphone", "iOS"), ("ipad", "iOS"),
                                         ("windows", "Windows"), ("mac os", "macOS"), ("cros", "ChromeOS"),
                                         ("linux", "Linux")) if key in ua), "")
    return f"{browser} on {system}" if system else browser


# --- validation shared by the usage services ------------------------------------------------------


def clean_stage(value, required=False):
    """A known stage slug, or '' when optional and empty."""
    slug = validation.text(value, "stage", 40, required=required)
    if slug and db.session.scalar(select(Stage.id).where(Stage.slug == slug)) is None:
        raise Invalid(f"Unknown stage {slug!r}.", "stage")
    return slug


def clean_ref(value, field="opportunity"):
    """An opportunity reference as the CRM writes it: letters, digits and . _ : # -, up to 80."""
    ref = validation.text(value, field, 80, required=True)
    if not REF_RE.match(ref):
        raise Invalid("Opportunity references use letters, digits and . _ : # - only.", field)
    return ref


def live_item(user, item_id, field="collateral_id"):
    """An item the user may see that is approved and unexpired, for sharing and deals."""
    item_id = row_id(item_id, field, "collateral_id must be an item id.")
    item = db.session.get(Collateral, item_id)
    if item is None or (not user.is_editor and not item.is_live):
        raise NotFound("No such collateral item.")
    if not item.is_live:
        raise Invalid("Only approved, unexpired items can be used with prospects.", field)
    return item


# --- deals and outcomes -------------------------------------------------------------------------


def record_deal(user, item, data):
    """Note that an item was used with an account's opportunity at a stage; makes the opportunity if new,
    owned by the user. Forbidden when the opportunity is another rep's (see check_owner)."""
    account = validation.text(data.get("account"), "account", 120, required=True)
    ref = clean_ref(data.get("opportunity"))
    stage = clean_stage(data.get("stage"), required=True)
    note = validation.text(data.get("note"), "note", 500, multiline=True)
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.ref == ref))
    if opportunity is None:
        opportunity = Opportunity(ref=ref, account=account, owner_id=user.id)
        db.session.add(opportunity)
    else:
        check_owner(user, opportunity)
    use = DealUse(collateral_id=item.id, opportunity=opportunity, user_id=user.id, stage=stage, note=note)
    db.session.add(use)
    db.session.flush()
    record_event("used_in_deal", user, item, stage=stage, account=account, opportunity=ref,
                 context={"note": note} if note else None)
    return use


def get_opportunity(ref):
    """An opportunity by reference, or NotFound."""
    if not isinstance(ref, str) or not REF_RE.match(ref):
        raise NotFound("No such opportunity.")
    opportunity = db.session.scalar(select(Opportunity).where(Opportunity.ref == ref))
    if opportunity is None:
        raise NotFound("No such opportunity.")
    return opportunity


def check_owner(user, opportunity):
    """An opportunity belongs to the rep who created it (issue 11, ASVS 5.0 V8.2.2): other reps may
    neither add to it nor close it; marketing and admins may. Raises Forbidden."""
    if not user.is_editor and opportunity.owner_id != user.id:
        raise Forbidden(f"Opportunity {opportunity.ref} belongs to another rep.")


def set_outcome(user, opportunity, outcome):
    """Open, won or lost: by the rep who owns the opportunity, or marketing and admins."""
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        raise Invalid(f"Outcome must be one of: {', '.join(o.capitalize() for o in OUTCOMES)}.", "outcome")
    check_owner(user, opportunity)
    opportunity.outcome = outcome
    opportunity.closed_at = None if outcome == "open" else utcnow()
    db.session.flush()
    return opportunity


def my_opportunities(user):
    """Opportunities the user owns, newest first."""
    return db.session.scalars(
        select(Opportunity).where(Opportunity.owner_id == user.id)
        .order_by(Opportunity.created_at.desc(), Opportunity.id.desc()).limit(200)
    ).all()


def deals_for_item(item, limit=20):
    """The latest deal uses of one item."""
    return db.session.scalars(
        select(DealUse).where(DealUse.collateral_id == item.id).order_by(DealUse.at.desc(), DealUse.id.desc()).limit(limit)
    ).all()


# --- reading activity ---------------------------------------------------------------------------


def events_query(viewer, filters):
    """Events the viewer may read: reps only their own, marketing and admins everyone's."""
    query = select(UsageEvent)
    if not viewer.is_editor:
        query = query.where(UsageEvent.user_id == viewer.id)
    elif filters.get("user_id") is not None:
        query = query.where(UsageEvent.user_id == filters["user_id"])
    if filters.get("action"):
        if filters["action"] not in ACTIONS:
            raise Invalid(f"Action must be one of: {', '.join(ACTIONS)}.", "action")
        query = query.where(UsageEvent.action == filters["action"])
    if filters.get("collateral_id") is not None:
        query = query.where(UsageEvent.collateral_id == filters["collateral_id"])
    return query


def user_filter(viewer, raw, field="user_id"):
    """Whose events to read from a query string: None for everyone's; a rep may name only themselves."""
    if raw in (None, ""):
        return None
    user_id = row_id(raw, field)
    if not viewer.is_editor and user_id != viewer.id:
        raise Forbidden("Reps can read only their own activity.")
    return user_id


def activity_people(viewer):
    """Whom the activity page lets the viewer pick: everyone for marketing and admins, nobody for reps."""
    return list_users() if viewer.is_editor else []


def list_events(viewer, filters, page=1, per_page=25):
    """One page of readable events, newest first, and whether there is another page."""
    rows = db.session.scalars(
        events_query(viewer, filters).options(selectinload(UsageEvent.user))
        .order_by(UsageEvent.at.desc(), UsageEvent.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    return rows[:per_page], len(rows) > per_page


def event_json(event):
    """An event as the API shows it."""
    return {
        "id": event.id, "at": event.at.isoformat(), "user_id": event.user_id, "action": event.action,
        "collateral_id": event.collateral_id, "version": event.version_number, "share_id": event.share_id,
        "stage": event.stage or None, "account": event.account or None, "opportunity": event.opportunity or None,
        "channel": event.channel, "query": event.query or None, "result_count": event.result_count,
        "context": json.loads(event.context) if event.context else None,
    }


__all__ = ["CHANNELS", "record_event"]


def record_item_event(action, item):
    """An item page view, preview or download by the signed-in person; a view from a search is also its click."""
    from flask_login import current_user

    user = current_user if current_user.is_authenticated else None
    record_event(action, user, item, channel="page")
    query = searched_query(request.referrer) if action == "view" else ""
    if query:
        record_event("search_click", user, item, query=query, channel="page")


def searched_query(referrer):
    """The query of a Hub results page the referrer names, or '' (also for untracked or malformed referrers)."""
    from urllib.parse import parse_qs, urlsplit

    try:  # the header is the client's text: a malformed one must not fail the page
        parts = urlsplit(referrer or "")
        args = parse_qs(parts.query)
        if parts.path != "/search" or parts.netloc not in ("", request.host) or args.get("track", [""])[0] == "0":
            return ""
    except ValueError:
        return ""
    return normalise_query(args.get("q", [""])[0])


def normalise_query(text):
    """Queries are grouped case- and space-insensitively."""
    return " ".join(strip_controls(text or "").split()).lower()[:200]


def record_search(user, text, filters, total, page=1, channel=None):
    """A search with its filters and result count (first pages only, so paging is not counted twice)."""
    query = normalise_query(text)
    if page != 1 or not (query or filters):
        return
    filters = {k: v for k, v in (filters or {}).items() if v}
    record_event("search", user, None, channel=channel, query=query, result_count=total,
                 stage=filters.get("stage", ""), context=filters or None)
