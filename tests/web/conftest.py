"""Fixtures of the browser tests: one real server (waitress, `python server.py`) on a free
loopback port, the static site (`make site`) under `python -m http.server`, and one
headless Chromium for the whole session."""
import os

import pytest

from tests.web.common import CHROMIUM, CHROMIUM_ARGS
from tests.web.fixtures import (  # noqa: F401 - fixtures
    host_url, server_url, static_site, static_site_url)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"Chromium not found at {CHROMIUM} (Debian: chromium)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()


class Console:
    """Console errors and uncaught page errors of one page."""

    def __init__(self, page):
        self.errors = []
        self.warnings = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", self._on_failed)

    def _on_failed(self, request):
        if "ERR_ABORTED" not in (request.failure or ""):  # aborted by leaving the page
            self.errors.append(f"request failed: {request.url} {request.failure}")

    def _on_console(self, msg):
        if msg.type == "error":
            self.errors.append(f"console.error: {msg.text}")
        elif msg.type == "warning":
            self.warnings.append(msg.text)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    p.console = Console(p)
    p.set_default_timeout(30000)
    yield p
    context.close()
