"""A team grows in a real browser: the focal point invites, the colleague joins from the e-mail.

Runs against the demo data on a live server; e-mail goes to Django's locmem outbox, which the
test reads (the live server runs in this process).
"""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from questionnaire.models import CountryRole, Membership

pytestmark = [pytest.mark.browser]
DEMO_PASSWORD = "gcm-demo-2020"
NEW_PASSWORD = "olive-groves-of-ajloun-2024"
LINK = re.compile(r"https?://\S+/invitations/[A-Za-z0-9_-]+/")


@pytest.fixture
def demo(transactional_db):
    call_command("loaddemo", verbosity=0)


def log_in(page, base_url, username, password=DEMO_PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()


def test_a_colleague_joins_jordan_from_the_invitation(demo, live_server, page, browser, settings):
    settings.SITE_URL = live_server.url  # the links in e-mails are built from it
    mail.outbox.clear()
    log_in(page, live_server.url, "jordan")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan's team")
    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("E-mail address").fill("omar.haddad@moi.example")
    invite.get_by_label("Role").select_option("contributor")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".portal-messages")).to_contain_text("was sent to omar.haddad@moi.example")
    expect(page.get_by_role("table", name="Invitations not yet used")).to_contain_text(
        "omar.haddad@moi.example"
    )

    assert [m.to for m in mail.outbox] == [["omar.haddad@moi.example"]]
    link = LINK.search(mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)

    colleague = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        other = colleague.new_page()
        other.goto(link)
        expect(other.get_by_role("heading", level=1)).to_have_text("Join Jordan's team")
        expect(other.locator("main")).to_contain_text("Rania Khalil")  # who invited
        other.get_by_label("User name").fill("omar")
        other.get_by_label("Full name").fill("Omar Haddad")
        other.locator("#id_password1").fill(NEW_PASSWORD)
        other.get_by_label("Password again").fill(NEW_PASSWORD)
        other.get_by_role("button", name="Create my account and join Jordan as Contributor").click()

        expect(other).to_have_url(f"{live_server.url}/")
        expect(other.locator(".portal-messages")).to_contain_text(
            "You are now on Jordan's team as Contributor."
        )
        expect(other.locator(".portal-user")).to_have_text("Omar Haddad")
        cycle = other.get_by_role("region", name=re.compile("Second regional review"))
        row = cycle.get_by_role("article", name="Jordan")
        expect(row).to_contain_text("Draft")
        expect(row.get_by_role("link", name="Answer the questionnaire")).to_be_visible()

        # The link worked once.
        other.goto(link)
        expect(other.get_by_role("heading", level=1)).to_have_text(
            "This invitation link cannot be used"
        )
    finally:
        colleague.close()

    omar = User.objects.get(username="omar")
    assert Membership.objects.get(user=omar).role == CountryRole.CONTRIBUTOR
    assert omar.check_password(NEW_PASSWORD)
    page.reload()
    expect(page.get_by_role("table", name="Members of Jordan's team")).to_contain_text(
        "Omar Haddad"
    )
