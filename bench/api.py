"""How long the read-only API takes to answer for a published cycle of 22 countries.

    DEBUG=1 .venv/bin/python bench/api.py [--requests 100] [--warmup 5]

Runs in a throwaway database that it creates and destroys itself, as bench/review.py does (a
temporary SQLite file, or "test_<name>_review_bench" on the DATABASE_URL server), seeded with
the demo's 2020 cycle (the first regional review's questionnaire, 24 questions) and 22
countries' reviews **published** in it: Morocco's real answers, and for the others Morocco's
items shuffled with French or Arabic paragraphs (bench/review.py's `country_answer`). Then it
times requests through django.test.Client (middleware, view, queries, JSON; no network or web
server), each row over --requests calls:

- the list of the cycle's published submissions (anonymous; one page of 50);
- every country's answers in turn (anonymous), the figure the issue asks for, and the same with
  If-None-Match (304: the body is still built, to compare its hash, but not sent);
- the answers with an ESCWA reviewer's personal token;
- a country's objective statuses;
- the public bulk files of the cycle (CSV and JSON, 22 countries).

Figures are p50 and p95 in milliseconds, wall time on this machine. Machine-readable lines
`BENCH name=... value=... unit=...` close the output (bench/run_all.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import review as review_bench  # noqa: E402  (its throwaway database and its 22 countries)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests before each row")
    return parser.parse_args()


def measure(calls, *, requests: int, warmup: int) -> dict:
    """Time `requests` calls, going round `calls` (a list of callables) in turn."""
    from django.db import connection, reset_queries

    for n in range(warmup):
        calls[n % len(calls)]()
    times = []
    for n in range(requests):
        start = time.perf_counter()
        calls[n % len(calls)]()
        times.append((time.perf_counter() - start) * 1000)
    connection.force_debug_cursor = True
    reset_queries()
    size = len(calls[0]().content)
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "queries": queries,
        "bytes": size,
    }


def getter(client, url, *, status=200, **headers):
    def call():
        response = client.get(url, **headers)
        assert response.status_code == status, (url, response.status_code)
        return response

    return call


def build_data(*, countries: int):
    """The demo, and its 2020 cycle (the first regional review: Morocco's real answers,
    published by the demo) with `countries` countries' published reviews: for each other
    country Morocco's items shuffled, its own name in place of Morocco's, a paragraph in French
    or Arabic (bench/review.py's `country_answer`). Returns the cycle."""
    import json
    import random

    from django.core.management import call_command

    from questionnaire import services
    from questionnaire.models import Country, ReviewCycle, Submission

    call_command("loaddemo", verbosity=0)
    cycle = ReviewCycle.objects.get(slug="arab-2020")
    ReviewCycle.objects.filter(pk=cycle.pk).update(is_closed=False)  # answered while open
    cycle.refresh_from_db()
    fixture = review_bench.ROOT / "fixtures" / "morocco-2020.json"
    entries = json.loads(fixture.read_text(encoding="utf-8"))["entries"]
    questions = list(cycle.version.questions.all())
    for country in Country.objects.exclude(iso2="MA").order_by("iso2")[: countries - 1]:
        rng = random.Random(country.iso2)
        language = "fr" if country.iso2 in review_bench.FRENCH_SPEAKING else "en"
        submission = services.submission_create(cycle=cycle, country=country, language=language)
        for question in questions:
            value = review_bench.country_answer(entries[question.key], country, rng)
            services.answer_save(submission=submission, question=question, value=value)
        for step in ("submitted", "accepted", "published"):
            submission = services.submission_transition(submission=submission, to_status=step)
    ReviewCycle.objects.filter(pk=cycle.pk).update(is_closed=True)
    assert Submission.objects.filter(cycle=cycle, status="published").count() == countries
    return cycle


def run(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts import services as account_services
    from accounts.models import User

    settings.API_RATE_ANONYMOUS = settings.API_RATE_TOKEN = 10**9  # time the answers, not 429s
    cycle = build_data(countries=22)
    submissions = list(cycle.submissions.filter(status="published").order_by("pk"))
    assert len(submissions) == 22, len(submissions)
    public, staff = Client(), Client()
    _token, secret = account_services.api_token_create(
        user=User.objects.get(username="escwa"), name="bench"
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def answers_url(submission):
        return reverse("api-v1:api_submission_answers", args=[submission.pk])

    etags = {s.pk: public.get(answers_url(s))["ETag"] for s in submissions}
    rows = [
        (
            "GET submissions of the cycle (anonymous)",
            [getter(public, reverse("api-v1:api_submissions") + f"?cycle={cycle.slug}")],
        ),
        ("GET answers, each country in turn (anonymous)",
         [getter(public, answers_url(s)) for s in submissions]),
        (
            "GET answers, If-None-Match (304)",
            [getter(public, answers_url(s), status=304, HTTP_IF_NONE_MATCH=etags[s.pk])
             for s in submissions],
        ),
        ("GET answers, reviewer's token",
         [getter(staff, answers_url(s), **bearer) for s in submissions]),
        (
            "GET objective statuses (anonymous)",
            [getter(public, reverse("api-v1:api_submission_objectives", args=[s.pk]))
             for s in submissions],
        ),
        ("GET bulk CSV, 22 countries",
         [getter(public, reverse("public_cycle_download", args=[cycle.slug, "csv"]))]),
        ("GET bulk JSON, 22 countries",
         [getter(public, reverse("public_cycle_download", args=[cycle.slug, "json"]))]),
    ]  # fmt: skip
    results = [
        (label, measure(calls, requests=args.requests, warmup=args.warmup)) for label, calls in rows
    ]
    vendor = connection.vendor
    print()
    print(
        f"Open-data API: server time over {args.requests} requests per row "
        f"(after {args.warmup} warm-up), django.test.Client"
    )
    print(
        f"Data: {len(submissions)} published submissions in {cycle.slug} · Database: {vendor} · "
        f"Python {platform.python_version()} · {os.cpu_count()} CPU cores · {platform.machine()}"
    )
    print()
    header = ("Request", "p50 ms", "p95 ms", "Queries", "KB")
    table = [
        (label, f"{m['p50']:.1f}", f"{m['p95']:.1f}", str(m["queries"]), f"{m['bytes'] / 1024:.0f}")
        for label, m in results
    ]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]

    def line(row):
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print(line(row))
    print()
    for label, m in results:
        name = "api." + review_bench.bench_slug(label.split(" (")[0])
        print(f"BENCH name={name}.p50 value={m['p50']:.1f} unit=ms")
        print(f"BENCH name={name}.p95 value={m['p95']:.1f} unit=ms")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmpdir:
        old_config = review_bench.setup(tmpdir)
        try:
            run(args)
        finally:
            from django.db import connections
            from django.test.utils import teardown_databases

            connections.close_all()
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
