"""CSV export: one pure builder from rows to text, with formula cells neutralised."""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def build(columns, rows):
    """columns: [(key, header)]; rows: dicts. Returns the CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(header) for _, header in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(key)) for key, _ in columns])
    return out.getvalue()


CONTENT_COLUMNS = [("id", "ID"), ("title", "Title"), ("content_type", "Type"), ("product", "Product"),
                   ("status", "Status"), ("views", "Views"), ("previews", "Previews"), ("downloads", "Downloads"),
                   ("shares", "Shares"), ("share_opens", "Prospect opens"), ("deals", "Deals"),
                   ("win_rate", "Win rate"), ("unique_users", "Unique people"), ("rating", "Rating"),
                   ("ratings", "Ratings")]
UNUSED_COLUMNS = [("id", "ID"), ("title", "Title"), ("content_type", "Type"), ("product", "Product"),
                  ("created_at", "Created"), ("last_used_at", "Last used")]
