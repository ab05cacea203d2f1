"""Turning what a URL names into the object, for this user.

Each lookup returns the object only if the user may see it and raises `Http404` otherwise, so that
someone outside a country's team cannot even learn that its submission, document or comment
exists (`PermissionDenied` only where being known is harmless, such as an action ESCWA keeps to
itself). Views call these first; every other selector takes the object they return."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .. import permissions
from ..models import (
    Attachment,
    Comment,
    Country,
    Invitation,
    Membership,
    Question,
    QuestionnaireVersion,
    ReviewCycle,
    Submission,
    VersionStatus,
)
from ..permissions import Action


def submission_get(*, user, pk: int) -> Submission:
    """A submission the user may see, or 404: outsiders learn nothing, not even that it exists."""
    submission = get_object_or_404(permissions.submissions_visible_to(user), pk=pk)
    permissions.require(user, Action.VIEW_SUBMISSION, submission)
    return submission


def version_for_preview(*, user, pk: int) -> QuestionnaireVersion:
    """A questionnaire version the user may preview (PermissionDenied otherwise), or 404.

    Drafts are ESCWA's work in progress: only staff see them.
    """
    permissions.require(user, Action.PREVIEW_QUESTIONNAIRE)
    versions = QuestionnaireVersion.objects.select_related("questionnaire")
    if not permissions.is_reviewer(user):
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return get_object_or_404(versions, pk=pk)


def submission_question(*, submission: Submission, key: str) -> Question:
    """A question of the submission's version by key, or 404."""
    return get_object_or_404(
        Question.objects.select_related("section"), version=submission.cycle.version_id, key=key
    )


def country_for_member(*, user, iso2: str) -> Country:
    """A country the user belongs to (any country for admins), or 404."""
    country = get_object_or_404(Country, iso2=iso2.upper())
    if not (permissions.is_admin(user) or country.pk in permissions.country_roles(user)):
        raise Http404
    return country


def cycle_and_country_for_start(*, user, slug: str, iso2: str) -> tuple[ReviewCycle, Country]:
    """The cycle and the country a submission is to be started for: 404 unless the user belongs
    to the country (any country for admins), checked before the cycle is looked up so that an
    outsider learns nothing about either. Whether they may start it is the service's decision."""
    country = country_for_member(user=user, iso2=iso2)
    cycle = get_object_or_404(ReviewCycle.objects.select_related("version"), slug=slug)
    return cycle, country


def country_for_team(*, user, iso2: str) -> Country:
    """A country whose team the user may manage: 404 when they do not belong to it (outsiders
    learn nothing), PermissionDenied when they belong but may not manage it."""
    country = country_for_member(user=user, iso2=iso2)
    permissions.require(user, Action.MANAGE_TEAM, country)
    return country


def team_membership(*, country: Country, pk: int) -> Membership:
    """One member of the country's team, or 404."""
    return get_object_or_404(
        Membership.objects.select_related("user", "country"), country=country, pk=pk
    )


def team_invitation(*, country: Country, pk: int) -> Invitation:
    """One invitation of the country's team, or 404."""
    return get_object_or_404(Invitation.objects.select_related("country"), country=country, pk=pk)


def attachment_get(*, user, pk: int, attachment_id: int) -> Attachment:
    """A supporting document of a submission the user may see, or 404 (for someone else's
    submission too, and for an id that belongs to another submission)."""
    submission = submission_get(user=user, pk=pk)
    attachment = get_object_or_404(
        Attachment.objects.select_related("uploaded_by"), submission=submission, pk=attachment_id
    )
    attachment.submission = submission  # already loaded, with its cycle
    return attachment


def export_cycle_get(*, user, slug: str) -> ReviewCycle:
    """A cycle whose answers the user may export: every country's data, so ESCWA staff only.

    The permission is checked before the lookup, so a country's user learns nothing, not even
    which cycles exist (PermissionDenied); a staff member gets 404 for an unknown slug.
    """
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    return get_object_or_404(
        ReviewCycle.objects.select_related("version__questionnaire"), slug=slug
    )


def comment_get(*, user, pk: int, comment_id: int) -> Comment:
    """A comment of a submission the user may see, or 404 (also for another submission's)."""
    submission = submission_get(user=user, pk=pk)
    comment = get_object_or_404(
        Comment.objects.select_related("question"), submission=submission, pk=comment_id
    )
    comment.submission = submission
    return comment


def cycle_get_for_staff(*, user, slug: str) -> ReviewCycle:
    """A review cycle for the pages that show every country at once (dashboard, one question
    across countries, objectives matrix, search): ESCWA staff only.

    The permission is checked before the lookup, so a country's user learns nothing, not even
    which cycles exist (PermissionDenied); a staff member gets 404 for an unknown slug.
    """
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    return get_object_or_404(
        ReviewCycle.objects.select_related("version__questionnaire"), slug=slug
    )


def comparison_country_get(*, user, slug: str, iso2: str) -> tuple[ReviewCycle, Country]:
    """The cycle and the country of a "what changed since the previous cycle" page: ESCWA staff
    see every country's, a country's team its own (those who may open its submissions); anyone
    else gets 404, learning nothing of the country's answers."""
    country = get_object_or_404(Country, iso2=iso2.upper())
    if not (
        permissions.can(user, Action.VIEW_ALL_COUNTRIES)
        or country.pk in permissions.country_roles(user)
    ):
        raise Http404
    cycle = get_object_or_404(
        ReviewCycle.objects.select_related("version__questionnaire"), slug=slug
    )
    return cycle, country
