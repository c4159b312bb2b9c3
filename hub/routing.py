"""URL converters and the redirect-target check shared by every blueprint."""
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

from hub.models import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to the id columns' range, so an oversized id is a plain 404, not a driver error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app):
    """Replace the app's `int` converter; must run before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter


def safe_next(target):
    """`target` when it is a path on this site, else None: the one check for every `next` redirect.

    Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash (WHATWG URL
    Standard, basic URL parser), so `/<TAB>/evil.example` or `/\\evil.example` would leave the site:
    any control character, space or backslash refuses the target outright (ASVS 5.0 V3.7.2)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
