"""Background tasks (Django's tasks API via django-tasks; the database backend in production,
where `manage.py db_worker` processes run them, the immediate backend in tests).

Each country's part is its own task, so several workers share a compilation; each language of a
published review's public PDF too. Code that needs one queued asks `reports.queue`, where each
task is registered: this module imports the work, never the other way round.
"""

from django_tasks import task

from . import compilation, public_pdf, queue


@queue.register
@task()
def prepare_compilation(compilation_id: int) -> int:
    pending = compilation.prepare(compilation_id, enqueue=render_part.enqueue)
    return len(pending)


@queue.register
@task()
def render_part(part_id: int) -> None:
    compilation.render_part(part_id)


@queue.register
@task()
def assemble_compilation(compilation_id: int) -> None:
    compilation.assemble(compilation_id)


@queue.register
@task()
def render_public_pdf(submission_id: int, language: str) -> bool:
    """A published review's public PDF in one language (queued when it is published)."""
    return public_pdf.public_pdf_render_task(submission_id=submission_id, language=language)
