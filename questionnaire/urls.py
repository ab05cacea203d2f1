from django.urls import path

from . import answering_views as answering
from . import attachment_views as attachments
from . import chart_views, import_views, views
from . import comparison_views as comparison
from . import dashboard_views as dashboard
from . import review_views as review
from . import team_views as team
from . import word_views as word

# Not namespaced: settings.LOGIN_REDIRECT_URL names "home".
urlpatterns = [
    path("", views.home, name="home"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/answer/", answering.submission_answer, name="submission_answer"),
    path(
        "submissions/<int:pk>/sections/<str:number>/",
        answering.section_page,
        name="answer_section",
    ),
    path(
        "submissions/<int:pk>/sections/<str:number>/save/",
        answering.section_save,
        name="answer_section_save",
    ),
    path(
        "submissions/<int:pk>/answers/<slug:key>/",
        answering.answer_autosave,
        name="answer_autosave",
    ),
    path(
        "submissions/<int:pk>/answers/<slug:key>/fragment/",
        answering.answer_fragment,
        name="answer_fragment",
    ),
    path(
        "submissions/<int:pk>/answers/<slug:key>/history/",
        answering.answer_history,
        name="answer_history",
    ),
    path(
        "submissions/<int:pk>/answers/<slug:key>/confirm/",
        answering.answer_confirm,
        name="answer_confirm",
    ),
    path(
        "submissions/<int:pk>/answers/<slug:key>/history/<int:revision>/restore/",
        answering.answer_restore,
        name="answer_restore",
    ),
    # Review: decisions and comment threads
    path("submissions/<int:pk>/import/", import_views.submission_import, name="submission_import"),
    path(
        "submissions/<int:pk>/import/<int:import_pk>/",
        import_views.submission_import_preview,
        name="submission_import_preview",
    ),
    path("submissions/<int:pk>/review/", review.submission_review, name="submission_review"),
    path(
        "submissions/<int:pk>/review/<slug:move>/",
        review.submission_move,
        name="submission_move",
    ),
    path("submissions/<int:pk>/comments/", review.comment_add, name="comment_add"),
    path(
        "submissions/<int:pk>/comments/<int:comment_id>/resolve/",
        review.comment_resolve,
        name="comment_resolve",
    ),
    path("submissions/<int:pk>/comments/send/", review.comments_send, name="comments_send"),
    path(
        "submissions/<int:pk>/publication/agree/",
        review.publication_agree,
        name="publication_agree",
    ),
    # Word documents (docs/word.md)
    path("submissions/<int:pk>/word/", word.submission_docx, name="submission_docx"),
    path("cycles/<slug:slug>/questionnaire.docx", word.version_docx, name="version_docx"),
    path("submissions/<int:pk>/check/", answering.submission_check, name="submission_check"),
    path("submissions/<int:pk>/submit/", answering.submission_submit, name="submission_submit"),
    path(
        "cycles/<slug:slug>/countries/<str:iso2>/start/",
        answering.submission_start,
        name="submission_start",
    ),
    path(
        "questionnaires/versions/<int:pk>/preview/",
        views.version_preview,
        name="version_preview",
    ),
    path(
        "questionnaires/versions/<int:pk>/questionnaire.docx",
        word.version_preview_docx,
        name="version_preview_docx",
    ),
    # Teams
    path("countries/", team.country_list, name="country_list"),
    path("countries/<str:iso2>/team/", team.country_team, name="country_team"),
    path("countries/<str:iso2>/team/invite/", team.team_invite, name="team_invite"),
    path(
        "countries/<str:iso2>/team/invitations/<int:pk>/revoke/",
        team.team_invitation_revoke,
        name="team_invitation_revoke",
    ),
    path(
        "countries/<str:iso2>/team/members/<int:pk>/role/",
        team.team_member_role,
        name="team_member_role",
    ),
    path(
        "countries/<str:iso2>/team/members/<int:pk>/remove/",
        team.team_member_remove,
        name="team_member_remove",
    ),
    path("invitations/<str:token>/", team.invitation_accept, name="invitation_accept"),
    # Supporting documents
    path(
        "submissions/<int:pk>/attachments/",
        attachments.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "submissions/<int:pk>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "submissions/<int:pk>/attachments/<int:attachment_id>/remove/",
        attachments.attachment_remove,
        name="attachment_remove",
    ),
    # Following a cycle across countries (ESCWA staff)
    path("cycles/<slug:slug>/", dashboard.cycle_dashboard, name="cycle_dashboard"),
    path(
        "cycles/<slug:slug>/extensions/",
        dashboard.deadline_extension_grant,
        name="deadline_extension_grant",
    ),
    path("cycles/<slug:slug>/questions/", dashboard.cycle_question_pick, name="cycle_questions"),
    path(
        "cycles/<slug:slug>/questions/<slug:key>/",
        dashboard.cycle_question,
        name="cycle_question",
    ),
    path("cycles/<slug:slug>/objectives/", dashboard.cycle_objectives, name="cycle_objectives"),
    path("cycles/<slug:slug>/search/", dashboard.cycle_search, name="cycle_search"),
    path("cycles/<slug:slug>/charts/", chart_views.cycle_charts, name="cycle_charts"),
    path(
        "cycles/<slug:slug>/charts/<slug:key>.csv",
        chart_views.cycle_chart_csv,
        name="cycle_chart_csv",
    ),
    # Compared with the previous cycle (the region: staff; a country: staff and its team)
    path("cycles/<slug:slug>/changes/", comparison.cycle_changes, name="cycle_changes"),
    path(
        "cycles/<slug:slug>/changes/<str:iso2>/",
        comparison.country_changes,
        name="country_changes",
    ),
    # Published national reviews (no login)
    path("public/", dashboard.public_index, name="public_index"),
    path("public/submissions/<int:pk>/", dashboard.public_submission, name="public_submission"),
    path("public/<slug:slug>/", dashboard.public_cycle, name="public_cycle"),
]
