"""Asking for the reports' background work without importing the tasks that do it.

`reports.tasks` imports the modules that do the work (compilation, public_pdf) and registers each
task here under its name; those modules, the recovery and the services ask for the next step
through the functions below. So nothing imports `tasks` back, and the modules form no import
cycle (tests/test_code_layout.py). ReportsConfig.ready imports `tasks`, so every process (web
server, worker, command) has the tasks registered before anything asks.

Each request is sent once the current transaction commits: a rolled-back change queues nothing,
and a worker never looks for a row that is not committed yet.
"""

from __future__ import annotations

from django.db import transaction

_TASKS: dict = {}


def register(task):
    """Decorator for reports.tasks (under `@task()`): make `task` reachable by its name."""
    _TASKS[task.name] = task
    return task


def _enqueue_on_commit(name: str, *args) -> None:
    task = _TASKS[name]  # a KeyError here: reports.tasks was not imported (ReportsConfig.ready)
    transaction.on_commit(lambda: task.enqueue(*args))


def compilation_prepare_later(compilation_id: int) -> None:
    """List a compilation's parts and queue their rendering (tasks.prepare_compilation)."""
    _enqueue_on_commit("prepare_compilation", compilation_id)


def part_render_later(part_id: int) -> None:
    """Render one part of a compilation (tasks.render_part)."""
    _enqueue_on_commit("render_part", part_id)


def compilation_assemble_later(compilation_id: int) -> None:
    """Assemble a compilation whose parts are all rendered (tasks.assemble_compilation)."""
    _enqueue_on_commit("assemble_compilation", compilation_id)


def public_pdf_render_later(submission_id: int, language: str) -> None:
    """Render a published review's public PDF in one language (tasks.render_public_pdf)."""
    _enqueue_on_commit("render_public_pdf", submission_id, language)
