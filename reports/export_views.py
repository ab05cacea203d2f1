"""The exports page of a cycle and its downloads, for ESCWA staff.

`selectors.export_cycle_get` decides who may export (PermissionDenied for everyone but staff);
`exports.build_export` makes the file, the same one `manage.py export_answers` writes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gcmreview.downloads import file_download
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
