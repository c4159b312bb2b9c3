"""URL converters shared by every blueprint."""
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
