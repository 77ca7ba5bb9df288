"""A fixed little jurisdiction and cast, shared by every test.

    city 9900 > district 990001 > street 99000101 > community C1 (grids G1a, G1b)
                                                  > community C2 (grid G2a)
Users (password "pw-Firstline-1"): grid_a (grid worker of G1a), gate_c1 (gate duty of C1),
staff_c1 (community staff of C1), staff_c2 (community staff of C2), hq (street staff),
auditor (auditor of the street), admin (admin of the city), nobody (no role).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from firstline.accounts.roles import Role
from firstline.accounts.services import token_create, user_assign
from firstline.areas.models import Level
from firstline.areas.services import area_upsert

PASSWORD = "pw-Firstline-1"


class Jurisdiction:
    pass


@pytest.fixture(scope="session", autouse=True)
def _fresh_shared_cache():
    """With FIRSTLINE_REDIS_URL the cache outlives the run: start from an empty one."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.REDIS_URL:
        cache.clear()


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def tasks_run_inline(settings):
    """Background tasks run where they are enqueued (an upload is imported by the time its
    page is shown). The worker tests (tests/test_worker.py) use the real queue and worker
    processes instead."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def exports_in_tmp(settings, tmp_path):
    """Export jobs write their files to a temporary folder, not the checkout's var/."""
    settings.EXPORTS_DIR = tmp_path / "exports"


def export_download(response):
    """Asking for a big export redirects to its job page (the task has run: tests run tasks
    inline); this follows it to the file, as the same user. Any other answer is returned
    as it is."""
    import re

    if response.status_code != 302:
        return response
    m = re.fullmatch(r"/exports/(\d+)/", response["Location"])
    assert m, response["Location"]
    return response.client.get(f"/exports/{m.group(1)}/download/")


@pytest.fixture(autouse=True)
def language_of_the_installation():
    """Each test starts in the installation's language. A request through the test client
    leaves its language active in the thread (LocaleMiddleware activates, nothing resets),
    so a test after an English page would read English words and pass or fail by run order."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests log in hundreds of times. Production keeps Argon2
    (tests/accounts/test_login.py checks the setting)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def areas(db):
    j = Jurisdiction()
    j.city, _ = area_upsert(code="9900", name="测试市", level=Level.CITY, parent=None)
    j.district, _ = area_upsert(code="990001", name="测试区", level=Level.DISTRICT, parent=j.city)
    j.street, _ = area_upsert(code="99000101", name="测试街道", level=Level.STREET,
                              parent=j.district)
    j.c1, _ = area_upsert(code="C1", name="一社区", level=Level.COMMUNITY, parent=j.street)
    j.c2, _ = area_upsert(code="C2", name="二社区", level=Level.COMMUNITY, parent=j.street)
    j.g1a, _ = area_upsert(code="G1a", name="一社区第1网格", level=Level.GRID, parent=j.c1)
    j.g1b, _ = area_upsert(code="G1b", name="一社区第2网格", level=Level.GRID, parent=j.c1)
    j.g2a, _ = area_upsert(code="G2a", name="二社区第1网格", level=Level.GRID, parent=j.c2)
    return j


@pytest.fixture
def cast(areas):
    c = Jurisdiction()
    for name, role, area in [
        ("grid_a", Role.GRID_WORKER, areas.g1a),
        ("gate_c1", Role.GATE_DUTY, areas.c1),
        ("staff_c1", Role.COMMUNITY_STAFF, areas.c1),
        ("staff_c2", Role.COMMUNITY_STAFF, areas.c2),
        ("hq", Role.STREET_STAFF, areas.street),
        ("auditor", Role.AUDITOR, areas.street),
        ("admin", Role.ADMIN, areas.city),
    ]:
        user, _ = user_assign(username=name, role=role, area=area, password=PASSWORD)
        setattr(c, name, user)
    from firstline.accounts.models import User

    c.nobody = User.objects.create_user("nobody", password=PASSWORD)
    return c


class ApiClient:
    """A test client speaking JSON with a bearer token."""

    def __init__(self, user):
        self.user = user
        self.token, _ = token_create(user=user, label="test")
        self.client = Client()

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path, **params):
        return self.client.get(path, params, **self._headers())

    def post(self, path, data=None):
        return self.client.post(path, data or {}, content_type="application/json",
                                **self._headers())

    def patch(self, path, data=None):
        return self.client.patch(path, data or {}, content_type="application/json",
                                 **self._headers())

    def put(self, path, data=None):
        return self.client.put(path, data or {}, content_type="application/json",
                               **self._headers())


@pytest.fixture
def api(cast):
    """api("staff_c1").get("/api/v1/...")"""
    clients = {}

    def get(username):
        if username not in clients:
            clients[username] = ApiClient(getattr(cast, username))
        return clients[username]

    return get


# --- browser tests (Playwright driving Debian's Chromium) ---------------------------------

import os  # noqa: E402
import threading  # noqa: E402

from django.core.servers.basehttp import ThreadedWSGIServer  # noqa: E402

# Playwright's sync API runs an event loop in the test thread; Django's async-safety check
# would refuse the ORM calls the test makes between page actions.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("FIRSTLINE_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """new_page(viewport=PHONE, locale="zh-CN") -> a Playwright page in a fresh context."""
    contexts = []

    def make(viewport=PHONE, locale="zh-CN", **kwargs):
        context = chromium.new_context(viewport=viewport, locale=locale, **kwargs)
        contexts.append(context)
        page = context.new_page()
        _record_traffic(page)
        make.pages.append(page)
        return page

    make.pages = []
    yield make
    for context in contexts:
        context.close()
    # A request the page started (an htmx panel) may still be running in the live server, or
    # be read and about to run: let a running one finish and turn away any later one, so
    # nothing reads the test database while it is flushed (a flush under a running request
    # failed with "database table is locked" and left the next test the old rows).
    with _SerialLiveServer.busy:
        _SerialLiveServer.closed = True


def _record_traffic(page, keep=25):
    """Keep the page's last answers and console errors: a browser test that fails on CI shows
    them in its report (pytest_runtest_makereport below), which is all a rare failure leaves."""
    page.firstline_log = log = []

    def note(line):
        log.append(line)
        del log[:-keep]

    page.on("response", lambda r: note(f"{r.status} {r.request.method} {r.url}"))
    page.on("requestfailed", lambda r: note(f"failed {r.method} {r.url}: {r.failure}"))
    page.on("console", lambda m: note(f"console {m.type}: {m.text}") if m.type == "error"
            else None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    make = getattr(item, "funcargs", {}).get("new_page")
    if report.when != "call" or not report.failed or make is None:
        return
    for n, page in enumerate(make.pages, 1):
        try:
            text = page.locator("body").inner_text(timeout=2000)[:1500]
            url = page.url
        except Exception as exc:  # the page may be gone; the log is still worth showing
            text, url = f"(unreadable: {exc})", "?"
        report.sections.append((f"browser page {n}: {url}",
                                "\n".join(page.firstline_log) + "\n--- page text ---\n" + text))


def htmx_settled(page):
    """Wait until htmx has swapped and processed what it loaded (a panel's forms are bound
    only when its settle step runs, a moment after the new content is in the page)."""
    page.locator(".htmx-added, .htmx-swapping, .htmx-settling, .htmx-request").first.wait_for(
        state="detached")


def browser_login(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")


class _SerialLiveServer(ThreadedWSGIServer):
    """The live server, running the application one request at a time. On SQLite the test
    database lives in memory and the live server shares the test's one connection with every
    request thread; two requests at once (a page and the htmx panels still loading from the
    page before) would step on each other's cursors ("another row available").

    Connections are still accepted and read in their own threads: Chromium opens speculative
    connections it may never send a request on, and a server that accepted one connection at
    a time sat waiting on such an idle socket while the page's real request queued behind it
    (a page.goto timing out after 30 s on a loaded machine). PostgreSQL keeps the stock
    threaded server: each request thread has its own connection there."""

    busy = threading.Lock()  # held while the application runs; see new_page's teardown
    closed = False  # set when a test's pages are closed: a late request is turned away

    def set_app(self, application):
        def serial(environ, start_response):
            with self.busy:
                if self.closed:
                    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                    return [b"the test is over"]
                result = application(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

        super().set_app(serial)


@pytest.fixture(autouse=True)
def _live_server_open():
    """Each test starts with the live server taking requests (new_page's teardown closes it)."""
    _SerialLiveServer.closed = False


@pytest.fixture(scope="session", autouse=True)
def _live_server_serial_on_sqlite():
    from django.db import connections
    from django.test.testcases import LiveServerThread

    if connections["default"].vendor != "sqlite":
        yield
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = _SerialLiveServer
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(scope="session")
def _migrated_file(tmp_path_factory):
    """A migrated SQLite database file, built once a session (a migrate costs ~15 s) and copied
    for each test that needs a real file: a copy is exactly what a migrate would have made."""
    from django.core.management import call_command
    from django.db import connections

    conn = connections["default"]
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite3"
    memory, old_name = conn.connection, conn.settings_dict["NAME"]
    conn.connection = None  # detach: closing an in-memory connection would drop the test DB
    conn.settings_dict["NAME"] = str(path)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        with conn.cursor() as cursor:  # everything in the file itself, none in its WAL
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
        conn.settings_dict["NAME"] = old_name
        conn.connection = memory
    return path


@pytest.fixture
def file_database(transactional_db, tmp_path, request):
    """On SQLite, run the test on a real database file (WAL, immediate transactions — what
    production uses) instead of the suite's shared-cache in-memory database, whose table
    locks fail at once instead of waiting. A no-op on PostgreSQL."""
    import shutil

    from django.db import connections

    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield
        return
    template = request.getfixturevalue("_migrated_file")
    memory, old_name = conn.connection, conn.settings_dict["NAME"]
    conn.connection = None  # detach: closing an in-memory connection would drop the test DB
    conn.settings_dict["NAME"] = str(shutil.copyfile(template, tmp_path / "concurrency.sqlite3"))
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict["NAME"] = old_name
        conn.connection = memory

@pytest.fixture
def within_one_clock_hour():
    """The link's flood guard counts per clock hour: a test sending 13 reports in a row runs
    at half past the hour it starts in, far from the next (at :59:59 the last report would
    land in a new hour and pass)."""
    import time_machine
    from django.utils import timezone as tz

    with time_machine.travel(tz.localtime().replace(minute=30, second=0, microsecond=0),
                             tick=True):
        yield


@pytest.fixture
def ten_oclock():
    """The server's clock at 10:00 today, China time, and running: far from midnight (where a
    day's quota window, "today" and "tomorrow" start anew) and from the other hours a day is
    cut at (care-call slots at 14:00, disinfection periods at 12:00, the report due at 16:00).
    For a browser test whose outcome hangs on the hour or the day. Ask for it before the
    fixtures that make data, so they are made at that moment too; a page that reads the clock
    itself (the gate) is set beside it: page.clock.set_fixed_time(...)."""
    import time_machine

    from firstline import clock

    with time_machine.travel(clock.at(clock.today(), "10:00"), tick=True) as traveller:
        yield traveller


def race(n, work):
    """Run work(i) for i in range(n) in n real threads (each with its own database connection),
    released together by a barrier. Returns each result, or the exception it raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - returned for the caller's assertion
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def race_while_locked(lock, posts):
    """posts[i]() for each i at once, while a holder thread keeps a row locked (`lock()`, run
    in its transaction: e.g. a select_for_update of the row the service waits on) for 0.5 s
    after they start, so the requests really overlap there even on a busy machine. Returns
    [(status, json)] in the posts' order."""
    import threading
    import time

    from django.db import transaction

    started = threading.Event()

    def work(i):
        if i == len(posts):
            with transaction.atomic():
                lock()
                started.set()
                time.sleep(0.5)
            return None
        started.wait(10)
        r = posts[i]()
        return r.status_code, r.json()

    return race(len(posts) + 1, work)[:-1]


def race_create(n, add, made_type):
    """A create sent n times at the same instant: race(n, add), then add(n) once more, after
    it, in a thread too (each thread has the same language, whatever a test before left
    active in this one). Asserts exactly one `made_type` was made and every other request got
    the answer that sequential duplicate gets: the same exception type, code, status, field
    and message, never an IntegrityError. Returns (the one made, the sequential answer)."""
    results = race(n, add)
    (sequential,) = race(1, lambda i: add(n))
    assert isinstance(sequential, Exception), sequential
    answer = (type(sequential), sequential.code, sequential.status, sequential.field,
              sequential.detail)
    made = [r for r in results if isinstance(r, made_type)]
    answered = [r for r in results if isinstance(r, Exception)
                and (type(r), r.code, r.status, r.field, r.detail) == answer]
    assert (len(made), len(answered)) == (1, n - 1), results
    return made[0], sequential


SH = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=12, mm=0):
    """A moment in Asia/Shanghai, the demo's and the seeds' local time."""
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def make_household(grid, compound_name="阳光花园", building="1", unit="1", room="101"):
    """A household in a compound of the grid's community (created if missing)."""
    from firstline.people.models import Building, Compound, Household

    compound, _ = Compound.objects.get_or_create(area=grid.parent, name=compound_name)
    b, _ = Building.objects.get_or_create(compound=compound, name=building)
    household, _ = Household.objects.get_or_create(
        compound=compound, building_name=building, unit=unit, room=room,
        defaults={"building": b, "grid": grid})
    return household


@pytest.fixture
def web(cast):
    """web(username, lang="zh-hans") -> a Django test client signed in as one of the cast."""
    from django.test import Client

    def login(username, lang="zh-hans"):
        c = Client()
        assert c.login(username=username, password=PASSWORD)
        c.cookies["django_language"] = lang
        return c
    return login


def write_xlsx(path, header, rows):
    """A one-sheet workbook: `header`, then `rows`, as a spreadsheet program saves it."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def event_id_in(html: str, *, form: str | None = None) -> str:
    """The hidden event_id a rendered form carries (firstline.forms.OnceForm); exactly one.
    `form`: on a page with several such forms, the one whose markup contains this text."""
    import re

    if form is not None:
        forms = [f for f in re.findall(r"<form\b.*?</form>", html, re.S) if form in f]
        assert len(forms) == 1, forms
        html = forms[0]
    found = re.findall(r'<input type="hidden" name="event_id" value="([0-9a-f-]{36})"', html)
    assert len(found) == 1, found
    return found[0]
