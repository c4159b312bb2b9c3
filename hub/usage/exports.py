"""The reports as CSV: for each, the file name, its columns and its rows flattened from the request's filters."""
from hub.usage import analytics
from hub.usage import csv as csv_export

SEARCH_LISTS = (("top_queries", "Top queries"), ("zero_result_queries", "No results"),
                ("unopened_queries", "Nothing opened"))


def stage_rows(args):
    return analytics.stage_coverage(analytics.clean_filters(args))


def search_rows(args):
    """The page's three lists as one table, a List column saying which."""
    data = analytics.search_insights(analytics.clean_filters(args))
    return [{"list": label, **query} for key, label in SEARCH_LISTS for query in data[key]]


def adoption_rows(args):
    data = analytics.adoption(analytics.clean_weeks(args.get("weeks")))
    return [{**week, "total_reps": data["total_reps"]} for week in data["weeks"]]


def feedback_rows(args):
    return [{**r, "user": r["user"] or "Former user"} for r in analytics.rating_comments(*analytics.clean_range(args))]


EXPORTS = {
    "stages": ("funnel-coverage.csv", csv_export.STAGE_COLUMNS, stage_rows),
    "search": ("search-insights.csv", csv_export.SEARCH_COLUMNS, search_rows),
    "adoption": ("adoption.csv", csv_export.ADOPTION_COLUMNS, adoption_rows),
    "feedback": ("what-reps-say.csv", csv_export.FEEDBACK_COLUMNS, feedback_rows),
}


def export(report, args):
    """(file name, CSV text) of a report named in EXPORTS; bad filters raise Invalid."""
    name, columns, rows = EXPORTS[report]
    return name, csv_export.build(columns, rows(args))
