"""One fingerprint of what a submission's PDF shows, for the caches of rendered PDFs.

Two caches keep rendered PDFs: the regional compilation's country parts (`RenderedPart`, under
`compilation._part_material`'s hash) and the stored public PDFs (`PublishedPdf.fingerprint`,
`public_pdf.source_fingerprint`). A cached file is reused only while its fingerprint is the
current one, so the fingerprint changes with anything the document shows:

- the layout (`layout_digest`, worked out once per process: files change only with a deploy,
  which starts new processes):
  - the templates the PDF renders (`pdf_templates`): `reports/submission_pdf.html`, each
    question type's `display.html`, the two templates the answer tags render, and every
    template those `{% include %}` or `{% extends %}`, found by walking the compiled templates;
  - the static files they link (`linked_files`): stylesheets, and the fonts and images the
    stylesheets name, resolved as the PDF renderer's fetcher reads them;
  - the language's translations (its .po files, the source: the .mo are compiled from them at
    install, and msgfmt's bytes may differ between two app servers) and format modules;
  - the Python that shapes what the templates get: `CONTEXT_MODULES`, the question types'
    modules and the template tag libraries the templates load (their source files), and
    `CODE_VERSION` for any other code;
  - the renderer's and Django's versions;
- the version's texts in the language (`version_texts`, one query): section numbers, titles and
  intros, the questions' labels, texts, help, types, settings and the labels of their options
  (choices, columns, scale), English beside the language's translation (the English shows where
  there is none);
- the GCM objectives' titles and short labels in the language (one query);
- the submission (status, language, dates), its country's and cycle's names, the version's and
  the questionnaire's titles (loaded with the submission: no query);
- the answers: values, "Not applicable" reasons, whether carried forward (one query).

Three queries, whatever the size of the questionnaire. The conditions that hide questions are
not read: a published version's never change, and which questions show follows from the answers.

The annex pieces of the compilation are hashed from their own HTML (`compilation.document_hash`)
with `document_digest`: the files that HTML links and the renderer's version.

tests/reports/test_fingerprint.py renders a PDF with every question type and checks that every
template it used and every file the renderer read is in the layout digest.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import inspect
import json
import re
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.template import engines
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils.formats import iter_format_modules

from questionnaire import i18n
from questionnaire.models import Answer, Objective, Section, Submission
from questionnaire.templatetags.answers import NOT_APPLICABLE_TEMPLATE
from questionnaire.types.base import NOT_ANSWERED_TEMPLATE, all_types

from .fetcher import FetchRefused, resolve_static, static_base_url

# Bump when Python code that the digests below do not cover changes what the PDF shows: the
# selectors that load the submission (`questionnaire.selectors`), the conditions, `i18n`, the
# rich-text sanitiser, number and date formatting. Templates, stylesheets, fonts, translations,
# `CONTEXT_MODULES`, the question types and the template tags are seen by themselves.
# (5 was the compilation's PART_LAYOUT_VERSION, 3 the public PDFs' LAYOUT_VERSION.)
CODE_VERSION = "6"
# The document the PDF is laid out from (`pdf.submission_html`).
PDF_TEMPLATE = "reports/submission_pdf.html"
# Modules whose code builds the PDF's context: hashed with the templates.
CONTEXT_MODULES = ("reports.pdf", "reports.textdir", "gcmreview.bidi")
# What the renderer does with the same HTML and files changes with its version.
RENDERER_PACKAGES = ("weasyprint", "pydyf", "django")

# URLs a document or stylesheet names: `href`/`src` attributes, CSS `url()` and `@import`.
_LINK_RE = re.compile(
    r"""\b(?:href|src)\s*=\s*["']([^"'{}<>]+)["']"""
    r"""|url\(\s*["']?([^"'(){}<>]+?)["']?\s*\)"""
    r"""|@import\s+["']([^"'{}<>]+)["']"""
)
_LOAD_RE = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


# --- Files -------------------------------------------------------------------------------------


@functools.cache
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _static_name(path: Path) -> str:
    """A static file's name inside its static directory: the same on every server."""
    for directory in settings.STATICFILES_DIRS:
        root = Path(directory).resolve()
        if path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.name


def _links(text: str, base_url: str) -> set[Path]:
    """The static files `text` names, resolved against `base_url`; what the renderer would not
    read (another scheme, outside the static directories, missing) is left out."""
    found = set()
    for match in _LINK_RE.finditer(text):
        reference = next(group for group in match.groups() if group)
        try:
            found.add(resolve_static(urljoin(base_url, reference.strip())))
        except (FetchRefused, ValueError):
            continue
    return found


@functools.cache
def _stylesheet_links(path: Path) -> frozenset[Path]:
    """The files a stylesheet names (fonts, images, imported stylesheets), recursively."""
    found: set[Path] = set()
    pending = [path]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        if current.suffix.lower() == ".css":
            text = current.read_text(encoding="utf-8", errors="replace")
            pending.extend(_links(text, current.as_uri()))
    return frozenset(found)


def linked_files(text: str) -> list[Path]:
    """The static files a document (HTML or a template's source) links, directly or through its
    stylesheets: what the PDF renderer reads to lay it out."""
    found: set[Path] = set()
    for path in _links(text, static_base_url()):
        found |= _stylesheet_links(path)
    return sorted(found)


def _files_material(paths) -> list[list[str]]:
    return [[_static_name(path), _file_digest(path)] for path in paths]


@functools.cache
def _renderer_versions() -> tuple[tuple[str, str], ...]:
    return tuple((name, importlib.metadata.version(name)) for name in RENDERER_PACKAGES)


def document_digest(html: str) -> str:
    """A hash of what lays `html` out besides the HTML itself: the static files it links
    (stylesheets, their fonts) and the renderer's version."""
    material = {"files": _files_material(linked_files(html)), "renderer": _renderer_versions()}
    return _digest(material)


# --- Templates and code ------------------------------------------------------------------------


def _constant_name(expression) -> str | None:
    """The template name of `{% include "name" %}` or `{% extends "name" %}`; None when the
    name is worked out at render time."""
    value = expression.var
    return str(value) if isinstance(value, str) and not expression.filters else None


def pdf_templates() -> dict[str, str]:
    """`{template name: file}` of every template a submission's PDF may render: the document,
    each question type's display, "Not answered" and "Not applicable", and everything those
    include or extend. An include by a variable name cannot be followed: the test that renders
    every question type finds what it misses."""
    engine = engines["django"].engine
    roots = [PDF_TEMPLATE, NOT_ANSWERED_TEMPLATE, NOT_APPLICABLE_TEMPLATE]
    roots += [kind.display_template for kind in all_types()]
    found: dict[str, str] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        template = engine.get_template(name)
        found[name] = template.origin.name
        for node in template.nodelist.get_nodes_by_type((IncludeNode, ExtendsNode)):
            expression = node.template if isinstance(node, IncludeNode) else node.parent_name
            included = _constant_name(expression)
            if included is not None:
                pending.append(included)
    return dict(sorted(found.items()))


def _module_file(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin) if spec is not None and spec.origin else None


@functools.cache
def module_digest(name: str) -> str:
    """A hash of a module's source file, read once per process."""
    return _file_digest(_module_file(name))


def context_code(template_sources: list[str]) -> dict[str, Path]:
    """`{module: source file}` of the project's Python that shapes what the templates show:
    `CONTEXT_MODULES`, the question types (with their base classes) and the template tag
    libraries `template_sources` load. Django's own libraries go with Django's version."""
    names = set(CONTEXT_MODULES)
    for kind in all_types():
        names |= {cls.__module__ for cls in inspect.getmro(type(kind)) if cls is not object}
    libraries = engines["django"].engine.libraries  # {name: module}
    for source in template_sources:
        for match in _LOAD_RE.finditer(source):
            names.update(libraries[name] for name in match.group(1).split() if name in libraries)
    base = Path(settings.BASE_DIR).resolve()
    files = {}
    for name in sorted(names):
        path = _module_file(name)
        if path is not None and path.resolve().is_relative_to(base):
            files[name] = path
    return files


def _translation_files(language: str) -> list[tuple[str, Path]]:
    """The language's catalogues (.po) in LOCALE_PATHS and its format modules."""
    files = []
    for locale_dir in settings.LOCALE_PATHS:
        for path in sorted(Path(locale_dir).glob(f"{language}/LC_MESSAGES/*.po")):
            files.append((f"{language}/{path.name}", path))
    for module in iter_format_modules(language, settings.FORMAT_MODULE_PATH):
        if getattr(module, "__file__", None):
            files.append((module.__name__, Path(module.__file__)))
    return files


def pdf_static_files(templates: dict[str, str] | None = None) -> list[Path]:
    """The static files the PDF's templates link (`linked_files` of their sources)."""
    templates = pdf_templates() if templates is None else templates
    found: set[Path] = set()
    for path in templates.values():
        found.update(linked_files(Path(path).read_text(encoding="utf-8")))
    return sorted(found)


@functools.cache
def layout_digest(language: str) -> str:
    """A hash of everything but data that shapes the PDF in `language`: templates, the static
    files they link, translations and formats, the code that builds the context, the renderer.
    Worked out once per process."""
    templates = pdf_templates()
    sources = [Path(path).read_text(encoding="utf-8") for path in templates.values()]
    material = {
        "code_version": CODE_VERSION,
        "templates": [[name, _file_digest(Path(path))] for name, path in templates.items()],
        "files": _files_material(pdf_static_files(templates)),
        "translations": [[name, _file_digest(path)] for name, path in _translation_files(language)],
        "code": [[name, _file_digest(path)] for name, path in context_code(sources).items()],
        "renderer": _renderer_versions(),
    }
    return _digest(material)


def clear_caches() -> None:
    """Forget the digests read so far (tests that change a file; a process would restart)."""
    for cached in (_file_digest, _stylesheet_links, _renderer_versions, module_digest,
                   layout_digest):  # fmt: skip
        cached.cache_clear()


# --- Data --------------------------------------------------------------------------------------


def _in_language(names, language: str) -> list[str]:
    """`["title", "title_ar"]`: the English field and the one `tr` shows in `language`."""
    code = i18n.language(language)
    suffixes = [""] if code == i18n.BASE_LANGUAGE else ["", f"_{code}"]
    return [f"{name}{suffix}" for name in names for suffix in suffixes]


def _options_in(options, language: str):
    """A question's options without the other languages' labels of its choices, columns and
    scale steps (a French label does not change the Arabic PDF)."""
    if not isinstance(options, dict):
        return options
    code = i18n.language(language)
    others = {f"label_{other}" for other in i18n.TRANSLATION_LANGUAGES if other != code}
    shown = dict(options)
    for list_name in i18n.OPTION_LISTS:
        items = shown.get(list_name)
        if isinstance(items, list):
            shown[list_name] = [
                {key: value for key, value in item.items() if key not in others}
                if isinstance(item, dict)
                else item
                for item in items
            ]
    return shown


def version_texts(version_id: int, language: str) -> list:
    """What a version prints in `language`: its sections and questions in order, with their
    texts (English and the language's), types and options. One query."""
    section_fields = _in_language(i18n.TRANSLATED_FIELDS["section"], language)
    question_fields = _in_language(i18n.TRANSLATED_FIELDS["question"], language)
    question_columns = [
        *("pk", "key", "label", "order", "type", "required", "allows_not_applicable"),
        *("shown_when", "options", *question_fields),
    ]
    rows = (
        Section.objects.filter(version_id=version_id)
        .order_by("order", "pk", "questions__order", "questions__pk")
        .values_list(
            "pk", "number", "order", *section_fields,
            *(f"questions__{column}" for column in question_columns),
        )
    )  # fmt: skip
    options_at = 3 + len(section_fields) + question_columns.index("options")
    return [
        [*row[:options_at], _options_in(row[options_at], language), *row[options_at + 1 :]]
        for row in rows
    ]


def objective_texts(language: str) -> list:
    """The GCM objectives' numbers, titles and short labels in `language`. One query."""
    fields = _in_language(i18n.TRANSLATED_FIELDS["objective"], language)
    return list(Objective.objects.order_by("number").values_list("number", *fields))


def submission_material(*, submission: Submission, language: str) -> str:
    """Everything the PDF of `submission` in `language` shows, as JSON (its length tells how
    much the answers hold). Three queries; the submission comes with its country, cycle,
    version and questionnaire (`select_related`)."""
    answers = list(
        Answer.objects.filter(submission=submission)
        .order_by("question_id")
        .values_list("question_id", "value", "not_applicable_reason", "prefilled")
    )
    cycle, country = submission.cycle, submission.country
    version = cycle.version
    questionnaire = version.questionnaire
    code = i18n.language(language)
    material = {
        "layout": layout_digest(language),
        "language": language,
        "submission": [
            submission.pk, submission.status, submission.language,
            submission.submitted_at, submission.accepted_at, submission.updated_at,
        ],
        "country": [country.name_en, getattr(country, f"name_{code}", "")],
        "cycle": [cycle.slug, *(getattr(cycle, f) for f in _in_language(["name"], language))],
        "version": [
            version.pk, version.number, version.official_translations,
            *(getattr(version, f) for f in _in_language(["title"], language)),
        ],
        "questionnaire": [getattr(questionnaire, f) for f in _in_language(["title"], language)],
        # What every submission of the version shares, as digests: the material's length is
        # then about the answers', which is what `compilation.prepare` sizes a part by.
        "texts": _digest(version_texts(version.pk, language)),
        "objectives": _digest(objective_texts(language)),
        "answers": answers,
    }  # fmt: skip
    return json.dumps(material, sort_keys=True, default=str)


def submission_fingerprint(*, submission: Submission, language: str) -> str:
    """A hash of everything the PDF of `submission` in `language` shows (`submission_material`)."""
    material = submission_material(submission=submission, language=language)
    return hashlib.sha256(material.encode()).hexdigest()


def _digest(material) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
