"""`python manage.py recover_compilations`: requeue compilation work whose worker died.

Meant to run every few minutes (cron or a systemd timer) beside the workers.
"""

from django.core.management.base import BaseCommand

from gcmreview.formatting import counted
from reports.recovery import compilation_recover_stale


class Command(BaseCommand):
    help = "Requeue regional-compilation parts whose worker stopped; fail those that keep failing."

    def handle(self, *args, **options):
        counts = compilation_recover_stale()
        self.stdout.write(
            f"Requeued {counted(counts['requeued'], 'part', 'parts')} and "
            f"{counted(counts['assemblies'], 'assembly', 'assemblies')}; "
            f"failed {counted(counts['failed'], 'compilation', 'compilations')}."
        )
