"""How long the server takes to answer the answering page and an autosave.

    DEBUG=1 .venv/bin/python bench/answering.py [--requests 50] [--warmup 5]

Runs in a throwaway database that it creates and destroys itself: a temporary SQLite file, or,
when DATABASE_URL is set, a "test_<name>_answering_bench" database on that server (apart from the
test runner's "test_<name>", so both may run at once). The developer's own database is never
opened. It loads the demo (`loaddemo`) and a synthetic
questionnaire of 200 questions (4 sections of 50, every question type in turn, all answered),
then times requests made through django.test.Client: the time around each call, so it covers
middleware, view, queries and template rendering, but no network or web server. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests before each row")
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
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_answering_bench"
    old_config = setup_databases(verbosity=0, interactive=False)
    # Time what production runs: no query logging (DEBUG), the test client's own host name.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return old_config


def build_data():
    from django.core.management import call_command

    from accounts.models import User
    from questionnaire.models import Submission
    from tests import factories

    call_command("loaddemo", verbosity=0)
    demo = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    jordan = User.objects.get(username="jordan")
    version = factories.every_type_version(sections=4, questions=50, prefix="big")
    large = factories.every_type_submission(country=demo.country, version=version, user=jordan)
    # The same, with 88 of the 200 questions shown only when an earlier answer calls for it
    # (issue 14): every page and save then evaluates the conditions.
    version = factories.every_type_version(
        sections=4, questions=50, prefix="cond", conditional=True
    )
    conditional = factories.every_type_submission(
        country=demo.country, version=version, user=jordan
    )
    return jordan, demo, large, conditional


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


def page_get(client, url):
    def call():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    return call


def autosave_post(client, submission, key):
    """Each call saves a different value, so every request writes an answer and a revision."""
    from django.urls import reverse

    from questionnaire.models import Answer

    url = reverse("answer_autosave", args=[submission.pk, key])
    answer = Answer.objects.filter(submission=submission, question__key=key).first()
    state = {"revision": answer.revision if answer else 0, "n": 0}

    def call():
        state["n"] += 1
        body = json.dumps(
            {
                "value": f"<p>Draft number {state['n']} of this answer.</p>",
                "revision": state["revision"],
            }
        )
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content
        state["revision"] = response.json()["revision"]
        return response

    return call


def main() -> None:
    args = parse_args()
    # Static files are served from the source tree here; there is no collectstatic to warn about.
    warnings.filterwarnings("ignore", message="No directory at")
    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmpdir:
        old_config = setup(tmpdir)
        try:
            run(args)
        finally:
            from django.db import connections
            from django.test.utils import teardown_databases

            connections.close_all()
            teardown_databases(old_config, verbosity=0)


def run(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    jordan, demo, large, conditional = build_data()
    client = Client()
    client.force_login(jordan)
    n_demo = demo.cycle.version.questions.count()

    def section(submission, number):
        return reverse("answer_section", args=[submission.pk, number])

    rows = [
        (
            f"demo ({n_demo} q.)",
            "GET section I (8 long texts)",
            page_get(client, section(demo, "I")),
        ),
        (
            f"demo ({n_demo} q.)",
            "GET section III (4 long texts + grid)",
            page_get(client, section(demo, "III")),
        ),
        (
            f"demo ({n_demo} q.)",
            "POST autosave (I.b: long text, shown when I.a is yes)",
            autosave_post(client, demo, "review-lead-entity"),
        ),
        (
            "200 questions",
            "GET section S1 (50 q., all types)",
            page_get(client, section(large, "S1")),
        ),
        ("200 questions", "POST autosave (long text)", autosave_post(client, large, "big-1-0")),
        (
            "200 q., 88 conditional",
            "GET section S1 (50 q., 22 conditional)",
            page_get(client, section(conditional, "S1")),
        ),
        (
            "200 q., 88 conditional",
            "POST autosave (conditional long text)",
            autosave_post(client, conditional, "cond-1-9"),
        ),
    ]
    results = []
    for data, request, call in rows:
        results.append((data, request, measure(call, requests=args.requests, warmup=args.warmup)))

    vendor = connection.vendor
    if vendor == "sqlite":
        version = ".".join(str(part) for part in connection.Database.sqlite_version_info)
    elif vendor == "postgresql":
        version = f"{connection.pg_version // 10000}.{connection.pg_version % 100}"
    else:
        version = ""
    print()
    print(
        f"Answering pages: server time over {args.requests} requests "
        f"(after {args.warmup} warm-up), django.test.Client"
    )
    print(
        f"Database: {vendor} {version} · Python {platform.python_version()} · "
        f"{os.cpu_count()} CPU cores · {platform.machine()}"
    )
    print()
    header = ("Data", "Request", "Median ms", "p95 ms", "Queries")
    table = [
        (data, request, f"{m['median']:.1f}", f"{m['p95']:.1f}", str(m["queries"]))
        for data, request, m in results
    ]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]

    def line(row):
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "  ".join(cells)

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print(line(row))
    print()
    # For bench/run_all.py: one line per figure.
    for data, request, m in results:
        name = "answering." + bench_slug(f"{data.split(' (')[0]} {request.split(' (')[0]}")
        print(f"BENCH name={name}.p50 value={m['median']:.1f} unit=ms")
        print(f"BENCH name={name}.p95 value={m['p95']:.1f} unit=ms")


def bench_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


if __name__ == "__main__":
    main()
