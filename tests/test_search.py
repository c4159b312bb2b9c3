"""Search: extraction, the index following the database, queries, access, hostile input."""
import gc
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub import ROOT
from hub.extensions import db
from hub.jobs import health
from hub.library import funnel, workflow
from hub.library import services as library
from hub.library.models import FileVersion
from hub.search import services, sync
from hub.search.extract import decode_text, extract
from tests import search_files as files
from tests.conftest import TEST_DATABASE_URL, run_jobs, upload

MARKER = "zebra quartz marker"
# Every test here runs on each backend the test database can carry: Whoosh always, PostgreSQL's own
# search too when the tests run on PostgreSQL. Tests of Whoosh's files and scorer say whoosh_only.
BACKENDS = ["whoosh", "postgres"] if (TEST_DATABASE_URL or "").startswith("postgresql") else ["whoosh"]
whoosh_only = pytest.mark.parametrize("search_backend", ["whoosh"])


@pytest.fixture(params=BACKENDS)
def search_backend(request):
    """The search backend under test: 'whoosh' or 'postgres'."""
    return request.param


@pytest.fixture
def app(app, search_backend):
    """The conftest app, searching with `search_backend`."""
    app.config["SEARCH_BACKEND"] = search_backend
    return app


def found(user, text, sort="relevance", **filters):
    """Ids found once the worker has caught up with every committed change."""
    run_jobs()
    return [item.id for item, _, _ in services.search(user, text, filters, sort=sort).hits]


def version_of(item):
    db.session.expire_all()
    return db.session.scalar(select(FileVersion).where(FileVersion.collateral_id == item.id).order_by(FileVersion.number.desc()))


# --- extraction -----------------------------------------------------------------------------------

@pytest.mark.parametrize("maker,name", [
    (lambda: files.pdf(pages=6), "guide.pdf"),
    (files.docx, "guide.docx"),
    (files.pptx, "deck.pptx"),
    (files.xlsx, "calc.xlsx"),
    (lambda: f"Intro\n\n## Last\n{MARKER}".encode(), "notes.md"),
    (lambda: f"plain {MARKER}".encode("utf-16"), "utf16.txt"),
    (lambda: f"caf\xe9 cr\xe8me {MARKER}".encode("latin-1"), "latin1.txt"),
])
def test_marker_on_the_last_page_slide_or_sheet_is_found(app, make_item, make_user, maker, name):
    item = make_item("approved", file=(maker(), name), title="Quarterly guide")
    version = version_of(item)
    assert version.text_indexed is True, version.text_error
    assert MARKER in version.extracted_text
    assert found(make_user("sales"), "zebra quartz") == [item.id]


def test_docx_headers_and_pptx_notes_are_extracted(app, make_item):
    item = make_item("approved", file=(files.docx(), "a.docx"))
    assert "falcon" in version_of(item).extracted_text
    deck = make_item("approved", file=(files.pptx(slides=3), "b.pptx"))
    text = version_of(deck).extracted_text
    assert text.index("Slide 3") < text.index(MARKER)  # notes follow their slide


def test_text_encodings():
    assert decode_text("Ünïcode ✓".encode("utf-8-sig")) == "Ünïcode ✓"
    assert decode_text("Ünïcode ✓".encode("utf-16")) == "Ünïcode ✓"
    assert decode_text(b"\xfe\xff" + "Ünïcode".encode("utf-16-be")) == "Ünïcode"
    assert decode_text("naïve café".encode("latin-1")) == "naïve café"
    assert decode_text(b"a\x00b\x1bc") == "a b c"
    assert decode_text("naïve café ✓".encode()[:-1]) == "naïve café "  # cut by the size cap


@pytest.mark.parametrize("maker,name,reason", [
    (files.encrypted_pdf, "locked.pdf", "encrypted"),
    (files.cyclic_pdf, "loop.pdf", ""),
])
def test_unreadable_files_are_stored_and_marked_not_indexed(app, as_user, make_user, token_for, work, maker, name,
                                                            reason):
    browser, _ = as_user("marketing")
    headers = token_for(make_user("marketing"))
    response = browser.client.post("/api/v1/collateral", headers=headers, data={
        "title": f"Hostile {name}", "content_type": "other", "stages": "awareness", "file": (__import__("io").BytesIO(maker()), name)})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert db.session.scalar(select(FileVersion.text_indexed)) is None  # the request did not read the file
    assert work()[1] == 0                                                  # the worker did
    body = browser.client.get(f"/api/v1/collateral/{response.get_json()['id']}", headers=headers).get_json()
    version = body["current_version"]
    if name == "loop.pdf" and version["text_indexed"]:
        return  # the reader made sense of the page tree: that is a success, not a failure
    assert version["text_indexed"] is False
    assert reason.lower() in (version["text_error"] or "").lower()
    assert Path(app.config["UPLOAD_FOLDER"], db.session.scalar(select(FileVersion.stored_name))).is_file()
    page = browser.get(f"/items/{body['id']}").get_data(as_text=True)
    assert "Text not indexed" in page


@pytest.mark.parametrize("maker,name,reason", [
    (files.zip_bomb, "bomb.docx", "zip bomb"),
    (files.many_members, "many.docx", "more than"),
    (files.entity_bomb, "lol.docx", "DTD"),
    (files.truncated_pdf, "cut.pdf", "cannot be opened"),
    (lambda: b"%PDF-1.4\n% nothing else\n", "stub.pdf", "cannot be opened"),
])
def test_hostile_or_unreadable_files_are_refused_at_upload(app, client, make_user, token_for, maker, name, reason):
    """Issue 11: refused, not stored and marked unreadable later (the extractor still guards itself)."""
    response = client.post("/api/v1/collateral", headers=token_for(make_user("marketing")), data={
        "title": f"Hostile {name}", "content_type": "other", "stages": "awareness",
        "file": (__import__("io").BytesIO(maker()), name)})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "file"
    assert reason.lower() in response.get_json()["error"]["message"].lower()
    assert db.session.scalar(select(FileVersion.id)) is None
    assert not any(Path(app.config["UPLOAD_FOLDER"]).iterdir())


def test_the_extractor_still_refuses_bombs_and_dtds(tmp_path):
    """Files stored before issue 11's upload checks are still read safely."""
    for maker, reason in ((files.zip_bomb, "zip bomb"), (files.entity_bomb, "DTD")):
        path = tmp_path / "hostile.docx"
        path.write_bytes(maker())
        result = extract(path, "docx")
        assert not result.ok and reason.lower() in result.error.lower()


def test_extraction_is_bounded_in_time(tmp_path):
    from hub.search.extract import extract_in_child

    slow = tmp_path / "slow.pdf"
    slow.write_bytes(files.pdf(pages=300))
    result = extract_in_child(slow, "pdf", seconds=0.05)
    if result.ok:  # some pages were read before the deadline: kept, marked partial (issue 9)
        assert result.partial.startswith("Reading stopped") and "page 300" not in result.text
    else:          # nothing was read yet
        assert "longer than" in result.error
    assert extract(tmp_path / "slow.pdf", "pdf").ok  # the worker was replaced and works again


# --- the index follows the database -------------------------------------------------------------

def test_every_kind_of_change_is_reflected(app, make_user, make_item, as_user, token_for, client):
    rep, marketer = make_user("sales"), make_user("marketing")
    item = make_item("draft", owner=marketer, title="Falcon pricing sheet")
    assert found(rep, "falcon") == [] and found(marketer, "falcon") == [item.id]
    workflow.transition(marketer, item, "in_review")
    workflow.transition(marketer, item, "approved")
    assert found(rep, "falcon") == [item.id]
    library.update_item(marketer, item, {"title": "Osprey pricing sheet"})
    assert found(rep, "falcon") == [] and found(rep, "osprey") == [item.id]
    version = library.add_version(marketer, item, upload(files.pdf(marker="heron"), "v2.pdf"))
    assert found(rep, "heron") == []  # it waits for re-approval: reps still find the live version's text
    workflow.decide_version(marketer, item, version.number, approve=True)
    assert found(rep, "heron") == [item.id]
    workflow.transition(marketer, item, "archived")
    assert found(rep, "osprey") == [] and found(marketer, "osprey") == [item.id]
    # through the pages and the API as well
    page, _ = as_user("marketing")
    page.post(f"/items/{item.id}/edit", data={"title": "Kestrel sheet", "content_type": "one_pager", "stages": ["decision"]})
    assert found(marketer, "kestrel") == [item.id]
    client.patch(f"/api/v1/collateral/{item.id}", json={"title": "Condor sheet"}, headers=token_for(marketer))
    assert found(marketer, "condor") == [item.id]
    client.delete(f"/api/v1/collateral/{item.id}", headers=token_for(marketer))
    assert found(marketer, "condor") == []
    assert sync.backend(app).check(sync.expected_fingerprints(app)).clean


def test_stage_rename_reindexes_its_items(app, make_user, make_item):
    rep = make_user("sales")
    item = make_item("approved", stages=["onboarding"], title="Kickoff plan")
    funnel.rename_stage(funnel.get_stage("onboarding"), "Implementation")
    assert found(rep, "implementation") == [item.id]


def test_expired_items_leave_results_on_their_date(app, make_user, make_item):
    from datetime import timedelta

    from hub.models import today

    rep = make_user("sales")
    make_item("approved", title="Expired osprey", expires_on=today().isoformat())
    live = make_item("approved", title="Live osprey", expires_on=(today() + timedelta(days=1)).isoformat())
    assert found(rep, "osprey") == [live.id]


# --- access ---------------------------------------------------------------------------------------

def test_reps_never_see_unapproved_items_whatever_they_type(app, make_user, make_item, client, token_for):
    rep, marketer = make_user("sales"), make_user("marketing")
    make_item("draft", title="Draft condor")
    make_item("in_review", title="Review condor")
    make_item("archived", title="Archived condor")
    live = make_item("approved", title="Live condor")
    for text in ("condor", "status:draft condor", "draft", "condor OR draft", "*", ""):
        ids = found(rep, text)
        assert set(ids) <= {live.id}, text
    page = services.search(rep, "condor", {"status": "draft"})
    assert [i.id for i, _, _ in page.hits] == [live.id] and set(page.facets) == {"stage", "content_type", "product", "industry", "persona"}
    body = client.get("/api/v1/search?q=condor&status=draft", headers=token_for(rep)).get_json()
    assert [r["id"] for r in body["results"]] == [live.id]
    assert sum(body["facets"]["stage"].values()) == 1
    marketing = services.search(marketer, "condor", {"status": "draft"})
    assert [i.title for i, _, _ in marketing.hits] == ["Draft condor"]
    assert services.search(marketer, "condor").facets["status"] == {"approved": 1, "archived": 1, "draft": 1, "in_review": 1}


# --- queries --------------------------------------------------------------------------------------

@pytest.fixture
def corpus(app, make_item):
    make = lambda title, body, **kw: make_item("approved", title=title, file=(body.encode(), f"{title}.txt"), **kw)
    return {
        "price": make("Price list", "Our price tiers for the enterprise plan and discounts.", stages=["decision"],
                      content_type="datasheet", industry="Retail"),
        "roi": make("ROI model", "Return on investment model with payback period for the CFO.", stages=["decision"],
                    content_type="roi_calculator", industry="Healthcare"),
        "integ": make("Connector guide", "Integrations with SAP and Salesforce. Integrating takes a week.",
                      stages=["onboarding"], content_type="whitepaper", industry="Healthcare"),
        "battle": make("Battlecard Datavane", "Handling pricing objections in healthcare deals against Datavane.",
                       stages=["decision", "consideration"], content_type="battlecard", industry="Healthcare"),
    }


def test_stemming_phrases_booleans_and_prefixes(app, make_user, corpus):
    rep = make_user("sales")
    assert set(found(rep, "pricing")) == {corpus["price"].id, corpus["battle"].id}  # pricing -> price
    assert found(rep, '"payback period"') == [corpus["roi"].id]
    assert found(rep, '"period payback"') == []
    assert found(rep, "healthcare AND datavane") == [corpus["battle"].id]
    assert set(found(rep, "sap OR payback")) == {corpus["integ"].id, corpus["roi"].id}
    assert set(found(rep, "healthcare NOT datavane")) == {corpus["roi"].id, corpus["integ"].id}
    assert found(rep, "integr*") == [corpus["integ"].id]


def test_the_reps_question_finds_the_battlecard_first(app, make_user, corpus):
    assert found(make_user("sales"), "pricing objections healthcare")[0] == corpus["battle"].id


def test_suggestions_only_come_from_items_the_reader_may_open(app, make_user, make_item, corpus):
    make_item("draft", title="Confidential", file=(b"The acquisition of Quillfeather is planned.", "d.txt"))
    rep, marketer = make_user("sales"), make_user("marketing")
    assert services.search(rep, "quillfeathr").suggestion is None          # a draft's word stays hidden
    assert services.search(marketer, "quillfeathr").suggestion == "quillfeather"
    assert services.search(rep, "datavane").suggestion is None             # known words need no help
    assert services.search(rep, "integr*").suggestion is None              # a prefix is not a typo
    page = services.search(rep, "datavane", {"stage": "onboarding"})
    assert page.total == 0 and page.suggestion is None                     # no match in a stage is no typo


def test_reps_see_only_live_items_in_every_sort_and_browse(app, make_user, make_item):
    rep = make_user("sales")
    live = make_item("approved", title="Live heron", product="Ledger")
    make_item("draft", title="Draft heron", product="Ledger")
    make_item("approved", title="Old heron", product="Ledger", expires_on="2020-01-01")
    assert found(rep, "heron", sort="newest") == [live.id]
    assert found(rep, "", product="Ledger") == [live.id]
    assert found(rep, "", sort="newest") == [live.id]
    assert services.search(rep, "heron", page=9).hits == [] and services.search(rep, "heron", page=9).total == 1


def test_typos_still_find_the_document_and_suggest(app, make_user, corpus):
    page = services.search(make_user("sales"), "datavame")
    assert page.suggestion == "datavane" and page.corrected
    assert [i.id for i, _, _ in page.hits] == [corpus["battle"].id]
    assert services.search(make_user("sales"), "paybak period").suggestion == "payback period"


def test_filters_combine_with_text_and_facets_follow_the_query(app, make_user, corpus):
    rep = make_user("sales")
    page = services.search(rep, "healthcare")
    assert page.facets["industry"] == {"Healthcare": 3}
    assert page.facets["stage"] == {"decision": 2, "consideration": 1, "onboarding": 1}
    assert found(rep, "healthcare", stage="onboarding") == [corpus["integ"].id]
    assert found(rep, "healthcare", content_type="battlecard", stage="decision") == [corpus["battle"].id]
    assert services.search(rep, "healthcare", {"stage": "decision"}).facets["content_type"] == {"battlecard": 1, "roi_calculator": 1}
    assert services.search(rep, "").total == 4


def test_snippets_highlight_matches_and_escape_html(app, make_user, make_item, as_user):
    make_item("approved", title="Escaping", file=(b"Before <script>alert(1)</script> the ocelot clause after.", "x.txt"))
    page = services.search(make_user("sales"), "ocelot")
    _, _, snippet = page.hits[0]
    assert ("ocelot", True) in snippet
    browser, _ = as_user("sales")
    html = browser.get("/search?q=ocelot").get_data(as_text=True)
    assert "<mark>ocelot</mark>" in html and "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_pagination_and_sorting(app, make_user, make_item):
    for n in range(13):
        make_item("approved", title=f"Lynx brief {n}", file=(f"lynx {'lynx ' * n}".encode(), f"{n}.txt"))
    rep = make_user("sales")
    first, second = services.search(rep, "lynx", page=1), services.search(rep, "lynx", page=2)
    assert first.total == 13 and len(first.hits) == 10 and len(second.hits) == 3
    assert not {i.id for i, _, _ in first.hits} & {i.id for i, _, _ in second.hits}
    newest = services.search(rep, "lynx", sort="newest").hits
    assert [i.title for i, _, _ in newest][:2] == ["Lynx brief 12", "Lynx brief 11"]


PARITY = ["pricing", "healthcare datavane", "sap OR payback", "healthcare NOT datavane", "integr*",
          '"payback period"', '"period payback"', '"handling pricing objections"', '"lynx lynx"', "(sap OR cfo) AND week",
          "healthcare AND NOT (datavane OR sap)", "price ANDMAYBE discounts", "lynx", '"return on investment"', "zzz",
          "NOT healthcare", "cfo ANDNOT payback"]


@whoosh_only
def test_bulk_scoring_matches_whooshs_own_matchers(app, make_item, corpus):
    """The fast scorer finds exactly the documents Whoosh's matchers find, with the same scores."""
    from hub.search.whoosh_query import Scorer, parser, score_matches

    make_item("approved", title="Lynx lynx", file=(b"lynx lynx lynx in a row, then lynx.", "l.txt"))
    library.update_item(corpus["price"].owner, corpus["price"], {"description": "Price changes, again."})
    run_jobs()
    writer = sync.backend(app).ix().writer()
    writer.delete_by_term("id", str(corpus["roi"].id))
    writer.commit(merge=False)  # a deletion that no merge has swept away yet
    with sync.backend(app).snapshot() as snapshot:
        searcher = snapshot.searcher
        assert searcher.reader().has_deletions()
        live = snapshot.current()
        for text in PARITY:
            parsed = parser(searcher.schema).parse(text)
            fast = Scorer(searcher, snapshot.lengths).scores(parsed)
            fast = {d: s for d, s in fast.items() if d in live}  # as Search.match() does
            reference = {d: s for d, s in score_matches(searcher, parsed).items() if d in live}  # its NOT keeps them
            assert fast.keys() == reference.keys(), text
            assert all(fast[d] == pytest.approx(reference[d], rel=1e-6) for d in fast), text
        assert score_matches(searcher, parser(searcher.schema).parse('"lynx lynx"'))  # the check is not vacuous


HOSTILE = ['"unbalanced', "(((a", "a)))", "AND", "OR OR", "NOT", "*", "**", "?", "a*", "*term", "te*rm",
           "(" * 200 + "x" + ")" * 200, "x" * 10000, "word " * 3000, "\x00\x01\x1b[31mred", "title:x status:draft",
           "date:[2020 TO 2030]", "x^99999", '"' * 51, "\\", "%00", "ünïcødé 日本語", "<script>alert(1)</script>"]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_answer_cleanly(app, as_user, make_item, text):
    make_item("approved", title="Anything")
    browser, _ = as_user("sales")
    response = browser.get("/search", query_string={"q": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_answer_cleanly_in_the_api(app, client, make_user, make_item, token_for, text):
    make_item("approved", title="Anything")
    response = client.get("/api/v1/search", query_string={"q": text}, headers=token_for(make_user()))
    assert response.status_code == 200 and set(response.get_json()) >= {"total", "results", "facets"}


def test_a_page_past_the_last_says_so(app, as_user, corpus):
    browser, _ = as_user("sales")
    html = browser.get("/search?q=healthcare&page=7").get_data(as_text=True)
    assert "past the last page" in html and "Nothing matched" not in html


def test_query_is_capped_before_parsing(app):
    long = "alpha " * 5000
    assert len(services.clean_query(long)) <= app.config["SEARCH_MAX_QUERY"]


@pytest.mark.parametrize("params", [{"content_type": "poster"}, {"sort": "random"}, {"page": "0"}, {"per_page": "500"}])
def test_bad_search_parameters_are_4xx(app, client, make_user, token_for, params):
    response = client.get("/api/v1/search", query_string={"q": "x", **params}, headers=token_for(make_user()))
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["message"]


def test_api_shape(app, client, make_user, token_for, corpus):
    body = client.get("/api/v1/search?q=healthcare&stage=decision", headers=token_for(make_user())).get_json()
    assert set(body) >= {"total", "page", "results", "facets", "suggestion"}
    assert body["total"] == 2 and body["page"] == 1
    assert set(body["results"][0]) >= {"id", "title", "score", "snippet", "stages", "content_type"}
    assert set(body["facets"]) >= {"stage", "content_type", "product", "industry", "persona"}


def test_search_page_has_facets_and_an_empty_state(app, as_user, corpus):
    browser, _ = as_user("sales")
    html = browser.get("/search?q=healthcare").get_data(as_text=True)
    assert "3</strong> results" in html and 'class="facet"' in html
    empty = browser.get("/search?q=zzzqqqxxx+yyyww").get_data(as_text=True)
    assert "Nothing matched" in empty and "Match any of the words" in empty
    assert 'role="search"' in browser.get("/").get_data(as_text=True)  # the box is on every page


# --- drift, rebuild, crashes, concurrency -----------------------------------------------------------

def test_check_index_and_reindex(app, runner, make_item):
    items = [make_item("approved", title=f"Item {n}") for n in range(3)]
    assert runner.invoke(args=["check-index"]).exit_code == 0
    search = sync.backend(app)
    search.apply(lambda: ([], [items[0].id]))                               # missing
    doc = {"id": str(items[1].id), "fingerprint": "old"}                   # stale
    search.apply(lambda: ([{**sync_doc(app, items[1]), **doc}], []))
    search.apply(lambda: ([{**sync_doc(app, items[2]), "id": "999999"}], []))  # extra
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1
    assert f"missing       1  {items[0].id}" in result.output and "stale         1" in result.output and "999999" in result.output
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Indexed 3 items" in result.output
    assert runner.invoke(args=["check-index"]).exit_code == 0


def sync_doc(app, item):
    from hub.search.documents import document_for

    return document_for(item, "")


# Whoosh leaves the damaged file open when it fails to read it; that handle is Whoosh's, not ours.
@whoosh_only
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_missing_or_corrupt_index_is_answered_from_the_database_and_rebuilt_by_the_worker(app, make_user, make_item):
    rep = make_user("sales")
    item = make_item("approved", title="Wolverine guide")
    draft = make_item("draft", title="Wolverine draft")
    folder = Path(app.config["INDEX_FOLDER"])
    assert found(rep, "wolverine") == [item.id]                            # a searcher is open
    shutil.rmtree(folder)                                                  # deleted under a running web worker
    page = services.search(rep, "wolverine")                               # no worker has run yet
    assert [i.id for i, _, _ in page.hits] == [item.id] and page.total == 1  # the rules still hold: no draft
    assert "being rebuilt" in page.notice and not folder.exists()          # the search wrote nothing
    assert services.search(make_user("marketing"), "wolverine").total == 2
    assert found(rep, "wolverine") == [item.id]                            # the worker rebuilt it
    assert "being rebuilt" not in services.search(rep, "wolverine").notice
    # Corruption is found when a process opens the index (files are memory-mapped: damaging them
    # in place under a running process is a SIGBUS no program survives, and not how Whoosh fails).
    sync.backend(app).reset()
    for path in folder.iterdir():
        path.write_bytes(b"garbage")                                       # corrupt every file
    assert "being rebuilt" in services.search(rep, "wolverine").notice
    assert found(rep, "wolverine") == [item.id] and draft.id
    assert "being rebuilt" not in services.search(rep, "wolverine").notice
    assert list(folder.parent.glob("index.broken-*"))                      # set aside, not deleted
    gc.collect()


def test_the_database_search_folds_words_as_the_index_does(app, make_user, make_item):
    """Issue 9: while the index is rebuilt, `resume` still finds "Résumé", `strasse` "Straße",
    `finance` the ligature of pdfTeX, `arzte` "ÄRZTE" and Arabic without harakat the text with them."""
    rep = make_user("sales")
    item = make_item("approved", title="Résumé des ventes", file=(
        "Für ÄRZTE in der Straße; the ﬁnance team. عَرْضُ الْمَبِيعَاتِ".encode(), "r.txt"))
    other = make_item("approved", title="Plain pricing notes")
    sync.backend(app).rebuild(iter(()))                                    # an empty index: the database answers
    for word in ("resume", "RÉSUMÉ", "strasse", "Straße", "finance", "arzte", "المبيعات", "resume ventes"):
        page = services.search(rep, word)
        assert "being rebuilt" in page.notice
        assert [i.id for i, _, _ in page.hits] == [item.id], word
    page = services.search(rep, "strasse")
    assert [part for part, marked in page.hits[0][2] if marked] == ["Straße"]
    assert [i.id for i, _, _ in services.search(rep, "pricing").hits] == [other.id]


def test_an_empty_index_beside_a_full_database_is_rebuilt(app, make_user, make_item):
    """What a rebuild killed before its commit leaves behind: searches answer from the database
    meanwhile, and the worker rebuilds it."""
    rep = make_user("sales")
    item = make_item("approved", title="Narwhal notes", file=(b"Tusks and pricing for narwhal fans.", "n.txt"))
    sync.backend(app).rebuild(iter(()))                                    # an empty, committed index
    assert sync.backend(app).doc_count() == 0
    page = services.search(rep, "tusks", {"content_type": "one_pager"})
    assert [i.id for i, _, _ in page.hits] == [item.id] and "being rebuilt" in page.notice
    assert page.facets["content_type"] == {"one_pager": 1}
    assert [part for part, marked in page.hits[0][2] if marked] == ["Tusks"]
    assert found(rep, "narwhal") == [item.id]
    assert sync.backend(app).doc_count() == 1


@whoosh_only
def test_check_index_reports_a_missing_index(app, runner, make_item):
    make_item("approved", title="Ibex intro")
    sync.backend(app).reset()
    shutil.rmtree(app.config["INDEX_FOLDER"])
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1 and "is missing" in result.output
    assert not Path(app.config["INDEX_FOLDER"]).exists()                  # reported, not repaired


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from whoosh import index
    ix = index.open_dir(sys.argv[1])
    writer = ix.writer()
    print("locked", flush=True)
    time.sleep(60)
""")


def hold_index_lock(folder):
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder)], stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout.readline().strip() == b"locked"
    return proc


@whoosh_only
def test_a_killed_writer_loses_no_update(app, make_user, make_item):
    app.config["SEARCH_WRITER_TIMEOUT"] = 0.3
    sync.backend(app).writer_timeout = 0.3
    marketer = make_user("marketing")
    item = make_item("approved", owner=marketer, title="Badger plan")
    holder = hold_index_lock(app.config["INDEX_FOLDER"])
    try:
        library.update_item(marketer, item, {"title": "Wombat plan"})       # committed; the index is locked
        db.session.commit()
        assert sync.pending_count(app) == 1
        assert found(marketer, "wombat") == []                             # the worker waited, gave the job back
        assert sync.pending_count(app) == 1 and health()["failed"] == 0    # not lost, not a failure
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert found(marketer, "wombat") == [item.id]                          # the next run indexes it
    assert sync.pending_count(app) == 0


KILLED_AFTER_APPLY = textwrap.dedent("""
    import os, signal, sys
    from hub import create_app
    from hub.auth.models import User
    from hub.extensions import db
    from hub.jobs.worker import Worker
    from hub.library import services
    from hub.library.models import Collateral
    from hub.search import sync
    app = create_app()
    with app.app_context():
        Backend = type(sync.backend(app))
        apply = Backend.apply
        def apply_then_die(self, changes, timeout=None):  # the worker dies between the index and its job's deletion
            apply(self, changes, timeout)
            os.kill(os.getpid(), signal.SIGKILL)
        Backend.apply = apply_then_die
        item = db.session.get(Collateral, int(sys.argv[2]))
        services.update_item(db.session.get(User, int(sys.argv[1])), item, {"title": "Quokka plan"})
        db.session.commit()
        Worker(app).run_once()
""")


def test_a_worker_killed_between_index_and_job_loses_nothing(app, database_url, make_user, make_item):
    marketer = make_user("marketing")
    item = make_item("approved", owner=marketer, title="Badger plan")
    env = {**os.environ, "HUB_INSTANCE_PATH": app.instance_path, "HUB_SQLALCHEMY_DATABASE_URI": database_url,
           "HUB_SEARCH_BACKEND": app.config["SEARCH_BACKEND"], "HUB_JOBS_LEASE_SECONDS": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", KILLED_AFTER_APPLY, str(marketer.id), str(item.id)],
                          env=env, cwd=ROOT, capture_output=True, timeout=120, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert sync.pending_count(app) == 1                                    # indexed, but the job survived
    time.sleep(1.1)                                                        # the dead worker's lease runs out
    assert found(marketer, "quokka") == [item.id] and found(marketer, "badger") == []
    assert sync.pending_count(app) == 0                                    # run again, harmlessly
    assert sync.backend(app).check(sync.expected_fingerprints(app)).clean


WRITER = textwrap.dedent("""
    import sys
    from hub import create_app
    from hub.auth.models import User
    from hub.extensions import db
    from hub.jobs.worker import Worker
    from hub.library import services
    app = create_app()
    with app.app_context():
        user = db.session.get(User, int(sys.argv[1]))
        worker = Worker(app)
        for n in range(int(sys.argv[2])):
            services.create_item(user, {"title": f"{sys.argv[3]} {n}", "content_type": "other",
                                        "stages": ["awareness"], "url": "https://example.com/x"})
            db.session.commit()
            worker.run_batch()  # two workers take jobs from one queue while both keep writing
        worker.run_once()
        print(worker.done, worker.failed)
""")


def test_two_workers_share_the_queue_without_losing_or_repeating_a_job(app, database_url, make_user):
    from hub.jobs.models import Job

    marketer = make_user("marketing")
    library.create_item(marketer, {"title": "Probe", "content_type": "other", "stages": ["awareness"],
                                   "url": "https://example.com/x"})
    db.session.commit()
    per_item = db.session.scalar(select(func.count(Job.id)))               # jobs one create queues
    run_jobs()
    env = {**os.environ, "HUB_INSTANCE_PATH": app.instance_path, "HUB_SQLALCHEMY_DATABASE_URI": database_url,
           "HUB_SEARCH_BACKEND": app.config["SEARCH_BACKEND"], "HUB_PASSWORD_HASH_METHOD": '"pbkdf2:sha256:1000"', "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(marketer.id), "15", word], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for word in ("Aardvark", "Pangolin")]
    done = 0
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()[-2000:]
        ran, failed = map(int, out.split())
        assert failed == 0
        done += ran
    assert db.session.scalar(select(func.count(Job.id))) == 0              # nothing lost
    assert done == 30 * per_item                                           # and none run twice
    rep = make_user("sales")
    assert services.search(marketer, "aardvark").total == 15
    assert services.search(marketer, "pangolin").total == 15
    assert sync.backend(app).check(sync.expected_fingerprints(app)).clean
    assert found(rep, "aardvark") == []  # drafts, so not for reps


def test_snippet_shows_the_passage_with_the_most_query_words(app, make_user, make_item):
    body = ("Healthcare overview. " + "Filler about dashboards and reports. " * 40
            + "Handling pricing objections from healthcare buyers: lead with payback.")
    make_item("approved", title="Playbook", file=(body.encode(), "deck.txt"))
    _, _, snippet = services.search(make_user("sales"), "pricing objections healthcare").hits[0]
    marked = [part.lower() for part, highlighted in snippet if highlighted]
    assert {"pricing", "objections", "healthcare"} <= set(marked)


def test_items_without_an_industry_add_no_blank_facet(app, make_user, make_item):
    make_item("approved", title="No industry", industry="")
    make_item("approved", title="Retail one", industry="Retail")
    assert services.search(make_user("sales"), "").facets["industry"] == {"Retail": 1}


@whoosh_only
def test_the_fast_scorer_checks_itself_against_whoosh_once_per_process(app):
    from hub.search import whoosh_query
    from hub.search.whoosh_backend import schema

    whoosh_query._verdicts.clear()
    assert whoosh_query.agrees_with_whoosh(schema()) is True
    assert list(whoosh_query._verdicts.values()) == [True]                 # kept: not checked again


@whoosh_only
def test_a_scorer_that_disagrees_with_whoosh_is_not_used(app, make_user, make_item, monkeypatch):
    """Whoosh's private codec fields changed under us: searches fall back to Whoosh's own matchers and
    still find the right items."""
    from hub.search import whoosh_query
    from hub.search.whoosh_backend import schema

    item = make_item("approved", title="Pelican pricing", file=(b"pelican payback period", "p.txt"))
    # The codec read goes wrong, as it would if Whoosh changed the private fields it reads.
    monkeypatch.setattr(whoosh_query, "blocks", lambda *a, **k: iter([([0], [99.0], [None])]))
    whoosh_query._verdicts.clear()
    try:
        assert whoosh_query.agrees_with_whoosh(schema()) is False
        assert found(make_user("sales"), "pelican payback") == [item.id]
    finally:
        whoosh_query._verdicts.clear()


# --- the PostgreSQL backend's own ------------------------------------------------------------------

postgres_only = pytest.mark.parametrize("search_backend", [
    pytest.param("postgres", marks=pytest.mark.skipif("postgres" not in BACKENDS, reason="the tests run on SQLite"))])


@postgres_only
def test_a_writer_holding_the_postgres_index_lock_delays_but_loses_no_update(app, make_user, make_item):
    from sqlalchemy import create_engine, text

    from hub.search.postgres_backend import WRITE_LOCK

    app.config["SEARCH_WRITER_TIMEOUT"] = 0.3
    sync.backend(app).writer_timeout = 0.3
    marketer = make_user("marketing")
    item = make_item("approved", owner=marketer, title="Badger plan")
    run_jobs()
    other = create_engine(db.engine.url)  # another worker, on another connection
    with other.connect() as holder:
        holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
        library.update_item(marketer, item, {"title": "Wombat plan"})
        db.session.commit()
        assert found(marketer, "wombat") == []                             # the worker waited, gave the job back
        assert sync.pending_count(app) == 1 and health()["failed"] == 0    # not lost, not a failure
        holder.rollback()
    other.dispose()
    assert found(marketer, "wombat") == [item.id] and sync.pending_count(app) == 0


@postgres_only
def test_the_worker_leaves_no_gin_pending_entries_and_fresh_statistics_behind(app, make_user, make_item):
    """Searches must not scan GIN's unsorted pending list nor be planned on stale statistics after
    the worker writes (at 3,000 items a one-word count took 34 ms instead of 0.3 ms)."""
    from sqlalchemy import text

    from hub.search.postgres_backend import GIN_INDEXES

    def pending_pages():  # what is left to merge: 0 when the worker merged it
        return [db.session.execute(text("SELECT gin_clean_pending_list(CAST(:i AS regclass))"), {"i": index}).scalar()
                for index in GIN_INDEXES]

    marketer = make_user("marketing")
    items = [make_item("approved", owner=marketer, title=f"Osprey field guide {n}",
                       file=(" ".join(f"word{n}x{k}" for k in range(400)).encode(), f"osprey{n}.txt")) for n in range(8)]
    run_jobs()
    db.session.execute(text("DELETE FROM search_documents WHERE item_id = :i"), {"i": items[1].id})
    db.session.execute(text("ANALYZE search_documents"))  # the planner's row count is now 7…
    db.session.commit()

    def rows_planned():
        return db.session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'search_documents'")).scalar()

    assert rows_planned() == 7
    assert sync.rebuild(app) == 8
    db.session.rollback()
    assert pending_pages() == [0, 0]
    assert rows_planned() == 8  # …and the rebuild refreshed it
    library.update_item(marketer, items[0], {"title": "Kestrel field guide"})
    run_jobs()                                                               # a single change, as the worker applies it
    assert pending_pages() == [0, 0]
    assert found(make_user("sales"), "kestrel") == [items[0].id]


@postgres_only
def test_check_index_finds_vectors_of_an_older_analysis_and_the_worker_rebuilds_them(app, runner, make_user,
                                                                                        make_item):
    from sqlalchemy import text

    rep = make_user("sales")
    items = [make_item("approved", title=f"Heron note {n}") for n in range(2)]
    run_jobs()
    assert runner.invoke(args=["check-index"]).exit_code == 0
    db.session.execute(text("UPDATE search_documents SET analysis = analysis - 1 WHERE item_id = :i"),
                       {"i": items[0].id})
    db.session.commit()
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1 and f"stale         1  {items[0].id}" in result.output
    assert not sync.backend(app).current()                                 # the next index job rebuilds whole
    library.update_item(items[1].owner, items[1], {"title": "Egret note"})
    assert found(rep, "heron") == [items[0].id] and found(rep, "egret") == [items[1].id]
    assert runner.invoke(args=["check-index"]).exit_code == 0


@postgres_only
def test_postgres_queries_and_documents_are_analysed_as_in_whoosh(app):
    from sqlalchemy import text

    from hub.search.postgres_query import analyse, parse, tsquery, vector_literal

    assert tsquery(parse("pricing objections")) == "('price' & 'object')"
    assert tsquery(parse("pricing objections", "or")) == "('price' | 'object')"
    assert tsquery(parse('"return on investment" OR integr* NOT sap')) == "((('return' <-> 'invest') | 'integr':*) & !'sap')"
    assert tsquery(parse("東京")) == "'東京'" and tsquery(parse("本社営業")) == "('本社' <-> '社営' <-> '営業')"
    assert tsquery(parse("Équipe")) == "'equip'"
    assert parse("the AND OR NOT") is None
    doc = {"title": "Équipe", "tags": "", "description": "", "meta": "", "body": "it's équipe's"}
    terms, words = analyse(doc)
    assert vector_literal(terms) == "'equip':1A,6D" and words == {"equipe"}  # fields a position apart, stop words gone
    # Past PostgreSQL's 1 MB per tsvector, words are kept before numbers (a 150,000-row workbook).
    big = {**doc, "body": " ".join(str(n) for n in range(100_000, 400_000)) + " zanzibar"}
    vector = vector_literal(analyse(big)[0])
    assert "'zanzibar':" in vector
    assert db.session.scalar(text("SELECT CAST(:v AS tsvector) @@ CAST('zanzibar' AS tsquery)"), {"v": vector})


def test_a_file_cut_by_the_wall_clock_deadline_keeps_what_was_read(tmp_path):
    """Issue 9: the deadline keeps the text read so far, marked partial, instead of failing."""
    from hub.search.extract import extract_in_child

    slow = tmp_path / "slow.pdf"
    slow.write_bytes(files.slow_pdf())
    result = extract_in_child(slow, "pdf", seconds=2)
    assert result.ok and "stopped after 2 seconds" in result.partial
    assert "openingword" in result.text and "closingword" not in result.text
    small = tmp_path / "small.pdf"
    small.write_bytes(files.pdf(pages=2))
    assert extract(small, "pdf").ok  # the same worker goes on with the next file



@whoosh_only
def test_a_new_instance_builds_its_index_once_for_its_first_item(app, make_item, caplog):
    caplog.set_level("INFO", logger="hub.search.sync")
    item = make_item("approved", title="Okapi overview")      # the worker's watch and the item's job, one batch
    said = [r.getMessage() for r in caplog.records if r.name == "hub.search.sync"]
    assert "the search index is missing: queueing a rebuild" in said    # the watch saw no index...
    assert not any(m.startswith("search index rebuilt") for m in said)  # ...the item's job built it, once
    assert sync.backend(app).state() == "ok" and sync.backend(app).doc_count() == 1
    assert [i.id for i, _, _ in services.search(item.owner, "okapi").hits] == [item.id]
