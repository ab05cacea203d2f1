from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The headers of one part of a multipart form (an upload's name and type) that Django will read.
MULTIPART_HEADER_BYTES = 8 * 1024


class QuestionnaireConfig(AppConfig):
    name = "questionnaire"
    verbose_name = _("Questionnaires and submissions")

    def ready(self) -> None:
        # Django refuses a part whose headers pass 1 KB with its bare 400 page, raised while the
        # CSRF check reads the form, before any view could say why: a document named in some
        # 900 bytes (450 Arabic letters) could not be uploaded. Its name is shortened anyway
        # (services.attachments._display_name); 8 KB, more than any file system's name, still
        # bounds the work (tests/questionnaire/test_attachment_views.py notices if Django renames
        # this).
        from django.http import multipartparser

        if multipartparser.MAX_TOTAL_HEADER_SIZE < MULTIPART_HEADER_BYTES:
            multipartparser.MAX_TOTAL_HEADER_SIZE = MULTIPART_HEADER_BYTES
