"""How long importing a Word document takes, and how much memory it needs.

    DEBUG=1 .venv/bin/python bench/word_import.py [--runs 10]

Runs in a throwaway database (bench/answering.py's `setup`: a temporary SQLite file, or a
separate `test_<name>_answering_bench` database when DATABASE_URL names a PostgreSQL server).
It loads the demo and times, for two documents of Morocco's 2020 review (24 answers, about 17
pages), what the "Read the document" button does (`document_import_read`: checks, mammoth,
matching, every answer read by its type) and then the preview (`document_import_preview`: the
portal's answers, the word diffs):

- the document the portal writes (`questionnaire.word.writer.submission_docx`), matched by its
  hidden bookmarks;
- the same answers in the published document's layout (typed "▪" bullets, no hidden marks,
  tests/word/documents.py), matched by section, letter and text.

It imports into an empty draft of another country, so every answer differs and is diffed. Peak
memory is Python's (tracemalloc) during one read and preview, and the process's resident peak.
The target (issue 17): under 2 s for Morocco's document.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from answering import setup  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed imports per document")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        old_config = setup(tmpdir)
        try:
            return run(args)
        finally:
            from django.test.utils import teardown_databases

            teardown_databases(old_config, verbosity=0)


def run(args) -> int:
    from django.core.management import call_command

    from questionnaire import selectors, services
    from questionnaire.models import Country, Submission
    from questionnaire.word import writer
    from tests.factories import MembershipFactory
    from tests.word.documents import seed_layout_docx

    call_command("loaddemo", verbosity=0)
    morocco = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    cycle = morocco.cycle
    cycle.is_closed = False
    cycle.save(update_fields=["is_closed"])
    draft = Submission.objects.create(
        cycle=cycle, country=Country.objects.get(iso2="TN"), language="en"
    )
    user = MembershipFactory(country=draft.country, role="focal_point").user
    documents = {
        "portal's DOCX": writer.submission_docx(submission=morocco, language="en"),
        "published layout": seed_layout_docx(),
    }

    def once(data: bytes):
        document_import = services.document_import_read(
            submission=draft, file=io.BytesIO(data), name="morocco.docx", user=user
        )
        preview = selectors.document_import_preview(document_import=document_import)
        assert len(preview.proposed) == 24, len(preview.proposed)
        return document_import

    print(f"{'document':<18} {'size KB':>8} {'median s':>9} {'max s':>7} {'peak MB':>8}")
    figures = []
    for name, data in documents.items():
        once(data)  # warm: imports, templates, first queries
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            once(data)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        once(data)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        median = statistics.median(times)
        print(
            f"{name:<18} {len(data) / 1024:>8.0f} {median:>9.3f} {max(times):>7.3f} "
            f"{peak / 1024 / 1024:>8.1f}"
        )
        slug = "portal" if name.startswith("portal") else "published_layout"
        figures += [
            (f"word_import.{slug}_median", f"{median:.3f}", "s"),
            (f"word_import.{slug}_peak_memory", f"{peak / 1024 / 1024:.1f}", "MB"),
        ]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process resident peak: {rss:.0f} MB")
    for figure in figures:
        print("BENCH name={} value={} unit={}".format(*figure))
    print(f"BENCH name=word_import.process_rss value={rss:.0f} unit=MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
