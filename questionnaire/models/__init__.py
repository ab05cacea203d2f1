"""The questionnaire's tables and the invariants the database (or a model guard) enforces.

One module per subject; every model is re-exported here, so `questionnaire.models.Submission`
(and the migrations' references) stay as they were.
"""

# QuestionType (the types' names as constants) is imported from here by much of the code.
from ..types import QuestionType  # noqa: F401
from ._base import (  # noqa: F401
    AppendOnlyModel,
    ImmutableError,
    TranslatedMixin,
)
from .comments import (  # noqa: F401
    COMMENT_MAX_LENGTH,
    ESCWA_AUTHORED,
    Comment,
)
from .cycles import (  # noqa: F401
    DeadlineExtension,
    ReminderSent,
    ReviewCycle,
)
from .imports import DocumentImport  # noqa: F401
from .reference import (  # noqa: F401
    Country,
    GuidingPrinciple,
    Objective,
)
from .submissions import (  # noqa: F401
    EDITABLE_STATUSES,
    FINAL_STATUSES,
    NOT_APPLICABLE_MAX_LENGTH,
    SENT_STATUSES,
    Answer,
    AnswerRevision,
    Attachment,
    PublicationAgreement,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    attachment_upload_to,
)
from .teams import (  # noqa: F401
    CountryRole,
    Invitation,
    Membership,
    refuse_escwa_member,
)
from .versions import (  # noqa: F401
    ConditionOperator,
    DraftOnlyMixin,
    Question,
    QuestionCondition,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    VersionEvent,
    VersionStatus,
)
