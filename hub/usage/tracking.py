"""Usage tracking's receivers: what the other features announce becomes usage events (hub.events).

Observers only: each records after the action and never raises (record_event logs failures).
"""
from hub.usage import ranking
from hub.usage.services import client_description, normalise_query, record_event, record_item_event, record_search


def on_collateral_opened(item, action, user=None, channel="page", **_):
    """A view, preview or download; from a page, a view that follows a search is also its click."""
    if channel == "page":
        record_item_event(action, item)
    else:
        record_event(action, user, item, channel=channel)


def on_search_performed(user, text="", filters=None, total=0, page=1, channel=None, clicked=None, **_):
    """A search (first pages only), or the API caller's report of the result it opened."""
    if clicked is not None:
        record_event("search_click", user, clicked, version=None, channel=channel, query=normalise_query(text))
    else:
        record_search(user, text, filters, total, page, channel)


def on_feed_polled(user, status=200, feed=None, filters="", user_agent="", **_):
    """A calendar app fetched the user's feed (304s too): the person's activity, not the rep at work."""
    record_event("calendar_fetch", user, channel="feed", context={
        "status": status, "feed": feed, "filters": filters or None, "client": client_description(user_agent)})


def on_ranking_lifts(sender, **_):
    """Recently used items rank a little higher (hub.usage.ranking)."""
    return ranking.lifts()


def connect(events):
    """Subscribe to the announcements this feature records."""
    events.collateral_opened.connect(on_collateral_opened)
    events.search_performed.connect(on_search_performed)
    events.feed_polled.connect(on_feed_polled)
    events.ranking_lifts.connect(on_ranking_lifts)
