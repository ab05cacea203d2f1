from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only JSON API over what the portal publishes (docs/api.md)."""

    name = "api"
    verbose_name = "API"
