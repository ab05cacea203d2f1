from django.urls import path

from . import chapter_views, compile_views, export_views, views

urlpatterns = [
    path(
        "cycles/<slug:slug>/compilations/",
        compile_views.cycle_compilations,
        name="cycle_compilations",
    ),
    path("cycles/<slug:slug>/report/", chapter_views.cycle_chapters, name="cycle_chapters"),
    path(
        "cycles/<slug:slug>/report/<slug:key>/<slug:language>/",
        chapter_views.chapter_edit,
        name="chapter_edit",
    ),
    path(
        "cycles/<slug:slug>/report/<slug:key>/<slug:language>/history/",
        chapter_views.chapter_history,
        name="chapter_history",
    ),
    path(
        "cycles/<slug:slug>/report/<slug:key>/<slug:language>/<int:number>/final/",
        chapter_views.chapter_mark_final,
        name="chapter_mark_final",
    ),
    path(
        "cycles/<slug:slug>/report/<slug:key>/<slug:language>/<int:number>/restore/",
        chapter_views.chapter_restore,
        name="chapter_restore",
    ),
    path("compilations/<int:pk>/", compile_views.compilation_detail, name="compilation_detail"),
    path("compilations/<int:pk>/retry/", compile_views.compilation_retry, name="compilation_retry"),
    path(
        "compilations/<int:pk>/download/",
        compile_views.compilation_download,
        name="compilation_download",
    ),
    path("submissions/<int:pk>/pdf/", views.submission_pdf, name="submission_pdf"),
    # The PDF of a published national review (no login); its page is the questionnaire's.
    path(
        "public/submissions/<int:pk>/pdf/",
        views.public_submission_pdf,
        name="public_submission_pdf",
    ),
    # Every published answer of a cycle, for anyone (the public cycle page links them).
    path(
        "public/<slug:slug>/answers.<slug:fmt>",
        export_views.public_cycle_download,
        name="public_cycle_download",
    ),
    path("cycles/<slug:slug>/exports/", export_views.cycle_exports, name="cycle_exports"),
    path(
        "cycles/<slug:slug>/exports/<slug:kind>.<slug:fmt>",
        export_views.cycle_export_download,
        name="cycle_export_download",
    ),
]
