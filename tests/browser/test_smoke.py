"""The demo works end to end in a real browser: log in, find the submission, read an answer."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser]

# From Morocco's 2020 answer to I b (fixtures/morocco-2020.json).
MOROCCO_LEAD_ENTITY = (
    "The Ministry of Foreign Affairs, African Cooperation and Moroccan Expatriates"
)


@pytest.fixture
def demo(transactional_db):
    call_command("loaddemo", verbosity=0)


def test_focal_point_logs_in_and_reads_the_2020_submission(demo, live_server, page):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to log in

    page.get_by_label("Username").fill("morocco")
    page.get_by_label("Password").fill("gcm-demo-2020")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    cycle_2020 = page.get_by_role("region", name="First regional review of the GCM")
    morocco = cycle_2020.get_by_role("article", name="Morocco")
    morocco.get_by_role("link", name="View the submission").click()
    page.wait_for_url("**/submissions/*/")

    heading = page.get_by_role("heading", level=1)
    assert "Morocco" in heading.inner_text()
    answer = page.locator("#question-review-lead-entity")
    assert MOROCCO_LEAD_ENTITY in answer.locator("li").first.inner_text()
