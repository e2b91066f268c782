"""Fixtures for the browser tests: Debian's Chromium driven by Playwright (sync API), the pages served by
pytest-django's `live_server` (static files included), a signed-in page and screenshots in /tmp/browser-shots/.

No browser is ever downloaded: without Chromium on the machine the tests are skipped (or fail loudly when
COSO_REQUIRE_BROWSER=1, as on a machine that must run them).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SKIP_MESSAGE = (
    "Chromium không có trên máy này: bỏ qua kiểm thử trình duyệt (cài gói Debian 'chromium' để chạy)"
)
SHOTS = Path("/tmp/browser-shots")
PASSWORD = "mat-khau-thu-2025"
TIMEOUT_MS = 8_000


def chromium_path() -> str | None:
    """Debian's Chromium, or any `chromium` on PATH; None when the machine has none."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


class Chromium:
    """Debian's Chromium through Playwright's sync API, started on first use and stopped by `stop()`.

    Playwright's sync API keeps an asyncio loop running in this thread while it is started. Django then refuses
    ORM calls from the tests ("async unsafe") unless DJANGO_ALLOW_ASYNC_UNSAFE is set, and keeps its database
    connections in a separate (async) storage; asgiref's `async_to_sync` would refuse to run at all. So the flag
    is set only while Chromium runs, and Chromium is stopped as soon as the browser tests are over (see
    `pytest_runtest_teardown` below) rather than at the very end of the session.
    """

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._playwright: Any = None
        self._browser: Any = None
        self._saved_flag: str | None = None

    def _started(self) -> Any:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._saved_flag = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable, args=CHROMIUM_ARGS
            )
        return self._browser

    def new_context(self, **kwargs: Any) -> Any:
        return self._started().new_context(**kwargs)

    def stop(self) -> None:
        if self._playwright is None:
            return
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._playwright.stop()
            self._playwright = self._browser = None
            if self._saved_flag is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._saved_flag


_OPEN: list[Chromium] = []


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Chromium]:
    """One headless Chromium for the session's browser tests (skipped when the machine has none).

    It depends on `django_db_setup` so that the test database outlives it.
    """
    path = chromium_path()
    if path is None:
        if os.environ.get("COSO_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "COSO_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium hoặc `chromium` "
                "trong PATH): cài gói Debian 'chromium'.",
                pytrace=False,
            )
        pytest.skip(SKIP_MESSAGE)
    chromium = Chromium(path)
    _OPEN.append(chromium)
    yield chromium
    chromium.stop()
    _OPEN.remove(chromium)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the last of a run of browser tests (its fixtures torn down), stop Chromium; a later browser test
    would start it again."""
    try:
        return (yield)
    finally:
        if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
            for chromium in _OPEN:
                chromium.stop()


# Data migrations whose `seed(apps, schema_editor)` puts vocabularies and dated rules in place (idempotent).
SEED_MIGRATIONS = [
    "coso.orgs.migrations.0002_seed_vocabulary",
    "coso.members.migrations.0002_seed",
    "coso.members.migrations.0004_structure_rule",
]


@pytest.fixture(autouse=True)
def vocabulary(transactional_db: None) -> None:
    """The vocabularies and rules that the data migrations seed, put back before each test.

    Every test here is transactional (the live server reads what the test wrote), so the database is emptied
    after each one, seeded rows included. `serialized_rollback` cannot restore them: once Playwright's loop is
    running, Django keeps its connections in another (async) storage, without the serialized copy.
    """
    from django.apps import apps

    for module in SEED_MIGRATIONS:
        import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """A quick hasher: the real one costs most of a second per password and is not what these tests look at."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class PageProblems:
    """What went wrong in the browser while a test ran: JS errors and failed requests (a 404 for coso.js…)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.csp: list[str] = []  # what the Content-Security-Policy blocked: checked after every browser test

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.items.append(f"lỗi JavaScript: {exc}"))
        page.on("console", self._console)
        page.on(
            "response",
            lambda r: self.items.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        page.on("requestfailed", self._request_failed)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp.append(f"{message.text} ({message.location.get('url', '')})")

    def _request_failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page moved on (a test navigating away
        # while a fragment such as a member summary is still loading): not a fault of the page.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self.items.append(f"yêu cầu thất bại: {request.url} ({request.failure})")


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(browser: Chromium, page_problems: PageProblems) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh browser contexts (own cookies), desktop size unless told otherwise."""
    contexts: list[Any] = []

    def open_page(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page_problems.watch(page)
        return page

    yield open_page
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for context in contexts:
        # let requests still in flight (a fragment loading, a poll) finish before the test's data is flushed:
        # the live server would otherwise read tables the teardown is emptying ("database table is locked").
        # A page that keeps polling never goes idle for long: after 5 s it is closed as it is.
        for page in context.pages:
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_load_state("networkidle", timeout=5_000)
        context.close()
    assert not page_problems.csp, "Content-Security-Policy đã chặn: " + "; ".join(page_problems.csp)


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """`shot(page, "label")` saves a full-page screenshot as /tmp/browser-shots/<test>-NN-<label>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^a-z0-9_]+", "-", request.node.name.lower()).strip("-")
    counter = {"n": 0}

    def save(page: Any, label: str) -> Path:
        counter["n"] += 1
        path = SHOTS / f"{test}-{counter['n']:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def make_user(username: str, *, grant_on: Any = None, role: str = "org_commission") -> Any:
    """A user with a known password, optionally granted `role` on `grant_on`'s subtree."""
    from coso.accounts.models import User
    from coso.accounts.services import grant_role

    user = User(username=username, full_name=f"Cán bộ {username}")
    user.set_password(PASSWORD)
    user.save()
    if grant_on is not None:
        grant_role(None, user=user, role=role, org=grant_on)
    return user


@pytest.fixture
def logged_in(new_page: Callable[..., Any], live_server: Any) -> Callable[..., Any]:
    """`logged_in(user)`: a page whose browser holds a session of `user` (made by the test client)."""
    from django.conf import settings
    from django.test import Client

    def open_as(user: Any, width: int = 1280, height: int = 900) -> Any:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page = new_page(width, height)
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return open_as
