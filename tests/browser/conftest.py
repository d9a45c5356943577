"""Headless Chromium (Debian's, /usr/bin/chromium) driven by Playwright, against a live test server.

Playwright cannot download its own browser here, so the system one is used. Without it the browser tests
are skipped on a developer machine, and fail in CI (CI=true), where .ci/run installs it.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Chromium's background services reach for the internet; this machine has none, so switch them off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def stray_connections_closed(django_db_setup, django_db_blocker):
    """At the end of the run, end the database sessions the live server's request threads left open.

    A request Chromium made as its page closed can still hold a connection when the run ends, and
    PostgreSQL then refuses to drop the test database.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def page(monkeypatch, stray_connections_closed):
    """A fresh Chromium page at a desktop viewport.

    Playwright is started per test: its sync API keeps an event loop running in the test thread, and
    Django refuses ORM calls from such a thread, so it must not outlive the browser test.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should have installed it")
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    # The ORM calls the test itself makes while the browser runs are synchronous and safe
    # (pytest-playwright's documentation gives the same advice); allowed for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under artifacts/screenshots/ (kept by CI as a test artifact)."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
