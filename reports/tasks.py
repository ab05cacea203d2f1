"""Background tasks (Django's tasks API via django-tasks; the database backend in production,
where `manage.py db_worker` processes run them, the immediate backend in tests).

Each country's part is its own task, so several workers share a compilation; each language of a
published review's public PDF too.
"""

from django_tasks import task

from . import compilation, public_pdf


@task()
def prepare_compilation(compilation_id: int) -> int:
    pending = compilation.prepare(compilation_id, enqueue=render_part.enqueue)
    return len(pending)


@task()
def render_part(part_id: int) -> None:
    compilation.render_part(part_id)


@task()
def assemble_compilation(compilation_id: int) -> None:
    compilation.assemble(compilation_id)


@task()
def render_public_pdf(submission_id: int, language: str) -> bool:
    """A published review's public PDF in one language (queued when it is published)."""
    return public_pdf.public_pdf_render_task(submission_id=submission_id, language=language)
