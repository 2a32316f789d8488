"""Project-wide fixtures: the shipped data loaded once per session, e2e server and browser."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop in the main thread; Django would then refuse
# database calls of later tests as "async context". The e2e browser never touches the test DB.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Longest wait for a rights result page in the browser (and the e2e server's simulation limit):
# generous because CI machines are shared; a quiet machine answers in a few seconds.
E2E_RIGHTS_TIMEOUT_S = 240
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run browser tests last, after every database test, and transactional tests just before them
    (random order is kept within each group).

    While Playwright's sync API is active, an event loop runs in the main thread and Django
    hands out a separate, context-local database connection: database tests must not run then.
    """
    items.sort(key=lambda item: (item.get_closest_marker("e2e") is not None, _flushes_database(item)))


def _flushes_database(item) -> bool:
    """Transactional tests empty every table when they end: run them after the others.

    The tests after them would otherwise reload the shipped territory and offer (~10 s each
    time); in random order that happened after every such test.
    """
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def _bootstrap() -> None:
    call_command("bootstrap", "--no-migrate", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped territory and offer once: most tests read them."""
    with django_db_blocker.unblock():
        _bootstrap()


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """No test sees an offer index or mobility context built from another test's rolled-back rows."""
    from carteblanche.directory.search_index import invalidate_offer_index
    from carteblanche.mobility import context

    invalidate_offer_index()
    context.forget_mobility_context()  # no database access: tests without the db fixture use this too
    yield


@pytest.fixture(autouse=True)
def process_marks_restored():
    """A test that marks the process as a web server (as config/wsgi.py does) must not turn later tests
    of the same worker into a server's: background prefills would start in them."""
    from carteblanche.core import serving

    before = serving.is_serving()
    yield
    serving._serving = before


@pytest.fixture
def shipped_data(db):
    """The shipped data, reloaded if a transactional test flushed it."""
    from carteblanche.territories.models import Commune

    if not Commune.objects.exists():
        _bootstrap()


# --- end-to-end: a real server process on its own database, driven by Chromium ---


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _e2e_database_url(tmp_path_factory) -> tuple[str, callable]:
    """A fresh database for the e2e server: a temporary SQLite file, or a new PostgreSQL database."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        prefix, _, _ = base.rpartition("/")
        name = f"cb_e2e_{uuid.uuid4().hex[:8]}"
        admin_url = f"{prefix}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"{prefix}/{name}", drop
    path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    return f"sqlite:///{path}", lambda: None


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory):
    """Base URL of a dev server (settings.dev) on a fresh, bootstrapped database with demo accounts."""
    url, drop = _e2e_database_url(tmp_path_factory)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    subprocess.run([sys.executable, "manage.py", "bootstrap", "--demo", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    # The server builds OpenFisca-France at start-up, as production servers do, while the other
    # e2e tests run: a rights page then waits for one simulation, not for the system's build
    # too. On a loaded CI machine (4x slower than a quiet one) build + first simulation passed
    # the 60 s limits; the server's own limit is raised to the tests' E2E_RIGHTS_TIMEOUT_S.
    server_env = {**env, "RIGHTS_WARMUP": "1", "RIGHTS_TIMEOUT_S": str(E2E_RIGHTS_TIMEOUT_S)}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()) from None
            time.sleep(0.2)
    yield base_url
    server.terminate()
    server.wait(timeout=10)
    drop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_csp(page) -> list[str]:
    """Collect the Content-Security-Policy refusals the browser reports on this page's console."""
    refusals: list[str] = []
    page.on("console", lambda msg: refusals.append(msg.text) if "Content Security Policy" in msg.text else None)
    return refusals


@pytest.fixture
def page(browser):
    # The test tools (axe-core's probes, Playwright's string predicates) need what the site's CSP
    # forbids (inline styles, eval): persona tests bypass it; tests/e2e/test_csp.py enforces it.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    _close_context_local_connections()


def _close_context_local_connections() -> None:
    """Close connections a test may have opened while Playwright's loop was running."""
    from django.db import connections

    connections.close_all()


def new_phone_page(browser, **options):
    """A page on a small phone screen (iPhone SE size); `options` go to the browser context."""
    options.setdefault("bypass_csp", True)  # see the `page` fixture
    context = browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def phone_page(browser):
    """A small phone screen (iPhone SE size)."""
    context, page = new_phone_page(browser)
    yield page
    context.close()
    _close_context_local_connections()


def assert_accessible(page) -> None:
    """axe-core (bundled with axe-playwright-python) finds no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    # A click on a submit button returns once the navigation has started, not ended: axe run in
    # between finds no document (or a destroyed context). Wait for the new page and try again.
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError as error:
            navigating = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
            page.wait_for_timeout(200)
    violations = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in ("serious", "critical")]
    assert not blocking, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in blocking
    )
