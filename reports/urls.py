from django.urls import path

from . import export_views, views

urlpatterns = [
    path("submissions/<int:pk>/pdf/", views.submission_pdf, name="submission_pdf"),
    path("cycles/<slug:slug>/exports/", export_views.cycle_exports, name="cycle_exports"),
    path(
        "cycles/<slug:slug>/exports/<slug:kind>.<slug:fmt>",
        export_views.cycle_export_download,
        name="cycle_export_download",
    ),
]
