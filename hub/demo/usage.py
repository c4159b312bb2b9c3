"""Demo usage for `flask seed-demo`: 60 days of what the demo reps did, so Insights and Activity have a story.

A seeded random.Random makes every demo tell the same story: a few items carry most of the use,
a long tail gets a little, about a third of the approved library is never opened, some searches
find nothing, links go to prospects, deals are won and lost, reps rate items and ask for more.
"""
import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, update

from hub.calendar.feeds import record_fetch
from hub.calendar.models import FeedFetch
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import utcnow
from hub.usage import feedback, services, shares
from hub.usage.models import ContentRequest, DealUse, Opportunity, Rating, RequestVote, Share, ShareOpen, UsageEvent

DAYS = 60
SEED = 7

# Each rep's industry focus (weighted up) and how many days ago they started using Hub (so adoption grows).
REPS = {"marcus": ("Healthcare", 60), "sofia": ("Financial services", 52), "jonas": ("Manufacturing", 38)}
UTC_OFFSETS = {"marcus": -5, "sofia": -5, "jonas": 1, "priya": -5}  # of each person's working day

# How often reps open each item. Live items not named here are never used, which is the point of
# the "unused content" headline.
POPULARITY = {
    "ROI calculator: Lumora Platform": 30, "Price book and packaging guide": 26, "Battlecard: Lumora vs Datavane": 22,
    "Case study: Mercy Ridge Health System": 18, "Lumora corporate pitch deck": 16, "Healthcare sales playbook": 14,
    "Case study: Harbor & Vale Bank": 12, "Security questionnaire: standard answers": 10,
    "Battlecard: Lumora vs Quantiq": 7, "Lumora Guard security and compliance datasheet": 6,
    "E-mail: follow-up after a demo": 6, "Lumora Insight datasheet": 5, "Video: Lumora Insight product tour": 4,
    "Discovery call guide": 4, "Financial services executive briefing": 3, "Lumora Pipeline connector datasheet": 3,
    "Case study: Kestrel Precision Components": 2, "Customer onboarding guide": 2, "Lumora Guard for healthcare": 1.5,
    "E-mail: first touch for CFOs": 1, "Video: Mercy Ridge customer story": 1, "Lumora Forecast datasheet": 1,
    "Whitepaper: From spreadsheets to forecasts in manufacturing": 0.5,
}
DOWNLOADS = {"slide_deck": 0.6, "roi_calculator": 0.7, "email_template": 0.5}  # else 0.25

# (query, results it found, the item opened from it or None, weight, stage filter). Result counts
# are what the demo library's search returns for a rep.
SEARCHES = [
    ("roi calculator", 4, "ROI calculator: Lumora Platform", 9, ""),
    ("pricing", 8, "Price book and packaging guide", 8, ""),
    ("datavane", 2, "Battlecard: Lumora vs Datavane", 7, ""),
    ("hipaa", 3, "Lumora Guard security and compliance datasheet", 6, ""),
    ("mercy ridge", 9, "Case study: Mercy Ridge Health System", 6, ""),
    ("security questionnaire", 1, "Security questionnaire: standard answers", 5, ""),
    ("soc 2", 7, "Security questionnaire: standard answers", 5, ""),
    ("payback", 3, "ROI calculator: Lumora Platform", 4, ""),
    ("harbor vale", 8, "Case study: Harbor & Vale Bank", 4, ""),
    ("month-end close", 3, "Case study: Harbor & Vale Bank", 3, ""),
    ("quantiq battlecard", 2, "Battlecard: Lumora vs Quantiq", 3, ""),
    ("demo follow-up", 1, "E-mail: follow-up after a demo", 3, ""),
    ("epic", 5, "Case study: Mercy Ridge Health System", 3, ""),
    ("snowflake", 4, "Lumora Pipeline connector datasheet", 2, ""),
    ("onboarding plan", 3, "Customer onboarding guide", 2, ""),
    ("data residency", 4, None, 2, ""),
    ("connectors", 7, None, 2, ""),
    ("graphwell", 0, None, 4, "decision"),
    ("insurance", 0, None, 4, "consideration"),
    ("fedramp", 0, None, 2, ""),
    ("pharma", 0, None, 1, ""),
    ("telecom", 0, None, 1, "awareness"),
]

# (rep, item, recipient, account, days ago, opens, download allowed)
SHARES = [
    ("marcus", "Case study: Mercy Ridge Health System", "Dr. Lena Ortiz, CMIO", "Northwind Health Partners", 41, 3,
     False),
    ("marcus", "Lumora Guard security and compliance datasheet", "Sam Patel, CISO", "Northwind Health Partners", 34, 2,
     True),
    ("sofia", "ROI calculator: Lumora Platform", "Grace Whitman, CFO", "Cobalt Ridge Credit Union", 30, 4, True),
    ("sofia", "Case study: Harbor & Vale Bank", "Owen Price, VP Finance", "Pinecrest Savings Bank", 26, 1, False),
    ("jonas", "Case study: Kestrel Precision Components", "Katrin Vogel, Head of Supply Chain", "Altmark Maschinenbau",
     22, 2, False),
    ("jonas", "Price book and packaging guide", "Mikkel Jensen, CFO", "Nordhavn Logistics", 15, 3, True),
    ("marcus", "Video: Mercy Ridge customer story", "Ruth Adeyemi, COO", "Lakeshore Regional Hospital", 9, 1, False),
    ("sofia", "Financial services executive briefing", "Priyanka Shah, COO", "Cobalt Ridge Credit Union", 6, 0, False),
    ("marcus", "Security questionnaire: standard answers", "Vendor risk team", "St. Brendan's Medical Group", 2, 1,
     True),
]
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Edg/126.0",
]

# (reference, account, owner, outcome, opened days ago, closed days ago, [(item, stage, note)])
DEALS = [
    ("OPP-2041", "Northwind Health Partners", "marcus", "won", 45, 12, [
        ("Case study: Mercy Ridge Health System", "consideration", "CMIO wanted proof from a health system their size"),
        ("Lumora Guard security and compliance datasheet", "decision", "Security review passed in one round"),
        ("ROI calculator: Lumora Platform", "decision", "")]),
    ("OPP-2057", "Cobalt Ridge Credit Union", "sofia", "won", 38, 5, [
        ("Case study: Harbor & Vale Bank", "consideration", ""),
        ("ROI calculator: Lumora Platform", "decision", "Walked the CFO through payback on the call"),
        ("Price book and packaging guide", "decision", "")]),
    ("OPP-2063", "Altmark Maschinenbau", "jonas", "lost", 35, 8, [
        ("Case study: Kestrel Precision Components", "consideration", ""),
        ("Battlecard: Lumora vs Datavane", "decision", "Lost to Datavane: already on their stack, sold as an add-on")]),
    ("OPP-2070", "Pinecrest Savings Bank", "sofia", "lost", 28, 3, [
        ("Case study: Harbor & Vale Bank", "consideration", ""),
        ("Battlecard: Lumora vs Quantiq", "decision", "Went with Quantiq's free tier for now")]),
    ("OPP-2078", "Nordhavn Logistics", "jonas", "won", 20, 2, [
        ("Lumora corporate pitch deck", "awareness", ""),
        ("Price book and packaging guide", "decision", "Professional tier, two-year term"),
        ("ROI calculator: Lumora Platform", "decision", "")]),
    ("OPP-2084", "St. Brendan's Medical Group", "marcus", "open", 14, None, [
        ("Healthcare sales playbook", "consideration", ""),
        ("Security questionnaire: standard answers", "decision", "Their vendor review is due next week")]),
    ("OPP-2090", "Lakeshore Regional Hospital", "marcus", "open", 9, None, [
        ("Video: Mercy Ridge customer story", "consideration", ""),
        ("Battlecard: Lumora vs Datavane", "decision", "Datavane is the incumbent")]),
]

# (rep, item, stars, comment, days ago)
RATINGS = [
    ("sofia", "ROI calculator: Lumora Platform", 5,
     "Worked with a CFO who cared about payback: she changed two assumptions on the call and the case still held.", 5),
    ("marcus", "ROI calculator: Lumora Platform", 4, "", 20),
    ("jonas", "Battlecard: Lumora vs Datavane", 5,
     "The landmine questions got us back into a deal Datavane thought they had won.", 8),
    ("marcus", "Battlecard: Lumora vs Datavane", 4, "", 30),
    ("jonas", "Price book and packaging guide", 4, "Clear tiers. An EMEA version in euros would save me a step.", 14),
    ("marcus", "Case study: Mercy Ridge Health System", 5,
     "Every hospital CIO asks for this one, and the readmission number lands.", 11),
    ("marcus", "Healthcare sales playbook", 4, "Slide 12 on pricing objections saved my call with a CFO.", 17),
    ("sofia", "Lumora corporate pitch deck", 3, "Too long for a first meeting; I cut it to eight slides.", 24),
    ("sofia", "Battlecard: Lumora vs Quantiq", 2,
     "Nothing on Quantiq's free tier, which is the only thing the prospect wanted to talk about.", 3),
    ("jonas", "Security questionnaire: standard answers", 5, "", 6),
    ("sofia", "Case study: Harbor & Vale Bank", 4, "", 33),
    ("jonas", "Lumora Insight datasheet", 3, "", 19),
]

# Requests: fields, requester, days ago, voters, then (status, days ago, reason or delivering item).
REQUESTS = [
    ({"title": "Battlecard: Lumora Forecast vs Graphwell", "stage": "decision", "product": "Lumora Forecast",
      "why": "Graphwell came up in three forecasting deals this month and search finds nothing on them."},
     "sofia", 27, ["marcus", "jonas"], ("planned", 20, "")),
    ({"title": "Case study from an insurance customer", "stage": "consideration", "industry": "Insurance",
      "why": "Two carriers in my pipeline want a peer reference before a second meeting."},
     "marcus", 18, ["sofia", "jonas"], None),
    ({"title": "Standard answers for bank vendor security reviews", "stage": "decision",
      "industry": "Financial services", "product": "Lumora Guard",
      "why": "Every bank sends a 200-question security review; I rewrite the same answers each time."},
     "jonas", 35, ["sofia"], ("delivered", 26, "Security questionnaire: standard answers")),
    ({"title": "FedRAMP authorisation one-pager", "industry": "Public sector", "product": "Lumora Guard",
      "why": "A state agency asked whether we are FedRAMP authorised."},
     "marcus", 33, [], ("declined", 29, ("We are not pursuing FedRAMP this year. Send public sector prospects the "
                                        "security questionnaire and offer the SOC 2 report under NDA."))),
]
CALENDAR_CLIENTS = {"marcus": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)",
                    "jonas": "Google-Calendar-Importer"}


def seed_usage(users):
    """Record the demo's usage unless the demo users already have some; returns the summary line."""
    ids = [user.id for user in users.values()]
    if db.session.scalar(select(UsageEvent.id).where(UsageEvent.user_id.in_(ids)).limit(1)) is not None:
        return "Usage: already present."
    live = db.session.scalars(select(Collateral).where(Collateral.live_clause())).all()
    items = {item.title: item for item in live}
    rng, now = random.Random(SEED), utcnow()
    before = db.session.scalar(select(func.count()).select_from(UsageEvent))
    db.session.commit()  # bulk events go on their own connection: SQLite allows one writer at a time
    services.record_events(library_events(rng, users, items, now))
    share_count = seed_shares(rng, users, items, now)
    deal_count = seed_deals(rng, users, items, now)
    rating_count = seed_ratings(rng, users, items, now)
    request_count = seed_requests(rng, users, items, now)
    seed_calendar_fetches(rng, users, now)
    events = db.session.scalar(select(func.count()).select_from(UsageEvent)) - before
    return (f"Usage: {events:,} events over {DAYS} days, {share_count} share links, {deal_count} deals, "
            f"{rating_count} ratings, {request_count} requests.")


# --- times --------------------------------------------------------------------------------------


def working_moment(rng, person, days_ago, now):
    """A random time in the person's working day (09:00-18:00 local) `days_ago` days back, never after now."""
    day = now.date() - timedelta(days=days_ago)
    start = datetime.combine(day, time(9), tzinfo=UTC) - timedelta(hours=UTC_OFFSETS[person])
    return min(start + timedelta(seconds=rng.randrange(9 * 3600)), now - timedelta(minutes=rng.randrange(5, 90)))


def later(rng, at, low, high):
    """A moment `low` to `high` seconds after `at`."""
    return at + timedelta(seconds=rng.randrange(low, high))


# --- views, previews, downloads, searches -------------------------------------------------------


def library_events(rng, users, items, now):
    """Every rep's item opens and searches, day by day, as record_event arguments."""
    events = []
    popular = [(title, weight) for title, weight in POPULARITY.items() if title in items]
    for rep, (focus, started) in REPS.items():
        user = users[rep]
        weights = [weight * (3 if items[title].industry == focus else 1) for title, weight in popular]
        for days_ago in range(started - 1, -1, -1):
            weekend = (now.date() - timedelta(days=days_ago)).weekday() >= 5
            if weekend and rng.random() > 0.1:
                continue
            busy = 0.5 + 0.5 * (started - days_ago) / started  # reps use Hub more as they get used to it
            for title in rng.choices([t for t, _ in popular], weights, k=round(rng.randint(2, 9) * busy)):
                events += item_open(rng, user, items[title], working_moment(rng, rep, days_ago, now))
            for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                events += search(rng, user, items, working_moment(rng, rep, days_ago, now))
    return [event for event in events if event["at"] <= now]


def item_open(rng, user, item, at):
    """A view, often a preview, sometimes a download (files only: videos are links)."""
    events = [{"action": "view", "user": user, "item": item, "at": at}]
    if item.current_version is not None:
        if rng.random() < 0.5:
            events.append({"action": "preview", "user": user, "item": item, "at": later(rng, at, 10, 60)})
        if rng.random() < DOWNLOADS.get(item.content_type, 0.25):
            events.append({"action": "download", "user": user, "item": item, "at": later(rng, at, 30, 300)})
    return events


def search(rng, user, items, at):
    """A search as record_search writes it, and often the click on a result (which is also a view)."""
    query, results, clicked, _, stage = rng.choices(SEARCHES, [entry[3] for entry in SEARCHES])[0]
    events = [{"action": "search", "user": user, "query": query, "result_count": results, "stage": stage,
               "context": {"stage": stage} if stage else None, "at": at}]
    if clicked in items and rng.random() < 0.6:
        click_at = later(rng, at, 15, 90)
        events.append({"action": "view", "user": user, "item": items[clicked], "at": click_at})
        events.append({"action": "search_click", "user": user, "item": items[clicked], "query": query, "at": click_at})
    return events


# --- backdating what the services stamp "now" ---------------------------------------------------


def backdate(model, row_id, **times):
    """Set a row's timestamps: the services below stamp "now" and take no past time."""
    db.session.execute(update(model).where(model.id == row_id).values(**times))


def backdate_newest_event(at, action, **match):
    """Move the event a service just recorded (the newest that matches) back to `at`."""
    conditions = [UsageEvent.action == action, *[getattr(UsageEvent, name) == value for name, value in match.items()]]
    newest = select(func.max(UsageEvent.id)).where(*conditions).scalar_subquery()
    db.session.execute(update(UsageEvent).where(UsageEvent.id == newest).values(at=at))


# --- shares, deals, ratings, requests, calendar -------------------------------------------------


def seed_shares(rng, users, items, now):
    """Links to prospects and their opens, from a few browsers (the client description, never an address)."""
    made = 0
    for rep, title, recipient, account, days_ago, opens, download in SHARES:
        if title not in items:
            continue
        created_at = working_moment(rng, rep, days_ago, now)
        share, _ = shares.create_share(users[rep], items[title].id, {
            "recipient": recipient, "account": account, "allow_download": download})
        backdate(Share, share.id, created_at=created_at)
        backdate_newest_event(created_at, "share_created", share_id=share.id)
        opened_at = created_at
        for n in range(opens):
            opened_at = min(later(rng, opened_at, 1800, 3 * 86400), now - timedelta(minutes=2 * (opens - n)))
            browser = rng.choice(BROWSERS)
            record_open(share, browser, "page", opened_at)
            if download and n == opens - 1:  # the prospect liked it enough to keep a copy
                record_open(share, browser, "download", later(rng, opened_at, 20, 100))
        db.session.commit()
        made += 1
    return made


def record_open(share, user_agent, kind, at):
    """A prospect's open through the shares service, moved back to `at`."""
    shares.record_open(share, user_agent, kind)
    newest = db.session.scalar(select(func.max(ShareOpen.id)).where(ShareOpen.share_id == share.id))
    backdate(ShareOpen, newest, at=at)
    backdate_newest_event(at, {"page": "share_opened", "download": "download"}[kind], share_id=share.id)


def seed_deals(rng, users, items, now):
    """Opportunities with the items used in them, each won, lost or still open."""
    made = 0
    for ref, account, rep, outcome, opened, closed, uses in DEALS:
        uses = [use for use in uses if use[0] in items]
        if not uses:
            continue
        first_at = at = working_moment(rng, rep, opened, now)
        for title, stage, note in uses:
            use = services.record_deal(users[rep], items[title], {
                "account": account, "opportunity": ref, "stage": stage, "note": note})
            backdate(DealUse, use.id, at=at)
            backdate_newest_event(at, "used_in_deal", opportunity=ref, collateral_id=items[title].id)
            at = min(later(rng, at, 86400, 7 * 86400), now)
        opportunity = services.set_outcome(users[rep], services.get_opportunity(ref), outcome)
        closed_at = working_moment(rng, rep, closed, now) if closed is not None else None
        backdate(Opportunity, opportunity.id, created_at=first_at, closed_at=closed_at)
        db.session.commit()
        made += 1
    return made


def seed_ratings(rng, users, items, now):
    """Reps' stars and comments ("What reps say")."""
    made = 0
    for rep, title, stars, comment, days_ago in RATINGS:
        if title in items:
            rating = feedback.rate_item(users[rep], items[title], stars, comment)
            at = working_moment(rng, rep, days_ago, now)
            backdate(Rating, rating.id, created_at=at, updated_at=at)
            made += 1
    db.session.commit()
    return made


def seed_requests(rng, users, items, now):
    """Content requests (open, planned, delivered, declined) with votes; marketing (Priya) moves them along."""
    for data, rep, days_ago, voters, move in REQUESTS:
        req = feedback.create_request(users[rep], data)
        for voter in voters:
            feedback.vote(users[voter], req)
        asked_at = working_moment(rng, rep, days_ago, now)
        changes = {"created_at": asked_at, "updated_at": asked_at, "requester_seen_at": asked_at}
        if move is not None and (move[0] != "delivered" or move[2] in items):
            status, moved_days_ago, detail = move
            change = {"status": status, **({"delivered_collateral_id": items[detail].id} if status == "delivered" else
                                            {"reason": detail})}
            feedback.update_request(users["priya"], req, change)
            moved_at = working_moment(rng, "priya", moved_days_ago, now)
            # The requester has not looked since: the nav shows them the change.
            changes.update(updated_at=moved_at, status_changed_at=moved_at)
        backdate(ContentRequest, req.id, **changes)
        db.session.execute(update(RequestVote).where(RequestVote.request_id == req.id)
                           .values(at=later(rng, asked_at, 3600, 5 * 86400)))
        db.session.commit()
    return len(REQUESTS)


def seed_calendar_fetches(rng, users, now):
    """Five days of morning polls of the calendar feed by two reps' calendar apps."""
    for rep, client in CALENDAR_CLIENTS.items():
        for days_ago in range(4, -1, -1):
            at = min(datetime.combine(now.date() - timedelta(days=days_ago), time(6), tzinfo=UTC)
                     + timedelta(minutes=rng.randrange(60)), now)
            record_fetch(users[rep], None, {}, 200, client)
            newest = db.session.scalar(select(func.max(FeedFetch.id)).where(FeedFetch.user_id == users[rep].id))
            backdate(FeedFetch, newest, fetched_at=at)
            backdate_newest_event(at, "calendar_fetch", user_id=users[rep].id)
    db.session.commit()
