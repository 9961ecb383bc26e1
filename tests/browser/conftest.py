"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright."""

import os
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pluggy import Result

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Playwright runs its own event loop in this thread; Django's async-safety check would refuse the ORM calls the
# tests make between browser steps, although they run synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Result[None], None]:
    """Close the database connections the test itself opened. With Playwright's sync API (greenlets) running, a
    query made in the test's body can land on a connection of its own that no fixture's teardown sees; left open,
    it keeps PostgreSQL from dropping the test database at the end of the run.

    Then fail a test in which a page broke the Content-Security-Policy (see ``browser``), even if its own steps
    passed: the site must work under its policy, not merely load."""
    try:
        outcome = yield
    finally:
        from django.db import connections

        connections.close_all()
    violations = getattr(item, "csp_violations", [])
    if violations and outcome.excinfo is None:
        outcome.force_exception(AssertionError("Content-Security-Policy violations:\n" + "\n".join(violations)))
        violations.clear()  # reported: the fixture's teardown checks only for later ones


# Every page reports each `securitypolicyviolation` event to Python (the binding survives navigations). Chromium
# also writes each violation to the console, which covers workers, where this listener does not run.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  const where = `${event.sourceFile || event.documentURI}:${event.lineNumber}`;
  window.__reportCspViolation(`${event.effectiveDirective} refused ${event.blockedURI || 'inline code'} at ${where}`);
});
"""


@pytest.fixture
def browser(live_server, request) -> Iterator[object]:
    """Chromium, whose every context records the Content-Security-Policy violations of its pages on the test
    item (``csp_violations``); the test fails if there are any."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed: run `make install-system` (apt-get install chromium).")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev)")
    violations: list[str] = []
    request.node.csp_violations = violations

    def on_violation(description: str) -> None:
        violations.append(description)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        new_context = browser.new_context

        def new_context_recording_violations(**options):
            context = new_context(**options)
            context.expose_function("__reportCspViolation", on_violation)
            context.add_init_script(CSP_LISTENER)
            context.on("console", on_console)
            return context

        # Tests open contexts with browser.new_context() or context.browser.new_context(): the same object.
        browser.new_context = new_context_recording_violations
        yield browser
        browser.close()
    # Violations reported after the test's last step (while its contexts closed) fail it here, at teardown.
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
LAPTOP = {"viewport": {"width": 1280, "height": 900}}


def signed_in_page(browser: Any, live_server: Any, user: Any, *, language: str, device: dict[str, Any]) -> Any:
    """A new page of a new context signed in as ``user`` (the session of Django's test client), reading the site in
    ``language`` ("en" or "zh-hans"), on ``device`` (PHONE or LAPTOP). Close it with ``page.context.close()``."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**device, locale="zh-CN" if language == "zh-hans" else "en-GB")
    context.set_default_timeout(15_000)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    return context.new_page()
