"""Page images of the PDFs, for people to look at: docs/tour/pdf/ (`make pdf-tour`).

    DEBUG=1 .venv/bin/python -m tests.browser.pdf_tour docs/tour/pdf

On a throwaway SQLite database (in a temporary directory, with its own media; the developer's
database is never opened), filled by `loaddemo` and then:

- the 2024 cycle answered and accepted for all 22 countries: each country's answers are Morocco's
  2020 answers (by question key), reordered as `bench/reports.py` does, and a status for each
  of the 23 objectives, some with a note; Egypt answers in Arabic with English paragraphs, lists
  and acronyms mixed in (as ministries in the region write), and notes in both languages;
- then it writes, each page as a PNG at 70 dpi (`pdftoppm -r 70`):
  - `morocco-2020-en/`: Morocco's 2020 review in English, every page;
  - `egypt-2024-ar/`: Egypt's mixed Arabic and English review, in Arabic, every page;
  - `compilation-2024-en/` and `compilation-2024-ar/`: the 22-country compilation of 2024 in
    English and in Arabic: the cover, the contents, a country's first pages, the objectives annex
    and the first pages of the answers by question;
  and an index, `README.md`, with what each folder holds. With GCM_PDF_TOUR_PDFS=<folder> the
  PDFs are kept there as well.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESOLUTION = "70"

MIXED_ANSWERS = {
    "review-coordination-mechanism": {
        "answer": "yes",
        "explanation": (
            "<p>تتولى اللجنة الوطنية التنسيقية لمكافحة ومنع الهجرة غير الشرعية والاتجار بالبشر "
            "تنسيق الاستعراض منذ عام 2020، ومن ثم انضم إليها المجلس القومي لحقوق الإنسان.</p>"
            "<p>The National Coordinating Committee (NCCPIM&amp;TIP) chairs the review and "
            "reports to the Prime Minister, with the ministries in charge of labour, interior and "
            "foreign affairs.</p>"
        ),
    },
    "review-lead-entity": (
        "<p>The Ministry of Foreign Affairs and Egyptian Expatriates leads the review, with "
        "CAPMAS for the data.</p><p>وتتولى وزارة الخارجية التنسيق مع المنظمة الدولية للهجرة "
        "(IOM) ومفوضية الأمم المتحدة لشؤون اللاجئين (UNHCR).</p>"
    ),
    "review-government-entities": (
        "<ul><li>وزارة الخارجية وشؤون المصريين في الخارج</li>"
        "<li>Ministry of Labour (the ILO focal point)</li>"
        "<li>وزارة الداخلية؛<ul><li>الإدارة العامة للجوازات والهجرة</li>"
        "<li>Anti-Trafficking Unit</li></ul></li>"
        "<li>CAPMAS, the national statistics agency</li></ul>"
    ),
    "review-data-availability": (
        "<p>عام 2020، ومن ثم اعتمدت البيانات على مسح القوى العاملة (LFS 2022) وعلى بيانات "
        "IOM وUNHCR، وتُحدَّث سنوياً.</p>"
        "<p>Data on irregular migration remain partial: 3 of 27 governorates report monthly.</p>"
    ),
    "next-steps-priorities": (
        "<ol><li>حماية العمال المهاجرين، بمن فيهم عمال المنازل.</li>"
        "<li>Better migration data, with the support of the EU–IOM Joint Initiative.</li>"
        "<li>إدماج الهجرة في الخطط المحلية للمحافظات.</li></ol>"
    ),
}
MIXED_NOTES = {
    "1": "تعمل الجهاز المركزي للتعبئة العامة والإحصاء على ربط السجلات الإدارية.",
    "5": "Labour mobility agreements with Italy and Greece (2021–2023).",
    "10": "الاستراتيجية الوطنية لمكافحة الاتجار بالبشر 2022-2026، بدعم من UNODC.",
    "23": "Regional dialogue under the Khartoum Process and the Arab Regional Process.",
}
ENGLISH_NOTES = {
    "1": "A national migration data working group meets every quarter.",
    "6": "Recruitment fees are banned by law since 2019.",
    "17": "Awareness campaign against xenophobia in schools.",
}


def setup(workdir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/tour.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{workdir}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gcmreview.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    # Every country of 2024 is filled here, Morocco too: without the demo's invented review.
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)


def answer_2024() -> None:
    """Every country's 2024 review, accepted (Jordan's draft among them)."""
    from bench.reports import varied_answer
    from questionnaire import services
    from questionnaire.models import (
        Answer,
        AnswerRevision,
        Country,
        QuestionType,
        ReviewCycle,
        Submission,
        SubmissionStatus,
    )

    cycle = ReviewCycle.objects.get(slug="arab-2024")
    morocco = {
        a.question.key: a.value
        for a in Answer.objects.filter(
            submission__country__iso2="MA", submission__cycle__slug="arab-2020"
        ).select_related("question")
    }
    questions = list(cycle.version.questions.select_related("section"))
    for country in Country.objects.order_by("name_en"):
        rng = random.Random(country.iso2)
        arabic = country.iso2 == "EG"
        submission = Submission.objects.filter(cycle=cycle, country=country).first()
        if submission is None:
            submission = services.submission_create(
                cycle=cycle, country=country, language="ar" if arabic else "en"
            )
        for question in questions:
            if question.type == QuestionType.OBJECTIVES_GRID:
                value = grid_value(rng, MIXED_NOTES if arabic else ENGLISH_NOTES)
            elif arabic and question.key in MIXED_ANSWERS:
                value = MIXED_ANSWERS[question.key]
            elif country.iso2 == "JO" and submission.answers.filter(question=question).exists():
                continue
            elif question.key in morocco:
                value = morocco[question.key]
                if isinstance(value, str):
                    value = varied_answer(value, rng, country.name_en)
                if question.type == QuestionType.YES_NO and isinstance(value, str):
                    value = {"answer": "yes", "explanation": value}  # a text answer in 2020
            else:
                continue
            services.answer_save(
                submission=submission,
                question=question,
                value=value,
                kind=AnswerRevision.Kind.IMPORT,
            )
        for status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED):
            submission = services.submission_transition(submission=submission, to_status=status)


def grid_value(rng: random.Random, notes: dict[str, str]) -> dict:
    steps = ["not_started", "planned", "in_progress", "in_progress", "largely_achieved"]
    value = {str(n): {"status": rng.choice(steps), "note": ""} for n in range(1, 24)}
    value[str(rng.randint(1, 23))]["status"] = ""
    for number, note in notes.items():
        if rng.random() < 0.6 or len(notes) > 3:
            value[number]["note"] = note
    return value


def write_pages(pdf: bytes, folder: Path, pages: list[int] | None = None) -> list[str]:
    """The PDF's `pages` (all when None) as PNGs in `folder`; the PDF itself too, in
    $GCM_PDF_TOUR_PDFS when set (the compilation's are too large to commit)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.environ.get("GCM_PDF_TOUR_PDFS"):
        keep = Path(os.environ["GCM_PDF_TOUR_PDFS"])
        keep.mkdir(parents=True, exist_ok=True)
        (keep / f"{folder.name}.pdf").write_bytes(pdf)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        if pages is None:
            subprocess.run(
                ["pdftoppm", "-png", "-r", RESOLUTION, file.name, str(folder / "page")], check=True
            )
        else:
            for page in pages:
                subprocess.run(
                    ["pdftoppm", "-png", "-r", RESOLUTION, "-f", str(page), "-l", str(page),
                     file.name, str(folder / "page")],
                    check=True,
                )  # fmt: skip
    return sorted(path.name for path in folder.glob("page-*.png"))


def compilation_pages(job) -> tuple[list[int], dict[str, int]]:
    """The pages worth looking at: the cover and contents, the first country's first two, the
    objectives annex and what follows it, the first pages of the answers by question."""
    parts = list(job.parts.select_related("rendered").order_by("order"))
    front = job.page_count - sum(part.rendered.page_count for part in parts)
    first_country = front + 1
    annex = front + 1 + sum(part.rendered.page_count for part in parts if part.is_country)
    pages = sorted({1, 2, first_country, first_country + 1, annex, annex + 1, annex + 2,
                    annex + 3} & set(range(1, job.page_count + 1)))  # fmt: skip
    return pages, {"first country": first_country, "annexes": annex, "total": job.page_count}


def main(out: Path) -> None:
    workdir = tempfile.mkdtemp(prefix="gcm-pdf-tour-")
    try:
        setup(workdir)
        answer_2024()
        from django.utils import translation

        from questionnaire.models import ReviewCycle, Submission
        from reports import compilation, pdf
        from reports.models import Compilation

        if out.exists():
            shutil.rmtree(out)
        index = ["# The PDFs, page by page", "", "Written by `make pdf-tour` "
                 "(tests/browser/pdf_tour.py), at 70 dpi.", ""]  # fmt: skip
        morocco = Submission.objects.get(country__iso2="MA", cycle__slug="arab-2020")
        egypt = Submission.objects.get(country__iso2="EG", cycle__slug="arab-2024")
        for name, submission, language, title in (
            ("morocco-2020-en", morocco, "en", "Morocco's 2020 review, in English"),
            ("egypt-2024-ar", egypt, "ar", "Egypt's 2024 review (Arabic with English), in Arabic"),
        ):
            files = write_pages(
                pdf.submission_pdf(submission=submission, language=language), out / name
            )
            index += [f"## {title}", "", *[f"- [{f}]({name}/{f})" for f in files], ""]
        cycle = ReviewCycle.objects.get(slug="arab-2024")
        for language in ("en", "ar"):
            with translation.override(language):
                job = compilation.run_inline(
                    Compilation.objects.create(cycle=cycle, language=language)
                )
            data = job.file.read()
            pages, where = compilation_pages(job)
            name = f"compilation-2024-{language}"
            files = write_pages(data, out / name, pages)
            index += [
                f"## The 2024 regional compilation, 22 countries, in "
                f"{'English' if language == 'en' else 'Arabic'}",
                "",
                f"{where['total']} pages; the first country starts on page "
                f"{where['first country']}, the annexes on page {where['annexes']}.",
                "",
                *[f"- [{f}]({name}/{f})" for f in files],
                "",
            ]
        (out / "README.md").write_text("\n".join(index), encoding="utf-8")
        print(f"Wrote {out}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/tour/pdf"))
