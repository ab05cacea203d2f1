from django.urls import path

from . import views

# Not namespaced: settings.LOGIN_REDIRECT_URL names "home".
urlpatterns = [
    path("", views.home, name="home"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path(
        "questionnaires/versions/<int:pk>/preview/",
        views.version_preview,
        name="version_preview",
    ),
]
