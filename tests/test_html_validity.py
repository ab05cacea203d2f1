"""The main pages are valid HTML, by the W3C's Nu Html Checker (vnu), in each language and for a
country's focal point and an ESCWA reviewer.

vnu is a Java program that the project does not install: the test runs where `VNU_JAR` names its
jar (e.g. from the npm package `vnu-jar`) or a `vnu` command is on the PATH, and is skipped
elsewhere. What it once found, `<time datetime>` with microseconds, tests/test_formatting.py
checks everywhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from accounts.models import User
from questionnaire.models import Submission

pytestmark = pytest.mark.django_db


def vnu_command() -> list[str] | None:
    jar = os.environ.get("VNU_JAR")
    if jar and shutil.which("java"):
        return ["java", "-jar", jar]
    if shutil.which("vnu"):
        return ["vnu"]
    return None


PAGES = {
    "jordan": [
        "/",
        "/submissions/{jordan}/",
        "/submissions/{jordan}/sections/I/",
        "/submissions/{jordan}/sections/III/",
        "/submissions/{jordan}/check/",
        "/countries/JO/team/",
    ],
    "escwa": [
        "/",
        "/cycles/arab-2024/",
        "/submissions/{morocco}/",
        "/submissions/{morocco}/review/",
        "/cycles/arab-2024/exports/",
        "/cycles/arab-2020/objectives/",
    ],
}


@pytest.mark.skipif(vnu_command() is None, reason="the Nu Html Checker (VNU_JAR, vnu) is absent")
def test_the_main_pages_are_valid_html(client, tmp_path, settings):
    settings.OTP_REQUIRED_FOR_STAFF = False
    call_command("loaddemo", verbosity=0)
    ids = {
        "jordan": Submission.objects.get(country__iso2="JO", cycle__slug="arab-2024").pk,
        "morocco": Submission.objects.get(country__iso2="MA", cycle__slug="arab-2020").pk,
    }
    files = []
    for username, paths in PAGES.items():
        user = User.objects.get(username=username)
        for language in ("en", "ar", "fr"):
            user.language = language
            user.save(update_fields=["language"])
            client.force_login(user)
            for path in paths:
                url = path.format(**ids)
                response = client.get(url)
                assert response.status_code == 200, url
                name = f"{username}-{language}-{re.sub(r'[^a-z0-9]+', '-', url)}.html"
                (tmp_path / name).write_bytes(response.content)
                files.append(str(tmp_path / name))
    result = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "text", *files],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
