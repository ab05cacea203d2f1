from django.urls import path

from . import compile_views, export_views, views

urlpatterns = [
    path(
        "cycles/<slug:slug>/compilations/",
        compile_views.cycle_compilations,
        name="cycle_compilations",
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
