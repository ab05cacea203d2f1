"""Every translatable text of a questionnaire version, one unit per text, for the translator's
round-trip (`questionnaire.translation_files` writes and reads the files; the service
`questionnaire_version_translations_import` writes what comes back).

A unit's key names its text for good: `section.I.intro`, `question.<key>.help_text`,
`question.<key>.choices.<value>`, `objective.4.short_label`. It survives copying a draft (a
question's key does) and is what a returned file is matched by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from .. import i18n
from ..models import QuestionnaireVersion
from .versions import TextHolder, version_text_holders


@dataclass
class TranslationUnit:
    """One text with English: where it is, its English, and its translation into `language`."""

    key: str
    where: str  # "Section I, question I.b, help text"
    source: str  # the English
    target: str  # the translation ("" when missing)
    obj: Any  # the row holding it
    field: str  # the English field ("help_text"), or "options" for a label of a question's options
    option: tuple[str, int] | None = None  # (list name, index) for a label of the options
    shared: bool = False  # the questionnaire's title and the objectives: shared by every version

    @property
    def is_translated(self) -> bool:
        return bool(self.target.strip())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _where(holder: TextHolder) -> str:
    """Where a file's translator finds the row: "Section I, question I.b" for a question (its
    key is in the unit's own key), else as the admin says it ("Section I", "Objective 4")."""
    obj = holder.obj
    if obj._meta.model_name == "question":
        return gettext("Section %(number)s, question %(number)s.%(label)s") % {
            "number": obj.section.number,
            "label": obj.label,
        }
    return holder.where


def version_translation_units(
    *, version: QuestionnaireVersion, language: str
) -> list[TranslationUnit]:
    """Every text of `version` that has English, with its translation into `language` ("ar" or
    "fr"): the questionnaire's title, the sections' titles and introductions, the questions'
    texts, help texts and the labels of their choices, columns and scale steps, and the GCM
    objectives when the version has an objectives grid. In the order a reader meets them. Four
    queries at most."""
    if language not in i18n.TRANSLATION_LANGUAGES:
        raise ValueError(f"not a translation language: {language!r}")
    units: list[TranslationUnit] = []
    seen: set[str] = set()

    def add(unit: TranslationUnit) -> None:
        # An option list with two items of one value has one key for both: the first is kept.
        if unit.source.strip() and unit.key not in seen:
            seen.add(unit.key)
            units.append(unit)

    for holder in version_text_holders(version=version):
        obj, prefix, where, shared = holder.obj, holder.prefix, _where(holder), holder.shared
        model_name = obj._meta.model_name
        for name in i18n.TRANSLATED_FIELDS.get(model_name, ()):
            add(
                TranslationUnit(
                    key=f"{prefix}.{name}",
                    where=f"{where}, {obj._meta.get_field(name).verbose_name}",
                    source=_text(getattr(obj, name, "")),
                    target=_text(getattr(obj, f"{name}_{language}", "")),
                    obj=obj,
                    field=name,
                    shared=shared,
                )
            )
        if model_name == "question":
            options = obj.options if isinstance(obj.options, dict) else {}
            for list_name, what in i18n.OPTION_LISTS.items():
                items = options.get(list_name)
                ident_key = "key" if list_name == "columns" else "value"
                for index, item in enumerate(items if isinstance(items, list) else []):
                    if not isinstance(item, dict) or item.get(ident_key) in (None, ""):
                        continue
                    ident = str(item[ident_key])
                    add(
                        TranslationUnit(
                            key=f"{prefix}.{list_name}.{ident}",
                            where=f"{where}, {what} “{ident}”",
                            source=_text(item.get("label")),
                            target=_text(item.get(f"label_{language}")),
                            obj=obj,
                            field="options",
                            option=(list_name, index),
                        )
                    )
    return units
