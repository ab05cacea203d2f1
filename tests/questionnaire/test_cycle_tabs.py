"""The cycle's breadcrumb, header and tabs on every page that follows a cycle across countries:
the dashboard's views, the exports and the regional compilation (list and one compilation)."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from reports.models import Compilation
from tests import factories

pytestmark = pytest.mark.django_db

TABS = [
    "dashboard", "questions", "objectives", "charts", "changes", "search", "exports", "report",
    "compilations",
]  # fmt: skip
# A page below a tab: the tab it is below.
BELOW = {"compilation": "compilations", "chapter": "report"}


@pytest.fixture
def cycle():
    return factories.CycleFactory(version=factories.cross_country_version())


def page_urls(cycle) -> dict[str, str]:
    job = Compilation.objects.create(cycle=cycle)
    return {
        "dashboard": reverse("cycle_dashboard", args=[cycle.slug]),
        "questions": reverse("cycle_question", args=[cycle.slug, "committee"]),
        "objectives": reverse("cycle_objectives", args=[cycle.slug]),
        "charts": reverse("cycle_charts", args=[cycle.slug]),
        "changes": reverse("cycle_changes", args=[cycle.slug]),
        "search": reverse("cycle_search", args=[cycle.slug]),
        "exports": reverse("cycle_exports", args=[cycle.slug]),
        "report": reverse("cycle_chapters", args=[cycle.slug]),
        "chapter": reverse("chapter_edit", args=[cycle.slug, "introduction", "ar"]),
        "compilations": reverse("cycle_compilations", args=[cycle.slug]),
        "compilation": reverse("compilation_detail", args=[job.pk]),
    }


def tab_links(html: str) -> dict[str, str]:
    """Each tab's link (its href → the whole <a> tag), from the cycle's tab bar."""
    start = html.index('class="nav nav-tabs dash-tabs"')
    bar = html[start : html.index("</ul>", start)]
    return {m.group(1): m.group(0) for m in re.finditer(r'<a [^>]*href="([^"]+)"[^>]*>', bar)}


@pytest.mark.parametrize("page", [*TABS, *BELOW])
def test_every_view_of_the_cycle_shows_its_tabs_with_its_own_current(client, reviewer, cycle, page):
    urls = page_urls(cycle)
    client.force_login(reviewer)
    response = client.get(urls[page])
    assert response.status_code == 200
    html = response.text
    links = tab_links(html)
    tab_urls = {tab: urls[tab] for tab in TABS}
    tab_urls["questions"] = reverse("cycle_questions", args=[cycle.slug])
    assert set(links) == set(tab_urls.values()), links
    current = BELOW.get(page, page)
    for tab, url in tab_urls.items():
        assert ("active" in links[url]) is (tab == current), (tab, links[url])
    # One compilation is below the Compilation tab: that tab is current, the page is not it.
    expected = 'aria-current="true"' if page in BELOW else 'aria-current="page"'
    assert expected in links[tab_urls[current]]

    # The breadcrumb starts from the review cycles and the cycle, not "Home".
    crumbs = html[html.index('<ol class="breadcrumb">') : html.index("</ol>")]
    assert f'<a href="{reverse("home")}">Review cycles</a>' in crumbs
    assert f'<a href="{urls["dashboard"]}"><bdi>{cycle.name}</bdi></a>' in crumbs
    if page == "compilation":
        assert f'<a href="{urls["compilations"]}">Regional compilation</a>' in crumbs
    if page == "chapter":
        assert f'<a href="{urls["report"]}">Regional report</a>' in crumbs


@pytest.fixture
def rf_user_render(cycle):
    def render(user) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "questionnaire/dashboard/includes/cycle_nav.html",
            {"cycle": cycle, "current": "dashboard", "title": "Countries", "user": user},
            request=request,
        )

    return render


def test_the_export_and_compilation_tabs_follow_the_rule_of_their_pages(rf_user_render):
    """Shown to whoever may see every country (the rule the exports and compilation views
    enforce), hidden from anyone else the include might one day be shown to."""
    assert "Compilation" in rf_user_render(factories.ReviewerFactory())
    html = rf_user_render(factories.MembershipFactory().user)
    assert "Compilation" not in html
    assert "Exports" not in html
