"""Log in, log out, password change and reset, two-factor authentication, the session's clock.

The URL names are Django's own ("login", "logout", "password_change", "password_reset", ...),
which settings and contrib.auth's views refer to. The templates live under accounts/, not
registration/, so that the admin keeps its own password-change pages.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import profile_views, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # LogoutView accepts POST only (Django 5): a link or an image tag cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change_form.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/code/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("two-factor/turn-off/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/", profile_views.profile, name="profile"),
    path("profile/tokens/", profile_views.api_token_create, name="api_token_create"),
    path(
        "profile/tokens/<int:pk>/revoke/",
        profile_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("session/", views.session_status, name="session_status"),
    path("session/keep-alive/", views.session_keepalive, name="session_keepalive"),
]
