"""The API's answers: who reads what, with which headers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import ApiToken

from .conftest import bearer

pytestmark = pytest.mark.django_db


def get(client, name, *args, token=None, **params):
    headers = bearer(token) if token else {}
    return client.get(reverse(f"api-v1:{name}", args=args), params, **headers)


def ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


def test_anonymous_callers_read_published_submissions_only(api_world, api_client):
    published = api_world.submissions["MA"].pk
    assert ids(get(api_client, "api_submissions")) == {published}
    assert get(api_client, "api_submission", published).status_code == 200
    for iso2 in ("JO", "TN"):
        pk = api_world.submissions[iso2].pk
        for name in ("api_submission", "api_submission_answers", "api_submission_objectives"):
            assert get(api_client, name, pk).status_code == 404, (name, iso2)


def test_staff_tokens_read_every_submission(api_world, api_client):
    response = get(api_client, "api_submissions", token=api_world.tokens["reviewer"])
    assert ids(response) == {s.pk for s in api_world.submissions.values()}
    draft = api_world.submissions["TN"].pk
    answers = get(api_client, "api_submission_answers", draft, token=api_world.tokens["reviewer"])
    assert answers.status_code == 200
    assert {a["key"] for a in answers.json()["items"]} >= {"committee", "lead"}


@pytest.mark.parametrize(("role", "own"), [("focal_point", "MA"), ("other_focal_point", "JO")])
def test_a_country_token_reads_its_own_country_and_what_is_published(
    api_world, api_client, role, own
):
    token = api_world.tokens[role]
    expected = {api_world.submissions[own].pk, api_world.submissions["MA"].pk}
    assert ids(get(api_client, "api_submissions", token=token)) == expected
    tunisia = api_world.submissions["TN"].pk
    assert get(api_client, "api_submission", tunisia, token=token).status_code == 404


def test_answers_come_as_html_and_text_by_stable_key(api_world, api_client):
    body = get(api_client, "api_submission_answers", api_world.submissions["MA"].pk).json()
    by_key = {item["key"]: item for item in body["items"]}
    assert by_key["committee"]["html"].startswith("<div")
    assert "<p>A committee.</p>" in by_key["committee"]["html"]
    assert by_key["committee"]["text"] == "A committee."
    assert by_key["lead"]["text"] == "Ministry of MA"
    assert by_key["lead"]["number"] == "I.b"


def test_objective_statuses(api_world, api_client):
    body = get(api_client, "api_submission_objectives", api_world.submissions["MA"].pk).json()
    assert body["count"] == 23
    first = body["items"][0]
    assert first == {
        "question_key": "objectives",
        "objective": 1,
        "status": "planned",
        "status_label": first["status_label"],
        "note": "Data.",
    }
    assert first["status_label"]
    assert body["items"][1]["status"] is None


def test_pdf_links_are_public_for_the_public_and_the_portals_for_tokens(api_world, api_client):
    pk = api_world.submissions["MA"].pk
    public = get(api_client, "api_submission", pk).json()["links"]
    assert public["pdf"].endswith(reverse("public_submission_pdf", args=[pk]))
    staff = get(api_client, "api_submission", pk, token=api_world.tokens["reviewer"]).json()
    assert staff["links"]["pdf"].endswith(reverse("submission_pdf", args=[pk]))


def test_versions_carry_keys_and_texts_in_three_languages(api_world, api_client):
    listed = get(api_client, "api_versions").json()
    assert api_world.version.pk in {item["id"] for item in listed["items"]}
    body = get(api_client, "api_version", api_world.version.pk).json()
    question = body["sections"][0]["questions"][0]
    assert question["key"] == "committee"
    assert set(question["text"]) == {"en", "fr", "ar"}
    assert question["text"]["en"] == "Who coordinates?"


def test_objectives_are_the_23(api_world, api_client):
    body = get(api_client, "api_objectives").json()
    assert [o["number"] for o in body["items"]] == list(range(1, 24))


def test_cycles_without_anything_published_are_not_public(api_world, api_client, db):
    from tests import factories

    hidden = factories.CycleFactory(version=api_world.version, slug="quiet-cycle")
    slugs = {c["slug"] for c in get(api_client, "api_cycles").json()["items"]}
    assert slugs == {"review-2024"}
    assert get(api_client, "api_cycle", hidden.slug).status_code == 404
    staff = get(api_client, "api_cycles", token=api_world.tokens["reviewer"]).json()
    assert {c["slug"] for c in staff["items"]} == {"review-2024", "quiet-cycle"}


def test_filters_by_cycle_and_country(api_world, api_client):
    token = api_world.tokens["reviewer"]
    assert len(ids(get(api_client, "api_submissions", token=token, country="JOR"))) == 1
    assert len(ids(get(api_client, "api_submissions", token=token, country="jo"))) == 1
    assert ids(get(api_client, "api_submissions", token=token, cycle="nothing")) == set()


def test_pagination_links(api_world, api_client):
    token = api_world.tokens["reviewer"]
    first = get(api_client, "api_submissions", token=token, limit=2).json()
    assert first["count"] == 3 and len(first["items"]) == 2 and first["previous"] is None
    assert "offset=2" in first["next"]
    second = api_client.get(first["next"], **bearer(token)).json()
    assert len(second["items"]) == 1 and second["next"] is None
    assert "offset=0" in second["previous"]
    assert ids(get(api_client, "api_submissions", token=token, limit=2)) | {
        item["id"] for item in second["items"]
    } == {s.pk for s in api_world.submissions.values()}


# --- Tokens ----------------------------------------------------------------------------------


def test_tokens_are_stored_hashed(api_world):
    secret = api_world.tokens["reviewer"]
    token = ApiToken.objects.get(user=api_world.users["reviewer"])
    assert secret not in {token.secret_hash, token.prefix, token.name}
    assert len(token.secret_hash) == 64 and secret.startswith(token.prefix)
    assert not ApiToken.objects.filter(secret_hash=secret).exists()


def test_a_revoked_token_is_refused(api_world, api_client):
    user = api_world.users["reviewer"]
    token = ApiToken.objects.get(user=user)
    account_services.api_token_revoke(user=user, token_id=token.pk)
    response = get(api_client, "api_submissions", token=api_world.tokens["reviewer"])
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_inactive_users_token_is_refused(api_world, api_client):
    user = api_world.users["focal_point"]
    user.is_active = False
    user.save()
    assert get(api_client, "api_index", token=api_world.tokens["focal_point"]).status_code == 401


def test_a_token_dies_with_its_holders_last_team(api_world, api_client):
    user = api_world.users["viewer"]
    user.memberships.all().delete()
    assert get(api_client, "api_index", token=api_world.tokens["viewer"]).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Token x"])
def test_a_wrong_authorization_header_is_401_not_anonymous(api_world, api_client, header):
    response = api_client.get(reverse("api-v1:api_submissions"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_a_session_is_no_credential(api_world, api_client):
    """A logged-in reviewer's browser reads what the public reads: no cookie opens more."""
    api_client.force_login(api_world.users["reviewer"])
    assert ids(get(api_client, "api_submissions")) == {api_world.submissions["MA"].pk}


def test_token_use_is_noted(api_world, api_client):
    get(api_client, "api_index", token=api_world.tokens["reviewer"])
    assert ApiToken.objects.get(user=api_world.users["reviewer"]).last_used_at is not None


# --- Headers ---------------------------------------------------------------------------------


def test_public_answers_may_be_cached_by_anyone(api_world, api_client):
    response = get(api_client, "api_cycles")
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Authorization" in response["Vary"]


def test_token_answers_are_private(api_world, api_client):
    response = get(api_client, "api_cycles", token=api_world.tokens["reviewer"])
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_etag_and_if_none_match(api_world, api_client):
    url = reverse("api-v1:api_submission_answers", args=[api_world.submissions["MA"].pk])
    first = api_client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=300"
    assert api_client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_cors_is_open_on_the_api_only_and_without_credentials(api_world, api_client):
    origin = {"HTTP_ORIGIN": "https://data.example.org"}
    response = api_client.get(reverse("api-v1:api_cycles"), **origin)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = api_client.options(
        reverse("api-v1:api_cycles"),
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        **origin,
    )
    assert preflight.status_code == 200
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    page = api_client.get(reverse("public_index"), **origin)
    assert "Access-Control-Allow-Origin" not in page


def test_the_rate_limit_answers_429_with_retry_after(api_world, api_client, settings):
    settings.API_RATE_ANONYMOUS = 3
    for _ in range(3):
        assert get(api_client, "api_objectives").status_code == 200
    refused = get(api_client, "api_objectives")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # A token counts apart from its address.
    assert get(api_client, "api_objectives", token=api_world.tokens["reviewer"]).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get(api_world, api_client, method):
    url = reverse("api-v1:api_submission", args=[api_world.submissions["MA"].pk])
    response = getattr(api_client, method)(url, **bearer(api_world.tokens["reviewer"]))
    assert response.status_code == 405


def test_index_links_and_changelog(api_world, api_client):
    body = get(api_client, "api_index").json()
    assert body["schema_version"] == "1.0"
    assert body["changelog"][0]["date"] == "2026-12-07"
    assert body["licence"]["name"] == "CC BY 3.0 IGO"
    assert body["links"]["openapi"].endswith("/api/v1/openapi.json")
    assert body["authenticated"] is False
