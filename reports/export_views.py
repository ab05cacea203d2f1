"""The exports page of a cycle and its downloads, for ESCWA staff; the public bulk downloads of
a cycle's published answers.

`selectors.export_cycle_get` decides who may export (PermissionDenied for everyone but staff);
`exports.build_export` makes the file, the same one `manage.py export_answers` writes.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gcmreview.downloads import ascii_name, file_download
from gcmreview.licence import LICENCE
from questionnaire import selectors

from . import exports


def _include_drafts(request) -> bool:
    return request.GET.get("drafts") == "1"


@login_required
@require_GET
def cycle_exports(request, slug: str):
    cycle = selectors.export_cycle_get(user=request.user, slug=slug)
    include_drafts = _include_drafts(request)
    downloads = [
        {
            "kind": kind,
            "files": [
                {
                    "format": exports.FORMAT_NAMES[fmt],
                    "filename": exports.export_filename(
                        cycle=cycle, kind=kind.slug, fmt=fmt, include_drafts=include_drafts
                    ),
                    "fmt": fmt,
                }
                for fmt in kind.formats
            ],
        }
        for kind in exports.kinds_for(cycle=cycle)
    ]
    return render(
        request,
        "exports/cycle_exports.html",
        {
            "cycle": cycle,
            "downloads": downloads,
            "include_drafts": include_drafts,
            "counts": selectors.cycle_export_counts(cycle=cycle),
        },
    )


# Exports hold countries' unpublished answers: no shared cache may keep a copy.
@never_cache
@login_required
@require_GET
def cycle_export_download(request, slug: str, kind: str, fmt: str):
    cycle = selectors.export_cycle_get(user=request.user, slug=slug)
    try:
        export = exports.build_export(
            cycle=cycle, kind=kind, fmt=fmt, include_drafts=_include_drafts(request)
        )
    except exports.ExportError:
        raise Http404 from None
    return file_download(export.content, filename=export.filename, content_type=export.content_type)


# --- Public bulk downloads: every published answer of a cycle ---------------------------------

PUBLIC_FORMATS = (exports.CSV, exports.JSON)


@require_GET
def public_cycle_download(request, slug: str, fmt: str):
    """Every published answer of the cycle as CSV (one row per country and question) or JSON,
    under the licence the page states (api/changelog.py LICENCE). No login; 404 when nothing of
    the cycle is published. Written in English whatever the page's language, so that the same
    address is the same file for everyone and any cache may keep it."""
    if fmt not in PUBLIC_FORMATS:
        raise Http404
    data = selectors.public_cycle_answers(slug=slug)
    with translation.override("en"):
        if fmt == exports.CSV:
            content = exports.write_csv(exports.long_table(data))
        else:
            document = {**exports.json_document(data), "licence": LICENCE}
            content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    response = file_download(
        content,
        filename=f"gcm-{ascii_name(data.cycle.slug)}-published-answers.{fmt}",
        content_type=exports.CONTENT_TYPES[fmt],
        private=False,
    )
    response["Cache-Control"] = f"public, max-age={settings.API_MAX_AGE}"
    return response
