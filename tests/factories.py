"""factory_boy factories for tests. The real seed data lives in fixtures/ (loaddemo)."""

import datetime

import factory
from django.utils import timezone

from accounts.models import StaffRole, User
from questionnaire.models import (
    Country,
    CountryRole,
    Membership,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
    VersionStatus,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def authenticator(user):
    """The user's confirmed authenticator app (a TOTP device), made if they have none. Its
    current code is `authenticator(user).token()`; see tests/accounts for the next one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


class ReviewerFactory(UserFactory):
    staff_role = StaffRole.REVIEWER


class AdminFactory(UserFactory):
    staff_role = StaffRole.ADMIN
    is_staff = True
    is_superuser = True


_COUNTRY_CODES = [
    ("XA", "XAA"), ("XB", "XBB"), ("XC", "XCC"), ("XD", "XDD"), ("XE", "XEE"),
    ("XF", "XFF"), ("XG", "XGG"), ("XH", "XHH"), ("XI", "XII"), ("XJ", "XJJ"),
]  # fmt: skip


def _free_iso2(n: int) -> str:
    """The n-th two-letter code not taken yet. The sequence wraps after 676 codes in a long run,
    and must not land on a country a test made by name ("MA", "JO"): get_or_create would then
    hand back that very country as a "new" one."""
    for step in range(26 * 26):
        k = n + step
        code = f"{chr(65 + k // 26 % 26)}{chr(65 + k % 26)}"
        if not Country.objects.filter(iso2=code).exists():
            return code
    raise RuntimeError("every two-letter country code is taken")


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso2",)

    iso2 = factory.Sequence(lambda n: _free_iso2(n))
    iso3 = factory.LazyAttribute(lambda c: f"{c.iso2}X")
    name_en = factory.LazyAttribute(lambda c: f"Country {c.iso2}")
    name_ar = factory.LazyAttribute(lambda c: f"بلد {c.iso2}")
    name_fr = factory.LazyAttribute(lambda c: f"Pays {c.iso2}")
    las_member = True
    escwa_member = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    country = factory.SubFactory(CountryFactory)
    role = CountryRole.FOCAL_POINT


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    slug = factory.Sequence(lambda n: f"questionnaire-{n}")
    title = factory.Sequence(lambda n: f"Questionnaire {n}")


class VersionFactory(factory.django.DjangoModelFactory):
    """A draft version; use `publish(version)` in tests to freeze it."""

    class Meta:
        model = QuestionnaireVersion

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.DRAFT


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(VersionFactory)
    number = factory.Sequence(lambda n: f"S{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    key = factory.Sequence(lambda n: f"q-{n}")
    label = factory.Sequence(lambda n: f"{chr(97 + n % 26)}{n // 26 or ''}")
    text = factory.Sequence(lambda n: f"Question {n}?")
    type = QuestionType.LONG_TEXT
    order = factory.Sequence(lambda n: n)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCycle

    slug = factory.Sequence(lambda n: f"cycle-{n}")
    name = factory.Sequence(lambda n: f"Review cycle {n}")
    version = factory.SubFactory(VersionFactory)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    cycle = factory.SubFactory(CycleFactory)
    country = factory.SubFactory(CountryFactory)


# --- A synthetic questionnaire with every question type ----------------------------------------

CHOICES = [
    {"value": "law", "label": "A law"},
    {"value": "strategy", "label": "A national strategy"},
    {"value": "plan", "label": "An action plan"},
]
COLUMNS = [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role in the review"}]

# One question of each type: (type, options, help text, a typical stored answer).
# The objectives grid keeps the default scale (no "scale" option), as most versions will.
EVERY_TYPE = [
    (
        QuestionType.LONG_TEXT,
        {},
        "Name the bodies and who chairs them.",
        "<p>A national committee.</p><ul><li>Interior</li><li>Labour</li></ul>",
    ),
    (QuestionType.SHORT_TEXT, {}, "", "Ministry of Labour"),
    (QuestionType.SINGLE_CHOICE, {"choices": CHOICES}, "", "strategy"),
    (QuestionType.MULTIPLE_CHOICE, {"choices": CHOICES}, "Tick all that apply.", ["law", "plan"]),
    (
        QuestionType.YES_NO,
        {},
        "",
        {"answer": "yes", "explanation": "<p>Through the national observatory.</p>"},
    ),
    (QuestionType.NUMBER, {"min": 0}, "In full-time equivalents.", "1250.5"),
    (QuestionType.DATE, {}, "", "2024-05-17"),
    (
        QuestionType.ENTRY_LIST,
        {"columns": COLUMNS},
        "",
        [{"entity": "IOM", "role": "Technical adviser"}],
    ),
    (QuestionType.OBJECTIVES_GRID, {}, "", {"4": {"status": "planned", "note": "Birth registry"}}),
]


def every_type_version(
    *,
    sections: int = 1,
    questions: int = len(EVERY_TYPE),
    prefix: str = "t",
    conditional: bool = False,
):
    """A published version of `sections` sections, each with `questions` questions that take the
    types of EVERY_TYPE in turn (one of each when `questions` is 9). Keys: f"{prefix}-{s}-{i}".

    `conditional`: about half the questions are shown only when an earlier answer calls for it
    (every odd one after the section's first number: on its yes/no being "yes", or its number
    being over 100), which EVERY_TYPE's typical answers satisfy."""
    from questionnaire import services
    from questionnaire.models import QuestionCondition

    version = VersionFactory()
    for s in range(1, sections + 1):
        section = SectionFactory(
            version=version, number=f"S{s}", title=f"Every type of question {s}", order=s
        )
        for i in range(questions):
            kind, options, help_text, _value = EVERY_TYPE[i % len(EVERY_TYPE)]
            QuestionFactory(
                section=section,
                key=f"{prefix}-{s}-{i}",
                label=f"{chr(97 + i % 26)}{i // 26 or ''}",
                text=f"{kind.label}: question {i + 1} of section {s}?",
                help_text=help_text,
                type=kind,
                required=i % 2 == 0,
                order=i,
                options=options,
            )
        if conditional:
            made = {q.key: q for q in section.questions.all()}
            yes_no, number = made[f"{prefix}-{s}-4"], made[f"{prefix}-{s}-5"]
            for i in range(7, questions, 2):
                QuestionCondition.objects.create(
                    question=made[f"{prefix}-{s}-{i}"],
                    source=yes_no if i % 4 == 1 else number,
                    operator="equals" if i % 4 == 1 else "greater_than",
                    value="yes" if i % 4 == 1 else "100",
                )
    return services.questionnaire_version_publish(version=version)


def every_type_submission(*, country, version, answered: bool = True, user=None):
    """A draft of `country` in a new open cycle of `version`, every question answered (or none)."""
    from questionnaire import services

    cycle = CycleFactory(version=version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    if answered:
        values = {kind: value for kind, _options, _help, value in EVERY_TYPE}
        for question in version.questions.all():
            services.answer_save(
                submission=submission, question=question, value=values[question.type], user=user
            )
    return submission


# One question of every type, with its options and a typical answer: the submission page's and
# the preview's tests read these words (EVERY_TYPE above serves the pages and exports).
TYPED_CHOICES = [
    {"value": "one", "label": "First option"},
    {"value": "two", "label": "Second option"},
]
TYPED_QUESTIONS = [
    (QuestionType.LONG_TEXT, {}, "<ul><li>Alpha item</li><li>Beta item</li></ul>"),
    (QuestionType.SHORT_TEXT, {}, "Ministry of Labour"),
    (QuestionType.SINGLE_CHOICE, {"choices": TYPED_CHOICES}, "two"),
    (QuestionType.MULTIPLE_CHOICE, {"choices": TYPED_CHOICES}, ["one", "two"]),
    (QuestionType.YES_NO, {}, {"answer": "yes", "explanation": "<p>Because of the law.</p>"}),
    (QuestionType.NUMBER, {}, "1250.5"),
    (QuestionType.DATE, {}, "2020-05-17"),
    (QuestionType.ENTRY_LIST, {"columns": COLUMNS}, [{"entity": "IOM", "role": "Adviser"}]),
    (QuestionType.OBJECTIVES_GRID, {}, {"4": {"status": "planned", "note": "Birth registry"}}),
]


def build_submission(*, country, sections: int, questions_per_type: int = 1):
    """A published version with `sections` sections, each holding every question type
    `questions_per_type` times, and a submission answering all of them."""
    from questionnaire import services

    version = VersionFactory()
    for s in range(sections):
        section = SectionFactory(version=version, number=f"S{s}", order=s)
        for repeat in range(questions_per_type):
            for i, (kind, options, _value) in enumerate(TYPED_QUESTIONS):
                QuestionFactory(
                    section=section,
                    key=f"q-{s}-{repeat}-{i}",
                    label=f"{repeat}{chr(97 + i)}",
                    type=kind,
                    options=options,
                    order=repeat * 10 + i,
                )
    version = services.questionnaire_version_publish(version=version)
    cycle = CycleFactory(version=version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    values = {kind: value for kind, _options, value in TYPED_QUESTIONS}
    for question in version.questions.all():
        services.answer_save(submission=submission, question=question, value=values[question.type])
    return submission


# --- Shortcuts for tests that take a submission through its review -----------------------------


def login(client, user):
    """The test client, logged in as `user` (staff pass the second step too: tests/conftest.py)."""
    client.force_login(user)
    return client


def question(submission, key="mechanism"):
    """The question `key` of the submission's version (tests/conftest.py's version has
    `mechanism`, `lead` and `policies`)."""
    return Question.objects.select_related("section").get(version=submission.cycle.version, key=key)


def answer(submission, key, value, user=None):
    from questionnaire import services

    return services.answer_save(
        submission=submission, question=question(submission, key), value=value, user=user
    )


def move(submission, to_status, user, message=""):
    from questionnaire import services

    return services.submission_transition(
        submission=submission, to_status=to_status, user=user, message=message
    )


def set_status(submission, status):
    """Puts the submission in `status` without the workflow, for tests of what a status allows."""
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()
    return submission


# --- A review cycle with many countries, for the pages that compare countries ----------------

# Long-text answers in the portal's three languages, so that search has words to find in each.
COMMITTEE_TEXTS = [
    "<p>The national committee on migration meets every month with the ministries.</p>",
    "<p>Le comité national des migrations se réunit chaque mois avec les ministères.</p>",
    "<p>تجتمع اللجنة الوطنية للهجرة كل شهر مع الوزارات.</p>",
]
PLAN_CHOICES = [
    {"value": "adopted", "label": "Adopted"},
    {"value": "drafting", "label": "Being drafted"},
]


def gcm_objectives():
    """The 23 objectives (titles made up), created once."""
    from questionnaire.models import Objective

    for number in range(1, 24):
        Objective.objects.get_or_create(
            number=number,
            defaults={"title": f"Objective title {number}", "short_label": f"Obj {number}"},
        )
    return list(Objective.objects.order_by("number"))


def cross_country_version():
    """A published version with four questions of different kinds: `committee` (long text),
    `lead` (short text), `plan` (single choice, optional) and `objectives` (the grid)."""
    from questionnaire import services

    version = VersionFactory()
    first = SectionFactory(version=version, number="I", title="Coordination", order=1)
    second = SectionFactory(version=version, number="II", title="Progress", order=2)
    QuestionFactory(section=first, key="committee", label="a", order=1, text="Who coordinates?")
    QuestionFactory(
        section=first, key="lead", label="b", order=2, type=QuestionType.SHORT_TEXT, text="Lead?"
    )
    QuestionFactory(
        section=second,
        key="plan",
        label="a",
        order=1,
        type=QuestionType.SINGLE_CHOICE,
        required=False,
        options={"choices": PLAN_CHOICES},
        text="Is there a plan?",
    )
    QuestionFactory(
        section=second,
        key="objectives",
        label="b",
        order=2,
        type=QuestionType.OBJECTIVES_GRID,
        required=False,
        text="Status of each objective?",
    )
    return services.questionnaire_version_publish(version=version)


# The status each country's submission reaches, in turn; None: the country has not started.
CYCLE_STATUSES = (None, "draft", "submitted", "returned", "accepted", "published")
_ROUTES = {
    None: [],
    "draft": [],
    "submitted": ["submitted"],
    "returned": ["submitted", "returned"],
    "accepted": ["submitted", "accepted"],
    "published": ["submitted", "accepted", "published"],
}


def cycle_with_countries(*, countries: int, version=None, statuses=CYCLE_STATUSES, **cycle_fields):
    """An open cycle of `countries` new countries. Country i's submission (if its status is not
    None) answers every question of `cross_country_version()` (in English, French or Arabic
    in turn) and then moves to `statuses[i % len(statuses)]`."""
    from questionnaire import services

    gcm_objectives()
    version = version or cross_country_version()
    cycle = CycleFactory(version=version, **cycle_fields)
    questions = {q.key: q for q in version.questions.all()}
    for i in range(countries):
        country = CountryFactory()
        cycle.countries.add(country)
        status = statuses[i % len(statuses)]
        if status is None:
            continue
        submission = services.submission_create(
            cycle=cycle, country=country, language=["en", "fr", "ar"][i % 3]
        )
        values = {
            "committee": COMMITTEE_TEXTS[i % 3],
            "lead": f"Ministry of Labour of {country.name_en}",
            "plan": PLAN_CHOICES[i % 2]["value"],
            "objectives": {
                "1": {"status": "planned", "note": f"Data note of {country.name_en}"},
                "4": {"status": "in_progress", "note": ""},
                "23": {"status": "largely_achieved", "note": ""},
            },
        }
        for key, value in values.items():
            if key in questions:
                services.answer_save(submission=submission, question=questions[key], value=value)
        for step in _ROUTES[status]:
            message = "Please revise section I." if step == "returned" else ""
            submission = services.submission_transition(
                submission=submission, to_status=step, message=message
            )
    return cycle


# --- Supporting documents ----------------------------------------------------------------------


def pdf_bytes(pages: int = 1) -> bytes:
    """A small, genuine PDF (blank pages), as an upload would carry: the portal parses what it
    accepts as a PDF, so a few bytes starting `%PDF-` no longer pass."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
