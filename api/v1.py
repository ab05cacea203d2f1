"""Version 1 of the read-only API: `/api/v1/` (docs/api.md).

Each endpoint is GET only (anything else is 405) and thin: it asks the questionnaire's
selectors (questionnaire/selectors/opendata.py), which apply the same permission rule as the
pages, and shapes the result (api/shapes.py). Lists are paginated with `limit` and `offset`
and answer in a fixed number of queries whatever their length (tests/api/test_queries.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from ninja import Query

from questionnaire import selectors

from . import schemas, shapes
from .changelog import CHANGELOG, LICENCE, SCHEMA_VERSION
from .http import CallerRateLimit, PortalAPI, TokenOrAnonymous

DESCRIPTION = """Read-only open data of ESCWA's GCM Review Portal: review cycles, the
questionnaire's versions (sections, questions with stable keys, texts in English, French and
Arabic), the 23 GCM objectives and, for published national reviews, their answers, objective
statuses and PDFs. Without a token: published reviews only. With a personal token
(`Authorization: Bearer <token>`, made on one's account page): what its holder may read in the
portal. Published data is licensed under CC BY 3.0 IGO."""

api = PortalAPI(
    title="GCM Review Portal API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenOrAnonymous(),
    throttle=[CallerRateLimit()],
    docs_url=None,  # the portal's own page (api/docs_views.py): Swagger UI needs inline code
    docs_decorator=require_GET,  # the schema, like every endpoint, answers GET only
)

MAX_LIMIT = 200
ERRORS = {401: schemas.Error, 404: schemas.Error, 429: schemas.Error}


class Page:
    """`limit` (1–200, default API_PAGE_SIZE) and `offset` from the query string."""

    @staticmethod
    def read(limit: int | None, offset: int) -> tuple[int, int]:
        limit = settings.API_PAGE_SIZE if limit is None else max(1, min(limit, MAX_LIMIT))
        return limit, max(0, offset)


def _page(request: HttpRequest, queryset, shape, *, limit: int | None, offset: int) -> dict:
    """One page of `queryset`: two queries (its count and its rows), whatever its length."""
    limit, offset = Page.read(limit, offset)
    count = queryset.count()
    rows = list(queryset[offset : offset + limit])

    def link(at: int) -> str:
        params = {k: v for k, v in request.GET.items() if k not in ("limit", "offset")}
        params.update(limit=limit, offset=at)
        return request.build_absolute_uri(request.path) + "?" + urlencode(params)

    return {
        "count": count,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "items": [shape(row) for row in rows],
    }


def _user(request: HttpRequest):
    return request.auth.user


@api.get("/", response={200: schemas.Index, **ERRORS}, url_name="api_index", summary="Index")
def index(request: HttpRequest):
    """The API's version, its endpoints, its licence and the schema's changelog."""
    link = shapes.url
    return {
        "api_version": "1",
        "schema_version": SCHEMA_VERSION,
        "links": {
            "cycles": link(request, "api-v1:api_cycles"),
            "questionnaire_versions": link(request, "api-v1:api_versions"),
            "objectives": link(request, "api-v1:api_objectives"),
            "submissions": link(request, "api-v1:api_submissions"),
            "openapi": link(request, "api-v1:openapi-json"),
            "documentation": link(request, "api-v1:api_docs"),
            "changelog": link(request, "api-v1:api_docs") + "#changelog",
            "public_reviews": link(request, "public_index"),
        },
        "licence": LICENCE,
        "changelog": CHANGELOG,
        "authenticated": request.auth.token is not None,
    }


@api.get(
    "/cycles", response={200: schemas.CyclePage, **ERRORS}, url_name="api_cycles", summary="Cycles"
)
def cycles(request: HttpRequest, limit: int | None = None, offset: int = 0):
    """Review cycles in which the caller may read something, newest first."""
    qs = selectors.api_cycles(user=_user(request))
    return _page(request, qs, lambda c: shapes.cycle(request, c), limit=limit, offset=offset)


@api.get(
    "/cycles/{slug}", response={200: schemas.CycleOut, **ERRORS}, url_name="api_cycle",
    summary="A cycle",
)  # fmt: skip
def cycle(request: HttpRequest, slug: str):
    return shapes.cycle(request, selectors.api_cycle_get(user=_user(request), slug=slug))


@api.get(
    "/questionnaire-versions",
    response={200: schemas.VersionPage, **ERRORS},
    url_name="api_versions",
    summary="Questionnaire versions",
)
def versions(request: HttpRequest, limit: int | None = None, offset: int = 0):
    """Every version of the questionnaire sent to countries (never a draft), newest first."""
    qs = selectors.api_versions()
    return _page(
        request, qs, lambda v: shapes.version_summary(request, v), limit=limit, offset=offset
    )


@api.get(
    "/questionnaire-versions/{version_id}",
    response={200: schemas.VersionOut, **ERRORS},
    url_name="api_version",
    summary="A questionnaire version",
)
def version(request: HttpRequest, version_id: int):
    """A version's sections and questions in order, each question with its stable `key` (the
    same question keeps its key from one version to the next), type, number and texts."""
    return shapes.version(request, selectors.api_version_get(pk=version_id))


@api.get(
    "/objectives",
    response={200: schemas.ObjectiveList, **ERRORS},
    url_name="api_objectives",
    summary="GCM objectives",
)
def objectives(request: HttpRequest):
    """The 23 objectives of the Global Compact, in order (not paginated: there are 23)."""
    items = [shapes.objective(o) for o in selectors.api_objectives()]
    return {"count": len(items), "items": items}


@api.get(
    "/submissions",
    response={200: schemas.SubmissionPage, **ERRORS},
    url_name="api_submissions",
    summary="Submissions",
)
def submissions(
    request: HttpRequest,
    cycle: str = Query("", description="a cycle's slug"),
    country: str = Query("", description="a country's ISO 3166 code, alpha-2 or alpha-3"),
    limit: int | None = None,
    offset: int = 0,
):
    """National reviews the caller may read: published ones without a token."""
    qs = selectors.api_submissions(user=_user(request), cycle=cycle, country=country)
    return _page(
        request,
        qs,
        lambda s: shapes.submission(request, s, request.auth),
        limit=limit,
        offset=offset,
    )


@api.get(
    "/submissions/{submission_id}",
    response={200: schemas.SubmissionOut, **ERRORS},
    url_name="api_submission",
    summary="A submission",
)
def submission(request: HttpRequest, submission_id: int):
    found = selectors.api_submission_get(user=_user(request), pk=submission_id)
    return shapes.submission(request, found, request.auth)


@api.get(
    "/submissions/{submission_id}/answers",
    response={200: schemas.AnswerList, **ERRORS},
    url_name="api_submission_answers",
    summary="A submission's answers",
)
def submission_answers(request: HttpRequest, submission_id: int):
    """Every question the submission shows, in order, with its answer as HTML (as the PDF
    shows it) and as plain text, by stable key. Not paginated: a questionnaire has a few dozen
    questions."""
    found = selectors.api_submission_get(user=_user(request), pk=submission_id)
    return shapes.answers(selectors.api_submission_answers(submission=found))


@api.get(
    "/submissions/{submission_id}/objectives",
    response={200: schemas.ObjectiveStatusList, **ERRORS},
    url_name="api_submission_objectives",
    summary="A submission's objective statuses",
)
def submission_objectives(request: HttpRequest, submission_id: int):
    """The status the country gave each GCM objective in the questionnaire's objectives grid
    (none in a version without a grid)."""
    found = selectors.api_submission_get(user=_user(request), pk=submission_id)
    return shapes.objective_statuses(selectors.api_submission_answers(submission=found))
