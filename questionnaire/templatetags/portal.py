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
