"""`/api/v1/`: the endpoints, the OpenAPI schema (`openapi.json`) and the documentation page
(`docs`), all in the `api-v1` namespace."""

from django.urls import include, path

from .docs_views import api_docs
from .v1 import api

_patterns, _app, _namespace = api.urls

urlpatterns = [
    path(
        "api/v1/",
        include(
            ([*_patterns, path("docs", api_docs, name="api_docs")], _app),
            namespace=_namespace,
        ),
    ),
]
