"""Real-browser fixtures: Debian's Chromium driven by Playwright's sync API.

Playwright's sync API runs an asyncio event loop in the test thread, which makes Django refuse
database access from "an async context"; the tests themselves are synchronous, so it is safe to
allow it here (and only here).
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh context (cookies, language) per test; a screenshot in test-results/ on failure."""
    # Reduced motion: Bootstrap then switches its transitions off, so a check that reads colours
    # (axe's contrast rule) never catches a button half-way between two styles, as it did when
    # the way on turned from a link into a button while axe ran.
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"{request.node.name}.png"), full_page=True)
    context.close()


# The journeys' fixture (tests/browser/test_journeys.py, `make tour`).
from .journeys import journey_factory  # noqa: E402, F401
