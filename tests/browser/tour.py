"""Write the index of `make tour`'s pictures: docs/tour/README.md (GitHub shows it) and
docs/tour/index.html (a browser opens it from the disk), from the steps.json each journey left in
docs/tour/<journey>/<language>/.

    python -m tests.browser.tour docs/tour
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

LANGUAGES = {"en": "English", "ar": "العربية", "fr": "Français"}
KINDS = {
    "desktop": "desktop, 1280 px",
    "phone": "phone, 390 px",
    "laptop-1366": "laptop, 1366 px",
    "laptop-1280": "laptop, 1280 px",
}
ORDER = ["review-cycle", "country-starts-fresh", "word-import", "regional-report", "admin"]


def load(root: Path) -> list[dict]:
    """[{journey, title, steps: [{number, slug, title, who, doors, files: {lang: {kind: …}}}]}]"""
    journeys: dict[str, dict] = {}
    for manifest in sorted(root.glob("*/*/steps.json")):
        story = json.loads(manifest.read_text(encoding="utf-8"))
        journey = journeys.setdefault(
            story["journey"], {"journey": story["journey"], "title": story["title"], "steps": {}}
        )
        for step in story["steps"]:
            entry = journey["steps"].setdefault(step["number"], {**step, "files": {}})
            if story["language"] == "en":
                entry.update({k: v for k, v in step.items() if k != "files"})
            entry["files"][story["language"]] = step["files"]
    ranked = sorted(journeys.values(), key=lambda j: ORDER.index(j["journey"])
                    if j["journey"] in ORDER else len(ORDER))  # fmt: skip
    for journey in ranked:
        journey["steps"] = [journey["steps"][n] for n in sorted(journey["steps"])]
    return ranked


def pictures(root: Path) -> tuple[int, int]:
    files = list(root.glob("*/*/*.png"))
    return len(files), sum(f.stat().st_size for f in files)


def columns(journey: dict) -> list[tuple[str, str]]:
    """A journey's pictures: (language, width) pairs, the widths it was pictured at."""
    languages = sorted(
        {lang for s in journey["steps"] for lang in s["files"]}, key=list(LANGUAGES).index
    )
    kinds = {kind for s in journey["steps"] for files in s["files"].values() for kind in files}
    return [(lang, kind) for lang in languages for kind in KINDS if kind in kinds]


def door_notes(step: dict) -> list[str]:
    notes = []
    for door in step.get("doors", []):
        if door["there"]:
            notes.append(f"✓ {door['what']}")
        else:
            notes.append(f"✗ missing: {door['what']} ({door['missing'] or 'not marked'})")
    return notes


def markdown(journeys: list[dict], count: int, size: int) -> str:
    lines = [
        "# A tour of the portal, step by step",
        "",
        "Written by `make tour` (README.md): the browser journeys of "
        "[tests/browser/test_journeys.py](../../tests/browser/test_journeys.py), walked by "
        "clicks on the demo data at fixed dates, with a picture of every step at desktop "
        "(1280 px) and phone (390 px) width (the administration's at 1366 and 1280 px, "
        "laptops), in English and Arabic. A picture shows at most "
        "about two screens of its page, from the top or around what the step is about. "
        f"{count} pictures, {size / 1_000_000:.1f} MB. Do not edit: run `make tour` again.",
        "",
        "Under a step, ✓ names a door the person used (a link or a message the portal must "
        "offer there); a ✗ would mark one the portal lacks, which the journey went around.",
        "",
        "The PDFs page by page (a review in English, one in Arabic with English mixed in, the "
        "regional compilation in both): [pdf/README.md](pdf/README.md) (`make pdf-tour`).",
        "",
    ]
    for journey in journeys:
        lines.append(f"- [{journey['title']}](#{anchor(journey['title'])})")
    lines.append("")
    for journey in journeys:
        cols = columns(journey)
        lines += [f"## {journey['title']}", ""]
        for step in journey["steps"]:
            lines += [f"### {step['number']}. {step['title']}", ""]
            lines += [f"*{step['who']}*" + "".join(f" · {n}" for n in door_notes(step)), ""]
            heads = [f"{LANGUAGES[lang]}, {KINDS[kind]}" for lang, kind in cols]
            lines.append("| " + " | ".join(heads) + " |")
            lines.append("|" + "---|" * len(cols))
            cells = []
            for lang, kind in cols:
                path = step["files"].get(lang, {}).get(kind)
                width = 160 if kind == "phone" else 320
                image = f'<a href="{path}"><img src="{path}" width="{width}"></a>'
                cells.append(image if path else "")
            lines += ["| " + " | ".join(cells) + " |", ""]
    return "\n".join(lines)


def anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


def page(journeys: list[dict], count: int, size: int) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>A tour of the portal</title>',
        "<style>body{font-family:sans-serif;margin:2rem}figure{display:inline-block;"
        "vertical-align:top;margin:0 1rem 1rem 0}figcaption{font-size:.85rem;color:#555}"
        "img{border:1px solid #ccc}.missing{color:#a00}</style></head><body>",
        "<h1>A tour of the portal, step by step</h1>",
        f"<p>Written by <code>make tour</code>: {count} pictures, {size / 1_000_000:.1f} MB. "
        "See README.md beside this page.</p>",
    ]
    for journey in journeys:
        cols = columns(journey)
        out.append(f"<h2>{html.escape(journey['title'])}</h2>")
        for step in journey["steps"]:
            out.append(f"<h3>{step['number']}. {html.escape(step['title'])}</h3>")
            for note in door_notes(step):
                kind = "missing" if note.startswith("✗") else "there"
                out.append(f'<p class="{kind}">{html.escape(note)}</p>')
            for lang, kind in cols:
                path = step["files"].get(lang, {}).get(kind)
                if path:
                    width = 200 if kind == "phone" else 420
                    out.append(
                        f'<figure><a href="{path}"><img src="{path}" width="{width}" alt=""></a>'
                        f"<figcaption>{LANGUAGES[lang]}, {KINDS[kind]}</figcaption></figure>"
                    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def main(root: Path) -> None:
    journeys = load(root)
    if not journeys:
        raise SystemExit(f"no steps.json under {root}: run the journeys with GCM_TOUR_DIR first")
    count, size = pictures(root)
    (root / "README.md").write_text(markdown(journeys, count, size) + "\n", encoding="utf-8")
    (root / "index.html").write_text(page(journeys, count, size), encoding="utf-8")
    print(f"{root}/README.md and index.html: {count} pictures, {size / 1_000_000:.1f} MB")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/tour"))
