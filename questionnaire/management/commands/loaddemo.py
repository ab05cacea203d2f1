"""Load the demo: reference data, the GCM questionnaire (versions 1 and 2), the two Arab regional
review cycles, Morocco's 2020 national review (published), a Jordan draft for 2024, an invented
Morocco 2024 review carried forward from 2020 (accepted, to compare the cycles), and four demo
users.

Idempotent: every row is found by its natural key (ISO code, objective number, slug, version
number, question key, cycle and country, username), so a second run changes nothing. What exists
is kept rather than rewritten: history rows are append-only and published versions immutable,
and whatever people did in the demo (a Jordan answer edited, a submission moved on) stays.
Reference data (countries, objectives, principles) follow the fixtures; demo users get their
documented roles and password back.

Versions, memberships, submissions, answers and transitions go through `questionnaire.services`,
with `user=None`: the system did the import, and no demo user should appear to have submitted or
accepted Morocco's 2020 review, nor to have agreed to its publication or published it.

The questionnaire's Arabic and French (fixtures/questionnaire-translations.json, unofficial) are
part of each version's wording, so they are loaded when a version is built, like its English:
a version published before they existed keeps its wording (published versions never change) and
the command says so. So is each version's title (version 2 is the second regional review's
questionnaire). The questionnaire's title, the cycles' names and the GCM objectives are not
versioned: their translations follow the fixture (and CYCLE_2020, CYCLE_2024) on every run.
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import StaffRole, User
from gcmreview.formatting import counted
from questionnaire import i18n, services
from questionnaire.models import (
    Answer,
    AnswerRevision,
    Country,
    CountryRole,
    GuidingPrinciple,
    Membership,
    Objective,
    Question,
    QuestionCondition,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
    SubmissionStatus,
)
from questionnaire.types.objectives_grid import DEFAULT_OBJECTIVE_SCALE

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# The demo accounts' published password (README, `make run`); production never loads the demo.
DEMO_PASSWORD = "gcm-demo-2020"  # noqa: S105  # nosec B105

# Version 2 is the questionnaire of the second regional review: its own title, in three languages
# (French puts a narrow no-break space before the colon).
VERSION_2_TITLES = {
    "title": (
        "Second Regional Review of the Global Compact for Safe, Orderly and Regular Migration "
        "in the Arab Region: Questionnaire"
    ),
    "title_ar": (
        "الاستعراض الإقليمي الثاني للاتفاق العالمي من أجل الهجرة الآمنة والمنظمة والنظامية "
        "في المنطقة العربية: استبيان"
    ),
    "title_fr": (
        "Deuxième examen régional du Pacte mondial pour des migrations sûres, ordonnées et "
        "régulières dans la région arabe\u202f: questionnaire"
    ),
}
VERSION_2_NOTES = (
    "For the second regional review, 2024: adds the status grid of the 23 objectives (III e); "
    "I a becomes a yes/no question with an explanation, and I b is asked only when I a is yes; "
    "I d and I h may be answered “not applicable”."
)
# Version 2's other changes to version 1's questions, by key (issue 14): a yes/no question, a
# question shown only when it is answered "yes", and questions that may not apply.
VERSION_2_TYPES = {"review-coordination-mechanism": QuestionType.YES_NO}
VERSION_2_CONDITIONS = [
    # (question, the earlier question it depends on, operator, value)
    ("review-lead-entity", "review-coordination-mechanism", "equals", "yes"),
]
VERSION_2_NOT_APPLICABLE = ("review-local-authorities", "review-un-support")
GRID_SECTION = "III"
GRID_QUESTION: dict[str, Any] = {
    "key": "objectives-status-grid",
    "label": "e",
    "type": QuestionType.OBJECTIVES_GRID,
    "text": (
        "Please indicate the status of implementation of each of the 23 objectives of the "
        "Global Compact and add a short note where useful."
    ),
    "required": False,
    "options": {"scale": DEFAULT_OBJECTIVE_SCALE},
}

CYCLE_2020: dict[str, Any] = {
    "slug": "arab-2020",
    "name": "First regional review of the GCM in the Arab region",
    "name_ar": "الاستعراض الإقليمي الأول للاتفاق العالمي بشأن الهجرة في المنطقة العربية",
    "name_fr": "Premier examen régional du Pacte mondial sur les migrations dans la région arabe",
    "opens_on": datetime.date(2020, 6, 1),
    "deadline": datetime.date(2020, 12, 31),
}
CYCLE_2024: dict[str, Any] = {
    "slug": "arab-2024",
    "name": "Second regional review of the GCM in the Arab region",
    "name_ar": "الاستعراض الإقليمي الثاني للاتفاق العالمي بشأن الهجرة في المنطقة العربية",
    "name_fr": "Deuxième examen régional du Pacte mondial sur les migrations dans la région arabe",
    "opens_on": datetime.date(2024, 1, 15),
}
# The open cycle's deadline is set this far ahead on the first load and never moved after, so
# the demo always has a cycle with time left and reloading does not change the data.
DEADLINE_DAYS_AHEAD = 120

# Morocco's review was sent and accepted in 2020; the import replays those moves.
# When those moves happened: submitted by the 2020 deadline, accepted for the regional conference
# of 24–25 February 2021.
IMPORT_DATES = {
    SubmissionStatus.DRAFT: datetime.datetime(2020, 6, 1, 9, 0, tzinfo=datetime.UTC),
    SubmissionStatus.SUBMITTED: datetime.datetime(2020, 12, 31, 12, 0, tzinfo=datetime.UTC),
    SubmissionStatus.ACCEPTED: datetime.datetime(2021, 2, 24, 9, 0, tzinfo=datetime.UTC),
}
VERSION_PUBLISHED_AT = {
    1: datetime.datetime(2020, 6, 1, 9, 0, tzinfo=datetime.UTC),
    2: datetime.datetime(2024, 1, 15, 9, 0, tzinfo=datetime.UTC),
}
IMPORT_MESSAGES = {
    SubmissionStatus.SUBMITTED: "Imported: the national review Morocco sent in 2020.",
    SubmissionStatus.ACCEPTED: "Imported: accepted for the first regional review.",
    SubmissionStatus.PUBLISHED: "Imported: published with the first regional review.",
}
# Morocco's review is public in reality (ESCWA published the national reviews of the first
# regional review); the demo publishes it the portal's way: the country's agreement, then
# ESCWA's publication, on plausible dates after the regional conference.
PUBLICATION_DATES = {
    "agreed": datetime.datetime(2021, 3, 15, 9, 0, tzinfo=datetime.UTC),
    SubmissionStatus.PUBLISHED: datetime.datetime(2021, 4, 1, 9, 0, tzinfo=datetime.UTC),
}
# Morocco's invented 2024 review (fixtures/morocco-2024-demo.json): started from the 2020
# answers when the cycle opened, submitted and accepted some weeks later.
MOROCCO_2024_DATES = {
    SubmissionStatus.DRAFT: datetime.datetime(2024, 1, 22, 9, 0, tzinfo=datetime.UTC),
    SubmissionStatus.SUBMITTED: datetime.datetime(2024, 3, 28, 12, 0, tzinfo=datetime.UTC),
    SubmissionStatus.ACCEPTED: datetime.datetime(2024, 4, 18, 9, 0, tzinfo=datetime.UTC),
}
MOROCCO_2024_MESSAGES = {
    SubmissionStatus.SUBMITTED: "Demo data: Morocco's invented 2024 review, sent.",
    SubmissionStatus.ACCEPTED: "Demo data: accepted, to compare with the 2020 review.",
}
ROUTE_TO_ACCEPTED = {
    SubmissionStatus.DRAFT: [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED],
    SubmissionStatus.RETURNED: [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED],
    SubmissionStatus.SUBMITTED: [SubmissionStatus.ACCEPTED],
}

DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "admin",
        "first_name": "Portal",
        "last_name": "Administrator",
        "email": "admin@example.org",
        "staff_role": StaffRole.ADMIN,
        "is_staff": True,
        "is_superuser": True,
        "country": None,
    },
    {
        "username": "escwa",
        "first_name": "Nadia",
        "last_name": "Haddad",
        "email": "escwa.reviewer@example.org",
        "staff_role": StaffRole.REVIEWER,
        "is_staff": False,
        "is_superuser": False,
        "country": None,
    },
    {
        "username": "morocco",
        "first_name": "Youssef",
        "last_name": "El Amrani",
        "email": "morocco.focal-point@example.org",
        "staff_role": StaffRole.NONE,
        "is_staff": False,
        "is_superuser": False,
        "country": "MA",
    },
    {
        "username": "jordan",
        "first_name": "Rania",
        "last_name": "Khalil",
        "email": "jordan.focal-point@example.org",
        "staff_role": StaffRole.NONE,
        "is_staff": False,
        "is_superuser": False,
        "country": "JO",
    },
]


def read_fixture(name: str) -> Any:
    path = FIXTURES_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"Missing fixture {path}.") from None


class Command(BaseCommand):
    help = (
        "Load the demo data (countries, GCM objectives and principles, the regional review "
        "questionnaire, the 2020 and 2024 cycles, Morocco's 2020 review, demo users). "
        "Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--without-morocco-2024",
            action="store_true",
            help=(
                "leave out Morocco's invented 2024 review, for a demo (or a test) in which "
                "Morocco starts the 2024 cycle itself from its 2020 answers"
            ),
        )

    def handle(self, *args, **options) -> None:
        self.new_revisions = 0
        self.with_morocco_2024 = not options.get("without_morocco_2024")
        with transaction.atomic():
            summary = self.load()
        if options["verbosity"] >= 1:
            for line in summary:
                self.stdout.write(line)

    def load(self) -> list[str]:
        self.translations = read_fixture("questionnaire-translations.json")
        countries = self.load_countries()
        objectives = self.load_objectives()
        principles = self.load_principles()
        v1 = self.load_version_1(read_fixture("questionnaire-v1.json"))
        v2 = self.load_version_2(v1)
        users = self.load_users(countries)
        cycle_2020, morocco = self.load_cycle_2020(v1, countries, read_fixture("morocco-2020.json"))
        cycle_2024, jordan = self.load_cycle_2024(
            v2, countries, read_fixture("jordan-2024-draft.json")
        )
        morocco_2024 = None
        if self.with_morocco_2024:
            morocco_2024 = self.load_morocco_2024(
                cycle_2024, countries, read_fixture("morocco-2024-demo.json")
            )
        return [
            f"Reference data: {len(countries)} countries, {len(objectives)} GCM objectives, "
            f"{len(principles)} guiding principles.",
            f"Questionnaire “{v1.questionnaire.title}” ({v1.questionnaire.slug}): "
            f"v1 {v1.status} ({v1.questions.count()} questions), "
            f"v2 {v2.status} ({v2.questions.count()} questions).",
            f"Cycle {cycle_2020.slug} ({self.describe(cycle_2020)}): Morocco {morocco.status}, "
            f"{counted(morocco.answers.count(), 'answer', 'answers')}.",
            f"Cycle {cycle_2024.slug} ({self.describe(cycle_2024)}): Jordan {jordan.status}, "
            f"{counted(jordan.answers.count(), 'answer', 'answers')}"
            + (
                f"; Morocco {morocco_2024.status} (invented, carried forward from 2020)."
                if morocco_2024
                else "."
            ),
            f"Answer revisions added by this run: {self.new_revisions}.",
            f"Demo users (password {DEMO_PASSWORD}): {', '.join(u.username for u in users)}.",
        ]

    @staticmethod
    def describe(cycle: ReviewCycle) -> str:
        return "closed" if cycle.is_closed else f"open until {cycle.deadline.isoformat()}"

    # --- Reference data --------------------------------------------------------------------

    def load_countries(self) -> dict[str, Country]:
        countries = {}
        for row in read_fixture("countries.json"):
            fields = dict(row)
            iso2 = fields.pop("iso2")
            countries[iso2], _ = Country.objects.update_or_create(iso2=iso2, defaults=fields)
        return countries

    def load_objectives(self) -> list[Objective]:
        translated = self.translations["objectives"]
        return [
            Objective.objects.update_or_create(
                number=row["number"],
                defaults={
                    "title": row["title"],
                    "short_label": row["short_label"],
                    **translated.get(str(row["number"]), {}),
                },
            )[0]
            for row in read_fixture("objectives.json")
        ]

    def load_principles(self) -> list[GuidingPrinciple]:
        return [
            GuidingPrinciple.objects.update_or_create(
                letter=row["letter"], defaults={"title": row["title"]}
            )[0]
            for row in read_fixture("principles.json")
        ]

    # --- Questionnaire versions --------------------------------------------------------------

    def with_translation_note(self, notes: str) -> str:
        return f"{notes}\n{self.translations['version_note']}"

    def load_version_1(self, data: dict) -> QuestionnaireVersion:
        titles = self.translations["questionnaire"]
        questionnaire, _ = Questionnaire.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "title": data["title"],
                "title_ar": titles["title_ar"],
                "title_fr": titles["title_fr"],
            },
        )
        notes = self.with_translation_note(data["notes"])
        version = questionnaire.versions.filter(number=data["version"]).first()
        if version is None:
            version = services.questionnaire_version_create(
                questionnaire=questionnaire, notes=notes
            )
            if version.number != data["version"]:
                raise CommandError(
                    f"{questionnaire.slug} already has versions without a version "
                    f"{data['version']}; the demo cannot be loaded over them."
                )
        # Version 1's own title is the questionnaire's, the first regional review's.
        own_titles = {
            "title": data["title"],
            "title_ar": titles["title_ar"],
            "title_fr": titles["title_fr"],
        }
        if not version.is_editable:
            self.warn_if_different(version, data["sections"])
            self.sync_titles(version, own_titles)
            return version
        # No service builds a version from scratch (the admin edits drafts row by row); the
        # model guards allow this only while the version is a draft.
        if version.notes != notes:
            version.notes = notes
            version.save(update_fields=["notes"])
        self.sync_titles(version, own_titles)
        self.sync_draft(version, data["sections"])
        return services.questionnaire_version_publish(
            version=version, at=VERSION_PUBLISHED_AT.get(version.number)
        )

    def sync_titles(self, version: QuestionnaireVersion, titles: dict[str, str]) -> None:
        """Give a draft its own title and translations; a published version keeps its own (it
        never changes), and the command says so when it differs."""
        changed = [name for name, value in titles.items() if getattr(version, name) != value]
        if not changed:
            return
        if version.is_editable:
            for name in changed:
                setattr(version, name, titles[name])
            version.save(update_fields=changed)
            return
        self.stderr.write(
            self.style.WARNING(
                f"{version} is published and its title differs from the demo's; it was left as "
                "it is (a published version never changes). A new database gets it: make run "
                "after removing db.sqlite3."
            )
        )

    def sync_draft(self, version: QuestionnaireVersion, sections: list[dict]) -> None:
        """Make a draft version hold exactly the fixture's sections and questions."""
        keys = []
        for section_data in sections:
            section, _ = Section.objects.update_or_create(
                version=version,
                number=section_data["number"],
                defaults={
                    "title": section_data["title"],
                    "order": section_data["order"],
                    **self.section_translations(section_data["number"]),
                },
            )
            for q in section_data["questions"]:
                keys.append(q["key"])
                Question.objects.update_or_create(
                    version=version,
                    key=q["key"],
                    defaults={
                        "section": section,
                        "label": q["label"],
                        "text": q["text"],
                        "type": q["type"],
                        "required": q["required"],
                        "order": q["order"],
                        "options": q.get("options", {}),
                        **self.question_translations(q["key"]),
                    },
                )
        for question in Question.objects.filter(version=version).exclude(key__in=keys):
            question.delete()
        numbers = [s["number"] for s in sections]
        for section in version.sections.exclude(number__in=numbers):
            section.delete()

    def section_translations(self, number: str) -> dict[str, str]:
        found = self.translations["sections"].get(number, {})
        return {name: found.get(name, "") for name in i18n.translation_fields("section")}

    def question_translations(self, key: str) -> dict[str, str]:
        found = self.translations["questions"].get(key, {})
        return {name: found.get(name, "") for name in i18n.translation_fields("question")}

    def warn_if_untranslated(self, version: QuestionnaireVersion) -> None:
        """A version published before its translations were in the fixture keeps its wording."""
        stored = list(Question.objects.filter(version=version).select_related("section"))
        differs = any(
            {n: getattr(q, n) for n in i18n.translation_fields("question")}
            != self.question_translations(q.key)
            or {n: getattr(q.section, n) for n in i18n.translation_fields("section")}
            != self.section_translations(q.section.number)
            for q in stored
        )
        if differs:
            self.stderr.write(
                self.style.WARNING(
                    f"{version} is published and its Arabic and French differ from "
                    "questionnaire-translations.json; it was left as it is (a published version "
                    "never changes). A new database gets them: make run after removing "
                    "db.sqlite3."
                )
            )

    def warn_if_different(self, version: QuestionnaireVersion, sections: list[dict]) -> None:
        """A published version cannot follow a changed fixture: say so instead of failing."""
        self.warn_if_untranslated(version)
        expected = [
            (s["number"], s["title"], q["key"], q["label"], q["text"], q["type"], q["required"])
            for s in sections
            for q in s["questions"]
        ]
        stored = [
            (
                q.section.number,
                q.section.title,
                q.key,
                q.label,
                q.text,
                q.type,
                q.required,
            )
            for q in Question.objects.filter(version=version)
            .select_related("section")
            .order_by("section__order", "order", "pk")
        ]
        if stored != expected:
            self.stderr.write(
                self.style.WARNING(
                    f"{version} is published and differs from questionnaire-v1.json; "
                    "it was left as it is."
                )
            )

    def load_version_2(self, v1: QuestionnaireVersion) -> QuestionnaireVersion:
        """Version 2 is version 1 plus the objectives grid in section III, with the changes of
        VERSION_2_TYPES, VERSION_2_CONDITIONS and VERSION_2_NOT_APPLICABLE."""
        version = v1.questionnaire.versions.filter(number=v1.number + 1).first()
        if version is None:
            version = services.questionnaire_version_create_draft(
                source=v1, notes=self.with_translation_note(VERSION_2_NOTES)
            )
        if not version.is_editable:
            self.warn_if_untranslated(version)
            self.sync_titles(version, VERSION_2_TITLES)
            return version
        self.sync_titles(version, VERSION_2_TITLES)
        section = version.sections.get(number=GRID_SECTION)
        last = (
            section.questions.exclude(key=GRID_QUESTION["key"])
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        Question.objects.update_or_create(
            version=version,
            key=GRID_QUESTION["key"],
            defaults={
                "section": section,
                "label": GRID_QUESTION["label"],
                "text": GRID_QUESTION["text"],
                "type": GRID_QUESTION["type"],
                "required": GRID_QUESTION["required"],
                "order": (last or 0) + 1,
                "options": copy.deepcopy(GRID_QUESTION["options"]),
                **self.question_translations(GRID_QUESTION["key"]),
            },
        )
        questions = {q.key: q for q in Question.objects.filter(version=version)}
        for key, question in questions.items():
            kind = VERSION_2_TYPES.get(key, question.type)
            allows = key in VERSION_2_NOT_APPLICABLE
            if (question.type, question.allows_not_applicable) != (kind, allows):
                question.type, question.allows_not_applicable = kind, allows
                question.save(update_fields=["type", "allows_not_applicable"])
        for key, source, operator, value in VERSION_2_CONDITIONS:
            QuestionCondition.objects.update_or_create(
                question=questions[key],
                source=questions[source],
                defaults={"operator": operator, "value": value},
            )
        return services.questionnaire_version_publish(
            version=version, at=VERSION_PUBLISHED_AT.get(version.number)
        )

    # --- Cycles and submissions --------------------------------------------------------------

    def load_cycle_2020(
        self, version: QuestionnaireVersion, countries: dict[str, Country], data: dict
    ) -> tuple[ReviewCycle, Submission]:
        cycle, _ = ReviewCycle.objects.get_or_create(
            slug=CYCLE_2020["slug"],
            defaults={**CYCLE_2020, "version": version, "is_closed": False},
        )
        self.check_cycle_version(cycle, version)
        self.sync_cycle_names(cycle, CYCLE_2020)
        cycle.countries.add(*countries.values())
        submission = self.get_or_create_submission(
            cycle, countries[data["country"]], data, at=IMPORT_DATES[SubmissionStatus.DRAFT]
        )
        self.import_answers(submission, data["answers"], replace=True)
        for status in ROUTE_TO_ACCEPTED.get(submission.status, []):
            submission = services.submission_transition(
                submission=submission,
                to_status=status,
                user=None,
                message=IMPORT_MESSAGES[status],
                at=IMPORT_DATES[status],
            )
        if submission.is_accepted:
            services.submission_publication_agree(
                submission=submission, user=None, at=PUBLICATION_DATES["agreed"]
            )
            submission = services.submission_transition(
                submission=submission,
                to_status=SubmissionStatus.PUBLISHED,
                user=None,
                message=IMPORT_MESSAGES[SubmissionStatus.PUBLISHED],
                at=PUBLICATION_DATES[SubmissionStatus.PUBLISHED],
            )
        # Closed last: the review was answered while the cycle was open.
        if not cycle.is_closed:
            cycle.is_closed = True
            cycle.save(update_fields=["is_closed"])
        return cycle, submission

    def load_cycle_2024(
        self, version: QuestionnaireVersion, countries: dict[str, Country], data: dict
    ) -> tuple[ReviewCycle, Submission]:
        deadline = timezone.localdate() + datetime.timedelta(days=DEADLINE_DAYS_AHEAD)
        cycle, _ = ReviewCycle.objects.get_or_create(
            slug=CYCLE_2024["slug"],
            defaults={**CYCLE_2024, "version": version, "deadline": deadline, "is_closed": False},
        )
        self.check_cycle_version(cycle, version)
        self.sync_cycle_names(cycle, CYCLE_2024)
        cycle.countries.add(*countries.values())
        submission = self.get_or_create_submission(cycle, countries[data["country"]], data)
        if submission.is_editable:
            # Demo content only fills gaps: an answer someone edited in the demo is theirs.
            self.import_answers(submission, data["answers"], replace=False)
        return cycle, submission

    def load_morocco_2024(
        self, cycle: ReviewCycle, countries: dict[str, Country], data: dict
    ) -> Submission:
        """Invented demo data (the fixture says so): Morocco's 2024 review carried forward from
        its 2020 answers by the real carry-forward service, a few answers edited (the others sent as
        carried, "unchanged from the previous cycle"), then submitted and accepted, so that the
        demo has a country to compare across the two cycles. Once accepted it is left as is."""
        country = countries[data["country"]]
        submission = Submission.objects.filter(cycle=cycle, country=country).first()
        if submission is None:
            submission = services.submission_create(
                cycle=cycle,
                country=country,
                user=None,
                language=data["language"],
                carry_forward=True,
                at=MOROCCO_2024_DATES[SubmissionStatus.DRAFT],
            )
        if not submission.is_editable:
            return submission
        questions = {q.key: q for q in Question.objects.filter(version=cycle.version)}
        stored = {a.question_id: a for a in Answer.objects.filter(submission=submission)}
        for key, value in data["answers"].items():
            current = stored.get(questions[key].pk)
            if current is not None and not current.prefilled:
                continue  # edited already (by an earlier run, or by someone in the demo)
            services.answer_save(
                submission=submission,
                question=questions[key],
                value=value,
                user=None,
                kind=AnswerRevision.Kind.IMPORT,
            )
            self.new_revisions += 1
        for status in ROUTE_TO_ACCEPTED.get(submission.status, []):
            submission = services.submission_transition(
                submission=submission,
                to_status=status,
                user=None,
                message=MOROCCO_2024_MESSAGES[status],
                at=MOROCCO_2024_DATES[status],
            )
        return submission

    def sync_cycle_names(self, cycle: ReviewCycle, spec: dict[str, Any]) -> None:
        """The cycle's Arabic and French names follow the demo's (its English name, and so its
        slug, are kept: someone may have renamed it in the demo)."""
        names = i18n.translation_fields("reviewcycle")
        changed = [name for name in names if getattr(cycle, name) != spec[name]]
        if changed:
            for name in changed:
                setattr(cycle, name, spec[name])
            cycle.save(update_fields=changed)

    def check_cycle_version(self, cycle: ReviewCycle, version: QuestionnaireVersion) -> None:
        if cycle.version_id != version.pk:
            raise CommandError(
                f"Cycle {cycle.slug} answers {cycle.version}, not {version}; "
                "the demo cannot be loaded over it."
            )

    def get_or_create_submission(
        self, cycle: ReviewCycle, country: Country, data: dict, at=None
    ) -> Submission:
        submission = Submission.objects.filter(cycle=cycle, country=country).first()
        if submission is None:
            submission = services.submission_create(
                cycle=cycle, country=country, user=None, language=data["language"], at=at
            )
        return submission

    def import_answers(self, submission: Submission, answers: dict, *, replace: bool) -> None:
        """Save each answer as an import, skipping those already stored (or, with `replace`,
        already holding the fixture's value) so that a rerun adds no revision."""
        questions = {q.key: q for q in Question.objects.filter(version=submission.cycle.version)}
        stored = {a.question_id: a for a in Answer.objects.filter(submission=submission)}
        for key, value in answers.items():
            question = questions.get(key)
            if question is None:
                raise CommandError(f"{submission.cycle.version} has no question {key!r}.")
            current = stored.get(question.pk)
            if current is not None:
                if not replace:
                    continue
                if current.value == question.type_handler.clean(value, question.options or {}):
                    continue
            services.answer_save(
                submission=submission,
                question=question,
                value=value,
                user=None,
                kind=AnswerRevision.Kind.IMPORT,
            )
            self.new_revisions += 1

    # --- Demo users --------------------------------------------------------------------------

    def load_users(self, countries: dict[str, Country]) -> list[User]:
        users = []
        for spec in DEMO_USERS:
            fields = {k: v for k, v in spec.items() if k not in ("username", "country")}
            fields["is_active"] = True
            user, created = User.objects.get_or_create(username=spec["username"], defaults=fields)
            changed = created
            for name, value in fields.items():
                if getattr(user, name) != value:
                    setattr(user, name, value)
                    changed = True
            # Rehashing on every run would change the row for nothing; only a changed password
            # is reset.
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed = True
            if changed:
                user.save()
            if spec["country"]:
                self.load_membership(user, countries[spec["country"]])
            users.append(user)
        return users

    def load_membership(self, user: User, country: Country) -> None:
        """A demo user is their country's focal point again, whatever the demo changed."""
        membership = Membership.objects.filter(user=user, country=country).first()
        if membership is None:
            services.membership_create(member=user, country=country, role=CountryRole.FOCAL_POINT)
        elif membership.role != CountryRole.FOCAL_POINT:
            services.membership_set_role(membership=membership, role=CountryRole.FOCAL_POINT)
