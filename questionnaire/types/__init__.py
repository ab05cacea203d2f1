"""Question types: one class per type (`base.BaseQuestionType`), one module each.

Every module of this package is imported here (but `base` and helpers named `_…`), and each
class that names itself registers itself, so adding a type adds a module and touches nothing else
in Python (docs/architecture.md, "Adding a question type"). `get_type(name)` and `all_types()`
read the registry; `choices` gives `Question.type` its choices.

`QuestionType` names the registered types as constants (`QuestionType.LONG_TEXT == "long_text"`)
for code and tests that refer to one type, made from the registry so that it cannot fall behind.
"""

from __future__ import annotations

import importlib
import pkgutil

from django.db import models

from .base import REGISTRY, BaseQuestionType, all_types, choices, field_name, get_type

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base" and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

QuestionType = models.TextChoices(
    "QuestionType",
    [(kind.name.upper(), (kind.name, kind.label)) for kind in all_types()],
    module=__name__,
)

__all__ = [
    "REGISTRY",
    "BaseQuestionType",
    "QuestionType",
    "all_types",
    "choices",
    "field_name",
    "get_type",
]
