"""The public cycle page's bulk downloads: every published answer, nothing else."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_cycle(db):
    return factories.cycle_with_countries(
        countries=4, statuses=("published", "accepted", "draft", "published"), slug="mixed-2024"
    )


def _published(cycle):
    return {s.country.iso2 for s in cycle.submissions.filter(status="published")}


def test_csv_holds_the_published_answers_only(client, mixed_cycle):
    response = client.get(reverse("public_cycle_download", args=[mixed_cycle.slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="gcm-mixed-2024-published-answers.csv"'
    )
    assert response["Cache-Control"] == "public, max-age=300"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["Country code"] for row in rows} == _published(mixed_cycle)
    assert {row["Question key"] for row in rows} >= {"committee", "lead"}


def test_json_states_the_licence_and_names_no_other_country(client, mixed_cycle):
    response = client.get(reverse("public_cycle_download", args=[mixed_cycle.slug, "json"]))
    document = json.loads(response.content)
    assert document["licence"]["name"] == "CC BY 3.0 IGO"
    assert document["licence"]["url"].startswith("https://creativecommons.org/licenses/by/3.0/igo")
    assert {c["iso2"] for c in document["countries"]} == _published(mixed_cycle)
    assert document["included_statuses"] == ["published"]


def test_a_cycle_with_nothing_published_has_no_files(client, db):
    cycle = factories.cycle_with_countries(countries=2, statuses=("accepted",), slug="quiet")
    for fmt in ("csv", "json"):
        url = reverse("public_cycle_download", args=[cycle.slug, fmt])
        assert client.get(url).status_code == 404


def test_other_formats_are_404(client, mixed_cycle):
    url = reverse("public_cycle_download", args=[mixed_cycle.slug, "xlsx"])
    assert client.get(url).status_code == 404


def test_the_public_cycle_page_offers_the_files_and_the_licence(client, mixed_cycle):
    html = client.get(reverse("public_cycle", args=[mixed_cycle.slug])).content.decode()
    assert reverse("public_cycle_download", args=[mixed_cycle.slug, "csv"]) in html
    assert reverse("public_cycle_download", args=[mixed_cycle.slug, "json"]) in html
    assert "CC BY 3.0 IGO" in html and 'rel="license"' in html
    assert reverse("api-v1:api_docs") in html
