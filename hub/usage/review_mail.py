"""The Monday e-mail: subscribers (the tick on their account page) get last week's review every Monday
at 07:00 in their own time zone, queued by a periodic task in the worker and sent by hub.mail.

Exactly once per person and week: the WeeklyReviewMail row, unique by (user, week), is written in the
same transaction as the queued message; a second worker, or the task running again that morning, finds
the row and skips the person."""
import logging
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.auth.models import User
from hub.extensions import db
from hub.jobs import periodic
from hub.mail import formataddr, mail_enabled, queue_mail
from hub.models import utcnow
from hub.usage import charts, review, review_output
from hub.usage.models import WeeklyReviewMail

log = logging.getLogger(__name__)
SEND_AT = time(7, 0)   # local time on Monday
CHECK_SECONDS = 300    # how often the worker looks: mail leaves within 5 minutes of 07:00


def init_app(app):
    """The zone for people who chose none: REVIEW_TIMEZONE, else the calendar's zone, else UTC."""
    app.config.setdefault("REVIEW_TIMEZONE", "")


def default_zone():
    """REVIEW_TIMEZONE, else CALENDAR_TIMEZONE, else UTC; a name zoneinfo does not know falls back to UTC."""
    config = current_app.config
    name = config.get("REVIEW_TIMEZONE") or config.get("CALENDAR_TIMEZONE") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r for the weekly review: using UTC", name)
        return ZoneInfo("UTC")


def due_week(user, now):
    """The review week due for `user` at `now` (aware): last week's, on a Monday from 07:00 to midnight
    in the user's zone (User.zone, else default_zone()); otherwise None."""
    local = now.astimezone(user.zone or default_zone())
    if local.weekday() != 0 or local.time() < SEND_AT:
        return None
    return review.last_full_week(local.date())


@periodic(CHECK_SECONDS)
def send_weekly_reviews(now=None):
    """Queue the weekly review for every subscriber it is due for at `now` (aware datetime; default the
    current time: a parameter so a test can run it as Monday 07:00 in Berlin). Returns how many were
    queued. Flushes; the worker commits (queued mail leaves only then)."""
    if not mail_enabled():
        return 0
    now = now or utcnow()
    queued, built = 0, {}
    for user in db.session.scalars(select(User).where(User.weekly_review, User.active).order_by(User.id)):
        week = due_week(user, now)
        if week is None or already_sent(user, week):
            continue
        try:
            with db.session.begin_nested():  # another worker got there first: skip, keep the others
                db.session.add(WeeklyReviewMail(user_id=user.id, week=week.label))
        except IntegrityError:
            continue
        subject, text, html = compose(user, week, built)
        queue_mail(formataddr((user.name, user.email)), subject, text, html, key=f"weekly-review:{week.label}:{user.id}")
        queued += 1
    return queued


def already_sent(user, week):
    return db.session.scalar(select(WeeklyReviewMail.id).where(
        WeeklyReviewMail.user_id == user.id, WeeklyReviewMail.week == week.label)) is not None


def compose(user, week, built=None):
    """(subject, plain text, HTML) of `user`'s review for `week`, with absolute links under PUBLIC_URL.

    `built` ({(week, is editor): review data}) shares one computation between subscribers who see the
    same figures: what differs by person is only what their role may see of the calendar."""
    built = {} if built is None else built
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        key = (week.label, user.is_editor)
        if key not in built:
            built[key] = review.weekly_review(user, week)
        data = built[key]
        values = {"data": data, "user": user, "top": 5, "charts": charts,
                  "links": review_output.links(data, user, external=True),
                  "item_url": review_output.item_url, "request_url": review_output.request_url}
        return (f"Hub weekly review {data['week']}", render_template("review/email.txt", **values),
                render_template("review/email.html", **values))
