import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    """Roles held at ESCWA, across all countries. Country roles live in Membership."""

    NONE = "", _("None")
    REVIEWER = "reviewer", _("ESCWA reviewer")
    ADMIN = "admin", _("Administrator")


# Who is ESCWA staff, decided here and nowhere else (questionnaire.permissions exposes it to the
# rest of the portal). It lives beside the user model, not in questionnaire/permissions.py,
# because the accounts app needs it too (staff must use a second factor) and accounts sits below
# the questionnaire: the questionnaire imports accounts, never the other way round. Three
# questions, each with one answer, tested against each other (tests/accounts/test_escwa_staff.py):
#
# - is the account ESCWA's? `User.is_escwa`, in a query `escwa_accounts()`: a reviewer, an
#   administrator or a superuser, active or not (a comment ESCWA wrote stays ESCWA's once its
#   author's account is closed);
# - does the user act as ESCWA staff now? `is_escwa_staff(user)`, in a query `escwa_staff()`: the
#   same accounts, logged in and active;
# - may the user open Django's admin site? `may_use_admin_site(user)`: Django's own rule
#   (AdminSite.has_permission), `is_staff` and active; not ESCWA staff by itself, but such a user
#   must use a second factor all the same (accounts.selectors.two_factor_staff).


def escwa_accounts(prefix: str = "") -> models.Q:
    """`User.is_escwa` as a filter, on the user itself or through `prefix` ("author__")."""
    return models.Q(**{f"{prefix}is_superuser": True}) | ~models.Q(**{f"{prefix}staff_role": ""})


def escwa_staff(prefix: str = "") -> models.Q:
    """`is_escwa_staff` as a filter: ESCWA's accounts that are active."""
    return escwa_accounts(prefix) & models.Q(**{f"{prefix}is_active": True})


def is_escwa_staff(user) -> bool:
    """Whether the user acts as ESCWA staff (a reviewer, an administrator or a superuser) now:
    logged in, active and `User.is_escwa`. ESCWA staff see every country and review; they never
    hold a country role. In a query: `escwa_staff()`."""
    return bool(user.is_authenticated and user.is_active and user.is_escwa)


def may_use_admin_site(user) -> bool:
    """Whether the user may open Django's admin site: Django's own rule (an active account with
    `is_staff`, AdminSite.has_permission), asked here so that the menu and the second-factor
    requirement say the same. What the user may change there is the admin's business."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def may_hold_api_token(user) -> bool:
    """Who may make a personal API token (docs/api.md): ESCWA staff, and the members of a
    country's team, active and logged in. The public needs none: published reviews are open.
    Asked again on every API request, so a token dies with its holder's role or account."""
    if not (user.is_authenticated and user.is_active):
        return False
    # `memberships` is the questionnaire's Membership, named here by its relation only: the
    # accounts app sits below the questionnaire and never imports it.
    return user.is_escwa or user.memberships.exists()


class User(AbstractUser):
    staff_role = models.CharField(
        _("staff role"), max_length=16, choices=StaffRole.choices, blank=True, default=""
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    # Raised by accounts.services.user_sessions_end: every session made before then ends.
    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_escwa(self) -> bool:
        """Whether the account belongs to ESCWA (a reviewer or an administrator), active or not.

        ESCWA reviews the countries' answers and never writes them, so such an account never
        holds a country role (questionnaire.models.Membership.clean). In a query:
        `escwa_accounts()`."""
        return bool(self.staff_role or self.is_superuser)

    @property
    def display_name(self) -> str:
        """How the portal names a person to others (pages, e-mails, PDFs, exports): their full
        name, else their user name. The one place that says so; templates that may get nobody
        (a system action) use the `person` filter."""
        return self.get_full_name() or self.get_username()

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    # Django keeps a hash of the password in each session and ends the session when it no longer
    # matches (that is how a new password ends the other sessions). The epoch is mixed in, so
    # that raising it ends them too, whatever the session engine. At 0 the hash is Django's own:
    # sessions opened before the epoch existed stay valid. The mixing is a plain hash of an HMAC
    # that already depends on the secret key, so the SECRET_KEY_FALLBACKS keep working.

    def get_session_auth_hash(self) -> str:
        return self._with_session_epoch(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self):
        for fallback in super().get_session_auth_fallback_hash():
            yield self._with_session_epoch(fallback)

    def _with_session_epoch(self, password_hash: str) -> str:
        if not self.session_epoch:
            return password_hash
        return hashlib.sha256(f"{password_hash}:{self.session_epoch}".encode()).hexdigest()


class TwoFactorThrottle(models.Model):
    """Wrong codes in a row at the second step, counted for one session, or for one user from one
    address. accounts.services.two_factor_verify says how long they make the next code wait."""

    # "session:<an id kept in the session>" or "address:<user id>:<address or IPv6 /64>"
    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class ApiToken(models.Model):
    """A personal token for the read-only API (docs/api.md): `Authorization: Bearer <token>`.

    The secret is shown once, when it is made, and only its SHA-256 is kept: a token read from a
    backup or the database opens nothing. A secret is 32 random bytes, so a plain hash is as
    good as a slow one (there is nothing to guess). `prefix`, its first characters, tells a
    user's tokens apart in lists and logs. Revoking keeps the row, for the record; a revoked
    token, or any token of an inactive user, is refused (api.auth). Scope: read, the only one.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
