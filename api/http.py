"""What every API response shares: who is calling (a personal token, or nobody), the rate
limit, and the caching headers (ETag, Cache-Control, Vary).

Sessions and cookies are no credential here: a logged-in browser calling the API is anonymous
to it, so that no other site can read a user's data through their cookies (CORS is open on
`/api/v1/`, without credentials), and no CSRF question arises (every endpoint is GET).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security.http import HttpBearer
from ninja.throttling import BaseThrottle

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.lockout import client_ip
from accounts.models import ApiToken
from gcmreview.counters import window_count, window_increment

RATE_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Caller:
    """Who makes the request: a token's holder, or anonymous (`user` and `token` None)."""

    user: object | None = None
    token: ApiToken | None = None

    def __bool__(self) -> bool:  # ninja keeps a truthy result of its auth callables
        return True

    def __str__(self) -> str:
        return f"token:{self.token.pk}" if self.token else "anonymous"


class TokenOrAnonymous(HttpBearer):
    """`Authorization: Bearer <token>`, or no Authorization at all (anonymous: published
    reviews only). A header that is present but wrong (another scheme, an unknown or revoked
    token, an inactive holder) is 401: a script whose token died learns it, rather than
    silently reading less."""

    def __call__(self, request: HttpRequest) -> Caller:
        header = request.headers.get("Authorization", "")
        if not header:
            return Caller()
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            raise HttpError(401, _("Send a personal token as “Authorization: Bearer <token>”."))
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        holder = account_selectors.api_token_holder(token)
        if holder is None:
            raise HttpError(
                401,
                _("This token is not valid: it is unknown or revoked, or its account is closed."),
            )
        account_services.api_token_used(token=holder)
        return Caller(user=holder.user, token=holder)


class CallerRateLimit(BaseThrottle):
    """API_RATE_ANONYMOUS requests a minute per client address without a token,
    API_RATE_TOKEN a minute per token; more get 429 with Retry-After (counted in Django's
    cache: gcmreview/counters.py)."""

    def allow_request(self, request: HttpRequest) -> bool:
        caller = getattr(request, "auth", None) or Caller()
        if caller.token is not None:
            key, limit = f"api:token:{caller.token.pk}", settings.API_RATE_TOKEN
        else:
            key, limit = f"api:address:{client_ip(request) or ''}", settings.API_RATE_ANONYMOUS
        if window_count(key) >= limit:
            return False
        window_increment(key, seconds=RATE_WINDOW_SECONDS)
        return True

    def wait(self) -> float:
        return RATE_WINDOW_SECONDS


def body_etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    candidates = {part.strip().removeprefix("W/") for part in wanted.split(",")}
    return etag in candidates or "*" in candidates


class PortalAPI(NinjaAPI):
    """NinjaAPI whose every response says how it may be cached: the same URL answers a
    token's holder more than the public, so `Vary: Authorization`; public answers may be kept
    API_MAX_AGE seconds by anyone, a token's only by the caller's own client, revalidated each
    time (`private, no-cache`); errors are not kept. A 200 carries an ETag (a hash of its body)
    and answers a matching If-None-Match with 304."""

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return cache_headers(request, response)


def cache_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    caller = getattr(request, "auth", None)
    token = caller.token if isinstance(caller, Caller) else None
    if response.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if response.status_code != 200:
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ["Authorization"])
        return response
    control = "private, no-cache" if token else f"public, max-age={settings.API_MAX_AGE}"
    etag = body_etag(response.content)
    if _matches(request, etag):
        response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = control
    patch_vary_headers(response, ["Authorization"])
    return response
