"""What a long session throws at the answering page: Word paste, a flaky server, leaving early."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_answering import (
    LEAD,
    editor,
    jordan,  # noqa: F401 (fixture)
    log_in,
    section_url,
    state,
    stored,
)

pytestmark = [pytest.mark.browser]

# What Word puts on the clipboard for a bulleted list with a nested item (trimmed): paragraphs
# styled as list items, with the level in an mso-list style and the bullet kind in an @list rule,
# not real <ul>/<li> elements.
WORD_HTML = (Path(__file__).parent / "data" / "word-list.html").read_text()

PASTE = """([html, text]) => {
  const target = document.querySelector('#question-review-lead-entity .ql-editor');
  target.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', text);
  target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                    cancelable: true}));
}"""


def test_a_list_pasted_from_word_stays_a_nested_list(jordan, live_server, page):  # noqa: F811
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    editor(page, LEAD).click()
    page.evaluate(PASTE, [WORD_HTML, "Entities involved:\nMinistry of Interior"])
    expect(state(page, LEAD)).to_have_text(re.compile("^Saved"), timeout=8000)
    assert stored(jordan, LEAD) == (
        "<p>Entities involved:</p>"
        "<ul><li>Ministry of Interior<ul><li>Directorate of Migration</li></ul></li>"
        "<li>Ministry of Labour</li></ul>"
    )


def test_a_failed_save_says_so_and_is_retried(jordan, live_server, page):  # noqa: F811
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    failures = []

    def flaky(route):
        if len(failures) < 2:  # the server is briefly unavailable
            failures.append(route.request.url)
            route.fulfill(status=503, body="")
        else:
            route.continue_()

    page.route(f"**/answers/{LEAD}/", flaky)
    editor(page, LEAD).click()
    page.keyboard.type("Saved in the end.")
    expect(state(page, LEAD)).to_have_text("Not saved, retrying…", timeout=8000)
    assert stored(jordan, LEAD) is None
    expect(state(page, LEAD)).to_have_text(re.compile("^Saved"), timeout=20000)
    assert len(failures) == 2
    assert stored(jordan, LEAD) == "<p>Saved in the end.</p>"


def test_leaving_with_unsaved_text_asks_first(jordan, live_server, page):  # noqa: F811
    log_in(page, live_server.url, "jordan")
    page.goto(section_url(live_server.url, jordan))
    # Hold every save so the text stays unsaved while the user tries to leave.
    page.route(f"**/answers/{LEAD}/", lambda route: None)
    editor(page, LEAD).click()
    page.keyboard.type("Not yet saved.")
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # the user chooses to stay

    page.on("dialog", on_dialog)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()
    # The text is also kept in the browser in case the tab is closed anyway.
    kept = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('gcm:pending:'))"
        ".map(k => localStorage.getItem(k))"
    )
    assert any("Not yet saved." in entry.replace("&nbsp;", " ") for entry in kept), kept
