"""The documentation links only to what the repository holds."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
PATH_IN_CODE = re.compile(r"`(\.\./[^`]+)`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_stay_inside_the_repository_and_resolve(page):
    text = page.read_text(encoding="utf-8")
    problems = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address, or a place on the same page
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT):
            problems.append(f"{target}: outside the repository")
        elif not path.exists():
            problems.append(f"{target}: no such file")
    for target in PATH_IN_CODE.findall(text):
        path = (page.parent / target).resolve()
        if not (path.is_relative_to(ROOT) and path.exists()):
            problems.append(f"{target}: not in the repository")
    assert problems == []
