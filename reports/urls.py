from django.urls import path

from . import export_views

urlpatterns = [
    path("cycles/<slug:slug>/exports/", export_views.cycle_exports, name="cycle_exports"),
    path(
        "cycles/<slug:slug>/exports/<slug:kind>.<slug:fmt>",
        export_views.cycle_export_download,
        name="cycle_export_download",
    ),
]
