"""The answering pages: one page per section, autosave, history, the check and submit steps.

Every write goes through `services`; every read through `selectors`; these views only translate
between HTTP and those calls. The JSON endpoints answer in JSON even when the session has expired
or the CSRF token is stale, so the page can keep the user's text and ask them to log in again.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gcmreview import formatting

from . import i18n, permissions, selectors, services
from .conditions import question_number
from .models import NOT_APPLICABLE_MAX_LENGTH, SubmissionStatus
from .permissions import Action
from .types import all_types, field_name

MAX_AUTOSAVE_BYTES = 1024 * 1024  # a generous long answer is ~100 kB of HTML


def toolbar_labels() -> dict:
    """The editor's toolbar labels in the page's language (the script has no catalogue): each
    button's name, and its tooltip with the key that does the same ("…:title"). The page's
    "Keyboard shortcuts" disclosure lists the keys too."""
    return {
        "toolbar": _("Formatting"),
        "bold:": _("Bold"),
        "bold::title": _("Bold (Ctrl+B)"),
        "italic:": _("Italic"),
        "italic::title": _("Italic (Ctrl+I)"),
        "list:bullet": _("Bulleted list"),
        "list:ordered": _("Numbered list"),
        "indent:-1": _("Decrease indent"),
        "indent:-1:title": _("Decrease indent (Ctrl+[)"),
        "indent:+1": _("Increase indent"),
        "indent:+1:title": _("Increase indent (Ctrl+])"),
    }


def typing_language(request, sent: str | None = None) -> str:
    """The language the person typed their answers in: the page's, which the section form and
    the script send along (a number's comma depends on it: types.number.Number), else the
    request's. They differ when the language was changed in another tab meanwhile."""
    if sent is None:
        sent = request.POST.get("language")
    if isinstance(sent, str) and sent in dict(settings.LANGUAGES):
        return sent
    return translation.get_language()


def _json_error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "error": code, "message": message, **extra}, status=status)


def saved_text(answer) -> str:
    """ "Saved Dec. 6, 2026 10:38": the answer's save state, as the page shows it (question.html
    says the same with the same words) and as the script shows it after each save."""
    return _("Saved %(date)s %(time)s") % {
        "date": formatting.date_text(answer.updated_at),
        "time": formatting.time_text(answer.updated_at),
    }


def _answer_payload(item: selectors.QuestionAnswer, objectives=()) -> dict:
    answer = item.answer
    updated_by = answer.updated_by.display_name if answer and answer.updated_by else ""
    return {
        "revision": answer.revision if answer else 0,
        "value": answer.value if answer else None,
        "updated_by": updated_by,
        "updated_at": answer.updated_at.isoformat() if answer else None,
        # Dates and times are written by the server, never by the script: the page and the
        # script then say the same thing in the same language and time zone.
        "saved_text": saved_text(answer) if answer else "",
        "saved_by_text": _("Saved by %(who)s on %(date)s at %(time)s")
        % {
            "who": updated_by or "?",
            "date": formatting.date_text(answer.updated_at),
            "time": formatting.time_text(answer.updated_at),
        }
        if answer
        else "",
        "display_html": render_to_string(
            "questionnaire/includes/answer_display.html",
            {"question": item.question, "answer": answer, "objectives": objectives},
        ),
    }


@login_required
@require_GET
def submission_answer(request, pk: int):
    """Where "Answer the questionnaire" leads: the first section with a required gap, else I."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    progress = selectors.submission_progress(submission=submission)
    sections = list(progress["sections"])
    if not sections:
        raise Http404
    target = next((n for n in sections if progress["sections"][n]["missing_required"]), None)
    return redirect("answer_section", pk=pk, number=target or sections[0])


@login_required
@require_GET
def section_page(request, pk: int, number: str):
    page = selectors.answering_section(user=request.user, pk=pk, number=number)
    return render(request, "questionnaire/answering/section.html", _section_context(request, page))


def _section_url(page, section) -> str | None:
    """The answering page of one of the submission's sections (None for no section)."""
    if section is None:
        return None
    return reverse("answer_section", args=[page.submission.pk, section.section.number])


# A question key as reverse() leaves it (a slug), to make each question's URLs from one reverse().
_KEY = "question__key"


def _key_url(name: str, pk: int):
    """`key -> URL` of the named `/submissions/<pk>/answers/<key>/…` view: one reverse() for a
    page's 50 questions rather than one each (keys are slugs: nothing to quote)."""
    before, after = reverse(name, args=[pk, _KEY]).split(_KEY)
    return lambda key: f"{before}{key}{after}"


def _section_context(
    request, page, *, posted=None, posted_reasons=None, errors=None, conflicts=None
) -> dict:
    posted = posted or {}
    posted_reasons = posted_reasons or {}
    pk = page.submission.pk
    autosave_url = _key_url("answer_autosave", pk)
    fragment_url = _key_url("answer_fragment", pk)
    history_url = _key_url("answer_history", pk)
    confirm_url = _key_url("answer_confirm", pk)
    # "Saved <date> <time>" by the minute: answers carried forward or saved together share it.
    saved_texts: dict = {}
    questions = []
    for item in page.current.items:
        question = item.question
        key = question.key
        typed = key in posted
        value = posted[key] if typed else item.value
        kind = question.type_handler
        if key in posted_reasons:
            reason = posted_reasons[key]
            not_applicable = reason != ""
        else:
            not_applicable = item.is_not_applicable
            reason = item.answer.not_applicable_reason if item.answer else ""
        number = question_number(question)
        saved = ""
        if item.answer:
            minute = item.answer.updated_at.replace(second=0, microsecond=0)
            saved = saved_texts.get(minute) or saved_texts.setdefault(
                minute, saved_text(item.answer)
            )
        # What question.html prints, made once here: its template would otherwise look each up
        # (and format each number) several times, for each of a section's questions.
        questions.append(
            {
                "item": item,
                "input_template": kind.input_template,
                "widget": kind.widget_context(
                    question, value, typed=typed, objectives=page.objectives
                ),
                "not_applicable": not_applicable,
                "not_applicable_reason": reason or "",
                "not_applicable_max": str(NOT_APPLICABLE_MAX_LENGTH),
                "error": (errors or {}).get(key),
                "conflict": (conflicts or {}).get(key),
                "pk": str(question.pk),
                "number": number,
                "help_text": i18n.tr(question, "help_text"),
                "revision": str(item.answer_revision),
                "condition_note": item.condition_note,
                "shown_when": item.shown_when,
                "unreviewed": item.is_unreviewed,
                "saved_text": saved,
                "history_label": _("of question %(n)s") % {"n": number},
                "autosave_url": autosave_url(key),
                "fragment_url": fragment_url(key),
                "history_url": history_url(key),
                "confirm_url": confirm_url(key),
            }
        )
    return {
        "page": page,
        "previous_url": _section_url(page, page.previous),
        "next_url": _section_url(page, page.next),
        "toolbar_labels": json.dumps(toolbar_labels()),
        # Every type's script, each registering its handler with answering.js under its name.
        "type_scripts": [kind.script for kind in all_types()],
        "submission": page.submission,
        "questions": questions,
        "can_edit": permissions.can(request.user, Action.EDIT_ANSWERS, page.submission),
        "can_submit": permissions.can(request.user, Action.SUBMIT, page.submission),
        "comment_max_length": services.COMMENT_MAX_LENGTH,
    }


@login_required
@require_POST
def section_save(request, pk: int, number: str):
    """The Save button without JavaScript: all of a section's answers, all or nothing."""
    page = selectors.answering_section(user=request.user, pk=pk, number=number)
    posted, values, bases, reasons, posted_reasons = {}, {}, {}, {}, {}
    try:
        with translation.override(typing_language(request)):
            for item in page.current.items:
                question = item.question
                value = question.type_handler.value_from_post(question, request.POST)
                posted[question.key] = values[question] = value
                reasons[question] = posted_reasons[question.key] = _posted_reason(
                    question, request.POST
                )
                try:
                    base = int(request.POST.get(f"{field_name(question)}-revision", 0))
                except ValueError:
                    base = -1
                bases[question] = base
            saved = services.section_save(
                submission=page.submission,
                values_by_question=values,
                user=request.user,
                base_revisions=bases,
                reasons_by_question=reasons,
            )
    except services.SectionSaveError as refused:
        # Who saved each conflicting answer is named on the page: one query for all of them.
        prefetch_related_objects(list(refused.conflicts.values()), "updated_by")
        messages.error(
            request,
            _("Nothing was saved: please look at the questions marked below, then save again."),
        )
        context = _section_context(
            request,
            page,
            posted=posted,
            posted_reasons=posted_reasons,
            errors=refused.problems,
            conflicts=refused.conflicts,
        )
        return render(request, "questionnaire/answering/section.html", context, status=400)
    if saved:
        messages.success(request, _("Your answers in this section were saved."))
    else:
        messages.info(request, _("Nothing had changed in this section."))
    go_next = request.POST.get("go") == "next" and page.next is not None
    return redirect(_section_url(page, page.next if go_next else page.current))


def _posted_reason(question, data) -> str | None:
    """The section form's "Not applicable" box and reason, as `services.answer_save` takes them:
    "" when not ticked, the reason when ticked, None when ticked without a reason (refused)."""
    if not question.allows_not_applicable or data.get(field_name(question, "na")) != "yes":
        return ""
    return data.get(field_name(question, "na-reason"), "").strip() or None


@require_POST
def answer_autosave(request, pk: int, key: str):
    """Save one answer from the page's JavaScript. JSON in, JSON out.

    Body: {"value": …, "revision": <the revision the user's text started from>,
    "not_applicable": "" (applies) | "<reason>" | null (ticked without a reason: refused)}.
    409 when someone saved in between (with their value, for the user to choose), 400 for a bad
    value, 401 when the session has ended, 403 when the user may not edit, 413 for a body over
    MAX_AUTOSAVE_BYTES (or over Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which it will not read).
    """
    if not request.user.is_authenticated:
        return _json_error(401, "login", _("Your session has ended. Log in again to save."))
    try:
        body = request.body
    except RequestDataTooBig:
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE Django will not read the body; left alone it would
        # answer its bare HTML 400, which the page cannot show.
        body = None
    if body is None or len(body) > MAX_AUTOSAVE_BYTES:
        return _json_error(413, "too_large", _("This answer is too long to save."))
    try:
        payload = json.loads(body.decode("utf-8"))
        value = payload["value"]
        base = payload["revision"]
        if not isinstance(base, int) or isinstance(base, bool) or base < 0:
            raise ValueError
        reason = payload.get("not_applicable", "")
        if reason is not None and not isinstance(reason, str):
            raise ValueError
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        # RecursionError: JSON nested thousands deep ("[[[[…"), small enough to pass the limit.
        return _json_error(400, "malformed", _("The save request was malformed."))
    # Read, answered and worded in the language of the page the person typed in.
    with translation.override(typing_language(request, payload.get("language"))):
        return _autosave(request, pk=pk, key=key, value=value, base=base, reason=reason)


def _autosave(request, *, pk: int, key: str, value, base: int, reason: str | None) -> JsonResponse:
    try:
        submission = selectors.submission_get(user=request.user, pk=pk)
        question = selectors.submission_question(submission=submission, key=key)
    except Http404:
        return _json_error(404, "not_found", _("This question does not exist."))
    try:
        answer = services.answer_save(
            submission=submission,
            question=question,
            value=value,
            user=request.user,
            base_revision=base,
            not_applicable_reason=reason,
        )
    except PermissionDenied:
        return _json_error(
            403, "forbidden", _("You cannot change this submission (it may have been submitted).")
        )
    except services.AnswerConflict as conflict:
        current = selectors.QuestionAnswer(question, conflict.current)
        # The grid's rows are shown with the objectives' titles (one query, grids only).
        objectives = selectors.objectives_for(
            sections=[selectors.SectionAnswers(section=question.section, items=[current])]
        )
        return _json_error(
            409,
            "conflict",
            _("Someone else saved this answer while you were editing."),
            current=_answer_payload(current, objectives),
        )
    except ValidationError as exc:
        code = "does_not_apply" if exc.code == "does_not_apply" else "invalid"
        return _json_error(400, code, " ".join(exc.messages))
    return JsonResponse(
        {
            "ok": True,
            **_answer_payload(selectors.QuestionAnswer(question, answer)),
            # What the field shows once the person has left it: a number as the page writes it.
            "field_value": question.type_handler.saved_field_value(answer.value),
            **_progress_payload(submission, question),
        }
    )


def _progress_payload(submission, question) -> dict:
    """After a save: whether the question now counts as answered, and every section's progress
    line rendered by the page's own template (the script shows it as is)."""
    progress = selectors.submission_progress(submission=submission)
    for entry in progress["sections"].values():
        entry["html"] = render_to_string(
            "questionnaire/answering/progress.html",
            {
                "answered": entry["answered"],
                "total": entry["total"],
                "missing": entry["missing_required"],
                "unreviewed": entry["unreviewed"],
            },
        ).strip()
    return {"answered": submission.states[question.pk].answered, "progress": progress}


def _posted_answer(request, *, pk: int, key: str):
    """The submission, question and stored answer a form about one answer names (404 when there
    is none), and the revision the person was looking at (None when the form sent no number)."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    question = selectors.submission_question(submission=submission, key=key)
    answer, _revisions = selectors.answer_history(submission=submission, question=question)
    if answer is None:
        raise Http404
    try:
        base = int(request.POST.get("revision", ""))
    except ValueError:
        base = None
    return submission, question, answer, base


@login_required
@require_POST
def answer_confirm(request, pk: int, key: str):
    """ "Still accurate": a carried-forward answer is reviewed as it stands. JSON for the page's
    script (Accept: application/json), else back to the question."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    submission, question, answer, base = _posted_answer(request, pk=pk, key=key)
    if base is None:
        return HttpResponseBadRequest(_("The request was malformed."))
    problem = None
    try:
        answer = services.answer_confirm(answer=answer, user=request.user, base_revision=base)
    except PermissionDenied:
        if not wants_json:
            raise
        problem = (403, _("You cannot change this submission (it may have been submitted)."))
    except services.AnswerConflict:
        problem = (409, _("Someone changed this answer meanwhile; look at it again."))
    except ValidationError as exc:
        problem = (400, " ".join(exc.messages))
    if wants_json:
        if problem:
            return _json_error(problem[0], "refused", problem[1])
        return JsonResponse(
            {
                "ok": True,
                "revision": answer.revision,
                "saved_text": saved_text(answer),
                **_progress_payload(submission, question),
            }
        )
    if problem:
        messages.error(request, problem[1])
    else:
        messages.success(
            request,
            _("Your answer to %(question)s is kept as still accurate.")
            % {"question": question_number(question)},
        )
    url = reverse("answer_section", args=[pk, question.section.number])
    return redirect(f"{url}#question-{question.key}")


@login_required
@require_GET
def answer_fragment(request, pk: int, key: str):
    """One question's widget as HTML, with the stored value: "take theirs" swaps it in."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    question = selectors.submission_question(submission=submission, key=key)
    page = selectors.answering_section(
        user=request.user, pk=pk, number=question.section.number, submission=submission
    )
    context = _section_context(request, page)
    entry = next(q for q in context["questions"] if q["item"].question.pk == question.pk)
    return render(
        request,
        "questionnaire/answering/question.html",
        {**context, "q": entry},
    )


@login_required
@require_GET
def answer_history(request, pk: int, key: str):
    submission = selectors.submission_get(user=request.user, pk=pk)
    question = selectors.submission_question(submission=submission, key=key)
    answer, revisions = selectors.answer_history(submission=submission, question=question)
    return render(
        request,
        "questionnaire/answering/history.html",
        {
            "submission": submission,
            "question": question,
            "answer": answer,
            "revisions": revisions,
            "can_edit": permissions.can(request.user, Action.EDIT_ANSWERS, submission),
        },
    )


@login_required
@require_POST
def answer_restore(request, pk: int, key: str, revision: int):
    _submission, _question, answer, base = _posted_answer(request, pk=pk, key=key)
    if base is None:
        return HttpResponseBadRequest(_("The restore request was malformed."))
    try:
        services.answer_restore(
            answer=answer, revision=revision, user=request.user, base_revision=base
        )
    except services.AnswerConflict:
        messages.error(
            request,
            _("The answer changed while you were looking at its history; nothing was restored."),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The version of revision %(n)s was restored.") % {"n": revision}
        )
    return redirect("answer_history", pk=pk, key=key)


@login_required
@require_GET
def submission_check(request, pk: int):
    """Before submitting: every required question still unanswered, the comment threads still
    open, and (after a return) what changed since the previous submission, each linking to its
    question."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    check = selectors.submission_check(submission=submission)
    events = selectors.submission_timeline(submission=submission)
    return render(
        request,
        "questionnaire/answering/check.html",
        {
            "submission": submission,
            "missing": check.missing,
            "unreviewed": check.unreviewed,
            "previous_cycle": _previous_cycle_name(submission) if check.unreviewed else "",
            "progress": check.progress,
            "can_submit": permissions.can(request.user, Action.SUBMIT, submission),
            "may_edit": permissions.can(request.user, Action.EDIT_ANSWERS, submission),
            "events": events,
            "return_notice": selectors.submission_return_notice(
                submission=submission, events=events
            ),
            "open_threads": selectors.submission_open_threads(
                submission=submission, user=request.user
            ),
            "changes": selectors.submission_changes(submission=submission, events=events)
            if submission.is_returned
            else None,
        },
    )


def _previous_cycle_name(submission) -> str:
    """The cycle its carried answers came from, as the check page names it."""
    source = submission.carried_forward_from
    return i18n.tr(source.cycle, "name") if source else _("the previous cycle")


@login_required
@require_POST
def submission_submit(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to submit."))
        return redirect("submission_check", pk=pk)
    try:
        unreviewed = int(request.POST.get("unreviewed", ""))
    except ValueError:
        unreviewed = None
    try:
        services.submission_transition(
            submission=submission,
            to_status=SubmissionStatus.SUBMITTED,
            user=request.user,
            unreviewed_confirmed=unreviewed,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("submission_check", pk=pk)
    messages.success(
        request,
        _(
            "Your answers were submitted to ESCWA. They are now read-only unless ESCWA "
            "returns them for revision."
        ),
    )
    return redirect("submission_detail", pk=pk)


@login_required
@require_POST
def submission_start(request, slug: str, iso2: str):
    """Start a country's submission for a cycle, optionally prefilled from the last cycle."""
    cycle, country = selectors.cycle_and_country_for_start(user=request.user, slug=slug, iso2=iso2)
    try:
        submission = services.submission_create(
            cycle=cycle,
            country=country,
            user=request.user,
            language=request.POST.get("language") or request.LANGUAGE_CODE,
            carry_forward=request.POST.get("carry_forward") == "yes",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("home")
    if submission.carried_forward_from_id:
        messages.success(
            request,
            _(
                "Your submission was started from your answers to %(cycle)s. Each of them is "
                "marked “not yet reviewed” until you edit it or confirm that it is still "
                "accurate."
            )
            % {"cycle": i18n.tr(submission.carried_forward_from.cycle, "name")},
        )
    return redirect("submission_answer", pk=submission.pk)
