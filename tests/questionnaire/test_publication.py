"""Publication needs the country's agreement: who agrees, when, what ESCWA hears, and the pages
that ask for it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from questionnaire import selectors, services
from questionnaire.models import (
    Comment,
    SubmissionStatus,
)
from tests import factories
from tests.factories import login, move, set_status

pytestmark = pytest.mark.django_db
S = SubmissionStatus


# --- Publication needs the country's agreement ----------------------------------------------------


@pytest.fixture
def accepted(submitted, reviewer):
    return move(submitted, S.ACCEPTED, reviewer)


def test_publishing_waits_for_the_countrys_agreement(accepted, reviewer):
    with pytest.raises(services.TransitionError, match="has not agreed"):
        move(accepted, S.PUBLISHED, reviewer)
    accepted.refresh_from_db()
    assert accepted.status == S.ACCEPTED


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("focal_point", True),
        ("contributor", False),
        ("viewer", False),
        ("reviewer", False),  # ESCWA does not agree on a country's behalf
        ("admin_user", False),
        ("other_focal_point", False),
    ],
)
def test_only_a_focal_point_agrees_to_publication(request, accepted, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        agreement = services.submission_publication_agree(submission=accepted, user=user)
        assert agreement.actor == user
    else:
        with pytest.raises(PermissionDenied):
            services.submission_publication_agree(submission=accepted, user=user)
        assert selectors.submission_publication_agreement(submission=accepted) is None


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.RETURNED])
def test_agreement_waits_for_acceptance(submission, focal_point, status):
    set_status(submission, status)
    with pytest.raises(PermissionDenied):
        services.submission_publication_agree(submission=submission, user=focal_point)


def test_agreeing_tells_escwa_and_lets_it_publish(
    accepted, focal_point, reviewer, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_publication_agree(submission=accepted, user=focal_point)
        services.submission_publication_agree(submission=accepted, user=focal_point)  # once
    assert sorted(m.to[0] for m in mailoutbox) == sorted([reviewer.email, admin_user.email])
    assert "agreed" in mailoutbox[0].subject

    assert move(accepted, S.PUBLISHED, reviewer).status == S.PUBLISHED


def test_the_agreement_page_asks_first_and_records_it(client, accepted, focal_point):
    url = reverse("publication_agree", args=[accepted.pk])
    client.force_login(focal_point)
    page = client.get(url)
    assert page.status_code == 200
    assert "Does Morocco agree to the publication of its answers?" in page.text
    unticked = client.post(url, {})
    assert unticked.status_code == 200 and "Tick the box" in unticked.text
    assert selectors.submission_publication_agreement(submission=accepted) is None

    done = client.post(url, {"confirm": "yes"})

    assert done.status_code == 302 and done.url == reverse("submission_detail", args=[accepted.pk])
    detail = client.get(done.url).text
    assert "agreed on" in detail and "Agreed to publication" in detail  # note and timeline


def test_the_submission_page_asks_the_focal_point_and_tells_escwa(
    client, accepted, focal_point, contributor, reviewer
):
    agree = reverse("publication_agree", args=[accepted.pk])
    publish = reverse("submission_move", args=[accepted.pk, "publish"])
    assert (
        agree
        in login(client, focal_point).get(reverse("submission_detail", args=[accepted.pk])).text
    )
    assert (
        agree
        not in login(client, contributor).get(reverse("submission_detail", args=[accepted.pk])).text
    )
    staff = login(client, reviewer).get(reverse("submission_detail", args=[accepted.pk])).text
    assert publish not in staff and "has not agreed to the publication" in staff
    confirm = client.get(publish).text
    assert "has not agreed to the publication of its answers yet" in confirm
    assert 'class="card card-body"' not in confirm  # no form to publish with

    services.submission_publication_agree(submission=accepted, user=focal_point)
    assert publish in client.get(reverse("submission_detail", args=[accepted.pk])).text


def test_a_migration_keeps_published_submissions_published():
    """Submissions published before agreements were recorded keep an agreement (with nobody
    named), so they stay published and listed; old comments count as sent."""
    import importlib

    migration = importlib.import_module(
        "questionnaire.migrations.0006_comment_threads_and_publication_agreement"
    )
    from django.apps import apps as global_apps

    cycle = factories.CycleFactory()
    published = factories.SubmissionFactory(cycle=cycle, status=S.PUBLISHED)
    old = Comment.objects.create(
        submission=published,
        question=factories.QuestionFactory(section__version=cycle.version),
        author=factories.UserFactory(staff_role="reviewer"),
        body="Old",
    )
    migration.backfill(global_apps, None)
    agreement = selectors.submission_publication_agreement(submission=published)
    assert agreement is not None and agreement.actor is None
    old.refresh_from_db()
    assert old.notified_at == old.created_at
