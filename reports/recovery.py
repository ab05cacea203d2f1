"""Jobs whose worker died: found by their age and queued again, never left "running" forever.

A `db_worker` killed in the middle of a part (out of memory, a deploy, a lost machine) leaves the
part marked running. `compilation_recover_stale` (run by `manage.py recover_compilations`, every
few minutes from cron or a systemd timer, see docs/deploy.md) puts such parts back on the queue,
up to `MAX_ATTEMPTS`, and then fails the compilation with a reason, so its page offers a retry.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import queue
from .models import Compilation, CompilationPart, JobStatus

# A part renders in seconds; one still "running" after this long has lost its worker.
STALE_AFTER = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 3


def compilation_recover_stale(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Requeue parts and assemblies whose worker stopped; fail those that keep stopping."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    counts = {"requeued": 0, "failed": 0, "assemblies": 0}
    with transaction.atomic():
        stale = (
            CompilationPart.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("submission__country")
            .filter(
                status=JobStatus.RUNNING,
                started_at__lt=cutoff,
                compilation__status=JobStatus.RUNNING,
            )
        )
        for part in stale:
            if part.attempts >= MAX_ATTEMPTS:
                what = part.submission.country.name if part.submission_id else _("The annexes")
                message = ngettext(
                    "%(country)s could not be rendered: its worker stopped %(n)d time.",
                    "%(country)s could not be rendered: its worker stopped %(n)d times.",
                    part.attempts,
                ) % {"country": what, "n": part.attempts}
                CompilationPart.objects.filter(pk=part.pk).update(
                    status=JobStatus.FAILED, error=message
                )
                Compilation.objects.filter(pk=part.compilation_id).update(
                    status=JobStatus.FAILED, error=message, finished_at=now
                )
                counts["failed"] += 1
                continue
            CompilationPart.objects.filter(pk=part.pk).update(status=JobStatus.QUEUED)
            queue.part_render_later(part.pk)
            counts["requeued"] += 1
        # An assembly whose worker died: everything rendered, nothing finished for too long.
        for job in Compilation.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.RUNNING, assembly_queued=True, heartbeat_at__lt=cutoff
        ):
            Compilation.objects.filter(pk=job.pk).update(heartbeat_at=now)
            queue.compilation_assemble_later(job.pk)
            counts["assemblies"] += 1
    return counts
