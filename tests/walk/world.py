"""A small, demo-like portal in every state a page can be in, for the link crawler and the HTML
check (tests/walk/).

Made with the factories and the services, not `loaddemo`: the real questionnaire has 25
questions and the demo's cycles 22 countries, which would make each of the eighteen crawls
(six roles, three languages) walk hundreds of near-identical pages. Here the questionnaire has
every question type in two sections, and Morocco, whose team the country roles belong to, has a
submission in each state, one per cycle:

| cycle        | closed | Morocco (MA) | Jordan (JO) | Tunisia (TN) | Egypt (EG) |
|--------------|--------|--------------|-------------|--------------|------------|
| review-2020  | yes    | published    | accepted    |              |            |
| review-2022  | yes    | accepted     |             |              |            |
| review-2024  | no     | returned     | submitted   | draft        | not started|
| midterm-2025 | no     | submitted    |             |              |            |
| review-2026  | no     | draft        |             |              |            |
| review-2028  | no     | not started (may start, carrying 2022 forward)                  |

plus: comments (open, resolved) and a supporting document on Morocco's returned answers, a
document on its draft, a pending invitation and three members on Morocco's team, a finished and
a failed regional compilation of 2020, a deadline extension, and a draft questionnaire version.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import StaffRole, User
from questionnaire import services
from questionnaire.models import (
    AnswerRevision,
    Country,
    CountryRole,
    Membership,
    Objective,
    Question,
    ReviewCycle,
    SubmissionStatus,
)
from reports import selectors as report_selectors
from reports import services as report_services
from reports.models import Compilation, JobStatus
from tests import factories
from tests.factories import PASSWORD

S = SubmissionStatus
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PDF = factories.pdf_bytes()  # a genuine one: documents are parsed as PDFs

# The roles that crawl, and the user each logs in as (None: not logged in).
USERNAMES = {
    "anonymous": None,
    "focal_point": "m-focal",
    "contributor": "m-contributor",
    "viewer": "m-viewer",
    "reviewer": "reviewer",
    "admin": "admin",
}
ROUTES = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.RETURNED: [S.SUBMITTED, S.RETURNED],
    S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
    S.PUBLISHED: [S.SUBMITTED, S.ACCEPTED, S.PUBLISHED],
}
# (slug, year, opened and deadline in days from today, closed, {country: status}); a country
# listed with None takes part and has not started. 2024's deadline has passed (Tunisia has an
# extension); the others are still open.
CYCLES = [
    # fmt: off
    ("review-2020", 2020, -1500, -1300, True, {"MA": S.PUBLISHED, "JO": S.ACCEPTED}),
    ("review-2022", 2022, -900, -700, True, {"MA": S.ACCEPTED}),
    (
        "review-2024",
        2024,
        -400,
        -30,
        False,
        {"MA": S.RETURNED, "JO": S.SUBMITTED, "TN": S.DRAFT, "EG": None},
    ),
    ("midterm-2025", 2025, -200, 30, False, {"MA": S.SUBMITTED}),
    ("review-2026", 2026, -100, 90, False, {"MA": S.DRAFT}),
    ("review-2028", 2028, -10, 200, False, {"MA": None}),
    # fmt: on
]


def _fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _answer_everything(submission, version, *, text: str) -> None:
    values = {kind: value for kind, _options, _help, value in factories.EVERY_TYPE}
    for question in Question.objects.filter(version=version):
        value = values[question.type]
        if question.type == "long_text":
            value = f"<p>{text}</p>"
        services.answer_save(submission=submission, question=question, value=value)


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    countries = {row["iso2"]: row for row in _fixture("countries.json")}
    w.countries = {}
    for iso2 in ("MA", "JO", "TN", "EG"):
        fields = {name: value for name, value in countries[iso2].items() if name != "iso2"}
        w.countries[iso2] = Country.objects.update_or_create(iso2=iso2, defaults=fields)[0]
    for row in _fixture("objectives.json"):
        Objective.objects.get_or_create(
            number=row["number"],
            defaults={"title": row["title"], "short_label": row["short_label"]},
        )

    password = make_password(PASSWORD)

    def user(username, first, last, **fields):
        return User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=password,
            **fields,
        )

    w.users = {
        "focal_point": user("m-focal", "Youssef", "El Amrani"),
        "contributor": user("m-contributor", "Salma", "Bennani"),
        "viewer": user("m-viewer", "Karim", "Idrissi"),
        "reviewer": user("reviewer", "Nadia", "Haddad", staff_role=StaffRole.REVIEWER),
        "admin": user(
            "admin", "Portal", "Administrator",
            staff_role=StaffRole.ADMIN, is_staff=True, is_superuser=True,
        ),
        "j_focal": user("j-focal", "Rania", "Khalil"),
    }  # fmt: skip
    ma = w.countries["MA"]
    for role in ("focal_point", "contributor", "viewer"):
        Membership.objects.create(user=w.users[role], country=ma, role=role)
    Membership.objects.create(
        user=w.users["j_focal"], country=w.countries["JO"], role=CountryRole.FOCAL_POINT
    )
    # Each of the walk's people has an API token, which their account page offers to revoke.
    for role in ("focal_point", "contributor", "viewer", "reviewer", "admin"):
        account_services.api_token_create(user=w.users[role], name="Statistics office script")

    # Version 1, and version 2 copied from it (same keys: answers carry forward); a draft 3.
    v1 = factories.every_type_version(sections=2, questions=6, prefix="q")
    v2 = services.questionnaire_version_publish(
        version=services.questionnaire_version_create_draft(source=v1, notes="Second cycle.")
    )
    w.draft_version = services.questionnaire_version_create_draft(source=v2, notes="Next.")

    reviewer = w.users["reviewer"]
    w.cycles, w.submissions = {}, {}
    today = timezone.localdate()
    for slug, year, opens, deadline, closed, states in CYCLES:
        cycle = ReviewCycle.objects.create(
            slug=slug,
            name=f"Regional review {year}" if "review" in slug else f"Mid-term review {year}",
            version=v1 if year < 2024 else v2,
            opens_on=today + datetime.timedelta(days=opens),
            deadline=today + datetime.timedelta(days=deadline),
        )
        cycle.countries.add(*(w.countries[iso2] for iso2 in states))
        w.cycles[slug] = cycle
        for iso2, status in states.items():
            if status is None:
                continue
            submission = services.submission_create(
                cycle=cycle, country=w.countries[iso2], language="ar" if iso2 == "JO" else "en"
            )
            if status != S.DRAFT or iso2 == "MA":
                _answer_everything(
                    submission, cycle.version, text=f"The national committee, {year}."
                )
            for step in ROUTES[status]:
                message = "Please say which ministry leads." if step == S.RETURNED else ""
                submission = services.submission_transition(
                    submission=submission, to_status=step, message=message
                )
            w.submissions[(slug, iso2)] = submission
        if closed:
            cycle.is_closed = True
            cycle.save(update_fields=["is_closed"])

    # Morocco's returned answers: a comment still open, one resolved, a revised answer, a
    # document; its draft: a document too.
    returned = w.submissions[("review-2024", "MA")]
    first, second = Question.objects.filter(version=v2).order_by("section__order", "order")[:2]
    services.comment_add(
        submission=returned, question=first, user=reviewer, body="Which ministry leads?"
    )
    resolved = services.comment_add(
        submission=returned, question=second, user=reviewer, body="Please give the year."
    )
    services.comment_resolve(comment=resolved, user=reviewer)
    # ESCWA's remarks reach the country once sent; the country asks a question of its own, not
    # sent yet (its "send" button), and ESCWA has a remark on Jordan's answers it has not sent.
    services.comments_send(submission=returned, user=reviewer)
    focal = w.users["focal_point"]
    services.comment_add(
        submission=returned, question=second, user=focal, body="Which year do you mean?"
    )
    services.comment_add(
        submission=w.submissions[("review-2024", "JO")],
        question=first,
        user=reviewer,
        body="Please add the sources.",
    )
    for slug in ("review-2024", "review-2026"):  # returned, draft
        submission = w.submissions[slug, "MA"]
        submission.refresh_from_db()
        services.attachment_add(
            submission=submission, file=io.BytesIO(PDF), name="national-plan.pdf", user=focal
        )
        # A second revision, so that the history offers to restore the first.
        services.answer_save(
            submission=submission,
            question=first,
            value="<p>The Ministry of Interior.</p>",
            user=focal,
        )

    # Morocco's draft: an answer carried forward from its previous cycle and not yet reviewed
    # (its "Still accurate" button).
    services.answer_save(
        submission=w.submissions["review-2026", "MA"],
        question=second,
        value="<p>Carried from 2024.</p>",
        kind=AnswerRevision.Kind.CARRY_FORWARD,
    )

    # Morocco's team: an invitation waiting to be accepted.
    services.invitation_create(
        country=ma,
        email="new.colleague@example.org",
        role=CountryRole.CONTRIBUTOR,
        user=focal,
        accept_url="http://testserver/invitations/{token}/",
    )
    services.deadline_extension_grant(
        cycle=w.cycles["review-2024"],
        country=w.countries["TN"],
        deadline=today + datetime.timedelta(days=30),
        reason="Elections",
    )

    # 2020's regional compilation: one finished, one failed (not rendered: the file is a stub).
    cycle_2020 = w.cycles["review-2020"]
    done = Compilation.objects.create(
        cycle=cycle_2020, requested_by=reviewer, status=JobStatus.SUCCEEDED, page_count=1
    )
    done.file.save("compilation.pdf", ContentFile(PDF))
    Compilation.objects.create(
        cycle=cycle_2020, requested_by=reviewer, status=JobStatus.FAILED, error="Disk full."
    )
    # 2020's regional report: an introduction in two English drafts (history, restore, final).
    introduction = report_selectors.chapter_slot_get(
        user=reviewer, cycle=cycle_2020, key="introduction"
    )
    for base, text in enumerate(("<p>First draft.</p>", "<p>Second draft.</p>")):
        report_services.chapter_save(
            slot=introduction, language="en", body=text, user=reviewer, base_number=base
        )
    return w
