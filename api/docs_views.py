"""The API's documentation page, `/api/v1/docs`: the OpenAPI schema read by a Django template
in the portal's look, its chrome translated. Not Swagger UI or Redoc: both run inline code and
styles that the portal's Content-Security-Policy refuses, and would fetch from a CDN."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .changelog import CHANGELOG, LICENCE, SCHEMA_VERSION


def _operations(schema: dict) -> list[dict]:
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            parameters = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            operations.append(
                {
                    "id": op.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": parameters,
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return operations


@require_GET
def api_docs(request):
    """What the API offers, endpoint by endpoint, from its own OpenAPI schema."""
    from .v1 import api  # the page describes the API, which does not need the page

    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "schema": schema,
            "operations": _operations(schema),
            "openapi_url": reverse("api-v1:openapi-json"),
            "index_url": reverse("api-v1:api_index"),
            "changelog": CHANGELOG,
            "schema_version": SCHEMA_VERSION,
            "licence": LICENCE,
            "rate_anonymous": settings.API_RATE_ANONYMOUS,
            "rate_token": settings.API_RATE_TOKEN,
            "max_age": settings.API_MAX_AGE,
            "page_size": settings.API_PAGE_SIZE,
        },
    )
