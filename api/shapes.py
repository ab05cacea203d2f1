"""Portal objects as the API's JSON (api/schemas.py): plain dicts built from what the
questionnaire's selectors return, so that no schema resolver runs a query of its own."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from questionnaire import i18n
from questionnaire.models import QuestionType
from questionnaire.selectors.changes import answer_text
from questionnaire.types.objectives_grid import OBJECTIVE_COUNT

from .http import Caller

LANGUAGES = ("en", "fr", "ar")


def texts(obj, name: str) -> dict[str, str | None]:
    """{"en", "fr", "ar"}: a translated field in each language, None when untranslated."""
    return {
        "en": getattr(obj, name) or None,
        "fr": getattr(obj, f"{name}_fr", "") or None,
        "ar": getattr(obj, f"{name}_ar", "") or None,
    }


def url(request: HttpRequest, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def cycle(request: HttpRequest, obj) -> dict:
    return {
        "slug": obj.slug,
        "name": texts(obj, "name"),
        "opens_on": obj.opens_on,
        "deadline": obj.deadline,
        "is_closed": obj.is_closed,
        "questionnaire_version": obj.version_id,
        "links": {
            "self": url(request, "api-v1:api_cycle", obj.slug),
            "submissions": url(request, "api-v1:api_submissions") + f"?cycle={obj.slug}",
            "questionnaire_version": url(request, "api-v1:api_version", obj.version_id),
        },
    }


def version_summary(request: HttpRequest, obj) -> dict:
    return {
        "id": obj.pk,
        "questionnaire": obj.questionnaire.slug,
        "number": obj.number,
        "title": {
            code: i18n.version_title(obj, code) if code == "en" or _has_title(obj, code) else None
            for code in LANGUAGES
        },
        "status": obj.status,
        "published_at": obj.published_at,
        "official_translations": obj.official_translations,
        "links": {"self": url(request, "api-v1:api_version", obj.pk)},
    }


def _has_title(version, code: str) -> bool:
    return bool(
        getattr(version, f"title_{code}", "") or getattr(version.questionnaire, f"title_{code}", "")
    )


def version(request: HttpRequest, obj) -> dict:
    return {
        **version_summary(request, obj),
        "sections": [
            {
                "number": section.number,
                "title": texts(section, "title"),
                "intro": texts(section, "intro"),
                "questions": [question(section, q) for q in section.question_list],
            }
            for section in obj.section_list
        ],
    }


def question(section, q) -> dict:
    return {
        "key": q.key,
        "label": q.label,
        "number": f"{section.number}.{q.label}",
        "type": q.type,
        "required": q.required,
        "allows_not_applicable": q.allows_not_applicable,
        "text": texts(q, "text"),
        "help_text": texts(q, "help_text"),
        "options": q.options or {},
    }


def objective(obj) -> dict:
    return {
        "number": obj.number,
        "title": texts(obj, "title"),
        "short_label": texts(obj, "short_label"),
    }


def country(obj) -> dict:
    name = {"en": obj.name_en, "fr": obj.name_fr or None, "ar": obj.name_ar or None}
    return {"iso2": obj.iso2, "iso3": obj.iso3, "name": name}


def submission(request: HttpRequest, obj, caller: Caller) -> dict:
    """A submission and its links. Its pages and PDF: the public ones when it is published
    and the caller has no token; a token's holder gets the portal's own (their login opens
    them)."""
    public = caller.token is None
    links = {
        "self": url(request, "api-v1:api_submission", obj.pk),
        "answers": url(request, "api-v1:api_submission_answers", obj.pk),
        "objectives": url(request, "api-v1:api_submission_objectives", obj.pk),
        "cycle": url(request, "api-v1:api_cycle", obj.cycle.slug),
    }
    if public:
        links["page"] = url(request, "public_submission", obj.pk)
        links["pdf"] = url(request, "public_submission_pdf", obj.pk)
    else:
        links["page"] = url(request, "submission_detail", obj.pk)
        links["pdf"] = url(request, "submission_pdf", obj.pk)
    return {
        "id": obj.pk,
        "cycle": obj.cycle.slug,
        "country": country(obj.country),
        "language": obj.language,
        "status": obj.status,
        "submitted_at": obj.submitted_at,
        "accepted_at": obj.accepted_at,
        "published_at": getattr(obj, "published_at", None),
        "links": links,
    }


def answers(data) -> dict:
    """Each shown question's answer as the PDF shows it (HTML, in the submission's language)
    and as plain text (the text the portal compares and exports), by stable key."""
    items = []
    with translation.override(data.submission.language):
        for item in data.items:
            q, answer = item.question, item.answer
            value = answer.value if answer else None
            reason = answer.not_applicable_reason if answer else ""
            text = answer_text(q, value, reason)
            if reason:
                html = f"<p>{escape(text)}</p>"
            else:
                html = str(q.type_handler.render_display(q, value, data.objectives))
            items.append(
                {
                    "key": q.key,
                    "number": f"{q.section.number}.{q.label}",
                    "section": q.section.number,
                    "type": q.type,
                    "answered": bool(text),
                    "not_applicable_reason": reason,
                    "html": html.strip(),
                    "text": text,
                    "value": None if reason else value,
                }
            )
    return {
        "submission": data.submission.pk,
        "language": data.submission.language,
        "count": len(items),
        "items": items,
    }


def objective_statuses(data) -> dict:
    """The statuses of the 23 objectives in each objectives grid the submission shows (the
    2024 questionnaire has one; the 2020 one none), with the scale's labels in the
    submission's language."""
    items, scales = [], {}
    with translation.override(data.submission.language):
        for item in data.items:
            q, answer = item.question, item.answer
            if q.type != QuestionType.OBJECTIVES_GRID:
                continue
            scale = q.type_handler.scale(q.options or {})
            labels = i18n.option_labels(scale)
            scales[q.key] = [
                {"value": s.get("value", ""), "label": labels.get(s.get("value", ""), "")}
                for s in scale
            ]
            value = answer.value if answer and not answer.not_applicable_reason else {}
            value = value if isinstance(value, dict) else {}
            for number in range(1, OBJECTIVE_COUNT + 1):
                row = value.get(str(number)) or {}
                status = row.get("status") or None
                items.append(
                    {
                        "question_key": q.key,
                        "objective": number,
                        "status": status,
                        "status_label": labels.get(status, "") if status else "",
                        "note": row.get("note", ""),
                    }
                )
    return {"submission": data.submission.pk, "scale": scales, "count": len(items), "items": items}
