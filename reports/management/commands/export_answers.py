"""Write a cycle's answers to a file: the same exports ESCWA staff download from the portal.

    manage.py export_answers --cycle arab-2020 --format xlsx -o answers.xlsx
    manage.py export_answers --cycle arab-2020 --format csv --shape wide
    manage.py export_answers --cycle arab-2020 --format json -o -
    manage.py export_answers --cycle arab-2024 --kind objectives --include-drafts

Run on the server by an operator, who can read the database anyway: no user, no permission check.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from questionnaire.management.cycles import cycle_for_command
from reports import exports

KIND_ANSWERS = "answers"
KIND_OBJECTIVES = "objectives"
SHAPES = ("long", "wide")


def export_slug(*, kind: str, fmt: str, shape: str | None) -> str:
    """The export (`exports.KINDS`) the options name, or CommandError when they do not fit."""
    if kind == KIND_OBJECTIVES:
        if shape:
            raise CommandError("--shape is for answers; the objectives matrix has one shape.")
        if fmt != exports.XLSX:
            raise CommandError("The objectives matrix is written as xlsx only.")
        return "objectives"
    if fmt == exports.JSON:
        if shape:
            raise CommandError("--shape is for csv and xlsx; the JSON document has one shape.")
        return "answers"
    return f"answers-{shape or 'long'}"


class Command(BaseCommand):
    help = (
        "Export a review cycle's answers (csv or xlsx, long or wide; json) or its objectives "
        "matrix (xlsx). Submitted, returned, accepted and published submissions are included; "
        "drafts only with --include-drafts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cycle", required=True, help="The cycle's slug, e.g. arab-2020.")
        parser.add_argument(
            "--kind",
            choices=(KIND_ANSWERS, KIND_OBJECTIVES),
            default=KIND_ANSWERS,
            help="answers (default) or the objectives matrix.",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=(exports.CSV, exports.XLSX, exports.JSON),
            help="File format; by default the output file's extension, else xlsx.",
        )
        parser.add_argument(
            "--shape",
            choices=SHAPES,
            help="For csv and xlsx answers: one row per country and question (long, the "
            "default) or one row per country (wide).",
        )
        parser.add_argument(
            "--include-drafts",
            action="store_true",
            help="Add the countries' drafts: answers not yet sent to ESCWA.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the headings, statuses, country names and objective labels; "
            "ar or fr also adds the questions in that language beside the English "
            "(default %(default)s).",
        )
        parser.add_argument(
            "-o",
            "--output",
            help="File to write, or - for standard output (csv, json). By default "
            "gcm-<cycle>-<export>.<format> in the current directory.",
        )

    def handle(self, *args, **options) -> None:
        output = options["output"]
        fmt = options["fmt"] or self.format_from(output)
        slug = export_slug(kind=options["kind"], fmt=fmt, shape=options["shape"])
        if output == "-" and fmt == exports.XLSX:
            raise CommandError("An xlsx file cannot go to standard output; give -o FILE.")
        cycle = cycle_for_command(options["cycle"], related=("version__questionnaire",))
        with translation.override(options["language"]):
            try:
                export = exports.build_export(
                    cycle=cycle, kind=slug, fmt=fmt, include_drafts=options["include_drafts"]
                )
            except exports.ExportError as error:
                raise CommandError(str(error)) from None
        if output == "-":
            self.stdout.write(export.content.decode("utf-8"), ending="")
            return
        path = Path(output or export.filename)
        if path.is_dir():
            path = path / export.filename
        try:
            path.write_bytes(export.content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        if options["verbosity"] >= 1:
            self.stdout.write(f"Wrote {path} ({len(export.content):,} bytes).")

    @staticmethod
    def format_from(output: str | None) -> str:
        if output == "-":
            raise CommandError("Writing to standard output needs --format csv or json.")
        if not output or Path(output).is_dir():
            return exports.XLSX
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix not in exports.CONTENT_TYPES:
            raise CommandError(
                f"Cannot tell the format from {output!r}: give --format csv, xlsx or json."
            )
        return suffix
