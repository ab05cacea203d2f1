"""The walker of tests/walk/crawler.py reads pages as a browser would, and keeps to the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .crawler import PageParser, pattern_name, portal_url, visit_key, walk


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def test_a_get_form_is_sent_with_the_values_it_shows():
    page = parse(
        '<form action="/cycles/x/search/"><input name="q" value="law">'
        '<input type="checkbox" name="drafts" value="1">'
        '<input type="checkbox" name="mine" value="1" checked>'
        '<select name="sort"><option value="a">A</option><option value="b" selected>B</option>'
        '</select><textarea name="note">x</textarea><input type="file" name="f">'
        '<button type="submit" name="go" value="1">Go</button></form>'
        '<form method="POST" action="/logout/"><button>Log out</button></form>'
    )
    get, post = page.forms
    assert (get.method, get.action) == ("get", "/cycles/x/search/")
    assert get.fields == [("q", "law"), ("mine", "1"), ("sort", "b"), ("note", "")]
    assert get.button == ("go", "1")
    assert (post.method, post.action) == ("post", "/logout/")


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/submissions/1/", "/submissions/1/"),
        ("../2/?a=1#top", "/submissions/2/?a=1"),
        ("#section-3", None),
        ("mailto:someone@example.org", None),
        ("https://www.unescwa.org/", None),
        ("http://testserver/public/", "/public/"),
        ("/static/css/portal.css", None),
    ],
)
def test_only_the_portals_own_pages_are_followed(href, expected):
    assert portal_url("/submissions/1/", href) == expected


def test_sorting_links_and_other_questions_are_one_visit_each():
    dashboard = reverse("cycle_dashboard", args=["c1"])
    other_cycle = reverse("cycle_dashboard", args=["c2"])
    assert visit_key(dashboard) != visit_key(other_cycle)
    assert visit_key(f"{dashboard}?sort=a&dir=asc") == visit_key(f"{other_cycle}?sort=b&dir=desc")
    assert visit_key(f"{dashboard}?sort=a") != visit_key(f"{dashboard}?status=draft")
    history = reverse("answer_history", args=[1, "lead"])
    assert visit_key(history) == visit_key(reverse("answer_history", args=[1, "other"]))
    assert visit_key(history) != visit_key(reverse("answer_history", args=[2, "lead"]))


def test_pattern_names():
    assert pattern_name(reverse("home")) == "home"
    assert pattern_name("/admin/auth/group/") == "admin"
    assert pattern_name("/no/such/page/") is None


class FakeClient:
    """Answers from a dict of path → (status, HTML), and counts what it was asked."""

    def __init__(self, pages):
        self.pages = pages
        self.asked = []

    def get(self, url):
        from django.http import HttpResponse

        self.asked.append(url)
        status, html = self.pages.get(url, (404, "gone"))
        if status == 302:
            response = HttpResponse(status=302)
            response["Location"] = html
            return response
        return HttpResponse(html, status=status)


def test_a_walk_records_posts_errors_and_never_logs_out():
    client = FakeClient(
        {
            "/": (200, '<a href="/countries/">Team</a><a href="/submissions/9/">Broken</a>'
                       '<form method="post" action="/accounts/logout/"></form>'
                       '<a href="/accounts/logout/">Log out (a link)</a>'),
            "/countries/": (302, "/countries/MA/team/"),
            "/countries/MA/team/": (200, '<form method="post" action="invite/"></form>'),
        }
    )  # fmt: skip
    result = walk(client, role="focal_point", language="en")
    assert set(result.reached) == {"home", "country_list", "country_team", "logout"}
    assert set(result.posted) == {"logout", "team_invite"}
    assert result.errors == [("/", "/submissions/9/", "404")]
    assert "/accounts/logout/" not in client.asked
