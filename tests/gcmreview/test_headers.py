"""Security headers on every page, and templates that a Content-Security-Policy without
'unsafe-inline' does not break."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered to PDF by WeasyPrint, never served to a browser.
PDF_TEMPLATES = {"reports/submission_pdf.html", "reports/compilation_numbers.html"}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("who", [None, "focal_point", "reviewer"])
def test_every_page_has_a_strict_content_security_policy(client, request, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("home") if who else reverse("login"))
    assert response.status_code == 200
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_admin_has_the_same_policy(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_json_answers_have_the_headers_too(client, focal_point):
    client.force_login(focal_point)
    response = client.get(reverse("session_status"))
    assert "Content-Security-Policy" in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_cookies_are_http_only_and_same_site(client, focal_point):
    response = client.post(
        reverse("login"),
        {"username": focal_point.username, "password": "correct-horse-battery-staple"},
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert session["httponly"] and csrf["httponly"]
    assert session["samesite"] == csrf["samesite"] == "Lax"


def production(*args: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with a production environment (DEBUG off)."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Browser tests allow Django's ORM in Playwright's event loop; production never does.
        if not key.startswith(("DEBUG", "OTP_", "SESSION_", "LOGIN_", "SECURE_", "DJANGO_ALLOW"))
    }
    env.update(
        DEBUG="0", SECRET_KEY="x" * 50 + "-production-like-key", ALLOWED_HOSTS="gcm.example.org"
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_defaults_are_strict():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "OTP_REQUIRED_FOR_STAFF",
        "SESSION_IDLE_TIMEOUT",
        "SESSION_COOKIE_AGE",
        "AXES_FAILURE_LIMIT",
    ]
    code = f"from django.conf import settings; print([getattr(settings, n) for n in {names!r}])"
    result = production("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(
        [True, True, 31536000, True, True, 1800, 28800, 5]
    )


def test_the_deployment_checks_pass_in_production():
    result = production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def served_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in PDF_TEMPLATES:
            yield name, path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("an inline <script>", INLINE_SCRIPT),
        ("a <style> element", STYLE_ELEMENT),
        ("a style attribute", STYLE_ATTRIBUTE),
        ("an on...= event handler", EVENT_ATTRIBUTE),
        ("a javascript: URL", JAVASCRIPT_URL),
    ],
)
def test_no_served_template_needs_unsafe_inline(what, pattern):
    offenders = [name for name, text in served_templates() if pattern.search(text)]
    assert offenders == [], f"{what} in {offenders}: move it to static/ (the CSP refuses it)"
