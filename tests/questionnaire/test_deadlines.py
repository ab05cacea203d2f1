"""Deadline extensions (services.deadlines): who grants one, for which country and cycle, and that
a later grant replaces the earlier one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from questionnaire import services
from questionnaire.models import DeadlineExtension
from tests import factories

pytestmark = pytest.mark.django_db


def test_granting_an_extension_replaces_the_earlier_one(big_cycle, reviewer):
    country = big_cycle.countries.first()
    for days in (5, 12):
        services.deadline_extension_grant(
            cycle=big_cycle,
            country=country,
            deadline=big_cycle.deadline + datetime.timedelta(days=days),
            user=reviewer,
        )
    extension = DeadlineExtension.objects.get(cycle=big_cycle, country=country)
    assert extension.deadline == big_cycle.deadline + datetime.timedelta(days=12)
    assert extension.granted_by == reviewer


def test_an_extension_cannot_be_before_the_cycle_deadline(big_cycle, admin_user):
    with pytest.raises(ValidationError):
        services.deadline_extension_grant(
            cycle=big_cycle,
            country=big_cycle.countries.first(),
            deadline=big_cycle.deadline - datetime.timedelta(days=1),
            user=admin_user,
        )
    assert not DeadlineExtension.objects.exists()


def test_country_users_cannot_grant_extensions(big_cycle):
    country = big_cycle.countries.first()
    focal_point = factories.MembershipFactory(country=country).user
    with pytest.raises(PermissionDenied):
        services.deadline_extension_grant(
            cycle=big_cycle,
            country=country,
            deadline=big_cycle.deadline + datetime.timedelta(days=5),
            user=focal_point,
        )


def test_no_extension_for_a_country_outside_the_cycle_or_a_closed_cycle(big_cycle, reviewer):
    outsider = factories.CountryFactory()
    later = big_cycle.deadline + datetime.timedelta(days=5)
    with pytest.raises(ValidationError):
        services.deadline_extension_grant(
            cycle=big_cycle, country=outsider, deadline=later, user=reviewer
        )
    big_cycle.is_closed = True
    big_cycle.save()
    with pytest.raises(ValidationError):
        services.deadline_extension_grant(
            cycle=big_cycle, country=big_cycle.countries.first(), deadline=later, user=reviewer
        )
