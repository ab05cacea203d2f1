"""Template helpers for the portal's layout."""

from django import template

from questionnaire import permissions
from questionnaire.models import Country
from questionnaire.permissions import Action

register = template.Library()


@register.simple_tag
def can(user, action: str, obj=None) -> bool:
    """`{% can request.user "submission.review" submission as may_review %}`: show or hide only.

    The decision is `permissions.can`'s; views and services enforce it, templates just ask.
    """
    return permissions.can(user, action, obj)


@register.filter
def person(user) -> str:
    """`User.display_name`; empty for nobody (a system action)."""
    if user is None:
        return ""
    return user.display_name


@register.filter
def may_use_admin_site(user) -> bool:
    """`{% if user|may_use_admin_site %}`: whether to show the link to Django's admin site."""
    return permissions.may_use_admin_site(user)


@register.simple_tag
def manages_a_team(user) -> bool:
    """Whether to show the "Team" link: the user may manage at least one country's team.

    Asks `permissions.can` about each country the user belongs to (no query beyond the user's
    roles, which are read once per request).
    """
    if permissions.is_admin(user):
        return True
    return any(
        permissions.can(user, Action.MANAGE_TEAM, Country(pk=pk))
        for pk in permissions.country_roles(user)
    )
