from django.urls import path

from . import answering_views as answering
from . import views

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
        "submissions/<int:pk>/answers/<slug:key>/history/<int:revision>/restore/",
        answering.answer_restore,
        name="answer_restore",
    ),
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
]
