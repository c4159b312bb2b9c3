"""The entry form: its fields to the API's input shape and back, so pages and API share one validation."""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hub.calendar import recurrence
from hub.calendar.models import CalendarEntry
from hub.calendar.validation import YEARS
from hub.errors import Invalid
from hub.extensions import db
from hub.library.models import Collateral
from hub.validation import DIGITS
from hub.validation import day as parse_day

TEXT_FIELDS = ("title", "kind", "status", "description", "location", "url", "products", "audience", "timezone",
               "start_date", "start_time", "end_date", "end_time", "repeat", "interval", "monthly", "ends", "count",
               "until", "rrule")


def values_from(form):
    """The raw form values, for showing the form again after an error."""
    values = {name: form.get(name, "") for name in TEXT_FIELDS}
    values["all_day"] = bool(form.get("all_day"))
    values["published"] = bool(form.get("published"))
    values["weekdays"] = form.getlist("weekdays")
    values["collateral_ids"] = [int(v) for v in form.getlist("collateral_ids") if DIGITS.fullmatch(v)]
    return values


def data_from(values):
    """API-shaped input from form values; Invalid for a repeat rule the controls cannot make."""
    all_day = values["all_day"]
    start_day, end_day = values["start_date"].strip(), values["end_date"].strip() or values["start_date"].strip()
    if all_day:
        starts_at, ends_at = start_day, end_day
    else:
        starts_at = f"{start_day}T{values['start_time'].strip()}" if values["start_time"].strip() else start_day
        ends_at = f"{end_day}T{values['end_time'].strip()}" if values["end_time"].strip() and end_day else ""
    data = {
        "title": values["title"], "kind": values["kind"], "status": values["status"] or "confirmed",
        "description": values["description"], "location": values["location"], "url": values["url"],
        "all_day": all_day, "timezone": None if all_day else (values["timezone"] or None),
        "starts_at": starts_at, "ends_at": ends_at, "published": values["published"],
        "products": values["products"], "audience": values["audience"],
        "collateral_ids": values["collateral_ids"],
    }
    if values["repeat"] == "custom":
        data["rrule"] = values["rrule"].strip() or None
    else:
        start = parse_start(start_day)
        try:
            data["rrule"] = recurrence.form_rule(values["repeat"], values["interval"], values["weekdays"],
                                                 values["monthly"], start, values["ends"], values["count"],
                                                 values["until"])
        except recurrence.RuleError as e:
            raise Invalid(str(e), "rrule") from None
    return data


def parse_start(text):
    """The form's start date (hub.validation.day), or None when it is missing or malformed."""
    try:
        return parse_day(text, "start_date")
    except Invalid:
        return None


def values_for(entry):
    """Form values for an existing entry, in its own time zone."""
    values = {name: "" for name in TEXT_FIELDS}
    values.update(title=entry.title, kind=entry.kind, status=entry.status, description=entry.description,
                  location=entry.location, url=entry.url or "", products=", ".join(entry.products),
                  audience=", ".join(entry.audience), all_day=entry.all_day, published=entry.published,
                  collateral_ids=[item.id for item in entry.collateral])
    if entry.all_day:
        values.update(start_date=entry.starts_on.isoformat(), end_date=entry.ends_on.isoformat(), timezone="")
        start = entry.starts_on
    else:
        zone = ZoneInfo(entry.timezone)
        start, end = entry.starts_at.astimezone(zone), entry.ends_at.astimezone(zone)
        values.update(timezone=entry.timezone, start_date=start.date().isoformat(), start_time=f"{start:%H:%M}",
                      end_date=end.date().isoformat(), end_time=f"{end:%H:%M}")
    values.update(recurrence.form_fields(entry.rrule, start))
    return values


def values_for_new(owner, zone, on=None):
    """A new entry's form: the given day (or tomorrow) 09:00-10:00 in the editor's usual zone."""
    on = on or date.today() + timedelta(days=1)
    last_zone = db.session.scalar(
        select(CalendarEntry.timezone).where(CalendarEntry.owner_id == owner.id, CalendarEntry.timezone.is_not(None))
        .order_by(CalendarEntry.id.desc()).limit(1))
    values = {name: "" for name in TEXT_FIELDS}
    values.update(kind="", status="confirmed", timezone=last_zone or zone, start_date=on.isoformat(),
                  start_time="09:00", end_date=on.isoformat(), end_time="10:00", all_day=False, published=False,
                  collateral_ids=[], **recurrence.form_fields(None))
    return values


def collateral_choices():
    """Every item, for the link picker (editors see all), newest first."""
    return db.session.execute(
        select(Collateral.id, Collateral.title, Collateral.status).order_by(Collateral.title)).all()


def parse_day_arg(text, default):
    """A YYYY-MM-DD query value, or the default; None when it is malformed or outside Hub's years
    (pages step a week or a grid's width from it, which must stay within what dates can hold)."""
    if not text:
        return default
    try:
        return parse_day(text, "date", years=YEARS)
    except Invalid:
        return None
