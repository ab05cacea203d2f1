"""Template helpers for the portal's layout."""

from django import template

from questionnaire import permissions

register = template.Library()


@register.simple_tag
def can(user, action: str, obj=None) -> bool:
    """`{% can request.user "submission.review" submission as may_review %}`: show or hide only.

    The decision is `permissions.can`'s; views and services enforce it, templates just ask.
    """
    return permissions.can(user, action, obj)


@register.filter
def person(user) -> str:
    """A user's full name, else their user name; empty for nobody (a system action)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
