"""A country's team: members and their roles, invitations, and the page an invitation leads to.

The selectors decide who reaches a team (404 for outsiders, 403 for members who may not manage
it); the services check again and enforce the rules (a country keeps a focal point, a link works
once). These views only translate between HTTP and those calls.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import forms, notifications, permissions, selectors, services
from .models import CountryRole

# reverse() and build_absolute_uri() would percent-encode "{token}"; this survives both.
TOKEN_PLACEHOLDER = "__token__"  # noqa: S105 -- a placeholder, not a secret  # nosec B105


def invitation_accept_url() -> str:
    """The absolute URL of the accept page with `{token}` where services.invitation_create
    puts the token. Built from SITE_URL, as the password reset's link is, never from the
    request's Host header: a forged Host would otherwise send the token to another site."""
    path = reverse("invitation_accept", args=[TOKEN_PLACEHOLDER])
    return notifications.absolute_url(path).replace(TOKEN_PLACEHOLDER, "{token}")


# --- Lists and the team page -------------------------------------------------------------------


@login_required
@require_GET
def country_list(request):
    """The teams the user manages: every country for admins; a focal point goes straight to
    their own team."""
    countries = selectors.countries_for_team_management(user=request.user)
    if not countries:
        raise PermissionDenied
    if len(countries) == 1 and not permissions.is_admin(request.user):
        return redirect("country_team", iso2=countries[0].iso2)
    return render(request, "questionnaire/team/country_list.html", {"countries": countries})


def _team_page(request, country, *, invite_form=None, status=200):
    return render(
        request,
        "questionnaire/team/team.html",
        {
            "team": selectors.country_team(country=country),
            "invite_form": invite_form or forms.InvitationForm(),
            "roles": CountryRole.choices,
            "is_admin": permissions.is_admin(request.user),
            "lifetime_days": services.INVITATION_LIFETIME.days,
        },
        status=status,
    )


@login_required
@require_GET
def country_team(request, iso2: str):
    country = selectors.country_for_team(user=request.user, iso2=iso2)
    return _team_page(request, country)


@login_required
@require_POST
def team_invite(request, iso2: str):
    country = selectors.country_for_team(user=request.user, iso2=iso2)
    form = forms.InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                country=country,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                user=request.user,
                accept_url=invitation_accept_url(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "An invitation to join as %(role)s was sent to %(email)s. The link works "
                    "once and expires in %(days)d day.",
                    "An invitation to join as %(role)s was sent to %(email)s. The link works "
                    "once and expires in %(days)d days.",
                    services.INVITATION_LIFETIME.days,
                )
                % {
                    "role": invitation.get_role_display(),
                    "email": invitation.email,
                    "days": services.INVITATION_LIFETIME.days,
                },
            )
            return redirect("country_team", iso2=country.iso2)
    messages.error(request, _("No invitation was sent: please correct the form below."))
    return _team_page(request, country, invite_form=form, status=400)


@login_required
@require_POST
def team_invitation_revoke(request, iso2: str, pk: int):
    country = selectors.country_for_team(user=request.user, iso2=iso2)
    invitation = selectors.team_invitation(country=country, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn; its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("country_team", iso2=country.iso2)


def _after_change(request, membership):
    # Someone who changed their own membership may no longer manage the team: go home.
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect("country_team", iso2=membership.country.iso2)


@login_required
@require_POST
def team_member_role(request, iso2: str, pk: int):
    country = selectors.country_for_team(user=request.user, iso2=iso2)
    membership = selectors.team_membership(country=country, pk=pk)
    form = forms.RoleForm(request.POST)
    name = membership.user.display_name
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("country_team", iso2=country.iso2)
    if form.cleaned_data["role"] == membership.role:
        messages.info(
            request,
            _("%(name)s is already %(role)s; nothing changed.")
            % {"name": name, "role": membership.get_role_display()},
        )
        return redirect("country_team", iso2=country.iso2)
    try:
        services.membership_set_role(
            membership=membership, role=form.cleaned_data["role"], user=request.user
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("%(name)s's role was not changed: %(reason)s")
            % {"name": name, "reason": " ".join(exc.messages)},
        )
        return redirect("country_team", iso2=country.iso2)
    messages.success(
        request,
        _("%(name)s is now %(role)s.") % {"name": name, "role": membership.get_role_display()},
    )
    return _after_change(request, membership)


@login_required
@require_http_methods(["GET", "POST"])
def team_member_remove(request, iso2: str, pk: int):
    """GET asks for confirmation; POST takes the person off the team."""
    country = selectors.country_for_team(user=request.user, iso2=iso2)
    membership = selectors.team_membership(country=country, pk=pk)
    name = membership.user.display_name
    if request.method == "GET":
        return render(
            request,
            "questionnaire/team/member_remove.html",
            {"membership": membership, "country": country, "name": name},
        )
    try:
        services.membership_remove(membership=membership, user=request.user)
    except ValidationError as exc:
        messages.error(
            request,
            _("%(name)s was not removed: %(reason)s")
            % {"name": name, "reason": " ".join(exc.messages)},
        )
        return redirect("country_team", iso2=country.iso2)
    messages.success(
        request,
        _("%(name)s is no longer on %(country)s's team.") % {"name": name, "country": country},
    )
    return _after_change(request, membership)


# --- Accepting an invitation -------------------------------------------------------------------


def _invitation_unusable(request, token: str, error: ValidationError):
    # A link that once worked (used, expired, withdrawn) is gone; a made-up one never existed.
    status = 410 if selectors.invitation_find(token=token) is not None else 404
    return render(
        request,
        "questionnaire/team/invitation_unusable.html",
        {"reason": " ".join(error.messages)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Join a country's team from an invitation link, as the logged-in user or a new account.

    Deliberately open to anonymous users: the token is the credential. It is single-use.
    """
    try:
        invitation = selectors.invitation_get_pending(token=token)
    except ValidationError as exc:
        return _invitation_unusable(request, token, exc)

    logged_in = request.user.is_authenticated
    form = None if logged_in else forms.JoinForm(email=invitation.email)
    status = 200
    refusal = ""
    if request.method == "POST":
        if not logged_in:
            form = forms.JoinForm(request.POST, email=invitation.email)
        if logged_in or form.is_valid():
            fields = {} if logged_in else form.cleaned_data
            try:
                user = services.invitation_accept(
                    token=token,
                    user=request.user if logged_in else None,
                    username=fields.get("username", ""),
                    password=fields.get("password1", ""),
                    full_name=fields.get("full_name", ""),
                    language=request.LANGUAGE_CODE,
                    confirm_other_address=request.POST.get("confirm_other_address") == "1",
                )
            except ValidationError as exc:
                try:  # used or expired in the meantime: say so, like any dead link
                    selectors.invitation_get_pending(token=token)
                except ValidationError as gone:
                    return _invitation_unusable(request, token, gone)
                if form is None:
                    refusal = " ".join(exc.messages)
                else:
                    form.add_error(None, exc)
            else:
                if not logged_in:
                    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(
                    request,
                    _("Welcome! You are now on %(country)s's team as %(role)s.")
                    % {"country": invitation.country, "role": invitation.get_role_display()},
                )
                return redirect("home")
        status = 400
    current_role = (
        permissions.country_roles(request.user).get(invitation.country_id) if logged_in else None
    )
    return render(
        request,
        "questionnaire/team/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "refusal": refusal,
            "current_role": CountryRole(current_role).label if current_role else None,
            "escwa_account": logged_in and permissions.is_escwa_account(request.user),
            "other_address": logged_in
            and selectors.invitation_for_another_address(invitation=invitation, user=request.user),
        },
        status=status,
    )
