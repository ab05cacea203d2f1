"""How long the server takes to answer the staff pages that compare countries.

    DEBUG=1 .venv/bin/python bench/review.py [--requests 30] [--warmup 3]

Runs in a throwaway database that it creates and destroys itself: a temporary SQLite file, or,
when DATABASE_URL is set, a "test_<name>_review_bench" database on that server (apart from the
test runner's "test_<name>", so both may run at once). The developer's own database is never
opened. It loads the demo (`loaddemo`) and fills the open 2024
cycle with 22 countries' full answers: Morocco's 2020 review for Morocco, and for each other
country the same items shuffled (seeded by the country's code, its own name in place of
Morocco's), a paragraph in French or Arabic, a status grid of the 23 objectives, and a mix of
statuses, open comments and deadline extensions. Then it times requests made through
django.test.Client: the time around each call, covering middleware, view, queries and template
rendering, but no network or web server.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CYCLE = "arab-2024"
FRENCH = (
    "<p>Le comité national de coordination des migrations se réunit chaque trimestre avec "
    "les ministères et la société civile.</p>"
)
ARABIC = "<p>تتولى اللجنة الوطنية تنسيق سياسات الهجرة وتجتمع كل ثلاثة أشهر مع الوزارات.</p>"
FRENCH_SPEAKING = {"DZ", "DJ", "KM", "LB", "MR", "MA", "TN"}
# The status each country's submission ends in, in the order of the countries' codes.
STATUSES = ["draft", "submitted", "returned", "accepted", "published", "draft", "submitted"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before each row")
    return parser.parse_args()


def setup(tmpdir: str):
    """Django on a throwaway database; returns what teardown needs."""
    if not os.environ.get("DATABASE_URL"):
        # Even the "main" alias points into the temporary directory.
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/main.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gcmreview.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        # A file rather than SQLite's default in-memory test database: closer to a real server.
        database.setdefault("TEST", {})["NAME"] = f"{tmpdir}/bench.sqlite3"
    else:
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_review_bench"
    old_config = setup_databases(verbosity=0, interactive=False)
    # Time what production runs: no query logging (DEBUG), the test client's own host name.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return old_config


def country_answer(items: list[str], country, rng: random.Random) -> str:
    from django.utils.html import escape

    shuffled = items[:]
    rng.shuffle(shuffled)
    name = country.name_en
    text = "".join(
        f"<li>{escape(item.replace('Moroccan', name).replace('Morocco', name))}</li>"
        for item in shuffled
    )
    extra = FRENCH if country.iso2 in FRENCH_SPEAKING else ARABIC
    return f"<ul>{text}</ul>{extra}"


def objectives_grid(question, rng: random.Random) -> dict:
    scale = [step["value"] for step in question.type_handler.scale(question.options or {})]
    grid = {}
    for number in range(1, 24):
        note = f"Progress reported on objective {number}." if rng.random() < 0.3 else ""
        grid[str(number)] = {"status": rng.choice(scale), "note": note}
    return grid


def build_data(*, countries: int = 22):
    """The demo, and the 2024 cycle with `countries` countries' full answers (see the module's
    docstring). Returns the cycle."""
    import json

    from django.core.management import call_command

    from accounts.models import User
    from questionnaire import services
    from questionnaire.models import (
        Comment,
        Country,
        QuestionType,
        ReviewCycle,
        Submission,
    )

    # Every country of 2024 is filled here, Morocco too: without the demo's invented review.
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)
    cycle = ReviewCycle.objects.get(slug=CYCLE)
    morocco = json.loads((ROOT / "fixtures" / "morocco-2020.json").read_text(encoding="utf-8"))
    entries = morocco["entries"]
    questions = list(cycle.version.questions.all())
    escwa = User.objects.get(username="escwa")
    for index, country in enumerate(Country.objects.order_by("iso2")[:countries]):
        rng = random.Random(country.iso2)
        submission = Submission.objects.filter(cycle=cycle, country=country).first()
        if submission is None:
            language = "fr" if country.iso2 in FRENCH_SPEAKING else "en"
            submission = services.submission_create(cycle=cycle, country=country, language=language)
        for question in questions:
            if question.type == QuestionType.OBJECTIVES_GRID:
                value = objectives_grid(question, rng)
            elif country.iso2 == "MA":
                value = morocco["answers"][question.key]
            else:
                value = country_answer(entries[question.key], country, rng)
            services.answer_save(submission=submission, question=question, value=value)
        status = STATUSES[index % len(STATUSES)]
        route = {
            "draft": [],
            "submitted": ["submitted"],
            "returned": ["submitted", "returned"],
            "accepted": ["submitted", "accepted"],
            "published": ["submitted", "accepted", "published"],
        }[status]
        for step in route:
            message = "Please say who chairs the committee." if step == "returned" else ""
            submission = services.submission_transition(
                submission=submission, to_status=step, message=message
            )
        if status in ("submitted", "returned"):
            for question in questions[: 1 + index % 3]:
                Comment.objects.create(
                    submission=submission,
                    question=question,
                    author=escwa,
                    body="Could you say which ministry leads this?",
                )
        if index % 7 == 3:
            services.deadline_extension_grant(
                cycle=cycle,
                country=country,
                deadline=cycle.deadline + datetime.timedelta(days=21),
                reason="Change of government",
            )
    return cycle


def measure(call, *, requests: int, warmup: int) -> dict:
    from django.db import connection, reset_queries

    for _ in range(warmup):
        call()
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    # One more, with query logging on, to show how many queries the timed requests ran.
    connection.force_debug_cursor = True
    reset_queries()
    call()
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "queries": queries,
    }


def page_get(client, url, params=None):
    def call():
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        return response

    return call


def run(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from questionnaire.models import Answer

    cycle = build_data()
    client = Client()
    escwa = User.objects.get(username="escwa")
    client.force_login(escwa)
    from django.conf import settings

    if "django_otp" in settings.INSTALLED_APPS:
        # Staff pass a second step at login (two-factor authentication): the session says which
        # authenticator they used, as after typing its code, and each request reads that device.
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=escwa, name="Benchmark app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    answers = Answer.objects.filter(submission__cycle=cycle).count()
    countries = cycle.submissions.count()

    def url(name, **kwargs):
        return reverse(name, kwargs={"slug": cycle.slug, **kwargs})

    rows = [
        ("GET dashboard", page_get(client, url("cycle_dashboard"))),
        (
            "GET dashboard, sorted by deadline, filtered",
            page_get(client, url("cycle_dashboard"), {"sort": "deadline", "status": "draft"}),
        ),
        (
            "GET one question (long text) across countries",
            page_get(client, url("cycle_question", key="progress-successes-challenges")),
        ),
        ("GET objectives matrix", page_get(client, url("cycle_objectives"))),
        (
            "GET search “migrants” (common word)",
            page_get(client, url("cycle_search"), {"q": "migrants"}),
        ),
        (
            "GET search “national strategy” -asylum",
            page_get(client, url("cycle_search"), {"q": '"national strategy" -asylum'}),
        ),
        (
            "GET search “اللجنة الوطنية”",
            page_get(client, url("cycle_search"), {"q": "اللجنة الوطنية"}),
        ),
        ("GET public index (anonymous)", page_get(Client(), reverse("public_index"))),
    ]
    results = [
        (request, measure(call, requests=args.requests, warmup=args.warmup))
        for request, call in rows
    ]

    vendor = connection.vendor
    if vendor == "sqlite":
        version = ".".join(str(part) for part in connection.Database.sqlite_version_info)
    elif vendor == "postgresql":
        version = f"{connection.pg_version // 10000}.{connection.pg_version % 100}"
    else:
        version = ""
    print()
    print(
        f"Cross-country staff pages: server time over {args.requests} requests "
        f"(after {args.warmup} warm-up), django.test.Client"
    )
    print(
        f"Data: {countries} countries, {answers} answers in {cycle.slug} · Database: {vendor} "
        f"{version} · Python {platform.python_version()} · {os.cpu_count()} CPU cores · "
        f"{platform.machine()}"
    )
    print()
    header = ("Request", "Median ms", "p95 ms", "Queries")
    table = [
        (request, f"{m['median']:.1f}", f"{m['p95']:.1f}", str(m["queries"]))
        for request, m in results
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
    # For bench/run_all.py: one line per figure.
    for request, m in results:
        name = "review." + bench_slug(request.split(" (")[0])
        print(f"BENCH name={name}.p50 value={m['median']:.1f} unit=ms")
        print(f"BENCH name={name}.p95 value={m['p95']:.1f} unit=ms")


def bench_slug(text: str) -> str:
    """A figure's name from a row's label; words in Arabic script become "arabic"."""
    text = re.sub(r"[\u0600-\u06ff][\u0600-\u06ff ]*", "arabic ", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmpdir:
        old_config = setup(tmpdir)
        try:
            run(args)
        finally:
            from django.db import connections
            from django.test.utils import teardown_databases

            connections.close_all()
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
