"""“Your account”: the settings' links and the personal API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_profile_links_to_the_settings(client, focal_point):
    client.force_login(focal_point)
    html = client.get(reverse("profile")).content.decode()
    for name in ("password_change", "two_factor", "set_language", "api-v1:api_docs"):
        assert reverse(name) in html, name


def test_the_user_menu_links_to_the_profile(client, focal_point):
    client.force_login(focal_point)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("profile")}"' in html


def test_a_new_token_is_shown_once_and_stored_hashed(client, focal_point):
    client.force_login(focal_point)
    response = client.post(reverse("api_token_create"), {"name": "Statistics office"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("gcm_") and secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=focal_point)
    assert token.name == "Statistics office" and secret not in token.secret_hash
    again = client.get(reverse("profile")).content.decode()
    assert secret not in again and token.prefix in again
    assert client.get(reverse("api-v1:api_index"), HTTP_AUTHORIZATION=f"Bearer {secret}").json()[
        "authenticated"
    ]


def test_revoking_a_token(client, focal_point):
    client.force_login(focal_point)
    client.post(reverse("api_token_create"), {"name": "Script"})
    token = ApiToken.objects.get(user=focal_point)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(reverse("profile")).content.decode()


def test_nobody_revokes_someone_elses_token(client, focal_point, other_focal_point):
    client.force_login(other_focal_point)
    client.post(reverse("api_token_create"), {"name": "Theirs"})
    theirs = ApiToken.objects.get(user=other_focal_point)
    client.force_login(focal_point)
    assert client.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_token_needs_a_name(client, focal_point):
    client.force_login(focal_point)
    assert client.post(reverse("api_token_create"), {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()


def test_only_staff_and_country_teams_make_tokens(client):
    loner = factories.UserFactory()
    client.force_login(loner)
    page = client.get(reverse("profile")).content.decode()
    assert reverse("api_token_create") not in page
    assert client.post(reverse("api_token_create"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_staff_make_tokens(client, reviewer):
    client.force_login(reviewer)
    assert client.post(reverse("api_token_create"), {"name": "Dashboards"}).status_code == 200
    assert ApiToken.objects.filter(user=reviewer).count() == 1
