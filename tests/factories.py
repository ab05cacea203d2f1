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


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso2",)

    iso2 = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
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
