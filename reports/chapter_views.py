"""The regional report's chapters: ESCWA staff write the introduction and a synthesis per
section and per objective, in each of the portal's languages, with every save kept.

Staff of the cycle only (the permission of the cycle's dashboard and compilations). The editor
is a plain form: a text area without JavaScript (lines starting "- " become lists), the portal's
rich-text editor with it (`static/js/chapter_editor.js`). A save names the version it was written
from; when someone saved meanwhile, nothing is saved and the page shows both texts, the person's
still in the editor, to choose from.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questionnaire import richtext, textdiff
from questionnaire import selectors as questionnaire_selectors
from questionnaire.answering_views import toolbar_labels

from . import selectors, services
from .models import ChapterStatus

MAX_BODY_BYTES = 512 * 1024  # a long chapter is ~50 kB of HTML


def _chapter(request, slug: str, key: str, language: str):
    """The cycle, the chapter `key` names and a language of the portal, or 404 (403 for
    anyone but ESCWA staff, before anything is looked up)."""
    cycle = questionnaire_selectors.cycle_get_for_staff(user=request.user, slug=slug)
    if language not in selectors.chapter_languages():
        raise Http404
    return cycle, selectors.chapter_slot_get(user=request.user, cycle=cycle, key=key)


def _direction(language: str) -> str:
    return "rtl" if get_language_info(language)["bidi"] else "ltr"


@login_required
@require_GET
def cycle_chapters(request, slug: str):
    cycle = questionnaire_selectors.cycle_get_for_staff(user=request.user, slug=slug)
    slots = selectors.cycle_chapters(cycle=cycle)
    return render(
        request,
        "reports/chapters.html",
        {
            "cycle": cycle,
            "introduction": [s for s in slots if s.kind == "introduction"],
            "sections": [s for s in slots if s.kind == "section"],
            "objectives": [s for s in slots if s.kind == "objective"],
            "languages": selectors.chapter_languages(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def chapter_edit(request, slug: str, key: str, language: str):
    cycle, slot = _chapter(request, slug, key, language)
    revisions = selectors.chapter_revisions(slot=slot, language=language)
    latest = revisions[0] if revisions else None
    context = {"conflict": None, "typed": None}
    if request.method == "POST":
        typed = _typed(request)
        if typed is None:
            messages.error(request, _("The text is too long to be saved in one go."))
            return redirect("chapter_edit", slug=slug, key=key, language=language)
        try:
            base = int(request.POST.get("base", ""))
        except ValueError:
            base = -1
        if request.POST.get("choice") == "both" and latest is not None:
            # After a conflict: their text, then the person's, in one new version.
            typed = latest.body + richtext.clean_html(typed)
        try:
            revision = services.chapter_save(
                slot=slot, language=language, body=typed, user=request.user, base_number=base
            )
        except services.ChapterConflict as conflict:
            mine = richtext.clean_html(typed)
            theirs = conflict.latest
            context["conflict"] = {
                "theirs": theirs,
                "lines": textdiff.diff_lines(
                    richtext.html_to_text(theirs.body), richtext.html_to_text(mine)
                ),
            }
            context["typed"] = mine
            revisions = selectors.chapter_revisions(slot=slot, language=language)
            latest = revisions[0] if revisions else None
        else:
            if request.POST.get("final"):
                services.chapter_mark_final(revision=revision, user=request.user)
            if latest is not None and revision.pk == latest.pk and not request.POST.get("final"):
                messages.info(
                    request, _("Nothing changed since version %(n)s.") % {"n": latest.number}
                )
            elif request.POST.get("final"):
                messages.success(
                    request,
                    _("Saved as version %(n)s and marked final: the compilation prints it.")
                    % {"n": revision.number},
                )
            else:
                messages.success(
                    request,
                    _("Saved as version %(n)s, a draft: only staff see it.")
                    % {"n": revision.number},
                )
            return redirect("chapter_edit", slug=slug, key=key, language=language)
    final = next((r for r in revisions if r.status == ChapterStatus.FINAL), None)
    body = context["typed"] if context["typed"] is not None else (latest.body if latest else "")
    response = render(
        request,
        "reports/chapter_edit.html",
        {
            **context,
            "cycle": cycle,
            "slot": slot,
            "language": language,
            "language_name": selectors.chapter_languages()[language],
            "direction": _direction(language),
            "languages": selectors.chapter_languages(),
            "latest": latest,
            "final": final,
            "base": latest.number if latest else 0,
            "body_html": body,
            "body_text": richtext.html_to_text(body),
            "toolbar_labels": json.dumps(toolbar_labels()),
        },
        status=409 if context["conflict"] else 200,
    )
    return response


def _typed(request) -> str | None:
    """The text sent: the editor's HTML, or without JavaScript the text area's lines."""
    html = request.POST.get("body_html")
    text = html if html is not None else richtext.plain_text_to_html(request.POST.get("body", ""))
    return None if len(text.encode()) > MAX_BODY_BYTES else text


@login_required
@require_GET
def chapter_history(request, slug: str, key: str, language: str):
    cycle, slot = _chapter(request, slug, key, language)
    revisions = selectors.chapter_revisions(slot=slot, language=language)
    rows = []
    for index, revision in enumerate(revisions):
        earlier = revisions[index + 1] if index + 1 < len(revisions) else None
        rows.append(
            {
                "revision": revision,
                "earlier": earlier,
                "lines": textdiff.diff_lines(
                    richtext.html_to_text(earlier.body) if earlier else "",
                    richtext.html_to_text(revision.body),
                ),
            }
        )
    return render(
        request,
        "reports/chapter_history.html",
        {
            "cycle": cycle,
            "slot": slot,
            "language": language,
            "language_name": selectors.chapter_languages()[language],
            "direction": _direction(language),
            "rows": rows,
            "latest": revisions[0] if revisions else None,
        },
    )


@login_required
@require_POST
def chapter_mark_final(request, slug: str, key: str, language: str, number: int):
    _cycle, slot = _chapter(request, slug, key, language)
    revision = selectors.chapter_revision_get(slot=slot, language=language, number=number)
    services.chapter_mark_final(revision=revision, user=request.user)
    messages.success(
        request, _("Version %(n)s is final: the compilation prints it.") % {"n": number}
    )
    page = "chapter_history" if request.POST.get("next") == "history" else "chapter_edit"
    return redirect(page, slug=slug, key=key, language=language)


@login_required
@require_POST
def chapter_restore(request, slug: str, key: str, language: str, number: int):
    _cycle, slot = _chapter(request, slug, key, language)
    revision = selectors.chapter_revision_get(slot=slot, language=language, number=number)
    restored = services.chapter_restore(revision=revision, user=request.user)
    messages.success(
        request,
        _("The text of version %(old)s is back, as version %(new)s (a draft).")
        % {"old": number, "new": restored.number},
    )
    return redirect("chapter_history", slug=slug, key=key, language=language)
