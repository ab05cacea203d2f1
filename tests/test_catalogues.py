"""The interface's Arabic and French catalogues (locale/<code>/LC_MESSAGES/django.po) are whole.

For every language of settings.LANGUAGES besides English, these tests fail when its catalogue:

- does not compile under `msgfmt --check` (a translation that drops, adds or misspells a
  placeholder such as `%(country)s`, a broken header, a plural without Plural-Forms);
- has a message that is untranslated (any of its plural forms empty) or fuzzy (a guess of
  msgmerge's that nobody checked);
- has a plural message without exactly the language's number of forms (Arabic has six);
- is out of step with the source: a string marked for translation in the code or templates that
  the catalogue lacks, or a catalogue entry that no longer is in the source. `makemessages` runs
  on a copy of the source files in a temporary directory, so the working tree is never touched;
  line numbers (`#:`) and dates do not count, only the messages;
- is compiled (`.mo`, not committed: `make install` builds it) but older than its `.po`.

The fix for a failure is the translator's workflow (docs/translation-glossary.md):

    DEBUG=1 .venv/bin/python manage.py makemessages -l ar -l fr --ignore=.venv \\
        --ignore=node_modules --ignore=staticfiles --ignore=var
    # translate the new or changed (fuzzy) entries, then
    make messages

Needs GNU gettext (msgfmt, xgettext, msgmerge), which `make test` installs.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The directories makemessages is told to leave out (the command above); makemessages itself
# also skips hidden files and directories, `locale` directories, `*~` and `*.pyc`.
IGNORED = ("node_modules", "staticfiles", "var")
# makemessages' default extensions for the "django" domain. The portal has no JavaScript catalogue:
# static/js/ gets its strings from the templates through data attributes.
EXTENSIONS = (".py", ".html", ".txt")
MAKEMESSAGES = (
    "DEBUG=1 .venv/bin/python manage.py makemessages -l ar -l fr --ignore=.venv "
    "--ignore=node_modules --ignore=staticfiles --ignore=var"
)


def po_path(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """The active entries of a .po file (obsolete `#~` entries left out), header first."""
    entries: list[dict] = []
    entry: dict | None = None
    field = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#~"):
            continue
        if not line.strip():
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, text = match.groups()
            field = ("msgstr", int(index or 0)) if keyword == "msgstr" else (keyword, None)
            value = ast.literal_eval(text)
        else:
            value = ast.literal_eval(line)  # a continuation line: "..."
        if field[0] == "msgstr":
            entry["msgstr"][field[1]] = entry["msgstr"].get(field[1], "") + value
        else:
            entry[field[0]] = entry.get(field[0], "") + value
    return entries


def key(entry: dict) -> tuple:
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


def describe(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if "msgctxt" in entry else ""
    text = entry["msgid"]
    return context + (text if len(text) <= 90 else text[:87] + "...")


def listing(title: str, entries: list[dict]) -> str:
    shown = "\n".join(f"  - {describe(entry)}" for entry in entries[:25])
    more = f"\n  ... and {len(entries) - 25} more" if len(entries) > 25 else ""
    return f"{title} ({len(entries)}):\n{shown}{more}"


def header(entries: list[dict]) -> dict[str, str]:
    lines = entries[0]["msgstr"][0].splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def nplurals(plural_forms: str) -> int:
    return int(re.search(r"nplurals\s*=\s*(\d+)", plural_forms).group(1))


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} (GNU gettext) is not installed: `make test-deps` installs it.")
    return path


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> dict[tuple, dict]:
    """The messages of the current source, as `makemessages` extracts them (its .pot file).

    makemessages runs on a copy of the files it reads, in a temporary directory that has its own
    (empty) `locale/`: it writes its .pot and .po files there, never into the project's locale/.
    """
    for tool in ("xgettext", "msguniq", "msgmerge"):
        gettext_tool(tool)
    tree = tmp_path_factory.mktemp("source")
    for directory, subdirectories, files in os.walk(ROOT):
        relative = Path(directory).relative_to(ROOT)
        subdirectories[:] = [
            name
            for name in subdirectories
            if not name.startswith(".")
            and name != "locale"
            and name != "CVS"
            and not (relative == Path(".") and name in IGNORED)
        ]
        for name in files:
            if name.endswith(EXTENSIONS) and not name.startswith("."):
                (tree / relative).mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(directory) / name, tree / relative / name)
    (tree / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "--locale", "ar", "--keep-pot"],
        cwd=tree,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    pot = tree / "locale" / "django.pot"
    assert pot.exists(), f"makemessages wrote no {pot}:\n{result.stdout}\n{result.stderr}"
    return {key(entry): entry for entry in parse_po(pot)[1:]}


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_compiles_with_placeholders_intact(code):
    """msgfmt --check: the placeholders of each translation are those of its English, the
    header is complete, plural messages have a Plural-Forms header."""
    path = po_path(code)
    assert path.exists(), f"No catalogue for {code}: run {MAKEMESSAGES}"
    result = subprocess.run(
        [gettext_tool("msgfmt"), "--check", "--output-file=/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"msgfmt --check {path.relative_to(ROOT)}:\n{result.stderr}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    entries = parse_po(po_path(code))[1:]
    untranslated = [
        entry
        for entry in entries
        if not entry["msgstr"] or not all(text for text in entry["msgstr"].values())
    ]
    fuzzy = [entry for entry in entries if "fuzzy" in entry["flags"]]
    problems = []
    if untranslated:
        problems.append(listing("untranslated", untranslated))
    if fuzzy:
        problems.append(listing("fuzzy (check the translation, then remove the flag)", fuzzy))
    assert not problems, f"locale/{code}/LC_MESSAGES/django.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("code", LANGUAGES)
def test_plural_messages_have_every_form_of_the_language(code):
    """As many forms as the language has (Arabic six: zero, one, two, few, many, other), the
    number Django's own catalogue for the language uses."""
    entries = parse_po(po_path(code))
    forms = nplurals(header(entries).get("Plural-Forms", ""))
    django_po = Path(django.__file__).parent / "conf" / "locale" / code / "LC_MESSAGES"
    django_forms = nplurals(header(parse_po(django_po / "django.po"))["Plural-Forms"])
    assert forms == django_forms, f"{code}: {forms} plural forms, Django's catalogue {django_forms}"
    wrong = [
        entry
        for entry in entries[1:]
        if "msgid_plural" in entry and sorted(entry["msgstr"]) != list(range(forms))
    ]
    assert not wrong, listing(f"plural messages without exactly {forms} forms", wrong)


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalogue_is_in_step_with_the_source(code, source_messages):
    catalogue = {key(entry): entry for entry in parse_po(po_path(code))[1:]}
    missing = [entry for k, entry in source_messages.items() if k not in catalogue]
    stale = [entry for k, entry in catalogue.items() if k not in source_messages]
    problems = []
    if missing:
        problems.append(listing("in the source, not in the catalogue", missing))
    if stale:
        problems.append(listing("in the catalogue, no longer in the source", stale))
    assert not problems, (
        f"locale/{code}/LC_MESSAGES/django.po is out of date: run\n  {MAKEMESSAGES}\n"
        "then translate what it adds or marks fuzzy.\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("code", LANGUAGES)
def test_compiled_catalogue_is_current_and_used(code):
    """The .mo that Django reads is built from the current .po (`make install` or
    `make messages` rebuilds it), and Django finds it in LOCALE_PATHS."""
    po, mo = po_path(code), po_path(code).with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run `make messages`"
    assert mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo.relative_to(ROOT)} is older than its .po: run `make messages`"
    )
    sample = next(
        entry
        for entry in parse_po(po)[1:]
        if "msgid_plural" not in entry
        and "msgctxt" not in entry
        and "fuzzy" not in entry["flags"]
        and entry["msgstr"].get(0)
        and "%" not in entry["msgid"]
    )
    with translation.override(code):
        assert translation.gettext(sample["msgid"]) == sample["msgstr"][0]
