"""The world (tests/walk/world.py) and every role's walk through it in every language, made once
for the session and shared by the link test and the HTML check."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import selectors as account_selectors
from questionnaire.models import Submission
from tests import factories

from .crawler import walk
from .world import PDF, USERNAMES, build_world

LANGUAGES = ("en", "ar", "fr")
ROLES = tuple(USERNAMES)


def is_test_database() -> bool:
    """Whether pytest-django has switched the default database to its test database (a name
    with Django's "test_" prefix, or SQLite's in-memory one)."""
    name = str(connection.settings_dict["NAME"])
    return name.startswith("test_") or "memory" in name


def log_in(client: Client, world, role: str) -> None:
    if role == "anonymous":
        return
    user = world.users[role]
    client.force_login(user)
    if account_selectors.two_factor_staff(user):
        # As if they had typed the code from their authenticator app (tests/conftest.py).
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = factories.authenticator(user).persistent_id
        session.save()


def choose_language(client: Client, language: str) -> None:
    """What the language switcher does: post the choice (saved on a logged-in user's account)."""
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302, response


class Walks(dict):
    """{(role, language): Walk}, and `statuses`: each submission's status by id."""

    statuses: dict[int, str]


@pytest.fixture(scope="session")
def walks(django_db_setup, django_db_blocker, tmp_path_factory) -> Walks:
    """Every role's walk in every language, through a world that is rolled back before any test
    runs: what the tests read is plain data, made once per session whatever the tests' order.

    The tests that use it are marked `django_db`: without a test that asks for the database,
    pytest-django sets up no test database, and this would write into the real one."""
    assert is_test_database(), "mark the tests that use `walks` django_db"
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tasks = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    media = tmp_path_factory.mktemp("walk-media")
    results = Walks()
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast, TASKS=tasks),
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        # What a PDF contains is tests/reports' business; here only that its link works.
        from reports import pdf

        patch.setattr(pdf, "submission_pdf", lambda **kwargs: PDF)
        world = build_world()
        for role in ROLES:
            for language in LANGUAGES:
                client = Client()
                log_in(client, world, role)
                choose_language(client, language)
                results[role, language] = walk(client, role=role, language=language)
        results.statuses = dict(Submission.objects.values_list("pk", "status"))
        transaction.set_rollback(True)
    return results
