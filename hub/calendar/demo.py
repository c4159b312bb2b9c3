"""Demo calendar entries for Lumora Analytics, dated around today so the demo always looks current."""
from datetime import timedelta

from sqlalchemy import select

from hub.calendar import services
from hub.calendar.models import CalendarEntry
from hub.extensions import db
from hub.library.models import Collateral
from hub.models import today


def next_weekday(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def demo_entries(on):
    """The entries as API-shaped input, relative to `on`."""
    monday = next_weekday(on, 0)
    tuesday = next_weekday(on, 1)
    launch = on + timedelta(days=12)
    show = next_weekday(on + timedelta(days=20), 1)
    return [
        {"title": "Lumora Pipeline 2.0 launch", "kind": "product_launch", "all_day": True,
         "starts_at": launch.isoformat(), "products": ["Lumora Pipeline"], "audience": ["All sales"],
         "description": "Pipeline 2.0 goes live for every customer. Press release at 08:00 New York time, "
                        "webinar the week after. Use the launch announcement in every open deal with a data team.",
         "links": ["Launch announcement: Lumora Pipeline 2.0"]},
        {"title": "Press release: Pipeline 2.0", "kind": "press_release", "timezone": "America/New_York",
         "starts_at": f"{launch.isoformat()}T08:00", "ends_at": f"{launch.isoformat()}T08:30",
         "products": ["Lumora Pipeline"], "url": "https://lumora.example/news/pipeline-2",
         "description": "Embargo lifts at 08:00 ET. Do not share the draft before then."},
        {"title": "Webinar: forecasting that finance trusts", "kind": "webinar", "timezone": "America/New_York",
         "starts_at": f"{(launch + timedelta(days=8)).isoformat()}T11:00",
         "ends_at": f"{(launch + timedelta(days=8)).isoformat()}T12:00",
         "location": "Online (Zoom)", "products": ["Lumora Forecast"], "audience": ["NA", "Finance"],
         "description": "45 minutes with the Harbor & Vale Bank CFO, then Q&A. Invite prospects in the "
                        "consideration stage; recording follows two days later.",
         "links": ["Explainable forecasting for regulated finance teams"]},
        {"title": "Weekly enablement call", "kind": "event", "timezone": "Europe/London",
         "starts_at": f"{tuesday.isoformat()}T16:00", "ends_at": f"{tuesday.isoformat()}T16:45",
         "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=12", "location": "Online (Teams)", "audience": ["EMEA", "NA"],
         "description": "Marketing walks sales through what is new this week: campaigns, collateral, objections."},
        {"title": "HIMSS Europe", "kind": "trade_show", "all_day": True, "starts_at": show.isoformat(),
         "ends_at": (show + timedelta(days=2)).isoformat(), "location": "Paris Expo, Hall 7, stand B12",
         "products": ["Lumora Guard"], "audience": ["EMEA", "Healthcare"],
         "description": "Book meetings on the stand through marketing. Bring the healthcare playbook.",
         "links": ["Lumora Guard for healthcare", "Healthcare sales playbook"]},
        {"title": "Quarter-end offer: Forecast QuickStart", "kind": "campaign", "all_day": True,
         "starts_at": monday.isoformat(), "ends_at": (monday + timedelta(days=27)).isoformat(),
         "products": ["Lumora Forecast"], "audience": ["NA", "EMEA"],
         "description": "20% off Forecast QuickStart for deals signed by quarter end.",
         "links": ["Quarter-end offer: Forecast QuickStart at 20% off"]},
        {"title": "Healthcare nurture email #2", "kind": "email", "timezone": "America/Chicago",
         "starts_at": f"{(on + timedelta(days=3)).isoformat()}T10:00",
         "ends_at": f"{(on + timedelta(days=3)).isoformat()}T10:15",
         "products": ["Lumora Guard"], "audience": ["Healthcare"],
         "description": "Goes to 4,200 contacts. Expect replies; follow up within a day."},
        {"title": "LinkedIn series: month-end close in 3 days", "kind": "social", "all_day": True,
         "starts_at": (on + timedelta(days=1)).isoformat(), "rrule": "FREQ=WEEKLY;BYDAY=" +
         ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[(on + timedelta(days=1)).weekday()] + ";COUNT=4",
         "products": ["Lumora Insight"], "audience": ["Finance"]},
        {"title": "Retail search ads refresh", "kind": "advertising", "status": "tentative", "all_day": True,
         "starts_at": (on + timedelta(days=35)).isoformat(), "ends_at": (on + timedelta(days=48)).isoformat(),
         "products": ["Lumora Forecast"], "audience": ["Retail"]},
    ]


def seed_entries(users):
    """Add the demo entries whose titles are not on the calendar yet; returns how many were added."""
    owner = users["priya"]
    existing = set(db.session.scalars(select(CalendarEntry.title)))
    added = 0
    for data in demo_entries(today()):
        if data["title"] in existing:
            continue
        titles = data.pop("links", [])
        ids = list(db.session.scalars(select(Collateral.id).where(Collateral.title.in_(titles)))) if titles else []
        services.create_entry(owner, {**data, "published": True, "collateral_ids": ids})
        added += 1
    return added

