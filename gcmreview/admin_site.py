"""The administration's index, in the order its people use it.

Administrators open the admin to edit question sets, and to set up cycles, countries and teams.
The index shows them those first, each under its own heading ("Question sets", "Review cycles
and countries"), then what countries submitted (read-only history) and the accounts. Django's
technical tables (login lockouts, two-factor devices, background tasks, groups) are no business
of theirs: they are shown to superusers only, gathered under one "System" heading at the end.
(Their pages still answer to whoever Django's permissions let in.)
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# App label → what its tables are, for the "System" group's rows.
SYSTEM_APPS = {
    "auth": _("permissions"),
    "axes": _("login lockout"),
    "otp_static": _("two-factor authentication"),
    "otp_totp": _("two-factor authentication"),
    "django_tasks_database": _("background tasks"),
}
# The questionnaire app's tables, by heading, in the order an administrator meets them; the rest
# of the app (the countries' submissions and their history) keeps the app's own heading.
QUESTIONNAIRE_GROUPS = (
    (
        "question-sets",
        _("Question sets"),
        ("Questionnaire", "QuestionnaireVersion", "Section", "Question", "Objective",
         "GuidingPrinciple"),
    ),
    (
        "cycles",
        _("Review cycles and countries"),
        ("ReviewCycle", "DeadlineExtension", "Country", "Membership", "Invitation"),
    ),
)  # fmt: skip
# The portal's own groups first, in this order; any other after them, "System" last.
FIRST = ("question-sets", "cycles", "questionnaire", "reports", "accounts")


class PortalAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        own = []
        for app in apps:
            if app["app_label"] == "questionnaire":
                own.extend(_split_questionnaire(app))
            elif app["app_label"] not in SYSTEM_APPS:
                own.append(app)
        own.sort(key=lambda app: FIRST.index(app["app_label"]) if app["app_label"] in FIRST
                 else len(FIRST))  # fmt: skip
        technical = [app for app in apps if app["app_label"] in SYSTEM_APPS]
        if not technical or not request.user.is_superuser:
            return own
        models = [
            {**model, "name": f"{model['name']} ({SYSTEM_APPS[app['app_label']]})"}
            for app in technical
            for model in app["models"]
        ]
        system = {
            "name": _("System"),
            "app_label": "system",
            "app_url": reverse("admin:index", current_app=self.name),
            "has_module_perms": True,
            "models": models,
        }
        return [*own, system]


def _split_questionnaire(app: dict) -> list[dict]:
    """The questionnaire app's entry as several: its question sets, its cycles and countries,
    and what remains (submissions and their history) under the app's own name."""
    by_name = {model["object_name"]: model for model in app["models"]}
    groups = []
    for label, name, object_names in QUESTIONNAIRE_GROUPS:
        models = [
            by_name.pop(object_name) for object_name in object_names if object_name in by_name
        ]
        if models:
            groups.append({**app, "name": name, "app_label": label, "models": models})
    if by_name:
        groups.append(
            {**app, "name": _("Submissions and their history"), "models": list(by_name.values())}
        )
    return groups
