"""Searching the answers of a cycle: words in English, French and Arabic on both databases,
PostgreSQL's full-text syntax and ranking, snippets that never let an answer's markup through,
and what the search page says and costs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire import search, selectors, services
from questionnaire.models import Submission
from tests import factories

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's full-text search"
)


@pytest.fixture
def three(db):
    """Three countries whose long answers are in English, French and Arabic (in that order):
    a draft, a submitted and an accepted submission."""
    return factories.cycle_with_countries(countries=3, statuses=("draft", "submitted", "accepted"))


def by_language(cycle, language):
    return Submission.objects.get(cycle=cycle, language=language)


def found(cycle, query, **kwargs):
    results = selectors.cycle_answer_search(cycle=cycle, query=query, **kwargs)
    return [(hit.answer.submission.language, hit.answer.question.key) for hit in results.hits]


def save(submission, key, value):
    question = submission.cycle.version.questions.get(key=key)
    return services.answer_save(submission=submission, question=question, value=value)


# --- Finding words -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("committee", "en"),
        ("COMMITTEE", "en"),  # case does not matter
        ("comité", "fr"),
        ("ministères", "fr"),
        ("اللجنة", "ar"),
        ("الوزارات", "ar"),
        ('"national committee"', "en"),  # a phrase, in this order
    ],
)
def test_words_are_found_in_each_language(three, query, language):
    assert found(three, query) == [(language, "committee")]


def test_every_word_must_appear(three):
    assert len(found(three, "ministry")) == 3  # the short answer names each country's ministry
    assert found(three, "committee ministry") == []


def test_a_minus_leaves_a_word_out(three):
    assert found(three, "national -comité") == [("en", "committee")]


def test_only_the_cycle_s_answers_are_searched(three):
    other = factories.cycle_with_countries(countries=1, statuses=("draft",))
    assert found(other, "committee") == [("en", "committee")]
    assert len(found(three, "ministry")) == 3


def test_drafts_can_be_left_out(three):
    assert found(three, "committee", include_drafts=False) == []
    assert found(three, "comité", include_drafts=False) == [("fr", "committee")]


def test_or_finds_either_word(three):
    assert sorted(found(three, "committee or comité")) == [("en", "committee"), ("fr", "committee")]


def test_or_joins_what_is_on_either_side_as_websearch_does(three):
    # (national and ministries) or comité: the English answer, and the French one.
    assert sorted(found(three, "national ministries or comité")) == [
        ("en", "committee"),
        ("fr", "committee"),
    ]
    assert found(three, "national ministries or nothinglikethis") == [("en", "committee")]


def test_words_are_found_whole_as_written(three):
    """Neither database stems or matches part of a word: "minist" is not "ministry"."""
    assert found(three, "minist") == []
    assert found(three, "ministries") == [("en", "committee")]


def test_a_phrase_must_appear_in_that_order(three):
    assert len(found(three, '"ministry of labour"')) == 3
    assert found(three, '"labour of ministry"') == []
    assert found(three, '"ministry labour"') == []  # a phrase keeps its "of"


def test_case_does_not_matter_beyond_ascii(three):
    assert found(three, "COMITÉ") == [("fr", "committee")]


# --- Common words (stop words) -----------------------------------------------------------------


def test_common_words_are_not_required(three):
    english = by_language(three, "en")
    save(english, "lead", "Ministry Interior")  # no "of", no "the"
    assert found(three, "the ministry of interior") == [("en", "lead")]


def test_common_words_are_not_highlighted(three):
    english = by_language(three, "en")
    save(english, "lead", "Ministry of Interior, Office of the Minister")
    for query in ("ministry of interior", '"ministry of interior"'):
        results = selectors.cycle_answer_search(cycle=three, query=query)
        (hit,) = results.hits
        assert "<mark>Ministry</mark>" in hit.snippet
        assert "<mark>Interior</mark>" in hit.snippet
        assert "<mark>of" not in hit.snippet and "<mark>the" not in hit.snippet
        assert "Office" in hit.snippet and "<mark>Office" not in hit.snippet


def test_the_stop_words_are_those_of_the_language_searched_in(three):
    draft = by_language(three, "en")  # the draft: the only one open for changes
    save(draft, "lead", "Ministère intérieur")
    in_french = selectors.cycle_answer_search(
        cycle=three, query="ministère de l'intérieur", language="fr"
    )
    # "de" and the "l'" of "l'intérieur" are French stop words; "intérieur" is still required.
    assert in_french.ignored == ["de"]
    assert [hit.answer.question.key for hit in in_french.hits] == ["lead"]
    in_english = selectors.cycle_answer_search(
        cycle=three, query="ministère de l'intérieur", language="en"
    )
    assert in_english.ignored == [] and in_english.hits == []


def test_arabic_common_words_are_left_out_in_every_language(three):
    for language in ("ar", "en", "fr"):
        results = selectors.cycle_answer_search(cycle=three, query="اللجنة في", language=language)
        assert results.ignored == ["في"]
        assert [hit.answer.submission.language for hit in results.hits] == ["ar"]


def test_a_query_of_common_words_only_finds_nothing(three):
    results = selectors.cycle_answer_search(cycle=three, query='of the "and"', language="en")
    assert (results.total, results.searched) == (0, False)
    assert results.ignored == ["of", "the", "and"]


@postgres_only
def test_answers_with_more_matches_rank_first(three):
    english = by_language(three, "en")
    save(english, "lead", "Ministry of Labour, Ministry of Interior, Ministry of Health")
    results = selectors.cycle_answer_search(cycle=three, query="ministry")
    assert results.full_text
    assert results.hits[0].answer.submission == english


@postgres_only
def test_the_full_text_index_exists():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'questionnaire_answer_text_fts'"
        )
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "to_tsvector('simple'::regconfig" in definition


# --- Snippets ----------------------------------------------------------------------------------


def test_the_snippet_marks_the_words_found(three):
    (hit,) = selectors.cycle_answer_search(cycle=three, query="committee").hits
    assert "<mark>committee</mark>" in hit.snippet


def test_a_long_answer_is_cut_around_the_match(three):
    english = by_language(three, "en")
    filler = " ".join(["Filler sentence about other things."] * 80)
    save(english, "committee", f"<p>{filler} The needle is here. {filler}</p>")
    (hit,) = selectors.cycle_answer_search(cycle=three, query="needle").hits
    assert "<mark>needle</mark>" in hit.snippet
    assert len(hit.snippet) < 800


@pytest.mark.parametrize(
    ("key", "value", "query"),
    [
        ("lead", "<script>alert(1)</script> Interior", "interior"),
        ("lead", '<img src=x onerror="alert(1)"> Interior', "interior"),
        # Typed as text in the editor: stored escaped, and plain text again in Answer.text.
        ("committee", "<p>&lt;script&gt;steal()&lt;/script&gt; council</p>", "council"),
    ],
)
def test_an_answer_s_markup_is_never_a_tag_in_the_snippet(
    client, three, reviewer, key, value, query
):
    english = by_language(three, "en")
    save(english, key, value)
    results = selectors.cycle_answer_search(cycle=three, query=query)
    (hit,) = results.hits
    assert "<script" not in hit.snippet and "<img" not in hit.snippet
    if not results.full_text:
        # PostgreSQL's headline drops what its parser reads as tags; the fallback keeps them,
        # as text.
        assert "&lt;" in hit.snippet
    client.force_login(reviewer)
    html = client.get(reverse("cycle_search", args=[three.slug]), {"q": query}).content.decode()
    main = html[html.index("<main") :]
    assert "<script>alert" not in main and "<script>steal" not in main and "<img src" not in main


def test_characters_that_look_like_the_highlight_markers_are_ignored(three):
    english = by_language(three, "en")
    save(english, "lead", f"Interior {search.START_MARK}ministry{search.STOP_MARK} of work")
    (hit,) = selectors.cycle_answer_search(cycle=three, query="interior").hits
    assert hit.snippet.count("<mark>") == 1
    assert search.START_MARK not in hit.snippet and search.STOP_MARK not in hit.snippet


def test_a_headline_becomes_escaped_html_with_marks():
    headline = f"a {search.START_MARK}<b>{search.STOP_MARK} & {search.START_MARK}c"
    assert search.snippet_from_headline(headline) == "a <mark>&lt;b&gt;</mark> &amp; <mark>c</mark>"


def test_quoted_phrases_minus_and_or_are_read_like_websearch():
    parsed = search.parse('the migrants "national plan" -asylum or visas -"of" or', language="en")
    assert parsed.groups == [
        [
            search.Term("migrants"),
            search.Term("national plan"),
            search.Term("asylum", exclude=True),
        ],
        [search.Term("visas")],
    ]
    # "or" at the end is a word (a stop word in English), as in websearch.
    assert parsed.ignored == ["the", "of", "or"]
    assert parsed.highlight == ["migrants", "national", "plan", "visas"]
    assert parsed.websearch() == '"migrants" "national plan" -"asylum" or "visas"'


@pytest.mark.parametrize(
    ("query", "groups"),
    [
        ("or", [["or"]]),  # a word of its own outside English
        ("a or or b", [["a"], ["b"]]),
        ('"unclosed phrase', [["unclosed phrase"]]),
        ("l'intérieur co-operation", [["intérieur", "co-operation"]]),  # no French "l'"
        ('!!! --- ""', []),
        ("--x", [["-x"]]),
    ],
)
def test_odd_queries_are_read_safely(query, groups):
    parsed = search.parse(query, language="fr")
    as_text = [[("-" if t.exclude else "") + t.text for t in group] for group in parsed.groups]
    assert as_text == groups


# --- The page ----------------------------------------------------------------------------------


def page(client, cycle, **params):
    return client.get(reverse("cycle_search", args=[cycle.slug]), params)


def test_results_link_to_the_answer_in_its_submission(client, three, reviewer):
    client.force_login(reviewer)
    response = page(client, three, q="comité")
    french = by_language(three, "fr")
    html = response.content.decode()
    assert f'href="{reverse("submission_detail", args=[french.pk])}#question-committee"' in html
    assert french.country.name in html
    assert "1 answer matches" in html


def test_a_draft_result_is_marked(client, three, reviewer):
    client.force_login(reviewer)
    html = page(client, three, q="committee").content.decode()
    assert 'class="status-badge status-draft"' in html


def test_no_query_shows_the_form_without_a_message(client, three, reviewer):
    client.force_login(reviewer)
    response = page(client, three)
    assert response.context["results"] is None
    assert not list(response.context["messages"])


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_asks_for_words(client, three, reviewer, query):
    client.force_login(reviewer)
    response = page(client, three, q=query)
    assert response.context["results"] is None
    assert [str(m) for m in response.context["messages"]] == [
        "Type one or more words to search the answers."
    ]


def test_a_too_long_query_is_refused_with_a_message(client, three, reviewer):
    client.force_login(reviewer)
    response = page(client, three, q="migration " * 25)
    assert response.context["results"] is None
    (message,) = response.context["messages"]
    assert message.level_tag == "error"
    assert "the limit is 200" in str(message)


def test_a_query_of_the_longest_length_is_searched(client, three, reviewer):
    client.force_login(reviewer)
    response = page(client, three, q="committee" + " " * 180 + "national")
    assert response.context["results"].total == 1


def test_the_page_says_which_common_words_it_left_out(client, three, reviewer):
    client.force_login(reviewer)
    html = page(client, three, q="the national committee").content.decode()
    assert "1 answer matches" in html
    assert re.search(r"Common word left out:\s*<span[^>]*><span><bdi>the</bdi></span></span>", html)
    assert "Add a more specific word." not in html
    html = page(client, three, q="of the").content.decode()
    assert "No answer matches" in html
    assert "Common words left out:" in html and "Add a more specific word." in html


def test_the_page_says_nothing_about_the_database(client, three, reviewer):
    client.force_login(reviewer)
    html = page(client, three, q="committee").content.decode()
    main = html[html.index("<main") : html.index("</main>")].lower()
    assert "database" not in main and "full-text" not in main and "sqlite" not in main


def test_a_query_with_nothing_to_search_finds_nothing(client, three, reviewer):
    client.force_login(reviewer)
    response = page(client, three, q="!!! ---")
    assert response.status_code == 200
    assert response.context["results"].total == 0
    assert "No answer matches" in response.content.decode()


def test_search_queries_do_not_grow_with_the_number_of_countries(client, reviewer):
    small = factories.cycle_with_countries(countries=3)
    large = factories.cycle_with_countries(countries=12)
    client.force_login(reviewer)
    page(client, small, q="ministry")

    def count(cycle):
        with CaptureQueriesContext(connection) as ctx:
            response = page(client, cycle, q="ministry")
        assert response.context["results"].total > 0
        return len(ctx)

    assert count(small) == count(large)
