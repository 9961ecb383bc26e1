"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Playwright runs its own event loop in this thread; Django's async-safety check would refuse the ORM calls the
# tests make between browser steps, although they run synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Close the database connections the test itself opened. With Playwright's sync API (greenlets) running, a
    query made in the test's body can land on a connection of its own that no fixture's teardown sees; left open,
    it keeps PostgreSQL from dropping the test database at the end of the run."""
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()


@pytest.fixture
def browser(live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: run `make install-system` (apt-get install chromium).")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
