from django.contrib import admin
from django.urls import include, path

from accounts import language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # Django's set_language, and a logged-in user's choice saved on their account.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("", include("questionnaire.urls")),
    path("", include("reports.urls")),
    path("", include("api.urls")),
]

# A database outage hit in a middleware (the session, the user) is a 503 "try again" page, not
# a crash page (gcmreview.outage).
handler500 = "gcmreview.views.server_error"
