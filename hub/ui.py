"""Helpers shared by every page: filters, globals and query-string parsing."""
from datetime import date, datetime

from flask import request, url_for

from hub.units import size_label
from hub.validation import page_number as parse_page


def page_number():
    """The `page` query parameter (hub.validation.page_number), or 400."""
    return parse_page(request.args.get("page"))


def nice_date(value):
    """'3 Mar 2026', or '3 Mar 2026, 14:02 UTC' for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.day} {value:%b %Y, %H:%M} UTC"
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def url_with(**changes):
    """The current URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def count(n, singular, plural=None):
    """'1 result', '3 results', '0 results', 'no results' for None: a number with its noun.

    n: int or None; singular: the noun for one; plural: when not singular + 's'."""
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{'no' if n is None else n} {noun}"
# Flash categories a page shows in place (beside the form that made them) instead of at its top.
PANEL_NOTES = ("panel-success", "panel-error", "panel-link")


def init_app(app):
    """Register the filters and template globals every page uses."""
    app.jinja_env.filters["count"] = count
    app.jinja_env.filters["filesize"] = size_label
    app.jinja_env.filters["nice_date"] = nice_date
    app.jinja_env.globals.update(url_with=url_with, PANEL_NOTES=list(PANEL_NOTES))
