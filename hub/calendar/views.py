"""Calendar pages (month, week, agenda, entry, forms, import, subscribe) and the iCal feed itself."""
import calendar as monthcal
from datetime import datetime, timedelta
from email.utils import format_datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.auth.access import editor_required
from hub.calendar import display, feeds, forms, importer, recurrence, services, subscriptions, zones
from hub.calendar.models import KINDS, STATUSES
from hub.errors import ApiError, NotFound
from hub.models import utcnow
from hub.transactions import discard

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
AGENDA_DAYS = 60


@bp.context_processor
def helpers():
    """Date and time wording for the calendar's templates."""
    return display.HELPERS


def read_filters():
    """kind, product and audience from the query string (each may repeat), or 400."""
    try:
        return services.clean_filters(request.args.getlist("kind"), request.args.getlist("product"),
                                      request.args.getlist("audience"))
    except ApiError as e:
        abort(400, e.message)


def url_templates():
    """Absolute URL templates for the writer, built once per request rather than per entry."""
    marker = 987654321
    entry = url_for("calendar.entry", entry_id=marker, _external=True).replace(str(marker), "{}")
    item = url_for("library.item", item_id=marker, _external=True).replace(str(marker), "{}")
    return {"entry": entry, "item": item}


def page(template, **context):
    """Render a calendar page with what every view shares."""
    return render_template(template, KINDS=KINDS, STATUSES_CAL=STATUSES, facets=services.facet_values(current_user),
                           viewer_zone=viewer_zone().key, **context)


def viewer_zone():
    """The zone this viewer reads times in (their own, else HUB_CALENDAR_TIMEZONE)."""
    return services.viewer_zone(current_user, current_app.config["CALENDAR_TIMEZONE"])


def viewer_today():
    """Today's date where the viewer is."""
    return datetime.now(viewer_zone()).date()


def by_day(occurrences, first, last):
    """{date: [occurrences]} for each day from first to last."""
    days = {first + timedelta(days=n): [] for n in range((last - first).days + 1)}
    for occ in occurrences:
        for day in occ.days:
            if day in days:
                days[day].append(occ)
    return days


@bp.get("/")
def month():
    """The month grid."""
    filters = read_filters()
    raw = request.args.get("month", "")
    first = forms.parse_day_arg(raw + "-01" if raw else None, viewer_today().replace(day=1))
    if first is None or (raw and len(raw) != 7):
        abort(400, "month must be written YYYY-MM, between 1970 and 2200.")
    last = first.replace(day=monthcal.monthrange(first.year, first.month)[1])
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last + timedelta(days=6 - last.weekday())
    days = by_day(services.occurrences_between(current_user, filters, grid_start, grid_end, viewer_zone()),
                  grid_start, grid_end)
    weeks = [list(days.items())[i:i + 7] for i in range(0, len(days), 7)]
    previous = (first - timedelta(days=1)).replace(day=1)
    return page("calendar/month.html", view="month", filters=filters, first=first, weeks=weeks,
                empty=not any(days.values()),
                prev_args={"month": f"{previous:%Y-%m}"}, next_args={"month": f"{last + timedelta(days=1):%Y-%m}"},
                today=viewer_today())


@bp.get("/week")
def week():
    """Seven days from Monday as an hourly grid, all-day and multi-day entries spanning their days on top."""
    filters = read_filters()
    day = forms.parse_day_arg(request.args.get("date"), viewer_today())
    if day is None:
        abort(400, "date must be written YYYY-MM-DD.")
    start = day - timedelta(days=day.weekday())
    end = start + timedelta(days=6)
    band, days = display.week_grid(services.occurrences_between(current_user, filters, start, end, viewer_zone()),
                                   start)
    return page("calendar/week.html", view="week", filters=filters, start=start, end=end, band=band, days=days,
                prev_args={"date": (start - timedelta(days=7)).isoformat()},
                next_args={"date": (start + timedelta(days=7)).isoformat()}, today=viewer_today())


@bp.get("/agenda")
def agenda():
    """What is coming: the next 60 days, day by day."""
    filters = read_filters()
    start = forms.parse_day_arg(request.args.get("from"), viewer_today())
    if start is None:
        abort(400, "from must be written YYYY-MM-DD.")
    end = start + timedelta(days=AGENDA_DAYS - 1)
    days = {}
    for occ in services.occurrences_between(current_user, filters, start, end, viewer_zone()):
        days.setdefault(max(occ.first_day, start), []).append(occ)  # multi-day entries once, on their first day
    return page("calendar/agenda.html", view="agenda", filters=filters, start=start, end=end, days=days,
                prev_args={"from": (start - timedelta(days=AGENDA_DAYS)).isoformat()},
                next_args={"from": (end + timedelta(days=1)).isoformat()}, today=viewer_today())


@bp.get("/entries/<int:entry_id>")
def entry(entry_id):
    """One entry: when, what, linked collateral, its next occurrences, and an .ics download."""
    entry = services.get_entry(current_user, entry_id)
    start, end = recurrence.local_span(entry)
    zone = viewer_zone()
    return page("calendar/entry.html", entry=entry, items=services.visible_collateral(current_user, entry),
                upcoming=services.upcoming(entry, zone=zone), rule_text=recurrence.describe(entry.rrule, entry.all_day),
                series_occurrence=recurrence.Occurrence(entry, start, end, None),
                series_seen=recurrence.in_zone(recurrence.Occurrence(entry, start, end, None), zone))


@bp.get("/entries/<int:entry_id>.ics")
def entry_ics(entry_id):
    """'Add to my calendar': the entry as a one-event .ics attachment."""
    entry = services.get_entry(current_user, entry_id)
    body = feeds.entry_bytes(current_user, entry, url_templates())
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="hub-entry-{entry.id}.ics"'
    return response


@bp.route("/entries/new", methods=["GET", "POST"])
@editor_required
def new_entry():
    """Create an entry."""
    if request.method == "GET":
        on = forms.parse_day_arg(request.args.get("date"), None)
        return render_form(None, forms.values_for_new(current_user, current_app.config["CALENDAR_TIMEZONE"], on))
    values = forms.values_from(request.form)
    try:
        entry = services.create_entry(current_user, forms.data_from(values))
    except ApiError as e:
        return render_form(None, values, e)
    flash("Entry created." + ("" if entry.published else " It is a draft: publish it when reps should see it."),
          "success")
    return redirect(url_for("calendar.entry", entry_id=entry.id), 303)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_entry(entry_id):
    """Change an entry; calendar apps get the change on their next poll."""
    entry = services.get_entry(current_user, entry_id)
    if request.method == "GET":
        return render_form(entry, forms.values_for(entry))
    values = forms.values_from(request.form)
    try:
        services.update_entry(current_user, entry, forms.data_from(values))
    except ApiError as e:
        return render_form(entry, values, e)
    flash("Changes saved.", "success")
    return redirect(url_for("calendar.entry", entry_id=entry.id), 303)


def render_form(entry, values, error=None):
    status = error.status if error else 200
    return page("calendar/form.html", entry=entry, values=values, error=error, zone_names=zones.names(),
                common_zones=zones.COMMON, collateral=forms.collateral_choices(),
                weekdays=list(recurrence.DAY_NAMES.items())), status


@bp.post("/entries/<int:entry_id>/publish")
@editor_required
def publish(entry_id):
    """Publish the entry, or take it back to draft."""
    entry = services.get_entry(current_user, entry_id)
    publish = request.form.get("published") == "1"
    services.set_published(current_user, entry, publish)
    flash("Published: reps and their calendars see it." if publish else "Back to draft: reps no longer see it.",
          "success")
    return redirect(url_for("calendar.entry", entry_id=entry.id), 303)


@bp.post("/entries/<int:entry_id>/cancel")
@editor_required
def cancel(entry_id):
    """Cancel the entry: it stays in feeds for 30 days, marked cancelled."""
    entry = services.get_entry(current_user, entry_id)
    services.cancel_entry(current_user, entry)
    flash("Cancelled. Subscribed calendars show it as cancelled (Google Calendar hides it).", "info")
    return redirect(url_for("calendar.entry", entry_id=entry.id), 303)


@bp.post("/entries/<int:entry_id>/delete")
@editor_required
def delete(entry_id):
    """Delete a cancelled entry for good."""
    entry = services.get_entry(current_user, entry_id)
    title = entry.title
    services.delete_entry(current_user, entry)
    flash(f"Deleted \u201c{title}\u201d.", "info")
    return redirect(url_for("calendar.month"), 303)


@bp.post("/entries/<int:entry_id>/occurrences")
@editor_required
def occurrence(entry_id):
    """Skip, move or restore one occurrence of a repeating entry."""
    entry = services.get_entry(current_user, entry_id)
    form = request.form
    action = form.get("action", "")
    starts_at = ends_at = None
    if action == "move":
        if entry.all_day:
            starts_at, ends_at = form.get("start_date", ""), form.get("end_date", "") or form.get("start_date", "")
        else:
            starts_at = f"{form.get('start_date', '')}T{form.get('start_time', '')}"
            ends_at = f"{form.get('end_date', '') or form.get('start_date', '')}T{form.get('end_time', '')}"
    try:
        services.change_occurrence(current_user, entry, form.get("occurrence", ""), action, starts_at, ends_at)
    except ApiError as e:
        discard()
        flash(e.message, "error")
        return redirect(url_for("calendar.entry", entry_id=entry.id), 303)
    flash({"remove": "Occurrence skipped.", "move": "Occurrence moved.", "restore": "Occurrence restored."}[action],
          "success")
    return redirect(url_for("calendar.entry", entry_id=entry.id), 303)


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def import_file():
    """Upload an .ics exported from another calendar; events are added or updated by UID."""
    values = {"kind": request.form.get("kind", "other"), "published": bool(request.form.get("published"))}
    if request.method == "GET":
        return page("calendar/import.html", values=values, error=None)
    try:
        data = importer.upload_bytes(request.files.get("file"), current_app.config["CALENDAR_IMPORT_MAX_BYTES"])
        result = importer.import_ics(current_user, data, values["kind"], values["published"],
                                     current_app.config["CALENDAR_TIMEZONE"])
    except ApiError as e:
        return page("calendar/import.html", values=values, error=e), e.status
    flash(f"Imported: {result.added} added, {result.updated} updated, {result.unchanged} unchanged"
          + (f", {len(result.skipped)} skipped." if result.skipped else "."), "success")
    if result.skipped:
        return page("calendar/import.html", values=values, error=None, result=result)
    return redirect(url_for("calendar.agenda"), 303)


# --- feeds --------------------------------------------------------------------------------------


@bp.get("/subscribe")
def subscribe():
    """The user's private feed links with subscribe buttons, saved filtered feeds and how-to per app."""
    saved = [(feed, subscriptions.urls(current_user, feed)) for feed in subscriptions.list_saved(current_user)]  # links None: no key yet
    response = Response(page("calendar/subscribe.html", links=subscriptions.urls(current_user), saved=saved,
                             subscribers=feeds.subscribers() if current_user.is_editor else None,
                             refresh=current_app.config["CALENDAR_REFRESH_MINUTES"], error=None))
    response.headers["Cache-Control"] = "no-store"  # the page shows a secret
    return response


@bp.post("/subscribe/rotate")
def rotate():
    """Replace the feed secret; the old links stop working at once."""
    subscriptions.rotate_token(current_user)
    flash("New feed link made. The old one has stopped working: subscribe again with the new one.", "success")
    return redirect(url_for("calendar.subscribe"), 303)


@bp.post("/feeds")
def save_feed():
    """Save a named filtered feed."""
    form = request.form
    try:
        filters = services.clean_filters(form.getlist("kind"), split(form.get("product")), split(form.get("audience")))
        subscriptions.save_feed(current_user, form.get("name", ""), filters)
    except ApiError as e:
        discard()
        flash(e.message, "error")
        return redirect(url_for("calendar.subscribe"), 303)
    flash("Filtered feed saved: subscribe to it below.", "success")
    return redirect(url_for("calendar.subscribe"), 303)


def split(value):
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@bp.post("/feeds/<int:feed_id>/delete")
def delete_feed(feed_id):
    """Delete one of the user's saved feeds; calendars subscribed to it get 404."""
    subscriptions.delete_saved(current_user, feed_id)
    flash("Saved feed deleted.", "info")
    return redirect(url_for("calendar.subscribe"), 303)


def plain(status, message):
    """A short text answer for calendar apps (no page, no cookie)."""
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@bp.get("/feed/<token>.ics")
def feed(token):
    """The private iCal feed: the token is the credential; 304 when nothing changed."""
    user = subscriptions.user_for_token(token)
    if user is None:
        return plain(404, "No such calendar feed. Its link may have been replaced: subscribe again from Hub.")
    try:
        saved, filters = subscriptions.resolve(user, request.args)
    except NotFound as e:
        return plain(404, e.message)
    except ApiError as e:
        return plain(400, e.message)
    etag, last_modified = feeds.state(user, filters, saved, request.url_root)
    # Gzip when the client accepts it, under its own ETag: a representation's ETag names its bytes
    # (RFC 9110 8.8.3), so a cache never pairs one encoding's validator with the other's body.
    coding = "gzip" if request.accept_encodings["gzip"] else "identity"
    variants = {"identity": etag, "gzip": etag[:-1] + '-gzip"'}
    headers = {"ETag": variants[coding], "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
    if (utcnow() - last_modified).total_seconds() >= 1:
        # Only a Last-Modified at least a second old: HTTP dates have whole seconds, so a newer one
        # could be followed by another change within the same second that If-Modified-Since would miss.
        headers["Last-Modified"] = format_datetime(last_modified.replace(microsecond=0), usegmt=True)
    fresh = not_modified(variants.values(), last_modified)
    feeds.record_fetch(user, saved, filters, 304 if fresh else 200, request.headers.get("User-Agent", ""))
    if fresh:
        return Response(status=304, headers=headers)
    body = feeds.body(user, filters, saved, url_templates(), etag, coding)
    response = Response(body, content_type="text/calendar; charset=utf-8", headers=headers)
    if coding == "gzip":
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Disposition"] = 'inline; filename="hub-calendar.ics"'
    return response


def not_modified(etags, last_modified):
    """Whether the client's copy is current: If-None-Match (any of ``etags``, the representation's
    ETags in each encoding) wins over If-Modified-Since (RFC 9110 13.1.3)."""
    if request.if_none_match:
        return any(request.if_none_match.contains_weak(etag.strip('"')) for etag in etags)
    since = request.if_modified_since
    return since is not None and last_modified.replace(microsecond=0) <= since
