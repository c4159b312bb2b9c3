"""The weekly review's outputs beside the page: the report behind each number, CSV per section, the PDF.

Pure builders from the data of hub.usage.review.weekly_review(); the views only send what they return."""
import io
from xml.sax.saxutils import escape

from flask import url_for
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hub import validation
from hub.usage import csv as csv_export
from hub.usage.review import TOP

# --- the reports behind the numbers ---------------------------------------------------------------


def links(review, user, external=False):
    """{name: URL or None}: the page behind each figure, with the week's dates as filters. Insights
    pages are for marketing and admins, the users page for admins: others get None there, and see a
    plain number. user: the reader (a User)."""
    span = {"from": review["starts_on"], "to": review["ends_on"]}

    def to(endpoint, editor_only=True, **values):
        if editor_only and not user.is_editor:
            return None
        return url_for(endpoint, _external=external, **values)

    return {
        "week": to("review.weekly", False, week=review["week"]),
        "published": to("review.weekly_section", False, section="published", week=review["week"], change="published"),
        "updated": to("review.weekly_section", False, section="published", week=review["week"], change="updated"),
        "approved": to("library.home", False, status="approved" if user.is_editor else None),
        "calendar": to("calendar.agenda", False, **{"from": review["calendar"]["first_on"]}),
        "most_used": to("usage.content_report", sort="views", **span),
        "best_winning": to("usage.content_report", sort="win_rate", **span),
        "share_opens": to("usage.content_report", sort="share_opens", **span),
        "deal_items": to("usage.content_report", sort="deals", **span),
        "unused": to("usage.unused_report", days=review["unused"]["days"]),
        "unused_share": to("usage.unused_report", days=review["unused"]["days"]),
        "searches": to("usage.search_report", **span),
        "requests": to("usage.requests_page", False, status="open"),
        "asked": to("usage.requests_page", False, asked_from=span["from"], asked_to=span["to"]),
        "requests_delivered": to("usage.requests_page", False, status="delivered", changed_from=span["from"],
                                 changed_to=span["to"]),
        "adoption": to("usage.insights"),
        "active_reps": to("usage.insights"),
        "reps": url_for("admin.user_list", role="sales", active="1", _external=external) if user.is_admin else None,
        "goals": to("review.goals"),
    }


def item_url(item_id, external=False):
    return url_for("library.item", item_id=item_id, _external=external)


def request_url(request_id, external=False):
    return url_for("usage.request_detail", request_id=request_id, _external=external)


# --- CSV, one file per section --------------------------------------------------------------------

USAGE_COLUMNS = [("id", "ID"), ("title", "Title"), ("views", "Views"), ("downloads", "Downloads"),
                 ("shares", "Shares"), ("share_opens", "Prospect opens"), ("deals", "Deals"), ("win_rate", "Win rate")]
SECTIONS = {
    "published": ("Published or updated", lambda r: r["published"]["items"],
                  [("id", "ID"), ("title", "Title"), ("content_type", "Type"), ("change", "Change"), ("at", "When")]),
    "calendar": ("Coming in the next two weeks", lambda r: r["calendar"]["entries"],
                 [("starts_on", "Date"), ("starts_at", "Starts at"), ("title", "Title"), ("kind", "Kind")]),
    "most_used": ("Most used", lambda r: r["most_used"], USAGE_COLUMNS),
    "best_winning": ("Best winning", lambda r: r["best_winning"], USAGE_COLUMNS),
    "unused": ("Unused for 90 days", lambda r: r["unused"]["items"],
               [("id", "ID"), ("title", "Title"), ("created_at", "Created"), ("last_used_at", "Last used")]),
    "searches": ("Searches that found nothing", lambda r: r["searches"]["queries"],
                 [("query", "Query"), ("searches", "Searches")]),
    "requests": ("Open requests by votes", lambda r: r["requests"]["items"],
                 [("id", "ID"), ("title", "Request"), ("status", "Status"), ("votes", "Votes"), ("asked_on", "Asked on")]),
    "adoption": ("Adoption", lambda r: r["adoption"]["weeks"],
                 [("week", "Week"), ("active_reps", "Active reps"), ("share_opens", "Prospect opens")]),
    "goals": ("Goals", lambda r: [{**g, "met": "" if g["met"] is None else "yes" if g["met"] else "no",
                                   "direction": "at least" if g["direction"] == "at_least" else "at most"}
                                  for g in r["goals"]],
              [("label", "Goal"), ("direction", "Direction"), ("target", "Target"), ("actual", "This week"),
               ("unit", "Unit"), ("met", "Met")]),
}


ROW_PAGES = {"published": "library.item", "most_used": "library.item", "best_winning": "library.item",
             "unused": "library.item", "requests": "usage.request_detail"}
CHANGES = {"published": "Published", "updated": "Updated"}


def section_rows(review, section, change=None):
    """(title, rows, columns) of one section (a key of SECTIONS), every row; for "published", change
    ("published" or "updated", else Invalid) keeps only items published, or only updated, in the week."""
    title, rows, columns = SECTIONS[section]
    rows = rows(review)
    if change is not None and section == "published":
        label = CHANGES[validation.choice(change, "change", CHANGES)]
        rows, title = [row for row in rows if row["change"] == label], f"{label} in the week"
    return title, rows, columns


def section_csv(review, section):
    """(file name, CSV text) of one section (a key of SECTIONS)."""
    _, rows, columns = SECTIONS[section]
    return f"weekly-review-{review['week']}-{section.replace('_', '-')}.csv", csv_export.build(columns, rows(review))


# --- PDF ------------------------------------------------------------------------------------------


def pdf(review):
    """The review as an A4 PDF (reportlab): a heading and a table per section, first TOP rows each."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=1.6 * cm,
                            bottomMargin=1.6 * cm, title=f"Weekly review {review['week']}", author="Hub")
    story = [Paragraph(f"Weekly review {review['week']}", styles["Title"]),
             Paragraph(f"{review['starts_on']} to {review['ends_on']}", styles["Normal"]), Spacer(1, 8)]
    summary = [
        ("Published", review["published"]["published"]), ("Updated", review["published"]["updated"]),
        ("Active reps", f"{review['adoption']['active_reps']} of {review['adoption']['total_reps']}"),
        ("Prospect opens", review["adoption"]["share_opens"]),
        ("Unused for 90 days", f"{round(review['unused']['unused_share'] * 100)}%"),
        ("Searches that found nothing", review["searches"]["zero_result_searches"]),
        ("Open requests", review["requests"]["open"]),
    ]
    story.append(table([("Figure", "This week"), *[(label, str(value)) for label, value in summary]]))
    for (title, rows, columns) in SECTIONS.values():
        story += [Spacer(1, 10), Paragraph(escape(title), styles["Heading2"])]
        found = rows(review)[:TOP]
        if not found:
            story.append(Paragraph("Nothing this week.", styles["Normal"]))
            continue
        shown = [(k, h) for k, h in columns if k not in ("id", "unit", "direction")]
        story.append(table([[h for _, h in shown]] + [[cell(row.get(k)) for k, _ in shown] for row in found]))
    doc.build(story)
    return out.getvalue()


def cell(value):
    """A table cell as a wrapping paragraph (titles can be long); None as a dash."""
    style = getSampleStyleSheet()["BodyText"]
    style.fontSize, style.leading = 8.5, 10.5
    return Paragraph(escape("—" if value is None or value == "" else str(value)), style)


def table(rows):
    """A reportlab Table with a shaded header row."""
    found = Table(rows, repeatRows=1, hAlign="LEFT")
    found.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5")),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ccd6")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return found
