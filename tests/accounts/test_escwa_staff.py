"""Who is ESCWA staff: one rule (accounts.models), asked through questionnaire.permissions.

Every kind of account, each flag on and off, is put to each question: the per-user predicates
and the query filters must pick the same accounts, and each place that asks (the second-factor
requirement, reviewers' e-mails, the menu's admin link) must follow the rule it names.
"""

import itertools

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from accounts import selectors as account_selectors
from accounts.models import StaffRole, User, escwa_accounts, escwa_staff
from questionnaire import notifications, permissions
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = list(
    itertools.product(
        ["", StaffRole.REVIEWER, StaffRole.ADMIN],  # staff_role
        [False, True],  # is_superuser
        [False, True],  # is_staff
        [False, True],  # is_active
    )
)


@pytest.fixture
def accounts(db) -> list[User]:
    return [
        factories.UserFactory(
            staff_role=role, is_superuser=superuser, is_staff=staff, is_active=active
        )
        for role, superuser, staff, active in KINDS
    ]


def picked(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_the_query_and_the_predicate_agree_on_escwa_accounts(accounts):
    expected = {u.pk for u in accounts if permissions.is_escwa_account(u)}
    assert picked(User.objects.filter(escwa_accounts())) == expected
    # An ESCWA account is one with a staff role or a superuser, active or not.
    assert expected == {u.pk for u in accounts if u.staff_role or u.is_superuser}


def test_the_query_and_the_predicate_agree_on_escwa_staff(accounts):
    expected = {u.pk for u in accounts if permissions.is_escwa_staff(u)}
    assert picked(User.objects.filter(escwa_staff())) == expected
    assert expected == {u.pk for u in accounts if u.is_escwa and u.is_active}
    assert all(permissions.is_reviewer(u) == permissions.is_escwa_staff(u) for u in accounts)


def test_the_admin_site_rule_is_django_s(accounts):
    request = RequestFactory().get("/admin/")
    for user in accounts:
        request.user = user
        assert permissions.may_use_admin_site(user) == admin.site.has_permission(request), user


def test_staff_and_whoever_may_use_the_admin_site_need_a_second_factor(accounts):
    for user in accounts:
        expected = permissions.is_escwa_staff(user) or permissions.may_use_admin_site(user)
        assert account_selectors.two_factor_staff(user) == expected, user
    # is_staff alone, on an account that is not ESCWA's, is enough.
    (staff_only,) = (u for u in accounts if u.is_staff and u.is_active and not u.is_escwa)
    assert account_selectors.two_factor_staff(staff_only)


def test_reviewers_e_mails_go_to_active_staff_with_a_staff_role(accounts):
    mailed = picked(notifications.reviewers())
    assert mailed <= picked(User.objects.filter(escwa_staff()))
    assert mailed == {u.pk for u in accounts if permissions.is_escwa_staff(u) and u.staff_role}
    # A superuser without a staff role is ESCWA staff, but not a reviewer's inbox.
    technical = [u for u in accounts if u.is_superuser and not u.staff_role and u.is_active]
    assert technical and all(permissions.is_escwa_staff(u) for u in technical)
    assert not mailed & {u.pk for u in technical}


def test_nobody_logged_out_is_staff():
    anonymous = AnonymousUser()
    assert not permissions.is_escwa_staff(anonymous)
    assert not permissions.may_use_admin_site(anonymous)
    assert not account_selectors.two_factor_staff(anonymous)


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_menu_links_to_the_admin_site_for_those_who_may_use_it(client, is_staff):
    user = factories.ReviewerFactory(is_staff=is_staff)
    client.force_login(user)
    page = client.get(reverse("home")).text
    assert (f'href="{reverse("admin:index")}"' in page) == is_staff
