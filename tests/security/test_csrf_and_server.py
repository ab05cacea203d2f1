"""What a refused form and every response say about the portal (issue 12, finding 7)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The form could not be sent"),
        ("fr", "Le formulaire n’a pas pu être envoyé"),
        ("ar", "تعذّر إرسال النموذج"),
    ],
)
def test_a_refused_form_gets_the_portals_page_in_the_persons_language(
    focal_point, language, expected
):
    """Django's default CSRF page is English only and bare; a person whose session changed in
    another tab gets the portal's layout, in their language, with what to do."""
    focal_point.language = language
    focal_point.save(update_fields=["language"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert expected in response.text
    assert f'lang="{language}"' in response.text
    assert "Forbidden (403)" not in response.text


@pytest.mark.django_db
def test_scripts_still_get_json_when_the_token_is_refused(focal_point):
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point)
    response = client.post(reverse("logout"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_does_not_name_itself(tmp_path):
    """`Server: gunicorn` told a scanner what to try; the production config replaces it."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    server = subprocess.Popen(  # noqa: S603 -- our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--config",
            "gcmreview/gunicorn.conf.py",
            "gcmreview.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                # A page that needs no database: the login page's static stylesheet.
                with urllib.request.urlopen(  # noqa: S310 -- a local http URL
                    f"http://127.0.0.1:{port}/static/css/portal.css", timeout=2
                ) as response:
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert "gunicorn" not in headers.get("Server", "").lower()
    finally:
        server.terminate()
        server.wait(timeout=10)
