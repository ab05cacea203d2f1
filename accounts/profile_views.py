"""“Your account”: one page that gathers a user's settings (password, two-factor
authentication, language) and their personal API tokens (docs/api.md).

A new token's secret is shown in the response to the POST that made it, and never again: it is
not stored (only its hash is), not put in the session, not sent by e-mail.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .forms import ApiTokenForm
from .models import ApiToken, may_hold_api_token


def _render(request: HttpRequest, *, form=None, secret: str = "", status: int = 200):
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "may_hold_tokens": may_hold_api_token(user),
            "tokens": selectors.api_tokens_of(user),
            "form": form or ApiTokenForm(),
            "new_secret": secret,
            "two_factor_on": selectors.two_factor_enrolled(user),
            "api_docs_url": reverse("api-v1:api_docs"),
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """The user's account: links to their settings, and their API tokens."""
    return _render(request)


@never_cache
@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Make a token and show its secret, this once."""
    if not may_hold_api_token(request.user):
        return _render(request, status=403)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    _token, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    return _render(request, secret=secret)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own tokens; someone else's is 404."""
    try:
        token = services.api_token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    messages.success(
        request,
        _("The token “%(name)s” is revoked: it no longer opens anything.") % {"name": token.name},
    )
    return redirect("profile")
