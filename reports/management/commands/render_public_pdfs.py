"""`python manage.py render_public_pdfs`: render the public PDFs that are missing or stale.

Publishing a review queues its PDFs by itself; this is for what that did not cover: reviews
published before the PDFs were stored, a deploy that changed the PDF's templates, stylesheet or
translations (every stored PDF is then stale), or a storage that lost files. Without it each is
rendered on the first request for it, under the public limits (docs/deploy.md).
"""

from django.core.management.base import BaseCommand

from gcmreview.formatting import counted
from questionnaire.models import Submission, SubmissionStatus
from reports import public_pdf, tasks


class Command(BaseCommand):
    help = (
        "Render the public PDFs of published reviews that have none, or whose stored PDF no "
        "longer matches the review (every portal language)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue them for the background workers (db_worker) instead of rendering here.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Render every public PDF, current ones too."
        )
        parser.add_argument(
            "--submission", type=int, action="append", help="Only this submission (repeatable)."
        )

    def handle(self, *args, **options) -> None:
        submissions = Submission.objects.filter(status=SubmissionStatus.PUBLISHED)
        if options["submission"]:
            submissions = submissions.filter(pk__in=options["submission"])
        pending = list(
            public_pdf.public_pdfs_pending(submissions=submissions, force=options["force"])
        )
        for submission, language in pending:
            if options["queue"]:
                tasks.render_public_pdf.enqueue(submission.pk, language)
            else:
                public_pdf.public_pdf_render(submission=submission, language=language)
                if options["verbosity"] >= 2:
                    self.stdout.write(f"Rendered {submission} ({language}).")
        if options["verbosity"] >= 1:
            what = counted(len(pending), "public PDF", "public PDFs")
            self.stdout.write(f"{'Queued' if options['queue'] else 'Rendered'} {what}.")
