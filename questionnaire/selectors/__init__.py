"""Reads of the questionnaire's state, shaped for pages, PDFs and exports.

Each selector runs a fixed number of queries whatever the number of sections, questions or
countries (tests assert it), and applies `permissions` so that no caller can forget to. One
module per subject; everything public is re-exported here, so callers write
`selectors.submission_page(...)` and need not know which module holds it. Selectors never call
services (writes); services may call selectors.
"""

from .answering import (  # noqa: F401
    AnsweringPage,
    QuestionAnswer,
    SectionAnswers,
    SubmissionCheck,
    answer_history,
    answering_section,
    submission_attachments,
    submission_check,
    submission_missing_required,
    submission_progress,
    submission_sections,
)
from .changes import (  # noqa: F401
    AnswerChange,
    PreviousCycle,
    SubmissionChanges,
    previous_cycle_answers,
    submission_changes,
    submission_previous_for_carry_forward,
    submission_timeline,
)
from .comments import (  # noqa: F401
    COMMENT_DELIVERY,
    OpenThread,
    comment_threads,
    comments_visible_to,
    open_comment_counts,
    submission_open_threads,
    submission_return_notice,
)
from .comparison import (  # noqa: F401
    AnswerComparison,
    CountryComparison,
    CycleComparison,
    ObjectiveComparison,
    ObjectiveMovement,
    country_comparison,
    cycle_compared_country_ids,
    cycle_comparison,
    cycle_previous,
    submission_compared_with,
)
from .dashboard import (  # noqa: F401
    DASHBOARD_SORTS,
    CountryAnswer,
    CycleDashboard,
    DashboardRow,
    MatrixCell,
    MatrixRow,
    ObjectivesMatrix,
    QuestionAcrossCountries,
    ScaleStep,
    StatusCount,
    cycle_dashboard,
    cycle_objectives_matrix,
    cycle_question_across_countries,
    dashboard_sort,
)
from .exports import (  # noqa: F401
    CountryAnswers,
    CycleAnswers,
    ExportCounts,
    cycle_answers,
    cycle_compilation_annex,
    cycle_export_counts,
    submission_for_country_and_cycle,
)
from .home import (  # noqa: F401
    CountryRow,
    CycleOverview,
    home_overview,
)
from .lookups import (  # noqa: F401
    attachment_get,
    comment_get,
    comparison_country_get,
    country_for_member,
    country_for_team,
    cycle_and_country_for_start,
    cycle_get_for_staff,
    export_cycle_get,
    submission_get,
    submission_question,
    team_invitation,
    team_membership,
    version_for_preview,
)
from .opendata import (  # noqa: F401
    SubmissionAnswers,
    api_cycle_get,
    api_cycles,
    api_objectives,
    api_submission_answers,
    api_submission_get,
    api_submissions,
    api_version_get,
    api_versions,
    public_cycle_answers,
)
from .progress import (  # noqa: F401
    AWAITING_COUNTRY,
    DASHBOARD_STATUS_LABELS,
    DASHBOARD_STATUSES,
    DID_NOT_TAKE_PART_LABEL,
    NO_SUBMISSION,
    NO_SUBMISSION_LABEL,
    DaysLeft,
    answer_facts,
    blank_progress,
    dashboard_statuses,
    no_submission_label,
    submissions_progress,
    version_rules,
)
from .public import (  # noqa: F401
    PublicCycle,
    public_cycle_get,
    public_cycles,
    public_submission_get,
)
from .reminders import (  # noqa: F401
    ReminderDue,
    deadline_reminders_due,
)
from .review import (  # noqa: F401
    SubmissionActivity,
    SubmissionPage,
    submission_activity,
    submission_page,
    submission_publication_agreement,
)
from .search import (  # noqa: F401
    SearchHit,
    SearchResults,
    cycle_answer_search,
)
from .teams import (  # noqa: F401
    Team,
    countries_for_team_management,
    country_team,
    invitation_find,
    invitation_for_another_address,
    invitation_get_pending,
)
from .translations import (  # noqa: F401
    TranslationUnit,
    version_translation_units,
)
from .versions import (  # noqa: F401
    COMPARED_FIELDS,
    MissingTranslation,
    TranslationCompleteness,
    VersionDiff,
    objectives_for,
    published_versions,
    question_dependents,
    version_compare,
    version_missing_translations,
    version_preview_sections,
    version_sections,
    version_translation_completeness,
)
from .visibility import (  # noqa: F401
    cycles_for_user,
)
from .word_import import (  # noqa: F401
    ImportItem,
    ImportPreview,
    document_import_get,
    document_import_preview,
)
