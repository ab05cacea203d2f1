"""The one answer to "may this user do this action to this object?".

Services call `require` (raises PermissionDenied); views and templates call `can` only to decide
what to show. Roles:

- ESCWA staff (accounts.StaffRole): reviewers see every country's submissions once submitted (and
  drafts too, to follow progress), comment, return, accept and publish; they never edit answers.
  Admins may do everything a reviewer may, and manage questionnaires and teams. Both may grant a
  country a later deadline in a cycle.
- Country members (Membership): focal points edit, submit and manage their team; contributors edit;
  viewers read. Nobody sees another country's submission.
- Comments on a question are a conversation between ESCWA and the country: everyone who may see
  the submission may write one or reply (a viewer too: asking is not answering). A thread is
  marked resolved by ESCWA staff or by whoever opened it; a thread the country opened may also
  be resolved by the country's editors (focal points, contributors), but only ESCWA closes
  ESCWA's remarks. Once a submission is published, or its cycle closed, its threads are closed:
  no new comments, no change of state.
- Publication needs the country's word: one of its focal points agrees, once the answers are
  accepted; ESCWA staff then publish.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffRole, escwa_staff, is_escwa_staff, may_use_admin_site

from .models import Comment, Country, CountryRole, ReviewCycle, Submission


class Action(StrEnum):
    VIEW_SUBMISSION = "submission.view"
    EDIT_ANSWERS = "submission.edit_answers"
    SUBMIT = "submission.submit"
    REVIEW = "submission.review"  # return, accept
    PUBLISH = "submission.publish"
    COMMENT = "submission.comment"
    RESOLVE_COMMENT = "submission.resolve_comment"  # on a Submission: any thread; on a Comment: it
    AGREE_TO_PUBLISH = "submission.agree_to_publish"
    START_SUBMISSION = "country.start_submission"
    MANAGE_TEAM = "country.manage_team"
    VIEW_ALL_COUNTRIES = "cycle.view_all_countries"
    MANAGE_DEADLINES = "cycle.manage_deadlines"  # grant a country a later deadline
    PREVIEW_QUESTIONNAIRE = "questionnaire.preview"
    MANAGE_QUESTIONNAIRES = "questionnaire.manage"


def is_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.staff_role == StaffRole.ADMIN)
    )


def is_reviewer(user) -> bool:
    """ESCWA staff: reviewers and admins (and superusers), logged in and active. The rule is
    `accounts.models.is_escwa_staff` (in a query: `escwa_staff()`); see there why it lives beside
    the user model."""
    return is_escwa_staff(user)


def country_roles(user) -> dict[int, str]:
    """country id → role for this user, read once per user object (request).

    An ESCWA account has none, whatever Membership rows say: ESCWA reviews the countries' answers
    and never writes them. The services and the admin refuse to create such rows; one left from
    before, or added behind their back, grants nothing."""
    if not (user.is_authenticated and user.is_active) or is_escwa_account(user):
        return {}
    cached = getattr(user, "_country_roles", None)
    if cached is None:
        cached = dict(user.memberships.values_list("country_id", "role"))
        user._country_roles = cached
    return cached


def is_escwa_account(user) -> bool:
    """Whether the account belongs to ESCWA (a reviewer or an admin), active or not: a comment
    written by ESCWA stays ESCWA's after its author's account is closed. `User.is_escwa`; in a
    query: `accounts.models.escwa_accounts()`."""
    return user.is_escwa


def _country_id(obj) -> int | None:
    if isinstance(obj, Country):
        return obj.pk
    if isinstance(obj, Submission):
        return obj.country_id
    if isinstance(obj, Comment):
        return obj.submission.country_id
    return None


def _threads_closed(submission: Submission) -> bool:
    return submission.is_published or submission.cycle.is_closed


def can(user, action: Action | str, obj=None) -> bool:
    """Whether `user` may do `action` to `obj` (a Submission, a Comment, a Country, or nothing)."""
    action = Action(action)
    if not (user.is_authenticated and user.is_active):
        return False
    staff = is_reviewer(user)
    role = country_roles(user).get(_country_id(obj)) if obj is not None else None

    if action in (Action.MANAGE_QUESTIONNAIRES,):
        return is_admin(user)
    if action in (Action.VIEW_ALL_COUNTRIES, Action.PREVIEW_QUESTIONNAIRE):
        return staff or (action == Action.PREVIEW_QUESTIONNAIRE and bool(country_roles(user)))
    if action == Action.MANAGE_DEADLINES:
        return staff
    if action == Action.MANAGE_TEAM:
        return is_admin(user) or role == CountryRole.FOCAL_POINT
    if action == Action.START_SUBMISSION:
        return role == CountryRole.FOCAL_POINT

    if isinstance(obj, Comment):
        if action != Action.RESOLVE_COMMENT or _threads_closed(obj.submission):
            return False
        if staff or obj.author_id == user.pk:
            return True
        # The country's editors close the country's own threads, never ESCWA's remarks.
        editor = role in (CountryRole.FOCAL_POINT, CountryRole.CONTRIBUTOR)
        return editor and not is_escwa_account(obj.author)
    if not isinstance(obj, Submission):
        return False
    if action == Action.VIEW_SUBMISSION:
        return staff or role is not None
    if action == Action.EDIT_ANSWERS:
        # Reviewers never edit a country's answers, not even admins: the answers are the
        # country's word.
        return role in (CountryRole.FOCAL_POINT, CountryRole.CONTRIBUTOR) and obj.is_editable
    if action == Action.SUBMIT:
        return role == CountryRole.FOCAL_POINT and obj.is_editable
    if action == Action.REVIEW:
        return staff
    if action == Action.PUBLISH:
        return staff
    if action == Action.AGREE_TO_PUBLISH:
        return role == CountryRole.FOCAL_POINT and obj.is_accepted
    if action in (Action.COMMENT, Action.RESOLVE_COMMENT):
        if _threads_closed(obj):
            return False
        if action == Action.COMMENT:
            return staff or role is not None
        return staff or role in (CountryRole.FOCAL_POINT, CountryRole.CONTRIBUTOR)
    return False


def require(user, action: Action | str, obj=None) -> None:
    """Raise PermissionDenied unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


# --- What a user may see, as querysets ----------------------------------------------------------
# The same rule as `can(user, Action.VIEW, ...)`, applied to lists in one query.


def submissions_visible_to(user) -> QuerySet[Submission]:
    """The submissions this user may open: all for ESCWA staff, their countries' for members."""
    qs = Submission.objects.select_related("cycle", "country", "cycle__version__questionnaire")
    if is_reviewer(user):
        return qs
    return qs.filter(country_id__in=list(country_roles(user)))


def cycles_visible_to(user) -> QuerySet[ReviewCycle]:
    """The review cycles this user takes part in: all for ESCWA staff, those their countries
    take part in for members."""
    cycles = ReviewCycle.objects.select_related("version__questionnaire")
    if is_reviewer(user):
        return cycles
    return cycles.filter(countries__in=list(country_roles(user))).distinct()


__all__ = [
    "Action",
    "can",
    "country_roles",
    "cycles_visible_to",
    "escwa_staff",
    "is_admin",
    "is_escwa_account",
    "is_escwa_staff",
    "is_reviewer",
    "may_use_admin_site",
    "require",
    "submissions_visible_to",
]
