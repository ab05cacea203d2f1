"""Each person's language, remembered on their account (`User.language`), in one place.

- Switching language (the switcher posts to /i18n/setlang/) while logged in saves the choice on
  the account, through `set_language`, which wraps Django's own view (cookie, `next`, checks).
- `UserLanguageMiddleware` makes a logged-in user's pages use that saved language, whatever the
  browser's cookie or Accept-Language say, and brings the cookie in line: logging in on another
  browser, or after someone else used this one, gives the person their own language at once, and
  the login page after logging out stays in it.

Before logging in, Django's LocaleMiddleware decides (the cookie, else the browser's languages).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language
from django.views import i18n
from django.views.decorators.http import require_POST

PORTAL_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def user_language_save(*, user, language: str) -> bool:
    """Remember `language` as the user's own; False (and nothing saved) for a language the portal
    does not offer."""
    if language not in PORTAL_LANGUAGES or not check_for_language(language):
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True


@require_POST
def set_language(request):
    """Django's `set_language` (cookie, safe `next` redirect), and for a logged-in user the choice
    is saved on their account too."""
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        user_language_save(user=request.user, language=request.POST.get("language", ""))
    return response


def _saved_language(request) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    language = getattr(user, "language", "")
    return language if language in PORTAL_LANGUAGES else None


class UserLanguageMiddleware:
    """A logged-in user's pages are in their saved language; the language cookie follows it.

    Goes after AuthenticationMiddleware (it reads `request.user`) and after LocaleMiddleware (it
    overrides what that one activated from the cookie or the browser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _saved_language(request)
        if language and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Read again: the request may have logged the user in, out, or changed their language.
        language = _saved_language(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
