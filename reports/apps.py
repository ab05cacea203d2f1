from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The questionnaire announces publications; it never imports the reports app.
        from questionnaire.signals import submission_published

        # Importing the tasks registers them with reports.queue, in every process.
        from . import public_pdf, tasks  # noqa: F401

        submission_published.connect(
            public_pdf.on_submission_published, dispatch_uid="reports.public_pdf"
        )
