"""End-to-end tests in a real headless Chromium against the app served over HTTP.

The app runs in a background thread (werkzeug, threaded) on 127.0.0.1 with a free port; Playwright drives
the system's Chromium (Debian's `chromium`). Without it these tests skip, unless HUB_REQUIRE_BROWSER=1 (CI),
where they fail. Screenshots of every main page at desktop and phone width go to HUB_SCREENSHOT_DIR, or
to the test's tmp_path.
"""
import os
import re
import shutil
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from hub.extensions import db

from .conftest import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MISSING = "Chromium not installed: apt-get install chromium"
TIMEOUT_MS = 10_000
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")

# Reported from inside each page: CSP violations (Chromium also logs them, but this names the directive).
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def tiny_pdf(text="Hub test"):
    """A small but valid one-page PDF, so the preview iframe has something real to show."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --- fixtures -------------------------------------------------------------------------------------


def chromium_executable():
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


# The one Playwright and Chromium of this process, and how many `chromium` fixtures hold it. A module that
# imports the fixture (test_browser_governance) gets its own definition of it, so pytest sets it up once per
# module; a second sync_playwright() in the same process fails ("Sync API inside the asyncio loop").
_SHARED = {"holders": 0, "playwright": None, "browser": None}


def acquire_chromium(executable):
    if _SHARED["holders"] == 0:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except BaseException:
            playwright.stop()
            raise
        _SHARED.update(playwright=playwright, browser=browser)
    _SHARED["holders"] += 1
    return _SHARED["browser"]


def release_chromium():
    _SHARED["holders"] -= 1
    if _SHARED["holders"] == 0:
        browser, playwright = _SHARED["browser"], _SHARED["playwright"]
        _SHARED.update(playwright=None, browser=None)
        try:
            browser.close()
        finally:
            playwright.stop()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run, shared by every module using this fixture; each test gets
    its own contexts."""
    executable = chromium_executable()
    if executable is None:
        if os.environ.get("HUB_REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    browser = acquire_chromium(executable)
    try:
        yield browser
    finally:
        release_chromium()


def closing_responses(wsgi_app):
    """Wrap ``wsgi_app`` so each response body is read and closed before it is sent.

    Werkzeug's development server skips ``close()`` on the response iterable when the client drops
    the connection (Chromium cancels requests when it navigates), which leaks the open file of a
    static response and fails the run under ``filterwarnings = error``. Buffering is fine here: the
    test pages and files are small, and nothing the browser tests use streams.
    """
    def app(environ, start_response):
        started = []
        body_iter = wsgi_app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
        try:
            body = b"".join(body_iter)
        finally:
            if hasattr(body_iter, "close"):
                body_iter.close()
        start_response(*started[-1])
        return [body]
    return app


@pytest.fixture
def server_url(app):
    """The test app served over real HTTP in a background thread; its base URL."""
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="hub-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def shots(tmp_path):
    """The folder for screenshots: HUB_SCREENSHOT_DIR if set, else the test's tmp_path."""
    folder = Path(os.environ.get("HUB_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """A page in its own browser context, recording console errors, CSP violations and failed loads."""

    def __init__(self, context, base_url, shots):
        self.context = context
        self.base_url = base_url
        self.shots = shots
        self.problems = []
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._request_failed)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def _request_failed(self, request):
        # A download replaces the navigation, which Chromium reports as aborted: not a problem.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def url(self, path):
        return self.base_url + path

    def goto(self, path, status=200):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == status, f"{path}: {response and response.status}"
        if status >= 400:  # Chromium logs every error response; this one was expected
            expected = (f"console error on {self.url(path)}: "
                        f"Failed to load resource: the server responded with a status of {status} ")
            self.problems = [p for p in self.problems if not p.startswith(expected)]
        return response

    def login(self, email, password=PASSWORD):
        self.goto("/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Sign in").click()
        assert self.page.url == self.url("/"), f"sign-in did not reach the library: {self.page.url}"

    def heading(self):
        return self.page.locator("h1").first.inner_text()

    def text(self):
        return self.page.locator("body").inner_text()

    def shot(self, name):
        width = self.page.viewport_size["width"]
        path = self.shots / f"{name}-{'phone' if width < 700 else 'desktop'}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self):
        """Run axe-core (wcag2a, wcag2aa) on the page; its serious and critical violations, one line each.

        The engine is evaluated through the DevTools protocol, which the page's CSP does not govern, so
        the page keeps its real policy. Rule ids and impacts: https://dequeuniversity.com/rules/axe/."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE_SOURCE)
        found = self.page.evaluate("""async () => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
            return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`
                          + ` [${v.nodes.length} nodes] ${v.nodes[0].failureSummary.split("\\n").slice(1, 6).join(" | ")}`);
        }""")
        return [f"{self.page.url}: {line}" for line in found]

    def assert_styled(self):
        """The stylesheet applied: the top bar is dark (or, signed out, the sign-in panel is white)."""
        topbar = self.page.locator("header.topbar")
        if topbar.count():
            background = topbar.evaluate("el => getComputedStyle(el).backgroundColor")
            assert background == "rgb(20, 27, 45)", f"top bar not styled on {self.page.url}: {background}"
        else:
            background = self.page.locator(".auth-panel").evaluate("el => getComputedStyle(el).backgroundColor")
            assert background == "rgb(255, 255, 255)", f"sign-in panel not styled: {background}"
        assert self.page.evaluate("document.documentElement.classList.contains('js')"), "hub.js did not run"


@pytest.fixture
def open_tab(chromium, server_url, shots):
    """open_tab(viewport=DESKTOP, **options) -> a Tab in a fresh browser context (own cookies), closed at
    teardown; options go to Playwright's new_context (timezone_id="Europe/Berlin", ...)."""
    contexts = []

    def open_(viewport=DESKTOP, **options):
        context = chromium.new_context(accept_downloads=True, viewport=viewport, base_url=server_url, **options)
        context.add_init_script(REPORT_CSP)
        contexts.append(context)
        return Tab(context, server_url, shots)

    yield open_
    for context in contexts:
        context.close()


def release_db():
    """End the test's own database transaction so the server's requests can write (SQLite locks)."""
    db.session.commit()
    db.session.close()


@pytest.fixture
def library(make_user, make_item):
    """A small library: users of each role and items in several stages and states, as plain values."""
    marketing = make_user("marketing", name="Maria Marketing")
    data = {
        "users": {role: make_user(role, name=name).email
                  for role, name in [("sales", "Sam Rep"), ("admin", "Ada Admin")]},
        "pdf": tiny_pdf("Pricing one-pager"),
    }
    data["users"]["marketing"] = marketing.email
    soon = (date.today() + timedelta(days=10)).isoformat()
    approved = make_item(owner=marketing, title="Pricing one-pager", file=(data["pdf"], "Pricing 2025.pdf"),
                         stages=["awareness", "consideration"], product="Hub Cloud", industry="Retail",
                         description="The one-page summary of plans and prices.\nUse it after the first call.")
    items = {
        "approved": approved,
        "case": make_item(owner=marketing, title="Acme case study", content_type="case_study",
                          file=(b"# Acme\n\nThey saved a lot.\n", "acme.md"), stages=["consideration"],
                          industry="Manufacturing", persona="CFO", expires_on=soon),
        "deck": make_item(owner=marketing, title="Security deck", content_type="slide_deck",
                          url="https://videos.example.com/security", stages=["decision"], persona="CISO"),
        "review": make_item("in_review", owner=marketing, title="Onboarding checklist", stages=["onboarding"]),
        "draft": make_item("draft", owner=marketing, title="Secret draft battlecard", content_type="battlecard",
                           stages=["awareness"]),
    }
    data["ids"] = {key: item.id for key, item in items.items()}
    data["titles"] = {key: item.title for key, item in items.items()}
    release_db()
    return data


# --- tests ----------------------------------------------------------------------------------------


def test_rep_browses_by_stage_and_downloads(library, open_tab):
    rep = open_tab()
    page = rep.page
    draft = library["titles"]["draft"]
    rep.login(library["users"]["sales"])

    # The home page is organised by stage, in funnel order, and shows approved items only.
    # (The "New for you" strip and "Recently viewed" row above them are stage-section styled too.)
    stages = page.locator("section.stage-section[id^='stage-'] h2").all_inner_texts()
    assert [re.sub(r"\s*\d+$", "", s) for s in stages] == [
        "Awareness", "Consideration", "Decision", "Onboarding", "Expansion"]
    assert page.locator("nav.stage-rail a").count() == 5
    assert "Pricing one-pager" in rep.text()
    assert draft not in page.content()
    assert "Onboarding checklist" not in page.content()

    # The rail jumps to the section; the section's link opens the stage page.
    page.locator("nav.stage-rail a", has_text="Consideration").click()
    assert page.url.endswith("#stage-consideration")
    section = page.locator("#stage-consideration")
    with page.expect_navigation():
        section.get_by_role("link", name=re.compile(r"^(Open stage|See all)")).click()
    assert page.url == rep.url("/stages/consideration")
    assert rep.heading() == "Consideration"
    assert page.locator("article.card").count() == 2
    assert draft not in page.content()

    with page.expect_navigation():
        page.locator("article.card", has_text="Pricing one-pager").get_by_role("link").click()
    assert page.url == rep.url(f"/items/{library['ids']['approved']}")
    assert rep.heading() == "Pricing one-pager"
    assert page.locator(".panel", has_text="Workflow").count() == 0  # reps do not see the workflow
    assert draft not in page.content()

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download PDF")).click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "Pricing 2025.pdf"
    assert Path(download.path()).read_bytes() == library["pdf"]

    # The draft is not reachable directly either.
    rep.goto(f"/items/{library['ids']['draft']}", status=404)
    assert draft not in page.content()
    rep.goto("/stages/awareness")
    assert draft not in page.content()
    assert rep.problems == []


def test_marketing_uploads_submits_and_approves(library, open_tab, tmp_path):
    editor = open_tab()
    page = editor.page
    editor.login(library["users"]["marketing"])
    content = tiny_pdf("Competitor battlecard")
    upload = tmp_path / "Battlecard vs Rival.pdf"
    upload.write_bytes(content)

    with page.expect_navigation():
        page.locator("#main-nav").get_by_role("link", name="Upload").click()
    assert editor.heading() == "Upload collateral"
    page.get_by_label("Title").fill("Battlecard: Hub vs Rival")
    page.get_by_label("Description").fill("How we win against Rival.")
    page.get_by_label("Content type").select_option(label="Battlecard")
    page.get_by_label("Decision").check()
    page.locator("input[type=file][name=file]").set_input_files(str(upload))
    page.get_by_label("Product").fill("Hub Cloud")
    with page.expect_navigation():
        page.get_by_role("button", name="Create draft").click()

    item_url = page.url
    assert re.fullmatch(re.escape(editor.url("/items/")) + r"\d+", item_url), item_url
    assert editor.heading() == "Battlecard: Hub vs Rival"
    assert "Draft created" in page.locator(".flashes").inner_text()
    assert page.locator(".eyebrow .badge").inner_text() == "Draft"

    page.get_by_label("Comment").fill("Ready for a look")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert page.locator(".eyebrow .badge").inner_text() == "In review"

    page.get_by_label("Comment").fill("Legal checked the pricing language")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()
    assert page.url == item_url
    assert page.locator(".eyebrow .badge").inner_text() == "Approved"
    assert "Now approved" in page.locator(".flashes").inner_text()
    history = page.locator("ol.timeline li").all_inner_texts()
    assert len(history) == 3, history
    joined = "\n".join(history)
    assert "created it as a draft" in joined
    assert "moved it from draft to in review" in joined
    assert "moved it from in review to approved" in joined
    assert "Ready for a look" in joined and "Legal checked the pricing language" in joined
    assert editor.problems == []

    # A rep, in a separate browser context, now finds and opens it.
    rep = open_tab()
    rep.login(library["users"]["sales"])
    section = rep.page.locator("#stage-decision")
    assert section.get_by_text("Battlecard: Hub vs Rival").count() == 1
    with rep.page.expect_navigation():
        section.locator("article.card", has_text="Battlecard: Hub vs Rival").get_by_role("link").click()
    assert rep.page.url == item_url
    assert rep.heading() == "Battlecard: Hub vs Rival"
    with rep.page.expect_download() as info:
        rep.page.get_by_role("link", name=re.compile(r"^Download PDF")).click()
    assert info.value.suggested_filename == "Battlecard vs Rival.pdf"
    assert Path(info.value.path()).read_bytes() == content
    assert rep.problems == []


def tour(open_tab, library, viewport):
    """Visit every main page as the right role; check each is styled and error-free; screenshot it."""
    ids = library["ids"]
    visited = []

    overflow = {}

    def visit(tab, name, path, heading=None):
        tab.goto(path)
        tab.page.wait_for_load_state("load")
        tab.assert_styled()
        if heading:
            assert tab.heading() == heading, f"{path}: {tab.heading()!r}"
        if tab.page.locator("iframe.preview--pdf").count():  # let the lazy PDF viewer paint
            tab.page.locator("iframe.preview--pdf").scroll_into_view_if_needed()
            tab.page.wait_for_load_state("networkidle")
            tab.page.wait_for_timeout(500)
            tab.page.evaluate("window.scrollTo(0, 0)")
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            overflow[name] = width
        tab.shot(name)
        visited.append(name)

    rep = open_tab(viewport)
    visit(rep, "login", "/login")
    rep.login(library["users"]["sales"])
    visit(rep, "home-rep", "/", "Collateral library")
    visit(rep, "stage-rep", "/stages/consideration", "Consideration")
    visit(rep, "item-rep", f"/items/{ids['approved']}", "Pricing one-pager")

    editor = open_tab(viewport)
    editor.login(library["users"]["marketing"])
    visit(editor, "home-marketing", "/", "Collateral library")
    visit(editor, "stage-marketing", "/stages/awareness", "Awareness")
    visit(editor, "item-marketing", f"/items/{ids['approved']}", "Pricing one-pager")
    visit(editor, "item-in-review", f"/items/{ids['review']}", "Onboarding checklist")
    visit(editor, "upload", "/items/new", "Upload collateral")
    visit(editor, "review", "/review", "Review")
    visit(editor, "account", "/account", "Maria Marketing")

    admin = open_tab(viewport)
    admin.login(library["users"]["admin"])
    visit(admin, "admin-users", "/admin/users", "Admin")
    visit(admin, "admin-stages", "/admin/stages", "Admin")

    problems = rep.problems + editor.problems + admin.problems
    assert problems == [], "\n".join(problems)
    return rep, editor, admin, visited, overflow


def test_pages_load_styles_without_console_errors_or_csp_violations(library, open_tab, shots):
    rep, editor, admin, visited, overflow = tour(open_tab, library, DESKTOP)
    assert len(visited) == 13
    assert overflow == {}, f"pages wider than the window: {overflow}"
    # Desktop: the menu button is hidden and the nav is laid out in the bar.
    assert not editor.page.locator("[data-toggle-nav]").is_visible()
    assert editor.page.locator("#main-nav").is_visible()
    assert all((shots / f"{name}-desktop.png").stat().st_size > 0 for name in visited)
    # At 1280 px the top bar is one line for every role (the admin's has the most links): no label wraps.
    for tab in (rep, editor, admin):
        tab.goto("/")
        heights = tab.page.eval_on_selector_all(
            ".mainnav > a:not(.mainnav__user), .linklike, .mainnav__user > span:last-child",
            "els => els.map(el => [el.textContent.trim(), el.offsetHeight])")
        assert all(height <= 40 for _, height in heights), heights  # one line: 39 px; a name and role: 31 px
        assert tab.page.locator("header.topbar").evaluate("el => el.offsetHeight") <= 60


def test_phone_menu_button_opens_the_nav(library, open_tab, shots):
    rep, editor, _, visited, overflow = tour(open_tab, library, PHONE)
    assert all((shots / f"{name}-phone.png").stat().st_size > 0 for name in visited)
    # No page scrolls sideways on a phone.
    assert overflow == {}, f"pages wider than the phone: {overflow}"

    page = editor.page
    editor.goto("/")
    toggle = page.locator("[data-toggle-nav]")
    nav = page.locator("#main-nav")
    assert toggle.is_visible()
    assert not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    for name in ("Library", "Review", "Upload"):  # Review carries the count waiting: "Review 1"
        assert nav.get_by_role("link", name=re.compile(rf"^{name}( \d+)?$")).is_visible()
    assert nav.get_by_role("button", name="Sign out").is_visible()
    editor.shot("menu-open")

    with page.expect_navigation():
        nav.get_by_role("link", name="Review 1", exact=True).click()
    assert editor.heading() == "Review"
    assert not nav.is_visible()  # a new page starts with the menu closed

    toggle.click()
    toggle.click()
    assert not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"

    # A rep's menu has no editor links.
    rep.goto("/")
    rep.page.locator("[data-toggle-nav]").click()
    rep_nav = rep.page.locator("#main-nav")
    assert rep_nav.get_by_role("link", name="Library", exact=True).is_visible()
    assert rep_nav.get_by_role("link", name="Upload", exact=True).count() == 0
    assert rep_nav.get_by_role("link", name="Admin", exact=True).count() == 0
    assert editor.problems == [] and rep.problems == []


def test_admin_users_page_fits_a_phone(library, open_tab):
    admin = open_tab(PHONE)
    admin.login(library["users"]["admin"])
    admin.goto("/admin/users")
    width = admin.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"/admin/users is {width}px wide on a {PHONE['width']}px phone"


def test_upload_page_highlights_one_nav_item(library, open_tab):
    editor = open_tab()
    editor.login(library["users"]["marketing"])
    editor.goto("/items/new")
    active = editor.page.locator("#main-nav a.is-active").all_inner_texts()
    assert active == ["Upload"], f"highlighted in the top bar: {active}"


def test_calendar_pages_at_desktop_and_phone(library, open_tab, make_user, shots):
    """Marketing calendar (issue 4): every page styled, CSP-clean and no wider than the window; the form's
    all-day and repeat controls hide what does not apply; an entry made in the browser shows up."""
    from hub.auth.models import User
    from hub.calendar import demo
    from hub.calendar.models import CalendarEntry

    marketing = db.session.scalar(db.select(User).where(User.email == library["users"]["marketing"]))
    demo.seed_entries({"priya": marketing})
    weekly = db.session.scalar(db.select(CalendarEntry.id).where(CalendarEntry.title == "Weekly enablement call"))
    show = db.session.scalar(db.select(CalendarEntry.id).where(CalendarEntry.title == "HIMSS Europe"))
    release_db()
    overflow, problems = {}, []
    for viewport in (DESKTOP, PHONE):
        editor, rep = open_tab(viewport), open_tab(viewport)
        editor.login(library["users"]["marketing"])
        rep.login(library["users"]["sales"])
        pages = [(editor, "cal-month-marketing", "/calendar/"), (editor, "cal-week", f"/calendar/week?date={date.today() + timedelta(days=7)}"),
                 (editor, "cal-agenda", "/calendar/agenda"), (editor, "cal-entry-marketing", f"/calendar/entries/{weekly}"),
                 (editor, "cal-new", "/calendar/entries/new"), (editor, "cal-edit", f"/calendar/entries/{show}/edit"),
                 (editor, "cal-import", "/calendar/import"), (editor, "cal-subscribe-marketing", "/calendar/subscribe"),
                 (rep, "cal-month-rep", "/calendar/"), (rep, "cal-agenda-rep", "/calendar/agenda"),
                 (rep, "cal-entry-rep", f"/calendar/entries/{show}"), (rep, "cal-subscribe-rep", "/calendar/subscribe")]
        for tab, name, path in pages:
            tab.goto(path)
            tab.page.wait_for_load_state("load")
            tab.assert_styled()
            assert tab.page.locator(".cal-kind, .cal-chip, .cal-views, .cal-feed, .cal-form, form").count(), path
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                overflow[f"{name}@{viewport['width']}"] = width
            tab.shot(name)
        problems += editor.problems + rep.problems
    assert overflow == {}, f"pages wider than the window: {overflow}"
    assert problems == [], "\n".join(problems)

    # The form without surprises: all-day hides the times and zone; repeat shows only its own controls.
    editor = open_tab(DESKTOP)
    editor.login(library["users"]["marketing"])
    page = editor.page
    editor.goto("/calendar/entries/new")
    assert page.locator("input[name=start_time]").is_visible()
    page.get_by_label("All day").check()
    assert not page.locator("input[name=start_time]").is_visible()
    assert not page.locator("select[name=timezone]").is_visible()
    page.get_by_label("All day").uncheck()
    assert page.locator("select[name=timezone]").is_visible()
    assert not page.locator("input[name=weekdays]").first.is_visible()
    page.locator("select[name=repeat]").select_option("weekly")
    assert page.locator("input[name=weekdays]").first.is_visible()
    assert not page.locator("input[name=rrule]").is_visible()
    editor.shot("cal-new-weekly")

    page.get_by_label("Title").fill("Browser-made webinar")
    page.locator("select[name=kind]").select_option("webinar")
    page.locator("input[name=start_date]").fill("2026-03-10")
    page.locator("input[name=end_date]").fill("2026-03-10")
    page.locator("input[name=start_time]").fill("09:00")
    page.locator("input[name=end_time]").fill("10:00")
    page.locator("select[name=timezone]").select_option("America/New_York")
    page.locator("input[name=weekdays][value=TU]").check()
    page.locator("input[name=ends][value=count]").check()
    page.locator("input[name=count]").fill("4")
    page.get_by_label("Published: reps and their subscribed calendars see it").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create entry").click()
    assert editor.heading() == "Browser-made webinar"
    assert "Tue 10 Mar 2026, 09:00–10:00 EDT" in editor.text()
    assert "Every week on Tuesday, 4 times" in editor.text()
    editor.shot("cal-entry-created")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Add to my calendar")).click()
    assert info.value.suggested_filename.endswith(".ics")
    assert Path(info.value.path()).read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert editor.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_berlin_reader_sees_a_new_york_entry_at_both_times(make_user, make_entry, open_tab, viewport):
    """Issue 10: a user with no zone gets the browser's (posted once by hub.js); the month, week and
    agenda then show a New York entry at Berlin time with its own New York time beside it, and a
    three-day fair spans its days on the week's hourly grid."""
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
    tuesday = monday + timedelta(days=1)
    reader = make_user("sales").email
    make_entry(title="New York launch", starts_at=f"{tuesday}T10:00", ends_at=f"{tuesday}T11:30")
    make_entry(title="Hannover fair", kind="trade_show", all_day=True, starts_at=str(monday),
               ends_at=str(monday + timedelta(days=2)))
    release_db()
    tab = open_tab(viewport, timezone_id="Europe/Berlin")
    with tab.page.expect_response(lambda r: r.url.endswith("/account/browser-time-zone")) as answer:
        tab.login(reader)
    assert answer.value.status == 204
    seen = datetime.combine(tuesday, time(10), ZoneInfo("America/New_York")).astimezone(ZoneInfo("Europe/Berlin"))
    berlin = f"10:00–11:30 New York · {seen:%H:%M}–{seen + timedelta(minutes=90):%H:%M} your time"
    for path, name in [(f"/calendar/week?date={tuesday}", "zone-week"), (f"/calendar/?month={tuesday:%Y-%m}", "zone-month"),
                       (f"/calendar/agenda?from={monday}", "zone-agenda")]:
        tab.goto(path)
        assert "Europe/Berlin" in tab.text() or name == "zone-month"
        html = tab.page.content()
        assert berlin in html and "your time" in html, path
        tab.shot(name)
        assert tab.axe() == []
    tab.goto(f"/calendar/week?date={tuesday}")
    assert "10:00 New York" in tab.page.locator(".cal-slot").first.inner_text()
    assert tab.page.locator(".cal-band").count() == 1
    assert tab.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_passes_axe(library, open_tab, viewport):
    """Everyone can read it (issue 15): axe-core finds no serious or critical WCAG 2 A/AA violation
    on any page, as each role sees it, at desktop and phone widths."""
    from hub.auth.models import User
    from hub.calendar import demo
    from hub.calendar.models import CalendarEntry
    from hub.library import staging

    from .conftest import upload

    marketing = db.session.scalar(db.select(User).where(User.email == library["users"]["marketing"]))
    demo.seed_entries({"priya": marketing})
    show = db.session.scalar(db.select(CalendarEntry.id).where(CalendarEntry.title == "HIMSS Europe"))
    staging.stage_upload(marketing, upload(library["pdf"], "Waiting upload.pdf"))  # a row in /items/bulk's table
    release_db()
    ids = library["ids"]
    week = f"/calendar/week?date={date.today() + timedelta(days=7)}"
    pages = {
        None: ["/login"],
        "sales": ["/", "/stages/consideration", f"/items/{ids['approved']}", "/search?q=pricing",
                  "/search?q=zzzqqq", "/shares", "/opportunities", "/requests", "/account", "/calendar/",
                  week, "/calendar/agenda", f"/calendar/entries/{show}", "/calendar/subscribe", "/review/weekly",
                  "/saved", "/notifications"],
        "marketing": ["/", f"/items/{ids['approved']}", f"/items/{ids['review']}", f"/items/{ids['draft']}",
                      "/items/new", "/items/bulk", f"/items/{ids['approved']}/edit", "/review", "/activity", "/insights",
                      "/insights/content", "/insights/unused", "/insights/search", "/calendar/",
                      "/calendar/entries/new", f"/calendar/entries/{show}/edit", "/calendar/import",
                      "/review/weekly", "/review/goals", "/review/weekly/published",
                      f"/requests?asked_from={date.today() - timedelta(days=7)}&asked_to={date.today()}"],
        "admin": ["/admin/users", "/admin/users?role=sales&active=1", "/admin/stages", "/admin/health"],
    }
    violations = []
    for role, paths in pages.items():
        tab = open_tab(viewport)
        if role:
            tab.login(library["users"][role])
        for path in paths:
            tab.goto(path)
            tab.page.wait_for_load_state("load")
            violations += tab.axe()
        assert tab.problems == [], "\n".join(tab.problems)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_new_share_link_is_in_view_and_focused(library, open_tab, viewport):
    """The one-time link lands where the rep looks, focused and selected, with a Copy button (it used to
    appear at the top of the page, 203 px above a desktop window and 661 px above a phone's)."""
    rep = open_tab(viewport)
    page = rep.page
    rep.login(library["users"]["sales"])
    rep.goto(f"/items/{library['ids']['approved']}")
    page.get_by_text("Share a tracked link").click()
    form = page.locator("form", has=page.get_by_label("Recipient"))
    form.get_by_label("Recipient").fill("Dana Ruiz, CFO")
    form.get_by_label("Account").fill("Acme Corp")
    with page.expect_navigation():
        page.get_by_role("button", name="Create link").click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # let the fragment jump and the focus settle
    link = page.locator("#new-link-url")
    url = link.input_value()
    assert re.fullmatch(re.escape(rep.url("/s/")) + r"[\w-]{20,}", url), url
    box = link.bounding_box()
    height = viewport["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, f"link box {box} in {height}px"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], f"link box {box}"
    assert page.evaluate("document.activeElement.tagName + '#' + document.activeElement.id") == "TEXTAREA#new-link-url"
    assert page.evaluate("(() => { const el = document.activeElement; return el.value.slice(el.selectionStart, el.selectionEnd); })()") == url
    # The whole link is readable without scrolling the field.
    assert link.evaluate("el => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1")
    assert "Link for Dana Ruiz, CFO created" in page.locator("#usage").inner_text()
    assert "Copy it now" not in page.locator(".flashes").all_inner_texts()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    rep.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=rep.base_url)
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    rep.shot("share-created")

    # The link works for a prospect who is not signed in.
    prospect = open_tab(viewport)
    prospect.goto(url.removeprefix(rep.base_url))
    assert prospect.heading() == "Pricing one-pager"
    # A reload shows the link no more: it was shown once.
    page.reload()
    assert page.locator("#new-link-url").count() == 0
    assert rep.problems == [] and prospect.problems == []


def loaded_images(tab, selector):
    """[(src, naturalWidth, rendered width, rendered height)] of the images matching selector, after
    scrolling each into view (they load lazily). On phones the "New for you" strip shows three cards and
    folds the rest (each of those items is in its stage section too): those are skipped, any other hidden
    thumbnail fails."""
    images = tab.page.locator(selector)
    found = []
    for index in range(images.count()):
        image = images.nth(index)
        if not image.is_visible():
            folded = image.evaluate("el => el.closest('.news-strip .card:nth-child(n+4)') !== null")
            assert folded and tab.page.viewport_size["width"] <= 720, \
                f"hidden thumbnail {image.get_attribute('src')} on {tab.page.url}"
            continue
        image.scroll_into_view_if_needed()
        tab.page.wait_for_function("el => el.complete", arg=image.element_handle())
        found.append(image.evaluate("el => [el.getAttribute('src'), el.naturalWidth, el.clientWidth, el.clientHeight]"))
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_thumbnails_on_home_stage_search_and_review(library, open_tab, make_item, viewport):
    """Every card and row shows its thumbnail: rendered pages for PDFs (and PPTX where LibreOffice is
    installed), typed placeholder cards otherwise, never a broken image, in a fixed box."""
    from tests import search_files

    deck = make_item(title="Retail pitch deck", content_type="slide_deck", file=(search_files.pptx(slides=3), "pitch.pptx"),
                     stages=["awareness"])
    pending = make_item("in_review", title="Pending datasheet", file=(search_files.pdf(pages=2), "ds.pdf"),
                        stages=["awareness"])
    deck_id, pending_id = deck.id, pending.id
    release_db()
    rep = open_tab(viewport)
    rep.login(library["users"]["sales"])
    pages = [("/", "home"), ("/stages/awareness", "stage"), ("/search?q=pricing", "search")]
    for path, name in pages:
        rep.goto(path)
        images = loaded_images(rep, "img.thumb")
        assert images, f"no thumbnails on {path}"
        for src, natural, width, height in images:
            assert natural > 0, f"broken thumbnail {src} on {path}"
            assert abs(width / height - (4 / 3)) < 0.05, f"{src} is {width}x{height} on {path}"
        rep.shot(f"thumbs-{name}")
        assert rep.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
    rep.goto("/")
    # The cards in the stage sections (the "New for you" strip above may hold copies, folded on phones).
    awareness = rep.page.locator("#stage-awareness")
    pricing = awareness.locator("article.card", has_text="Pricing one-pager").locator("img.thumb")
    assert pricing.evaluate("el => el.naturalWidth") == 480  # the PDF's first page, rendered
    deck_thumb = awareness.locator("article.card", has_text="Retail pitch deck").locator("img.thumb")
    deck_thumb.scroll_into_view_if_needed()
    rep.page.wait_for_function("el => el.complete", arg=deck_thumb.element_handle())
    if shutil.which("soffice") or shutil.which("libreoffice"):
        assert deck_thumb.evaluate("el => el.naturalWidth") == 480, "the PPTX's first slide"
    else:  # the placeholder card (an SVG 480x360 too, but not a PNG)
        assert deck_thumb.evaluate("el => el.naturalWidth") == 480
    assert f"/items/{deck_id}/thumbnail" in deck_thumb.get_attribute("src")

    editor = open_tab(viewport)
    editor.login(library["users"]["marketing"])
    editor.goto("/review")
    images = loaded_images(editor, "img.thumb")
    assert any(f"/items/{pending_id}/thumbnail" in src for src, *_ in images)
    assert all(natural > 0 for _, natural, _, _ in images)
    editor.shot("thumbs-review")
    assert editor.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert rep.problems == [] and editor.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_item_page_viewer_turns_pages_with_buttons_and_arrows(library, open_tab, make_item, viewport):
    from tests import search_files

    item = make_item(title="Pricing guide", file=(search_files.pdf(pages=3), "guide.pdf"), stages=["decision"])
    item_id = item.id
    release_db()
    rep = open_tab(viewport)
    page = rep.page
    rep.login(library["users"]["sales"])
    rep.goto(f"/items/{item_id}")
    viewer = page.locator("[data-viewer]")
    label = viewer.locator("[data-viewer-label]")
    image = viewer.locator("img.viewer__page")

    def shown(number):
        assert label.inner_text() == f"Page {number} of 3"
        page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
        assert image.get_attribute("src").split("?")[0].endswith(f"/pages/{number}")
        assert image.evaluate("el => el.naturalWidth") == 1200

    shown(1)
    assert viewer.get_by_role("link", name="← Previous").get_attribute("aria-disabled") == "true"
    assert page.locator("iframe.preview--pdf").count() == 0  # no download, no PDF plug-in
    box = image.bounding_box()
    assert box["width"] <= viewport["width"]
    viewer.get_by_role("link", name="Next →").click()
    shown(2)
    assert page.url.endswith(f"/items/{item_id}?page=2")
    page.keyboard.press("ArrowRight")
    shown(3)
    assert viewer.get_by_role("link", name="Next →").get_attribute("aria-disabled") == "true"
    page.keyboard.press("ArrowRight")
    shown(3)
    page.keyboard.press("ArrowLeft")
    shown(2)
    rep.shot("viewer")

    # A link to a page opens the viewer there; without script the links reload at that page.
    rep.goto(f"/items/{item_id}?page=3")
    shown(3)
    rep.goto(f"/items/{item_id}?page=99")
    shown(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert rep.problems == []


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_pptx_viewer_shows_each_slide(library, open_tab, make_item):
    from tests import search_files

    deck = make_item(title="Healthcare deck", content_type="slide_deck", file=(search_files.pptx(slides=4), "deck.pptx"))
    deck_id = deck.id
    release_db()
    rep = open_tab(DESKTOP)
    rep.login(library["users"]["sales"])
    rep.goto(f"/items/{deck_id}?page=4")
    viewer = rep.page.locator("[data-viewer]")
    assert viewer.locator("[data-viewer-label]").inner_text() == "Page 4 of 4"
    image = viewer.locator("img.viewer__page")
    rep.page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("el => el.naturalWidth > el.naturalHeight")  # a slide, landscape
    rep.shot("viewer-pptx")
    assert rep.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_rep_sends_a_pitch_and_sees_which_items_the_prospect_opened(library, open_tab, make_item, viewport):
    """Add to pitch from an item page, a stage page and search results; the one link is in view and
    focused; the prospect, signed out, opens the pitch and one item, turns a page and leaves; the rep
    sees the per-item opens, the time in view (the page's beacon) and the pages seen (not the viewer's
    look-ahead of page 3)."""
    from tests import search_files

    guide = make_item(title="Pricing guide", file=(search_files.pdf(pages=3), "guide.pdf"), stages=["decision"])
    guide_id = guide.id
    release_db()
    rep = open_tab(viewport)
    page = rep.page
    rep.login(library["users"]["sales"])

    rep.goto(f"/items/{guide_id}")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Add to pitch")).click()
    assert "to your pitch (1 item)" in page.locator(".flashes").inner_text()
    rep.goto("/stages/consideration")
    with page.expect_navigation():
        page.locator("article.card", has_text="Acme case study").get_by_role("button", name="Add to pitch").click()
    assert page.url == rep.url("/stages/consideration")
    rep.goto("/search?q=pricing")
    with page.expect_navigation():
        page.locator("li.hit", has_text="Pricing one-pager").get_by_role("button", name="Add to pitch").click()
    assert "(3 items)" in page.locator(".flashes").inner_text()

    rep.goto("/pitch")
    assert page.locator(".pitch-list li").count() == 3
    page.get_by_label("Title").fill("Acme: pricing and proof")
    page.get_by_label("Message").fill("Dana, here is what we discussed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Create pitch link").click()
    page.wait_for_timeout(200)
    link = page.locator("#new-link-url")
    url = link.input_value()
    assert re.fullmatch(re.escape(rep.url("/p/")) + r"[\w-]{20,}", url), url
    box = link.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert page.evaluate("document.activeElement.id") == "new-link-url"
    assert link.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    rep.shot("pitch-created")

    prospect = open_tab(viewport)
    prospect.goto(url.removeprefix(rep.base_url))
    assert prospect.heading() == "Acme: pricing and proof"
    assert "Sam Rep" in prospect.text() and "Dana, here is what we discussed." in prospect.text()
    images = loaded_images(prospect, "img.thumb")
    assert len(images) == 3 and all(natural > 0 for _, natural, _, _ in images)
    prospect.shot("pitch-public")
    with prospect.page.expect_navigation():
        prospect.page.locator("article.card", has_text="Pricing guide").get_by_role("link").click()
    assert prospect.heading() == "Pricing guide"
    prospect.page.keyboard.press("ArrowRight")
    assert prospect.page.locator("[data-viewer-label]").inner_text() == "Page 2 of 3"
    loaded_images(prospect, "img.viewer__page")
    prospect.shot("pitch-item")
    assert prospect.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert prospect.page.evaluate("document.visibilityState") == "visible"
    prospect.page.wait_for_timeout(2200)  # in view for two whole seconds, then leave: pagehide sends them
    with prospect.page.expect_navigation():
        prospect.page.get_by_role("link", name="← Acme: pricing and proof").click()

    rep.goto("/shares")
    row = page.locator(".pitches-table tbody tr", has_text="Acme: pricing and proof")
    assert row.locator(f"[data-item-opens='{guide_id}']").inner_text() == "opened once"
    assert row.get_by_text("not opened yet").count() == 2
    in_view = row.locator(f"[data-item-time='{guide_id}']")
    for _ in range(20):  # the beacon is sent as the page goes; it may land just after
        if in_view.count() and in_view.inner_text().endswith(" in view"):
            break
        page.wait_for_timeout(250)
        rep.goto("/shares")
    seen_for = re.fullmatch(r"(\d+) s in view", in_view.inner_text())
    assert seen_for and 2 <= int(seen_for.group(1)) <= 30, in_view.inner_text()
    assert row.locator(f"[data-item-pages='{guide_id}']").inner_text() == "saw pages 1\u20132 of 3"
    rep.shot("pitch-shares")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert rep.problems == [] and prospect.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_search_hit_on_slide_14_opens_the_viewer_there(library, open_tab, make_item, viewport):
    """The result says which page matched, shows that page, and opens the viewer at it (a PPTX where
    LibreOffice is installed, else a PDF with the words on its 14th page)."""
    from tests import search_files

    if shutil.which("soffice") or shutil.which("libreoffice"):
        file = (search_files.pptx(slides=14), "deck.pptx")
        query = "objection handling"
    else:
        file = (search_files.pdf(pages=14, marker="objection handling"), "deck.pdf")
        query = "objection handling"
    deck = make_item(title="Healthcare deck", content_type="slide_deck", file=file, stages=["decision"])
    deck_id = deck.id
    release_db()
    rep = open_tab(viewport)
    page = rep.page
    rep.login(library["users"]["sales"])
    rep.goto(f"/search?q={query.replace(' ', '+')}")
    hit = page.locator("li.hit", has_text="Healthcare deck")
    assert hit.locator("[data-hit-page]").inner_text() == "page 14 of 14"
    thumb = hit.locator("img.thumb")
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=thumb.element_handle())
    assert thumb.get_attribute("src").startswith(f"/items/{deck_id}/pages/14?")
    rep.shot("search-hit-page")
    with page.expect_navigation():
        hit.locator("a.hit__title").click()
    assert page.url == rep.url(f"/items/{deck_id}?page=14#viewer")
    viewer = page.locator("[data-viewer]")
    assert viewer.locator("[data-viewer-label]").inner_text() == "Page 14 of 14"
    label_box = viewer.locator("[data-viewer-label]").bounding_box()
    assert 58 <= label_box["y"] <= viewport["height"] - 40, label_box  # in view, below the sticky top bar
    page.keyboard.press("ArrowLeft")
    assert viewer.locator("[data-viewer-label]").inner_text() == "Page 13 of 14"
    rep.shot("search-hit-viewer")
    assert rep.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_skip_link_slash_to_search_and_filters_folded_on_a_phone(library, open_tab, viewport):
    rep = open_tab(viewport)
    page = rep.page
    rep.login(library["users"]["sales"])
    rep.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q-top"
    page.keyboard.type("pricing")
    assert page.locator("#q-top").input_value() == "pricing"  # "/" typed in a field is just a character

    rep.goto("/search?q=one")
    facets = page.locator("#search-facets")
    toggle = page.get_by_role("button", name=re.compile(r"^Filters"))
    first = page.locator("li.hit").first
    if viewport is PHONE:
        assert not facets.is_visible() and toggle.is_visible()
        box = first.bounding_box()
        assert box["y"] + 40 < viewport["height"], f"the first result starts at {box['y']}px"
        toggle.click()
        assert facets.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        rep.shot("search-filters-open")
    else:
        assert facets.is_visible() and not toggle.is_visible()
    assert rep.problems == []


def test_marketing_uploads_twenty_files_at_once_and_creates_nineteen_drafts(library, open_tab, tmp_path):
    """Bulk upload (issue 15): 20 real files dropped and picked at once, each with its progress bar;
    the password-protected one says why and the others go on; the defaults reach every row, one
    row is changed, "Create drafts" makes 19 drafts whose text the worker indexes."""
    import base64

    from playwright.sync_api import expect
    from sqlalchemy import select

    from hub.auth.models import User
    from hub.library.models import Collateral, FileVersion, StagedUpload
    from hub.search import services as search
    from tests.bulk_files import REFUSED_NAME, REFUSED_REASON, twenty_files

    from .conftest import run_jobs

    twenty = twenty_files()
    paths = []
    for name, data, _ in twenty:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    before = set(db.session.scalars(select(Collateral.id)))
    release_db()

    editor = open_tab()
    page = editor.page
    editor.login(library["users"]["marketing"])
    with page.expect_navigation():
        page.get_by_role("link", name="Upload many").click()
    assert editor.heading() == "Upload many items"
    page.locator("select[name=content_type]").select_option(label="Datasheet")
    page.get_by_label("Decision", exact=True).check()
    page.get_by_label("Product", exact=True).fill("Hub Edge")

    # Nineteen through the file picker, the last one dropped on the drop zone.
    page.locator("#bulk-files").set_input_files(paths[:-1])
    dropped_name, dropped_data, _ = twenty[-1]
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, {type: "application/pdf"}));
        const zone = document.querySelector("[data-bulk]");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", [dropped_name, base64.b64encode(dropped_data).decode()])
    expect(page.locator(".upload.is-done, .upload.is-failed")).to_have_count(20, timeout=120_000)

    uploads = page.locator(".upload")
    assert uploads.count() == 20
    bars = page.locator(".upload.is-done progress")
    assert bars.count() == 19
    assert bars.evaluate_all("bars => bars.map(b => b.value)") == [100] * 19
    failed = page.locator(".upload.is-failed")
    assert failed.count() == 1
    assert failed.locator(".upload__name").inner_text() == REFUSED_NAME
    assert failed.locator(".upload__status").inner_text() == REFUSED_REASON
    assert page.locator("[data-row-count]").inner_text() == "19"
    rows = page.locator("tr[data-row]")
    assert rows.count() == 19

    # The defaults show in the rows; one row gets its own title, type, stage and persona.
    pricing = rows.filter(has_text=dropped_name)
    assert pricing.get_by_label(f"Title of {dropped_name}").input_value() == "Pricing guide 2025"
    assert pricing.get_by_label("Decision", exact=True).is_checked()
    assert pricing.get_by_label(f"Product of {dropped_name}").get_attribute("placeholder") == "Hub Edge"
    textbox = rows.filter(has_text="docx_textbox.docx")
    textbox.get_by_label("Title of docx_textbox.docx").fill("Textbox guide")
    textbox.get_by_label("Content type of docx_textbox.docx").select_option(label="Battlecard")
    textbox.get_by_label("Decision", exact=True).uncheck()
    textbox.get_by_label("Onboarding", exact=True).check()
    textbox.get_by_label("Persona of docx_textbox.docx").fill("CISO")
    page.get_by_label("Industry", exact=True).fill("Retail")  # a default changed after the rows came
    assert pricing.get_by_label(f"Industry of {dropped_name}").get_attribute("placeholder") == "Retail"
    assert not textbox.get_by_label("Decision", exact=True).is_checked()  # a touched row keeps its stages
    editor.shot("bulk-review")
    violations = editor.axe()
    assert violations == [], "\n".join(violations)

    phone = open_tab(PHONE)
    phone.login(library["users"]["marketing"])
    phone.goto("/items/bulk")
    assert phone.page.locator("tr[data-row]").count() == 19  # a reload (another device) loses nothing
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.shot("bulk-review")
    violations = phone.axe()
    assert violations == [], "\n".join(violations)

    with page.expect_navigation():
        page.get_by_role("button", name="Create drafts").click()
    assert page.url == editor.url("/review")
    assert "19 drafts created" in page.locator(".flashes").inner_text()
    expected = [p for p in editor.problems if "422" in p]  # the refused file's answer, which Chromium logs
    assert len(expected) == 2, editor.problems
    assert [p for p in editor.problems if p not in expected] == [] and phone.problems == []

    db.session.expire_all()
    items = db.session.scalars(select(Collateral).where(Collateral.id.not_in(before))).all()
    assert len(items) == 19
    assert db.session.scalar(select(db.func.count()).select_from(StagedUpload)) == 0
    marketing = db.session.scalar(select(User).where(User.email == library["users"]["marketing"]))
    assert {item.owner_id for item in items} == {marketing.id} and {item.status for item in items} == {"draft"}
    special = next(item for item in items if item.title == "Textbox guide")
    assert (special.content_type, special.stage_slugs, special.product, special.industry, special.persona) == (
        "battlecard", ["onboarding"], "Hub Edge", "Retail", "CISO")
    assert {(i.content_type, tuple(i.stage_slugs), i.product, i.industry) for i in items if i is not special} == {
        ("datasheet", ("decision",), "Hub Edge", "Retail")}
    assert {i.current_version.original_name for i in items} == {name for name, _, word in twenty if word}

    run_jobs()
    ids = [i.id for i in items]
    statuses = db.session.scalars(select(FileVersion).where(FileVersion.collateral_id.in_(ids))).all()
    assert {v.text_status for v in statuses} == {"complete"}
    for name, _, word in twenty:
        if word in ("zephyrine", "quetzal", "wombatpricing", "kestrelvalue", "narwhal", "toucan"):
            hits = search.search(marketing, word).hits
            assert [hit[0].current_version.original_name for hit in hits] == [name], word


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_weekly_review_on_screen_on_paper_and_as_pdf(library, open_tab, viewport, make_user):
    """The weekly review (issue 15) fits the window, prints without the navigation, downloads as a PDF,
    and a rep reads it without the marketing reports' links."""
    from hub.auth.models import User
    from hub.library.models import Collateral
    from hub.models import utcnow
    from hub.usage import review
    from tests.fixtures.usage import record

    rep = db.session.scalar(db.select(User).where(User.email == library["users"]["sales"]))
    item = db.session.get(Collateral, library["ids"]["approved"])
    for action in ("view", "view", "download", "share_created", "share_opened"):
        record(action, None if action == "share_opened" else rep, item, 1)
    record("search", rep, None, 1, query="pricing japan", result_count=0)
    week = review.Week((utcnow() - timedelta(days=1)).date() - timedelta(days=(utcnow() - timedelta(days=1)).weekday()))
    release_db()

    editor = open_tab(viewport)
    page = editor.page
    editor.login(library["users"]["marketing"])
    editor.goto("/review/goals")
    page.get_by_label(re.compile("^Prospect opens of shared links")).fill("1")
    page.get_by_label(re.compile("^Active reps")).fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Save goals").click()
    editor.goto(f"/review/weekly?week={week.label}")
    assert editor.heading() == f"Weekly review {week.label}"
    assert page.locator("section.panel").count() == 9
    assert page.locator(".review__goal").count() == 2 and page.locator("svg.spark").count() == 4
    assert "Pricing one-pager" in editor.text() and "pricing japan" in editor.text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"wider than the window: {width}"
    editor.shot("weekly-review")
    # Every number is a link to the report behind it (marketing sees them all).
    assert page.locator(".review__figures a, .review__goal-figure a").count() >= 9
    with page.expect_navigation():
        page.locator("#search-title").locator("xpath=..").locator(".review__figures strong a").click()
    assert "/insights/search?" in page.url and editor.heading() == "Search insights"
    page.go_back()

    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible() and not page.locator(".review__nav").is_visible()
    assert page.locator("#goals-title").is_visible()
    editor.shot("weekly-review-print")
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF").click()
    assert info.value.suggested_filename == f"weekly-review-{week.label}.pdf"
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
    assert editor.problems == []

    reader = open_tab(viewport)
    reader.login(library["users"]["sales"])
    reader.goto(f"/review/weekly?week={week.label}")
    assert "Pricing one-pager" in reader.text()
    assert reader.page.locator("a[href*='/insights']").count() == 0
    assert reader.page.locator("a[href*='/review/goals']").count() == 0
    reader.shot("weekly-review-rep")
    assert reader.problems == []


def test_bulk_upload_without_javascript(library, chromium, server_url, shots, tmp_path):
    """Without JavaScript the picker's form posts every file at once; the refused one is named with
    why, and the same review table makes the drafts."""
    from tests.bulk_files import REFUSED_NAME, REFUSED_REASON, encrypted_docx

    names = {"Case study Acme.pdf": tiny_pdf("Acme"), "notes.txt": b"Plain notes for reps", REFUSED_NAME: encrypted_docx()}
    for name, data in names.items():
        (tmp_path / name).write_bytes(data)
    context = chromium.new_context(java_script_enabled=False, viewport=DESKTOP, base_url=server_url)
    try:
        tab = Tab(context, server_url, shots)
        page = tab.page
        tab.login(library["users"]["marketing"])
        tab.goto("/items/bulk")
        page.locator("#bulk-files").set_input_files([str(tmp_path / name) for name in names])
        with page.expect_navigation():
            page.get_by_role("button", name="Upload files").click()
        flashes = page.locator(".flashes").inner_text()
        assert "2 files uploaded" in flashes
        assert f"\u201c{REFUSED_NAME}\u201d was not uploaded: {REFUSED_REASON}" in flashes
        assert page.locator("tr[data-row]").count() == 2
        assert page.get_by_label("Title of Case study Acme.pdf").input_value() == "Case study Acme"
        page.locator("select[name=content_type]").select_option(label="Case study")
        page.locator("input[name=stages][value=consideration]").check()
        tab.shot("bulk-no-js")
        with page.expect_navigation():
            page.get_by_role("button", name="Create drafts").click()
        assert page.url == tab.url("/review")
        assert "2 drafts created" in page.locator(".flashes").inner_text()
        assert tab.problems == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bell_counts_a_newly_published_calendar_entry_without_a_reload(app, make_user, make_entry, editor,
                                                                            open_tab, viewport):
    """A rep's open page polls the bell's count (HUB_NOTIFICATION_POLL_SECONDS, shortened here): once
    marketing publishes a draft entry, the number and the bell's accessible name rise in place."""
    from playwright.sync_api import expect

    app.config["NOTIFICATION_POLL_SECONDS"] = 1
    rep_user = make_user("sales", name="Sam Rep")
    draft = make_entry(title="Partner summit", published=False)
    rep_email, editor_email, draft_id = rep_user.email, editor.email, draft.id
    release_db()

    rep = open_tab(viewport)
    page = rep.page
    rep.login(rep_email)
    rep.goto("/saved")
    bell = page.locator("[data-bell]")
    assert bell.get_attribute("data-poll-seconds") == "1"
    assert page.locator("[data-bell-count]").count() == 0
    expect(page.get_by_role("banner").get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    page.evaluate("window.hubNoReload = 1")  # gone if the page reloads

    marketing = open_tab(viewport)
    marketing.login(editor_email)
    marketing.goto(f"/calendar/entries/{draft_id}")
    with marketing.page.expect_navigation():
        marketing.page.get_by_role("button", name="Publish", exact=True).click()

    expect(page.locator("[data-bell-count]")).to_have_text("1", timeout=10_000)
    expect(page.get_by_role("banner").get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    assert page.evaluate("window.hubNoReload") == 1 and page.url == rep.url("/saved")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    rep.shot("bell-polled")
    assert rep.problems == [] and marketing.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_saved_item_gets_a_new_version_the_rep_sees_the_bell_and_gets_mail(library, open_tab, viewport, mailbox,
                                                                             tmp_path):
    """Issue 14's proof: a rep stars an item (in place, with script), asks for e-mail; marketing uploads a new
    version; the rep's bell counts it, the notifications page lists it, and the e-mail reaches the SMTP server."""
    from playwright.sync_api import expect

    from tests.conftest import run_jobs

    rep = open_tab(viewport)
    page = rep.page
    rep.login(library["users"]["sales"])
    rep.goto("/stages/awareness")
    star = page.get_by_role("button", name="Save “Pricing one-pager”")
    assert star.get_attribute("aria-pressed") == "false"
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")  # no string predicate: the CSP forbids eval
    assert page.url == rep.url("/stages/awareness")  # saved in place, no reload
    rep.shot("star-saved")
    rep.goto("/saved")
    assert "Pricing one-pager" in page.locator("main").inner_text()
    rep.shot("saved")
    rep.goto("/account")
    page.get_by_label("An item you saved or shared has a new version").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save e-mail choices").click()
    assert page.get_by_label("An item you saved or shared has a new version").is_checked()
    assert page.locator("[data-bell-count]").count() == 0

    editor = open_tab(viewport)
    editor.login(library["users"]["marketing"])
    editor.goto(f"/items/{library['ids']['approved']}")
    new_file = tmp_path / "Pricing 2026.pdf"
    new_file.write_bytes(tiny_pdf("Pricing 2026"))
    editor.page.get_by_label("Upload a new version").set_input_files(str(new_file))
    with editor.page.expect_navigation():
        editor.page.get_by_role("button", name="Upload", exact=True).click()
    assert "Version 2 uploaded" in editor.page.locator(".flashes").inner_text()
    with editor.page.expect_navigation():  # reps get it, and the news, once it is approved (issue 15)
        editor.page.get_by_role("button", name="Approve version 2").click()
    run_jobs()  # the worker: previews, index and the queued e-mail
    release_db()

    rep.goto("/")
    bell = page.locator("[data-bell]")
    assert bell.is_visible()  # in the top bar on a phone too, outside the folded menu
    assert page.locator("[data-bell-count]").inner_text() == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    rep.shot("bell")
    with page.expect_navigation():
        bell.click()
    assert rep.heading() == "Notifications"
    assert "“Pricing one-pager” has a new version (2)." in page.locator(".notes").inner_text()
    rep.shot("notifications")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark all as read").click()
    assert page.locator("[data-bell-count]").count() == 0

    [message] = mailbox.wait_for(1)
    assert message["Subject"] == "Hub: “Pricing one-pager” has a new version (2)."
    assert f"https://hub.example.com/items/{library['ids']['approved']}" in message.get_body(("plain",)).get_content()
    assert rep.problems == [] and editor.problems == []
