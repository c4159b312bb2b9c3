"""Library pages whose cost does not grow with the library (issue 16), and that never show stale counts.

The home and stage pages keep their counts and facet values by library version; these tests check
that the number of SQL statements a page runs is the same for a small and a larger library, and that
every kind of change shows at once, in this process and in another one on the same database.
"""

from sqlalchemy import event

from hub.extensions import db
from hub.library import services, workflow
from hub.library.models import library_version

from .conftest import Browser, make_test_app


def statements(app, fn):
    """The SQL statements ``fn()`` runs."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_home_and_stage_pages_run_as_many_statements_for_a_larger_library(app, as_user, make_item):
    browser, _ = as_user("sales")
    for n in range(3):
        make_item(title=f"Small {n}", stages=["awareness", "consideration"], product=f"P{n}")
    db.session.commit()
    browser.get("/"), browser.get("/stages/awareness?page=1")  # the first request after a change counts once
    small_home = statements(app, lambda: browser.get("/"))
    small_stage = statements(app, lambda: browser.get("/stages/awareness?page=1"))
    for n in range(30):
        make_item(title=f"More {n}", stages=["awareness", "consideration"], product=f"Q{n % 7}")
    db.session.commit()
    browser.get("/"), browser.get("/stages/awareness?page=1")
    assert len(statements(app, lambda: browser.get("/"))) == len(small_home)
    assert len(statements(app, lambda: browser.get("/stages/awareness?page=1"))) == len(small_stage)
    # Kept answers are not scans: no COUNT and no DISTINCT over the library on a repeat visit. The
    # reader's own rows are left out: the bell's unread count and "New for you"'s reading of what this
    # rep used in 90 days grow with the reader's activity, not with the library.
    own = ("from notifications", "usage_events.user_id = ")
    repeat = " ".join(s for s in statements(app, lambda: browser.get("/")) if not any(o in s.lower() for o in own))
    assert "count(" not in repeat.lower() and "distinct" not in repeat.lower()


def test_every_change_shows_at_once_here_and_in_another_process(app, database_url, tmp_path, as_user, make_item):
    browser, rep = as_user("sales")
    other_app = make_test_app(database_url, tmp_path / "other-instance")  # a second worker on the same database
    other = Browser(other_app.test_client())
    assert other.login(rep).status_code == 302
    item = make_item(title="Pricing sheet", stages=["awareness"], product="Lumora")
    db.session.commit()
    for client in (browser, other):
        assert "Lumora" in client.get("/").get_data(as_text=True)

    # An edit to an item's stages (a change to the link table only) and its product.
    services.update_item(item.owner, item, {"stages": ["decision"], "product": "Vireo"})
    db.session.commit()
    for client in (browser, other):
        html = client.get("/").get_data(as_text=True)
        assert "Vireo" in html and "Lumora" not in html
        assert client.get("/stages/decision").get_data(as_text=True).count('class="card__title">Pricing sheet') == 1

    # Withdrawn: gone from the counts and facets of a rep, here and there.
    before = library_version(db.session)
    workflow.transition(item.owner, item, "archived")
    db.session.commit()
    assert library_version(db.session) != before
    for client in (browser, other):
        html = client.get("/").get_data(as_text=True)
        assert "Vireo" not in html and "Pricing sheet" not in html

    # A change that is rolled back leaves the kept answers right.
    workflow.transition(item.owner, item, "draft")
    db.session.flush()
    db.session.rollback()
    assert "Pricing sheet" not in browser.get("/").get_data(as_text=True)
    with other_app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_home_page_reads_every_stage_in_the_same_statements(app, as_user, make_item):
    browser, _ = as_user("sales")
    make_item(title="Only awareness", stages=["awareness"])
    db.session.commit()
    browser.get("/")
    one_stage = statements(app, lambda: browser.get("/"))
    for n, slug in enumerate(["consideration", "decision", "onboarding", "expansion"] * 3):
        make_item(title=f"Item {n}", stages=[slug])
    db.session.commit()
    browser.get("/")
    every_stage = statements(app, lambda: browser.get("/"))
    assert len(every_stage) == len(one_stage)               # not three more statements per stage shown
    html = browser.get("/").get_data(as_text=True)
    # each stage lists its own items, newest first
    assert html.index("Item 11") < html.index("Item 7") < html.index("Item 3") and "Only awareness" in html
