"""`flask seed-demo`: users of every role, a full library of real documents, usage history, private logins,
run-twice safety."""
import io
import re
import stat
from collections import Counter
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader
from sqlalchemy import func, select

from hub.auth import services as auth_services
from hub.auth.models import User
from hub.demo import catalog, documents
from hub.extensions import db
from hub.library import browsing, files
from hub.library.models import CONTENT_TYPES, DEFAULT_STAGES, Collateral, FileVersion
from hub.models import utcnow
from hub.usage import analytics, feedback
from hub.usage.models import ContentRequest, DealUse, Opportunity, Rating, RequestVote, Share, ShareOpen, UsageEvent

HUB_SOURCE = Path(__file__).resolve().parent.parent / "hub"


@pytest.fixture
def seeded(runner):
    """The result of a first, successful `flask seed-demo`."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def logins_file(app):
    """The demo logins file in the test's own instance folder."""
    return Path(app.instance_path) / "demo-logins.txt"


def saved_passwords(app):
    """Email -> password, as written to the instance's logins file."""
    lines = logins_file(app).read_text().splitlines()
    return {line.split("\t")[2]: line.split("\t")[3] for line in lines if not line.startswith("#")}


def items():
    """Every item in the library."""
    return db.session.scalars(select(Collateral)).all()


def item(title):
    """The library item with this title."""
    return db.session.scalar(select(Collateral).where(Collateral.title == title))


def counts():
    """How many users, items, file versions and rows of usage exist."""
    models = (User, Collateral, FileVersion, UsageEvent, Share, ShareOpen, Opportunity, DealUse, Rating,
              ContentRequest, RequestVote)
    return [db.session.scalar(select(func.count()).select_from(model)) for model in models]


def test_seed_covers_every_stage_and_content_type(seeded):
    everything = items()
    assert len(everything) >= 30
    assert {slug for i in everything for slug in i.stage_slugs} == {slug for slug, _ in DEFAULT_STAGES}
    assert {i.content_type for i in everything} == set(CONTENT_TYPES)
    assert sum(len(i.stages) >= 2 for i in everything) >= 10
    assert all(i.product and i.persona and i.region and i.tags and i.description for i in everything)
    for i in everything:
        if i.content_type == "video":
            assert i.url.startswith("https://videos.example.com/") and not i.versions
        else:
            assert i.url is None and i.current_version is not None


def test_seed_covers_the_workflow_and_expiry(seeded):
    everything = items()
    statuses = Counter(i.status for i in everything)
    assert statuses["draft"] >= 2 and statuses["in_review"] >= 2 and statuses["archived"] == 1
    assert len([i for i in everything if i.status == "approved" and i.is_expired]) == 1
    assert len(browsing.expiring_soon(days=30)) == 2
    for entry in catalog.ITEMS:
        assert item(entry["title"]).status == entry.get("status", "approved"), entry["title"]
    deck = item("Healthcare sales playbook")
    assert "Legal reviewed pricing language" in [change.comment for change in deck.history]
    assert {i.owner.role for i in everything} == {"marketing"}
    assert len({i.owner_id for i in everything}) == 2


def test_seed_creates_users_of_every_role_who_can_sign_in(app, seeded):
    users = db.session.scalars(select(User)).all()
    assert Counter(u.role for u in users) == {"admin": 1, "marketing": 2, "sales": 3}
    passwords = saved_passwords(app)
    assert passwords.keys() == {u.email for u in users}
    for email, password in passwords.items():
        assert auth_services.authenticate(email, password) is not None


def test_passwords_are_printed_kept_private_and_not_in_the_source(app, seeded):
    passwords = saved_passwords(app)
    assert len(passwords) == 6
    assert stat.S_IMODE(logins_file(app).stat().st_mode) == 0o600
    for email, password in passwords.items():
        assert email in seeded.output and password in seeded.output
    sources = [path.read_bytes() for path in HUB_SOURCE.rglob("*") if path.is_file()]
    assert sources
    for password in passwords.values():
        assert not any(password.encode() in source for source in sources)


def test_second_run_adds_nothing(app, runner, seeded):
    before = counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert counts() == before
    assert "0 created" in again.output and "Usage: already present." in again.output
    for password in saved_passwords(app).values():
        assert password in again.output


def test_without_the_logins_file_emails_are_shown_but_not_passwords(app, runner, seeded):
    passwords = saved_passwords(app)
    logins_file(app).unlink()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "cannot be shown" in again.output
    for email, password in passwords.items():
        assert email in again.output and password not in again.output
    assert not logins_file(app).exists()


# --- the usage history --------------------------------------------------------------------------


def test_seeded_usage_fills_every_report(seeded):
    assert re.search(r"Usage: [\d,]+ events over 60 days, \d+ share links, \d+ deals, \d+ ratings, \d+ requests\.",
                     seeded.output)
    first, last = db.session.execute(select(func.min(UsageEvent.at), func.max(UsageEvent.at))).one()
    assert utcnow() - timedelta(days=61) < first and utcnow() - timedelta(days=2) < last <= utcnow()
    rows = analytics.content_usage(analytics.clean_filters({}))
    used = [r for r in rows if r["views"]]
    assert len(used) >= 15 and any(r["downloads"] and r["share_opens"] and r["deals"] for r in used)
    assert used[0]["views"] > 10 * used[-1]["views"]  # a few favourites and a long tail
    assert 0 < analytics.unused(90)["unused_share"] < 1
    searches = analytics.search_insights({})
    assert searches["zero_result_queries"] and searches["top_queries"][0]["avg_results"] > 0
    assert db.session.scalar(select(func.count()).where(UsageEvent.action == "search_click")) > 0
    outcomes = Counter(db.session.scalars(select(Opportunity.outcome)))
    assert outcomes["won"] and outcomes["lost"] and outcomes["open"]
    assert 0 < analytics.overall_win_rate() < 1
    comments = analytics.rating_comments()
    assert len(comments) >= 3 and all(c["comment"] and c["user"] for c in comments)
    requests = {req.status: (req, votes) for req, votes in feedback.list_requests()}
    assert len(requests) >= 3 and requests["open"][1] >= 2
    assert requests["delivered"][0].delivered_collateral_id and requests["declined"][0].reason
    assert analytics.adoption(12)["calendar_subscribers"] >= 1


def test_seeded_share_opens_describe_the_client_never_the_address(seeded):
    opens = db.session.scalars(select(ShareOpen)).all()
    assert opens and all(o.client for o in opens)
    events = db.session.scalars(select(UsageEvent).where(UsageEvent.channel == "share")).all()
    assert events and all(e.user_id is None for e in events)
    address = re.compile(r"\d{1,3}(\.\d{1,3}){3}|[0-9a-f]{0,4}::?[0-9a-f]{1,4}:", re.IGNORECASE)
    for text in [o.client for o in opens] + [e.context for e in events]:
        assert not address.search(text), text


# --- the generated documents --------------------------------------------------------------------


def entry(title):
    """The catalogue entry with this title."""
    return next(e for e in catalog.ITEMS if e["title"] == title)


def built(title):
    """The kind and bytes of a catalogue item's document, built without the database."""
    name, data = entry(title)["file"][0], documents.build(entry(title)["file"])
    return Path(name).suffix.lstrip("."), data


def stored(title):
    """The bytes of an item's current file, as the library stored it."""
    version = item(title).current_version
    return version.kind, files.path_for(version.stored_name).read_bytes()


def text_of(kind, data):
    """All the text of a document, opened with its own library."""
    if kind == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if kind == "docx":
        document = docx.Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if kind == "pptx":
        return "\n".join(slide_text(slide) for slide in Presentation(io.BytesIO(data)).slides)
    if kind == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value)
    return data.decode("utf-8")


def slide_text(slide):
    """All the text in a slide's shapes."""
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_every_file_opens_with_its_library_and_has_real_content(seeded):
    kinds = Counter()
    for i in items():
        if i.versions:
            kind, data = stored(i.title)
            kinds[kind] += 1
            text = text_of(kind, data)
            assert len(text) > 300 and "Lumora" in text and "\x7f" not in text, i.title
    assert {"pdf", "docx", "pptx", "xlsx", "md", "txt"} <= set(kinds)


@pytest.mark.parametrize("title, phrases", [
    ("Price book and packaging guide", ["Starter", "Enterprise", "$120 per user", "Volume discounts"]),
    ("Case study: Mercy Ridge Health System", ["The challenge", "The solution", "Results", "Dr. Alicia Moreno"]),
    ("Battlecard: Lumora vs Datavane", ["Objection handling", "We already own Datavane", "Landmine"]),
    ("Battlecard: Lumora vs Quantiq", ["Objection handling", "Quantiq is free to start"]),
    ("Lumora Insight datasheet", ["Technical specifications", "SAML 2.0"]),
    ("Customer onboarding guide", ["Week 1: foundations", "Customer success manager"]),
    ("E-mail: first touch for CFOs", ["Subject:", "{{first_name}}"]),
])
def test_documents_say_what_their_titles_promise(title, phrases):
    text = text_of(*built(title))
    for phrase in phrases:
        assert phrase in text, phrase


def test_pdfs_have_several_pages():
    whitepaper = PdfReader(io.BytesIO(built("Whitepaper: The hidden cost of fragmented data in healthcare")[1]))
    assert len(whitepaper.pages) >= 5
    assert "90-day roadmap" in whitepaper.pages[-2].extract_text()
    case = PdfReader(io.BytesIO(built("Case study: Harbor & Vale Bank")[1]))
    assert len(case.pages) >= 2


def test_the_healthcare_deck_handles_pricing_objections_on_slide_12(seeded):
    kind, data = stored("Healthcare sales playbook")
    slides = list(Presentation(io.BytesIO(data)).slides)
    assert kind == "pptx" and len(slides) >= 12
    assert "pricing objections" in slide_text(slides[11])
    assert "healthcare" in slide_text(slides[11]).lower()
    notes = [s.notes_slide.notes_text_frame.text for s in slides if s.has_notes_slide]
    assert len([n for n in notes if n]) >= 5


def test_the_roi_calculator_is_formulas_over_named_assumptions():
    kind, data = built("ROI calculator: Lumora Platform")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert kind == "xlsx" and workbook.sheetnames == ["Assumptions", "Results", "About"]
    assert {"analysts", "hourly_cost", "annual_cost"} <= set(workbook.defined_names)
    formulas = [row[1].value for row in workbook["Results"].iter_rows(min_row=2)]
    assert formulas and all(str(f).startswith("=") for f in formulas)
    assert any("annual_benefit" in f for f in formulas)
    assert workbook["Assumptions"]["B2"].value == 20
