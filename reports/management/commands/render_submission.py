"""Render one submission's PDF from the command line, with the code the download button runs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError

from questionnaire import selectors
from questionnaire.management.cycles import cycle_for_command
from reports import pdf


class Command(BaseCommand):
    help = (
        "Write the PDF of a country's submission in a review cycle, e.g. "
        "`render_submission MA --cycle arab-2020 -o morocco.pdf`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("country", help="ISO 3166-1 alpha-2 code of the country, e.g. MA.")
        parser.add_argument("--cycle", required=True, help="Slug of the review cycle.")
        parser.add_argument(
            "-o",
            "--output",
            help="Where to write the PDF (default: the download's file name, here).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the document's headings and questions (the answers keep theirs); "
            "by default the submission's own language.",
        )

    def handle(self, *args, **options) -> None:
        cycle_for_command(options["cycle"])  # an unknown cycle: the message every command gives
        try:
            submission = selectors.submission_for_country_and_cycle(
                iso2=options["country"], cycle_slug=options["cycle"]
            )
        except ObjectDoesNotExist as exc:
            raise CommandError(str(exc)) from None
        language = pdf.submission_pdf_language(submission, options["language"])
        data = pdf.submission_pdf(submission=submission, language=language)
        output = Path(options["output"] or pdf.submission_pdf_filename(submission))
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        if options["verbosity"] >= 1:
            self.stdout.write(f"Wrote {output} ({len(data):,} bytes).")
