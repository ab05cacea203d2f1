"""Writes of the reports app: its own jobs (compilations), never the questionnaire's state.

Views, commands and benches call these, so the rule of who may compile lives here once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from questionnaire import permissions
from questionnaire.models import ReviewCycle
from questionnaire.permissions import Action

from . import queue
from .models import Compilation, JobStatus


def _require_may_compile(user) -> None:
    # A compilation shows every country's accepted answers: ESCWA staff only. No user: a
    # system job (a command, a bench), which runs on the operator's word.
    if user is not None and not permissions.can(user, Action.VIEW_ALL_COUNTRIES):
        raise PermissionDenied


def compilation_create(
    *,
    cycle: ReviewCycle,
    language: str = "en",
    user=None,
    include_comparison: bool = False,
) -> Compilation:
    """Record a compilation of `cycle`, queued and not started: `compilation_request` has a
    worker run it, `manage.py compile_region` runs it in its own process. ESCWA staff only
    (`user` None: a system job). `include_comparison`: an annex comparing each country with the
    previous cycle (nothing when there is none)."""
    _require_may_compile(user)
    return Compilation.objects.create(
        cycle=cycle,
        requested_by=user,
        language=language,
        include_comparison=include_comparison,
    )


def compilation_request(
    *,
    cycle: ReviewCycle,
    user=None,
    language: str = "en",
    include_comparison: bool = False,
) -> Compilation:
    """Queue a compilation of `cycle`. ESCWA staff only; the work runs on a worker."""
    with transaction.atomic():
        compilation = compilation_create(
            cycle=cycle, language=language, user=user, include_comparison=include_comparison
        )
        queue.compilation_prepare_later(compilation.pk)
    return compilation


def compilation_retry(*, compilation: Compilation, user=None) -> Compilation:
    """Start a failed compilation again: parts already rendered are reused from the cache. A
    compilation that has not failed is left as it is."""
    _require_may_compile(user)
    with transaction.atomic():
        compilation = Compilation.objects.select_for_update().get(pk=compilation.pk)
        if compilation.status != JobStatus.FAILED:
            return compilation
        compilation.parts.all().delete()
        compilation.status = JobStatus.QUEUED
        compilation.error = ""
        compilation.assembly_queued = False
        compilation.finished_at = None
        compilation.save()
        queue.compilation_prepare_later(compilation.pk)
    return compilation
