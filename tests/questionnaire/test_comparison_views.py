"""The pages of what changed since the previous cycle: the region's (ESCWA staff) and each
country's (staff, and the country's own team), their links and their HTML (issue 18, part 2)."""

import re

import pytest
from django.urls import reverse

from questionnaire.models import CountryRole
from tests import comparison_world, factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return comparison_world.build()


@pytest.fixture
def country(world):
    return world.compared[0]


def _member(country, role=CountryRole.VIEWER):
    return factories.MembershipFactory(country=country, role=role).user


def _country_url(world, country):
    return reverse("country_changes", args=[world.now.slug, country.iso2])


def test_staff_see_the_region_with_each_country_linked(client, world, country):
    factories.login(client, factories.ReviewerFactory())
    page = client.get(reverse("cycle_changes", args=[world.now.slug])).content.decode()
    assert "What changed since Cycle then" in page
    assert f'href="{_country_url(world, country)}"' in page
    assert f'href="{_country_url(world, country)}#q-policies"' in page  # a new policy
    for name in ("only_then", "only_now", "draft_then"):
        assert world.others[name].name not in page
    # The cycle's tabs link the page, and the dashboard's row the country's.
    dashboard = client.get(reverse("cycle_dashboard", args=[world.now.slug])).content.decode()
    assert f'href="{reverse("cycle_changes", args=[world.now.slug])}"' in dashboard
    assert f'href="{_country_url(world, country)}"' in dashboard
    assert _country_url(world, world.others["only_now"]) not in dashboard


@pytest.mark.parametrize("role", [CountryRole.FOCAL_POINT, CountryRole.VIEWER])
def test_a_countrys_team_sees_its_own_page_not_another_countrys(client, world, country, role):
    factories.login(client, _member(country, role))
    assert client.get(_country_url(world, country)).status_code == 200
    assert client.get(_country_url(world, world.others["only_now"])).status_code == 404
    assert client.get(reverse("cycle_changes", args=[world.now.slug])).status_code == 403
    # Its submission's page links its own comparison.
    submission = world.submissions_now[0]
    page = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert f'href="{_country_url(world, country)}"' in page


def test_anonymous_visitors_are_sent_to_log_in(client, world, country):
    for url in (reverse("cycle_changes", args=[world.now.slug]), _country_url(world, country)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_country_page_shows_then_and_now_with_a_word_diff(client, world, country):
    factories.login(client, factories.ReviewerFactory())
    page = client.get(_country_url(world, country)).content.decode()
    mechanism = page[page.index('id="q-mechanism"') :]
    mechanism = mechanism[: mechanism.index("</article>")]
    assert "A national committee meets every month." in mechanism  # then, as it was
    lines = re.findall(r'<div class="portal-diff-line[^"]*" dir="auto">.*?</div>', mechanism)
    assert lines, mechanism
    assert (
        '<del><span class="visually-hidden" lang="en" dir="ltr">removed: </span>month</del>'
        in lines[0]
    )
    assert (
        '<ins><span class="visually-hidden" lang="en" dir="ltr">added: </span>week</ins>'
        in lines[0]
    )
    kind = page[page.index('id="q-kind"') :]
    assert "the question changed type" in kind[: kind.index("</article>")]
    assert "portal-diff" not in kind[: kind.index("</article>")]
    assert page.count("1 question unchanged or not answered in either cycle") == 2  # I, II
    assert "Answered then, no longer asked in Cycle now" in page
    assert "An answer to a question no longer asked." in page


def test_the_objectives_then_and_now(client, world, country):
    factories.login(client, factories.ReviewerFactory())
    page = client.get(_country_url(world, country)).content.decode()
    assert "Objectives: status then and now" in page
    assert re.search(r"Planned</td>\s*<td>In progress.*?up</span>", page, re.S)


def test_not_asked_then_when_the_previous_version_had_no_grid(client, world, country):
    world.then.version.questions.filter(key="grid").update(type="long_text")
    factories.login(client, factories.ReviewerFactory())
    page = client.get(_country_url(world, country)).content.decode()
    assert "Not asked in Cycle then" in page
    region = client.get(reverse("cycle_changes", args=[world.now.slug])).content.decode()
    assert "was not asked in Cycle then" in region


def test_a_country_without_both_cycles_says_so(client, world):
    factories.login(client, factories.ReviewerFactory())
    page = client.get(_country_url(world, world.others["only_now"])).content.decode()
    assert "there is nothing to compare" in page
    first = client.get(reverse("cycle_changes", args=[world.then.slug])).content.decode()
    assert "there is no earlier cycle to compare it with" in first
