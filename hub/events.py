"""What the features announce to each other: blinker signals, as Flask's own.

A feature sends; the features that care connect receivers in their `init_app`, so no feature imports
another's services to react to it. Two kinds of receiver:
- part of the action (a calendar entry made with an approval, a user's feed key): runs in the
  sender's transaction, flushes, and may raise an ApiError to undo the whole action;
- observers (usage tracking): record what happened and never raise.
"""
from blinker import Namespace

signals = Namespace()

user_created = signals.signal("user-created")
"""sender: the new User (flushed). Receivers add what every user needs."""

collateral_approved = signals.signal("collateral-approved")
"""sender: the Collateral just approved; keywords: actor (User), announce (bool: the "add a
collateral update to the marketing calendar" tick). A receiver may return a short sentence for the
page to report (e.g. 'Added “X” to the marketing calendar.')."""

collateral_changed = signals.signal("collateral-changed")
"""sender: the Collateral whose title, approval or expiry date just changed, or that is about to be
deleted (flushed, same transaction). Receivers update what shows it (calendar entries linking it
bump SEQUENCE and LAST-MODIFIED, RFC 5545 3.8.7.4)."""

collateral_opened = signals.signal("collateral-opened")
"""sender: the Collateral; keywords: action ('view', 'preview' or 'download'), user (User or None),
channel ('page' or 'api'). Observers only."""

search_performed = signals.signal("search-performed")
"""sender: the User who searched; keywords: text, filters (dict), total, page, channel, clicked
(Collateral or None: the API's click report). Observers only."""

feed_polled = signals.signal("feed-polled")
"""sender: the User whose calendar feed was fetched; keywords: status (200/304), feed (saved feed id
or None), filters (query string), user_agent. Observers only."""

upcoming_entries = signals.signal("upcoming-entries")
"""sender: the User who reads; keywords: first_on, last_on (dates, inclusive). Receivers return a
list of {"title", "kind" (a human label), "starts_on" (date), "starts_at" (aware datetime, None all
day), "endpoint", "values"} (the page behind it, for url_for), in start order: what the marketing
calendar has coming, for the weekly review. No writes."""

collateral_version_added = signals.signal("collateral-version-added")
"""sender: the Collateral whose new file version is now the one served (uploaded, or approved after
waiting for re-approval; flushed, same transaction); keywords:
version (FileVersion), actor (User). Observers only (notifications)."""

collateral_withdrawn = signals.signal("collateral-withdrawn")
"""sender: the Collateral that just left approval (archived or sent back); keywords: actor (User),
to_status. Observers only (notifications)."""

collateral_followers = signals.signal("collateral-followers")
"""sender: a Collateral. Receivers return the ids of the users who follow it through their feature
(usage: the people who shared it or put it in a pitch), for notifications."""

request_status_changed = signals.signal("request-status-changed")
"""sender: a content request whose status just changed (flushed); keywords: title, status_label,
user_ids (the requester and the voters), actor (User), link ((endpoint, {url values})).
Observers only (notifications)."""

calendar_entry_published = signals.signal("calendar-entry-published")
"""sender: a calendar entry that reps can now see and could not before (created published, published
later by an edit, an automatic "collateral update" entry; flushed, same transaction); keywords: title,
audience (list of labels, empty: everyone), starts (a short human date), link ((endpoint, {url values})).
It may come again for the same entry (taken back to draft and published again): receivers must be
idempotent. Observers only."""

calendar_entries_published = signals.signal("calendar-entries-published")
"""sender: None; sent once when one action (an .ics import) makes several entries visible to reps
(flushed, same transaction); keywords: entries (list of {"id", "fresh" (bool: created by this action,
so nobody was told of it), "title", "audience", "starts", "link"} as calendar_entry_published's
keywords, in file order), link ((endpoint, {url values}): the page listing them). Receivers summarise
rather than react per entry, and must stay fast for 2,000 entries. Observers only."""

recently_viewed = signals.signal("recently-viewed")
"""sender: a User; keyword limit. Receivers return the ids of the items the user opened most recently,
newest first, distinct (usage: from the recorded view events)."""

user_interests = signals.signal("user-interests")
"""sender: a User. Receivers return {"stages": [slug], "products": [..], "industries": [..],
"last_visit_at": datetime or None}: what the user uses most and when they were last here before now."""

ranking_lifts = signals.signal("ranking-lifts")
"""sender: None. Receivers return {item id: score factor >= 1} for the search ranking."""


def collected(results):
    """The non-empty return values of a `send()`, in receiver order."""
    return [value for _, value in results if value]
