"""The weekly review's pages: the review (everyone signed in; reps read it), its PDF and CSVs, and the
goals form (marketing and admins)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hub.auth.access import editor_required
from hub.errors import Invalid
from hub.transactions import discard
from hub.usage import charts, review, review_output

bp = Blueprint("review", __name__, url_prefix="/review")


def chosen_week():
    """The ?week= asked for (default: the last full week); a malformed one is a 422 page naming it."""
    return review.parse_week(request.args.get("week"))


def download(body, mimetype, name):
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/weekly")
def weekly():
    """One week side by side: published, coming, what was used and won, unused, searches, requests,
    adoption and the goals."""
    data = review.weekly_review(current_user, chosen_week())
    return render_template("review/weekly.html", data=data, links=review_output.links(data, current_user),
                           top=review.TOP, charts=charts, sections=review_output.SECTIONS)


@bp.get("/weekly.pdf")
def weekly_pdf():
    """The review as a PDF, to print or pass on."""
    data = review.weekly_review(current_user, chosen_week())
    return download(review_output.pdf(data), "application/pdf", f"weekly-review-{data['week']}.pdf")


@bp.get("/weekly/<any(" + ", ".join(review_output.SECTIONS) + "):section>")
def weekly_section(section):
    """Every row of one section: the report behind its figures (?change=published|updated narrows
    "Published or updated")."""
    data = review.weekly_review(current_user, chosen_week())
    title, rows, columns = review_output.section_rows(data, section, request.args.get("change"))
    return render_template("review/section.html", data=data, section=section, title=title, rows=rows,
                           columns=[(key, label) for key, label in columns if key != "id"],
                           row_page=review_output.ROW_PAGES.get(section),
                           change=request.args.get("change"))


@bp.get("/weekly/<any(" + ", ".join(review_output.SECTIONS) + "):section>.csv")
def weekly_csv(section):
    """One section of the review as CSV, every row."""
    name, text = review_output.section_csv(review.weekly_review(current_user, chosen_week()), section)
    return download("\ufeff" + text, "text/csv", name)


@bp.route("/goals", methods=["GET", "POST"])
@editor_required
def goals():
    """The weekly targets marketing and sales track together."""
    values, errors, status = review.current_goals(), {}, 200
    if request.method == "POST":
        values = {metric: request.form.get(metric, "") for metric in review.GOALS}
        try:
            review.set_goals(current_user, request.form)
        except Invalid as e:
            discard()
            errors, status = getattr(e, "errors", {e.field: e.message}), 422
        else:
            flash("Weekly goals saved.", "success")
            return redirect(url_for("review.weekly"), 303)
    return render_template("review/goals.html", goals=review.GOALS, values=values, errors=errors), status
