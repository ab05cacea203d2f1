"""A translator's returned file, written into a draft version's Arabic or French texts.

The administrator has seen what would change (`translation_files.review`) and confirmed it; this
writes exactly that, or nothing.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import i18n, permissions
from ..models import QuestionnaireVersion, VersionStatus
from ..permissions import Action
from ..selectors import version_translation_units


class TranslationsChanged(ValidationError):
    """A text changed between the preview and the confirmation: the preview is out of date."""


@transaction.atomic
def questionnaire_version_translations_import(
    *,
    version: QuestionnaireVersion,
    language: str,
    changes: list[dict],
    user=None,
) -> int:
    """Write `changes` (each `{"key", "source", "current", "new"}`, as the preview showed them)
    into the `language` texts of `version`, all in one transaction; the number written.

    Refused whole unless the version is still a draft (a published version never changes), and
    unless every text is still as the preview saw it: its English and its current translation.
    Someone who edited one of them since would otherwise be overwritten unseen.
    """
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
    if language not in i18n.TRANSLATION_LANGUAGES:
        raise ValidationError(_("Translations are imported into Arabic or French only."))
    # The version's row is locked, so that it is not published while its texts are written.
    version = (
        QuestionnaireVersion.objects.select_for_update()
        .select_related("questionnaire")
        .get(pk=version.pk)
    )
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _(
                "Version %(number)s is %(status)s: its texts never change. Create a new draft "
                "from it and import the translations into the draft."
            )
            % {"number": version.number, "status": version.get_status_display()}
        )
    units = {
        unit.key: unit for unit in version_translation_units(version=version, language=language)
    }
    stale = [
        change["key"]
        for change in changes
        if change["key"] not in units
        or units[change["key"]].source != change["source"]
        or units[change["key"]].target != change["current"]
    ]
    if stale:
        raise TranslationsChanged(
            _(
                "Some texts have changed since the preview (%(keys)s). Nothing was imported: "
                "upload the file again to see what it would change now."
            )
            % {"keys": ", ".join(stale[:5]) + (" …" if len(stale) > 5 else "")}
        )
    touched: dict[tuple[str, int], tuple[object, set[str]]] = {}
    for change in changes:
        unit = units[change["key"]]
        obj = unit.obj
        if unit.option is None:
            name = f"{unit.field}_{language}"
            setattr(obj, name, change["new"])
        else:
            list_name, index = unit.option
            if (obj._meta.label, obj.pk) not in touched:
                # A copy: the row read above must not share its dict with the new value.
                obj.options = copy.deepcopy(obj.options)
            obj.options[list_name][index][f"label_{language}"] = change["new"]
            name = "options"
        touched.setdefault((obj._meta.label, obj.pk), (obj, set()))[1].add(name)
    for obj, fields in touched.values():
        obj.save(update_fields=sorted(fields))
    return len(changes)
