"""The API's schema changelog: the index (`/api/v1/`), the documentation page and docs/api.md
all say the same. A change that removes or renames a field is a new major version (`/api/v2/`);
adding a field or an endpoint is a new minor one, here."""

from __future__ import annotations

from gcmreview.licence import LICENCE  # noqa: F401 — the API states it with the changelog

SCHEMA_VERSION = "1.0"

CHANGELOG = [
    {
        "version": "1.0",
        "date": "2026-12-07",
        "changes": [
            "First version: cycles, questionnaire versions (sections, questions, stable keys, "
            "texts in English, French and Arabic), the 23 GCM objectives, submissions with "
            "their answers (HTML and plain text), objective statuses and PDF links.",
            "Published national reviews without a token; personal read-only tokens for ESCWA "
            "staff and countries' teams.",
        ],
    },
]
