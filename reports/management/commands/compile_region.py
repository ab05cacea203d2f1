"""`python manage.py compile_region --cycle arab-2020 -o region.pdf`: the regional compilation,
run in this process by the same code the background workers run."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gcmreview.formatting import counted
from questionnaire.management.cycles import cycle_for_command
from reports import compilation, figures, services
from reports.models import JobStatus


class Command(BaseCommand):
    help = "Compile a cycle's accepted and published submissions into one PDF."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help="the cycle's slug, e.g. arab-2020")
        parser.add_argument("-o", "--output", required=True, help="where to write the PDF")
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the cover, contents and annexes (default: en)",
        )
        parser.add_argument(
            "--comparison",
            action="store_true",
            help="add the annex comparing each country with the previous cycle",
        )

    def handle(
        self, *args, cycle: str, output: str, language: str, comparison: bool = False, **options
    ):
        found = cycle_for_command(cycle)
        job = services.compilation_create(
            cycle=found, language=language, include_comparison=comparison
        )
        job = compilation.run_inline(job)
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"The compilation failed: {job.error}")
        path = Path(output)
        with job.file.open("rb") as source:
            path.write_bytes(source.read())
        countries = job.parts.filter(submission__isnull=False)
        overview = job.parts.filter(annex_key__startswith=figures.FIGURE_PIECE)
        annexes = job.parts.filter(submission__isnull=True, chapter_revision__isnull=True).exclude(
            pk__in=overview
        )
        chapters = job.parts.filter(chapter_revision__isnull=False).count()
        self.stdout.write(
            f"Wrote {path} ({counted(job.page_count, 'page', 'pages')}, "
            f"{counted(countries.count(), 'country', 'countries')}, "
            f"{countries.filter(from_cache=True).count():,} taken from the cache; "
            f"{counted(annexes.count(), 'annex piece', 'annex pieces')}, "
            f"{annexes.filter(from_cache=True).count():,} from the cache; "
            f"{counted(overview.count(), 'figure', 'figures')}, "
            f"{overview.filter(from_cache=True).count():,} from the cache"
            + (
                f"; {counted(chapters, 'chapter', 'chapters')} of the regional report"
                if chapters
                else ""
            )
            + ")."
        )
