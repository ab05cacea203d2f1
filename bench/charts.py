"""What the figures add to the compilation's cold time (issue 18: ≤ 10 %).

    DEBUG=1 .venv/bin/python bench/charts.py [--countries 22] [--runs 2] [--language en]

Runs on a throwaway SQLite file (and media directory) in a temporary directory, filled by
`loaddemo` and then `--countries` accepted reviews in the 2024 cycle (the demo's one whose
questionnaire has the objectives grid): every question answered with Morocco's 2020 answer to
the same key, the grid with a status for most objectives. It then compiles the cycle inline
(`compilation.run_inline`, one process: what `manage.py compile_region` does), cold every time
(the cache of rendered parts emptied), with the figures and without them (`figure_pieces`
returning nothing), the two taking turns, and prints the fastest of `--runs` of each, the
figures' share, and BENCH lines for bench/run_all.py. As two whole compilations differ by more
than the figures cost on a busy machine, it also times the figures' own work alone (their data,
HTML and layout, CPU time, fastest of three) against the compilation without them.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_PERCENT = 10.0
CYCLE = "arab-2024"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=22)
    parser.add_argument("--runs", type=int, default=2, help="cold compilations of each kind")
    parser.add_argument("--language", default="en", choices=["en", "fr", "ar"])
    return parser.parse_args()


def setup(directory: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gcmreview.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)


def build(countries: int) -> int:
    """`countries` accepted reviews in the 2024 cycle, as described above."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from questionnaire import services
    from questionnaire.models import (
        Answer,
        Country,
        QuestionType,
        ReviewCycle,
        Submission,
        SubmissionStatus,
    )

    cycle = ReviewCycle.objects.get(slug=CYCLE)
    source = {
        a.question.key: a.value
        for a in Answer.objects.filter(
            submission__cycle__slug="arab-2020", submission__country__iso2="MA"
        ).select_related("question")
    }
    questions = list(cycle.version.questions.all())
    for index, country in enumerate(Country.objects.order_by("name_en")[:countries]):
        rng = random.Random(country.iso2)
        cycle.countries.add(country)
        submission = Submission.objects.filter(cycle=cycle, country=country).first()
        if submission is None:
            submission = services.submission_create(
                cycle=cycle, country=country, language=["en", "fr", "ar"][index % 3]
            )
        for question in questions:
            if question.type == QuestionType.OBJECTIVES_GRID:
                scale = [s["value"] for s in question.type_handler.scale(question.options or {})]
                value = {
                    str(n): {"status": rng.choice(scale), "note": ""}
                    for n in range(1, 24)
                    if rng.random() < 0.9
                }
            elif question.key in source:
                value = source[question.key]
            else:
                continue
            try:
                services.answer_save(submission=submission, question=question, value=value)
            except ValidationError:  # a question whose type changed since 2020
                continue
        # The workflow's checks are not what is timed: the status is set directly.
        Submission.objects.filter(pk=submission.pk).update(
            status=SubmissionStatus.ACCEPTED,
            submitted_at=timezone.now(),
            accepted_at=timezone.now(),
        )
    return Submission.objects.filter(cycle=cycle, status=SubmissionStatus.ACCEPTED).count()


def cold_compile(language: str) -> tuple[float, int]:
    """One compilation from an empty cache of rendered parts: seconds, pages."""
    from questionnaire.models import ReviewCycle
    from reports import compilation
    from reports.models import Compilation, RenderedPart

    for rendered in RenderedPart.objects.all():
        rendered.file.delete(save=False)
    RenderedPart.objects.all().delete()
    cycle = ReviewCycle.objects.get(slug=CYCLE)
    job = Compilation.objects.create(cycle=cycle, language=language)
    start = time.perf_counter()
    job = compilation.run_inline(job)
    return time.perf_counter() - start, job.page_count


def figures_alone(language: str) -> float:
    """CPU seconds of the figures' own work, fastest of three: their data, their HTML and
    their layout (what a cold compilation adds for them, without the machine's noise in the
    wall-clock times of two whole compilations)."""
    from django.utils import translation

    from questionnaire.models import ReviewCycle
    from reports import compilation, figures

    cycle = ReviewCycle.objects.get(slug=CYCLE)
    times = []
    with translation.override(language):
        for _ in range(3):
            start = time.process_time()
            for piece in figures.figure_pieces(cycle):
                compilation._layout(piece.html())
            times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="gcm-bench-charts-") as directory:
        setup(Path(directory))
        from reports import figures

        countries = build(args.countries)
        drawn = figures.figure_pieces
        times: dict[str, list[float]] = {"without": [], "with": []}
        pages = {}
        for _ in range(args.runs):
            for kind in ("without", "with"):
                figures.figure_pieces = drawn if kind == "with" else (lambda cycle: [])
                seconds, pages[kind] = cold_compile(args.language)
                times[kind].append(seconds)
        figures.figure_pieces = drawn
        alone = figures_alone(args.language)
    best = {kind: min(values) for kind, values in times.items()}
    share = 100 * (best["with"] - best["without"]) / best["without"]
    print(
        f"Compilation of {countries} countries ({args.language}), cold, 1 process, "
        f"best of {args.runs}"
    )
    print(f"  without the figures   {best['without']:7.2f} s  {pages['without']} pages")
    print(f"  with the figures      {best['with']:7.2f} s  {pages['with']} pages")
    verdict = "ok" if share <= TARGET_PERCENT else "OVER"
    print(f"  the figures add       {share:7.1f} %  (target ≤ {TARGET_PERCENT:.0f} %: {verdict})")
    own = 100 * alone / best["without"]
    print(f"  the figures alone     {alone:7.2f} s of CPU: {own:.1f} % of the cold compilation")
    print(f"BENCH name=charts.figures_alone_cpu value={alone:.2f} unit=s")
    print(f"BENCH name=charts.compile_cold_without value={best['without']:.2f} unit=s")
    print(f"BENCH name=charts.compile_cold_with value={best['with']:.2f} unit=s")
    print(f"BENCH name=charts.figures_share value={share:.1f} unit=%")


if __name__ == "__main__":
    main()
