"""Every write to the questionnaire's state goes through here.

Views, forms, admin actions, management commands and tasks call these functions, so each rule
lives in one place. `user=None` means the system itself (a management command such as
`loaddemo`); any real user is checked against `permissions`. One module per subject; callers
import the package (`from questionnaire import services`) and need not know which.
Reads live in `selectors`, and services may call them; selectors never call services.
"""

from ..models import COMMENT_MAX_LENGTH
from .answers import (
    AnswerConflict,
    SectionSaveError,
    answer_confirm,
    answer_restore,
    answer_save,
    section_save,
)
from .attachments import ATTACHMENT_MAX_BYTES, attachment_add, attachment_remove
from .comments import comment_add, comment_resolve, comments_send
from .deadlines import (
    deadline_extension_check,
    deadline_extension_grant,
    deadline_extension_remove,
)
from .submissions import (
    TransitionError,
    UnreviewedAnswers,
    submission_create,
    submission_publication_agree,
    submission_transition,
)
from .teams import (
    INVITATION_LIFETIME,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_create,
    membership_remove,
    membership_set_role,
)
from .translations import TranslationsChanged, questionnaire_version_translations_import
from .versions import (
    questionnaire_version_create,
    questionnaire_version_create_draft,
    questionnaire_version_publish,
    questionnaire_version_retire,
)
from .word_import import (
    ImportConflicts,
    document_import_confirm,
    document_import_read,
)

__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "COMMENT_MAX_LENGTH",
    "INVITATION_LIFETIME",
    "AnswerConflict",
    "ImportConflicts",
    "SectionSaveError",
    "TransitionError",
    "TranslationsChanged",
    "UnreviewedAnswers",
    "answer_confirm",
    "answer_restore",
    "answer_save",
    "attachment_add",
    "attachment_remove",
    "comment_add",
    "comment_resolve",
    "comments_send",
    "deadline_extension_check",
    "deadline_extension_grant",
    "deadline_extension_remove",
    "document_import_confirm",
    "document_import_read",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "membership_create",
    "membership_remove",
    "membership_set_role",
    "questionnaire_version_create",
    "questionnaire_version_create_draft",
    "questionnaire_version_publish",
    "questionnaire_version_retire",
    "questionnaire_version_translations_import",
    "section_save",
    "submission_create",
    "submission_publication_agree",
    "submission_transition",
]
