"""The regional compilation's pages: request one, follow its progress, download it.

ESCWA staff only. The request returns at once; a worker does the work; the page refreshes itself
(a plain meta refresh, no script) until the file is ready or the job has failed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gcmreview.downloads import file_download
from questionnaire import selectors as questionnaire_selectors

from . import selectors, services
from .models import Compilation, JobStatus

REFRESH_SECONDS = 3


@login_required
@require_http_methods(["GET", "POST"])
def cycle_compilations(request, slug: str):
    cycle = questionnaire_selectors.cycle_get_for_staff(user=request.user, slug=slug)
    if request.method == "POST":
        language = request.POST.get("language") or request.LANGUAGE_CODE
        if language not in {code for code, _name in _languages()}:
            messages.error(request, _("Choose one of the portal's languages."))
            return redirect("cycle_compilations", slug=slug)
        job = services.compilation_request(
            cycle=cycle,
            user=request.user,
            language=language,
            include_comparison=request.POST.get("include_comparison") == "on",
        )
        messages.success(request, _("The compilation has started."))
        return redirect("compilation_detail", pk=job.pk)
    jobs = selectors.cycle_compilations(cycle=cycle)
    return render(
        request,
        "reports/compilations.html",
        {
            "cycle": cycle,
            "jobs": jobs,
            "languages": _languages(),
            # The comparison annex is offered only when there is a cycle to compare with.
            "previous_cycle": questionnaire_selectors.cycle_previous(cycle=cycle),
        },
    )


def _languages():
    from django.conf import settings

    return settings.LANGUAGES


def _progress(job: Compilation) -> dict:
    """Countries done (what the page says), and every part done (the bar: the annex pieces are
    rendered beside the countries)."""
    parts = list(job.parts.values_list("status", "from_cache", "submission_id"))
    done = [(cached, country) for status, cached, country in parts if status == JobStatus.SUCCEEDED]
    countries = sum(1 for _status, _cached, country in parts if country is not None)
    return {
        "total": countries,
        "done": sum(1 for _cached, country in done if country is not None),
        "cached": sum(1 for cached, country in done if cached and country is not None),
        "parts_total": len(parts),
        "parts_done": len(done),
        "percent": round(100 * len(done) / len(parts)) if parts else 0,
    }


@login_required
@require_GET
def compilation_detail(request, pk: int):
    job = selectors.compilation_get(user=request.user, pk=pk)
    return render(
        request,
        "reports/compilation_detail.html",
        {
            "job": job,
            "cycle": job.cycle,
            "progress": _progress(job),
            "refresh": None if job.is_finished else REFRESH_SECONDS,
            "chapters": selectors.compilation_chapters(compilation=job),
            "language_name": selectors.chapter_languages().get(job.language, job.language),
        },
    )


@login_required
@require_POST
def compilation_retry(request, pk: int):
    job = selectors.compilation_get(user=request.user, pk=pk)
    if job.status != JobStatus.FAILED:
        messages.info(request, _("Only a failed compilation can be retried."))
    else:
        services.compilation_retry(compilation=job, user=request.user)
        messages.success(request, _("The compilation is running again."))
    return redirect("compilation_detail", pk=pk)


@login_required
@require_GET
def compilation_download(request, pk: int):
    job = selectors.compilation_get(user=request.user, pk=pk)
    if job.status != JobStatus.SUCCEEDED or not job.file:
        raise Http404
    try:
        stream = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return file_download(
        stream,
        filename=f"gcm-{job.cycle.slug}-regional-compilation.pdf",
        content_type="application/pdf",
    )
