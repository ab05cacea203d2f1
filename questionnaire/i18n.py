"""The questionnaire's own words in the reader's language: the one accessor for them.

What a questionnaire version asks (its title, sections, questions, the labels in a question's type
options), the questionnaire's title, the review cycles' names and the GCM objectives are data,
written in the admin, not interface strings: gettext's catalogues (locale/) do not hold them.
English is the base field (`text`); the Arabic and French texts sit beside it (`text_ar`,
`text_fr`), and beside each `label` of a question's options (`label_ar`, `label_fr`).

`tr(obj, "text")` and `option_label(item)` return the active language's text and fall back to
English when there is none, so a version that is only partly translated still reads whole.
`version_title(version)` (`version.display_title`) is the title a cycle or a submission prints:
the version's own, else the questionnaire's. Templates use the `tr` and `option_label` filters
of `{% load translated %}`. `missing(obj)` lists what an administrator has still to translate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

BASE_LANGUAGE = "en"
# The languages a question set can be translated into, besides English.
TRANSLATION_LANGUAGES = ("ar", "fr")
LANGUAGE_NAMES = {"ar": _("Arabic"), "fr": _("French")}

# Per model (by `_meta.model_name`): the fields that have an Arabic and a French twin.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "questionnaire": ("title",),
    # A version's own title; blank, the questionnaire's stands (`version_title`).
    "questionnaireversion": ("title",),
    "section": ("title", "intro"),
    "question": ("text", "help_text"),
    "objective": ("title", "short_label"),
    "reviewcycle": ("name",),
}
# The lists of a question's type options whose items carry a `label` (and its translations).
OPTION_LISTS: dict[str, Any] = {
    "choices": _("choice"),
    "columns": _("column"),
    "scale": _("status"),
}


def language(code: str | None = None) -> str:
    """`code` (else the active language) as one of the question set's languages; English for
    any other."""
    code = (code or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in TRANSLATION_LANGUAGES else BASE_LANGUAGE


def portal_language(requested: str | None, default: str | None = None) -> str:
    """The language a document is written in: `requested` when it is one of the portal's
    languages, else `default` (a submission's own, the page's), else the portal's default."""
    codes = {code for code, _name in settings.LANGUAGES}
    for code in (requested, (default or "").split("-")[0]):
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


def translation_fields(model_name: str) -> list[str]:
    """`["text_ar", "text_fr", "help_text_ar", …]`: the translation fields of a model."""
    return [
        f"{name}_{code}" for name in TRANSLATED_FIELDS[model_name] for code in TRANSLATION_LANGUAGES
    ]


def _text(value: Any) -> str:
    return value if isinstance(value, str) and value.strip() else ""


def is_blank(value: Any) -> bool:
    """Whether a text field holds nothing a reader would see (empty, or only spaces)."""
    return not _text(value)


def tr(obj: Any, field: str, code: str | None = None) -> str:
    """The `field` of `obj` in the active language (or `code`), English when it has none."""
    if obj is None:
        return ""
    lang = language(code)
    if lang != BASE_LANGUAGE:
        translated = _text(getattr(obj, f"{field}_{lang}", ""))
        if translated:
            return translated
    return getattr(obj, field, "") or ""


def version_title(version: Any, code: str | None = None) -> str:
    """The title of a questionnaire version in the active language (or `code`): the version's
    own in that language, else its English; when the version has no title of its own, the
    questionnaire's in that language, else its English. One query when the questionnaire is not
    loaded and the version has no title."""
    if version is None:
        return ""
    own = tr(version, "title", code)
    if not is_blank(own):
        return own
    return tr(version.questionnaire, "title", code)


def is_translated(obj: Any, field: str, code: str | None = None) -> bool:
    """Whether `tr` shows a translation (not the English fallback) of `obj.field`."""
    lang = language(code)
    return lang != BASE_LANGUAGE and bool(_text(getattr(obj, f"{field}_{lang}", "")))


def option_label(item: Any, code: str | None = None) -> str:
    """The label of a choice, column or scale step of a question's options, in the active
    language (or `code`), English when it has none."""
    if not isinstance(item, dict):
        return ""
    lang = language(code)
    if lang != BASE_LANGUAGE:
        translated = _text(item.get(f"label_{lang}"))
        if translated:
            return translated
    label = item.get("label", "")
    return label if isinstance(label, str) else ""


def option_labels(items: Any, key: str = "value", code: str | None = None) -> dict[str, str]:
    """`{value: label}` of a list of choices or scale steps (`key="key"` for columns)."""
    if not isinstance(items, list):
        return {}
    return {
        item.get(key): option_label(item, code)
        for item in items
        if isinstance(item, dict) and item.get(key) is not None
    }


# --- What is shown, what is missing -------------------------------------------------------------


def shows_translation(sections: Iterable[Any], code: str | None = None) -> bool:
    """Whether a page showing `sections` (Sections with `question_list`, or SectionAnswers) shows
    some of their text translated into the active language. No query: reads what is loaded."""
    lang = language(code)
    if lang == BASE_LANGUAGE:
        return False
    for entry in sections or ():
        section = getattr(entry, "section", entry)
        if any(is_translated(section, name, lang) for name in TRANSLATED_FIELDS["section"]):
            return True
        for question in getattr(entry, "question_list", ()):
            if any(is_translated(question, name, lang) for name in TRANSLATED_FIELDS["question"]):
                return True
    return False


def texts(obj: Any) -> list[tuple[str, set[str]]]:
    """Every text of `obj` (a questionnaire or version, section, question, objective or cycle)
    that has English:
    `(what, languages it is translated into)`, the labels of a question's type options
    included. No query."""
    model_name = obj._meta.model_name
    found: list[tuple[str, set[str]]] = []
    for name in TRANSLATED_FIELDS[model_name]:
        if _text(getattr(obj, name, "")):
            translated = {code for code in TRANSLATION_LANGUAGES if is_translated(obj, name, code)}
            found.append((str(obj._meta.get_field(name).verbose_name), translated))
    if model_name == "question":
        options = obj.options if isinstance(obj.options, dict) else {}
        for list_name, what in OPTION_LISTS.items():
            items = options.get(list_name)
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and _text(item.get("label")):
                    ident = item.get("key" if list_name == "columns" else "value", "")
                    translated = {
                        code for code in TRANSLATION_LANGUAGES if _text(item.get(f"label_{code}"))
                    }
                    name = gettext("%(what)s “%(ident)s”") % {"what": what, "ident": ident}
                    found.append((name, translated))
    return found


def missing(obj: Any) -> list[tuple[str, str]]:
    """What `obj` (a questionnaire or version, section, question, objective or cycle) lacks in
    Arabic and French: `(language code, what)` for every text that has English but no
    translation, the labels of a question's type options included, language by language. No
    query."""
    found = texts(obj)
    return [
        (code, what)
        for code in TRANSLATION_LANGUAGES
        for what, translated in found
        if code not in translated
    ]


def describe_missing(gaps: list[tuple[str, str]]) -> str:
    """`Arabic: help text, choice “law”; French: help text`, or an empty string."""
    by_language: dict[str, list[str]] = {}
    for code, what in gaps:
        by_language.setdefault(code, []).append(what)
    return "; ".join(
        gettext("%(language)s: %(texts)s")
        % {"language": LANGUAGE_NAMES[code], "texts": ", ".join(whats)}
        for code, whats in by_language.items()
    )
