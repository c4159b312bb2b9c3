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
STAGE_COLUMNS = [("slug", "Slug"), ("name", "Stage"), ("approved_items", "Approved items"), ("views", "Views"),
                 ("downloads", "Downloads"), ("shares", "Shares"), ("zero_result_searches", "Searches with no results")]
SEARCH_COLUMNS = [("list", "List"), ("query", "Query"), ("searches", "Searches"), ("avg_results", "Average results")]
ADOPTION_COLUMNS = [("week", "Week starting"), ("active_reps", "Active reps"), ("total_reps", "Reps")]
FEEDBACK_COLUMNS = [("collateral_id", "Item ID"), ("title", "Item"), ("stars", "Stars"), ("user", "Who"),
                    ("comment", "Comment"), ("rated_at", "Rated at")]
