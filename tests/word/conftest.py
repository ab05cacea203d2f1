import pytest
from django.core.management import call_command

from questionnaire.models import Country, Submission


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    call_command("loaddemo", verbosity=0)


@pytest.fixture
def morocco(demo):
    return Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")


@pytest.fixture
def tunisia_draft(morocco):
    """An empty draft of another country in Morocco's cycle, to import into."""
    # The 2020 cycle is closed: opened again here, as for a late country.
    cycle = morocco.cycle
    cycle.is_closed = False
    cycle.save(update_fields=["is_closed"])
    return Submission.objects.create(
        cycle=morocco.cycle, country=Country.objects.get(iso2="TN"), language="en"
    )


@pytest.fixture
def tunisia_user(tunisia_draft):
    from tests.factories import MembershipFactory

    return MembershipFactory(country=tunisia_draft.country, role="focal_point").user
