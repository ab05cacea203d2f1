import pytest
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import selectors as account_selectors
from questionnaire import services
from questionnaire.models import CountryRole, QuestionType

from . import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is the point in production and a waste in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in English: a request in Arabic leaves its language active in the thread
    (LocaleMiddleware activates it and nothing deactivates it), which would leak into the next."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session", autouse=True)
def _media_outside_the_checkout(tmp_path_factory):
    """Files that tests store (public PDFs, which any request for one may render and keep) go to
    a temporary directory, never to the checkout's var/media. Tests and modules that need their
    own directory still set MEDIA_ROOT over this."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles count in the cache (public PDFs rendered per client address): one test's
    requests must not count in the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    # The same task code as production, run at enqueue time instead of by a db_worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _staff_logins_pass_the_second_step(request):
    """Logging staff in (force_login, or the login form in browser tests) also passes the second
    step, as if they had typed the code from their authenticator app, so that tests about
    something else need not. The middleware asking for the code runs in every test all the same;
    tests of the second step itself are marked `real_two_factor` and get no such help."""
    if request.node.get_closest_marker("real_two_factor"):
        yield
        return

    def verified(sender, request, user, **kwargs):
        if request is None or not account_selectors.two_factor_staff(user):
            return
        request.session[DEVICE_ID_SESSION_KEY] = factories.authenticator(user).persistent_id

    user_logged_in.connect(verified, dispatch_uid="tests.two_factor")
    yield
    user_logged_in.disconnect(dispatch_uid="tests.two_factor")


@pytest.fixture
def published_version(db):
    """A published version with two sections and a few questions of different types."""
    version = factories.VersionFactory()
    first = factories.SectionFactory(version=version, number="I", title="Methodology", order=1)
    second = factories.SectionFactory(version=version, number="II", title="Policy", order=2)
    factories.QuestionFactory(section=first, key="mechanism", label="a", order=1)
    factories.QuestionFactory(
        section=first, key="lead", label="b", order=2, type=QuestionType.SHORT_TEXT
    )
    factories.QuestionFactory(section=second, key="policies", label="a", order=1, required=False)
    return services.questionnaire_version_publish(version=version)


@pytest.fixture
def cycle(published_version):
    return factories.CycleFactory(version=published_version)


@pytest.fixture
def country(db):
    return factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco")


@pytest.fixture
def other_country(db):
    return factories.CountryFactory(iso2="JO", iso3="JOR", name_en="Jordan")


@pytest.fixture
def submission(cycle, country, other_country):
    cycle.countries.add(country, other_country)
    return services.submission_create(cycle=cycle, country=country)


@pytest.fixture
def complete_submission(submission):
    """The submission with every required question answered, ready to submit."""
    from questionnaire.models import Question

    for question in Question.objects.filter(version=submission.cycle.version, required=True):
        value = "Ministry" if question.type == QuestionType.SHORT_TEXT else "<p>Answer</p>"
        services.answer_save(submission=submission, question=question, value=value)
    return submission


@pytest.fixture
def focal_point(country):
    membership = factories.MembershipFactory(country=country, role=CountryRole.FOCAL_POINT)
    return membership.user


@pytest.fixture
def contributor(country):
    return factories.MembershipFactory(country=country, role=CountryRole.CONTRIBUTOR).user


@pytest.fixture
def viewer(country):
    return factories.MembershipFactory(country=country, role=CountryRole.VIEWER).user


@pytest.fixture
def other_focal_point(other_country):
    return factories.MembershipFactory(country=other_country, role=CountryRole.FOCAL_POINT).user


@pytest.fixture
def reviewer(db):
    return factories.ReviewerFactory()


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(username="admin-user")
