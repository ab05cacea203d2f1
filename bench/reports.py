"""How long the reports take, and how much memory: the submission PDF for now.

    DEBUG=1 .venv/bin/python bench/reports.py [--runs 5] [--only pdf]

Runs on a throwaway SQLite file in a temporary directory, filled by `loaddemo`: the developer's
own database (and DATABASE_URL) is never opened. Each section times its work in this process
(median and fastest of --runs, after one warm-up) and measures peak memory in a fresh
subprocess per variant (ru_maxrss: Pango's and HarfBuzz's memory counts, which tracemalloc would
miss). Sections are the SECTIONS table at the bottom; add one for each new report.

The PDF section compares our code end to end (selectors, templates, our URL fetcher, tagged
PDF) with raw WeasyPrint on the same HTML string, default options. Targets: within 1.2x of raw,
under 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PDF_RATIO_TARGET = 1.2
PDF_SECONDS_TARGET = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per row")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section only")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # memory probe, see measure_memory
    parser.add_argument("--db", help=argparse.SUPPRESS)
    return parser.parse_args()


def django_setup(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gcmreview.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: time what production runs


def build_database(db_path: Path) -> None:
    django_setup(db_path)
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)


def timed(calls: dict, runs: int) -> dict:
    """Wall-clock and CPU time of each call: median and fastest. The calls take turns, so that
    a busy machine slows them all alike; CPU time (the process's own) is what the targets use,
    as other processes on the machine barely change it."""
    for call in calls.values():
        call()  # warm-up: imports, template loading, first font scan
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    return {
        name: {
            "wall": statistics.median(wall[name]),
            "wall_min": min(wall[name]),
            "cpu": statistics.median(cpu[name]),
        }
        for name in calls
    }


def _proc_status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak_memory() -> float:
    """Resident memory now, with the high-water mark reset to it (Linux; else a no-op).

    Not ru_maxrss: a child process inherits its parent's from before exec."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _proc_status_mb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory() -> float:
    return _proc_status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_memory(variant: str, db_path: Path) -> dict:
    """Peak resident memory of a fresh process that does `variant` once."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--db", str(db_path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": os.environ.get("DEBUG", "1")},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- The submission PDF ---------------------------------------------------------------------------


def morocco():
    from questionnaire import selectors

    return selectors.submission_for_country_and_cycle(iso2="MA", cycle_slug="arab-2020")


def pdf_variants() -> dict:
    """name → a function doing it once. The raw variant renders the HTML our templates give."""
    from django.utils import translation
    from weasyprint import HTML

    from reports import pdf
    from reports.fetcher import static_base_url

    translation.activate("en")
    submission = morocco()
    html = pdf.submission_html(submission=submission)
    base_url = static_base_url()
    return {
        "ours": lambda: pdf.submission_pdf(submission=morocco()),
        "html": lambda: pdf.submission_html(submission=morocco()),
        "raw": lambda: HTML(string=html, base_url=base_url).write_pdf(),
    }


def child(variant: str, db_path: Path) -> None:
    django_setup(db_path)
    call = pdf_variants()[variant]
    before = reset_peak_memory()
    call()
    peak = peak_memory()
    print(json.dumps({"peak_mb": peak, "added_mb": peak - before}))


def bench_pdf(db_path: Path, runs: int) -> list[str]:
    from pypdf import PdfReader

    variants = pdf_variants()
    document = variants["ours"]()
    pages = len(PdfReader(io.BytesIO(document)).pages)
    times = timed(variants, runs)
    ours, html, raw = times["ours"], times["html"], times["raw"]
    memory = {name: measure_memory(name, db_path) for name in ("ours", "raw")}
    ratio = ours["cpu"] / raw["cpu"]
    memory_ratio = memory["ours"]["added_mb"] / max(memory["raw"]["added_mb"], 0.1)

    def row(label, t, m=None):
        mem = f"{m['peak_mb']:8.0f} {m['added_mb']:9.0f}" if m else f"{'':8} {'':9}"
        return f"  {label:<36} {t['cpu']:7.3f} {t['wall']:7.3f} {t['wall_min']:7.3f} {mem}"

    header = ("CPU s", "wall s", "best s", "peak MB", "render MB")
    return [
        f"Submission PDF: Morocco, arab-2020 ({pages} pages, {len(document) / 1024:.0f} KiB)",
        "",
        f"  {'medians of ' + str(runs) + ' runs':<36} "
        + " ".join(f"{h:>{w}}" for h, w in zip(header, (7, 7, 7, 8, 9), strict=True)),
        row("ours: selectors, templates, PDF", ours, memory["ours"]),
        row("  of which the HTML (templates)", html),
        row("raw WeasyPrint, same HTML string", raw, memory["raw"]),
        "",
        f"  CPU time ours/raw  {ratio:5.2f}x   target <= {PDF_RATIO_TARGET}x  "
        + ("met" if ratio <= PDF_RATIO_TARGET else "MISSED"),
        f"  CPU time ours      {ours['cpu']:5.2f} s   target <  {PDF_SECONDS_TARGET} s   "
        + ("met" if ours["cpu"] < PDF_SECONDS_TARGET else "MISSED"),
        f"  memory ours/raw    {memory_ratio:5.2f}x   (resident memory one render adds)",
    ]


SECTIONS = {"pdf": bench_pdf}


def main() -> None:
    args = parse_args()
    if args.child:
        child(args.child, Path(args.db))
        return
    import weasyprint

    with tempfile.TemporaryDirectory(prefix="gcm-bench-") as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        build_database(db_path)
        print(
            f"GCM Review Portal, reports benchmark: Python {platform.python_version()}, "
            f"WeasyPrint {weasyprint.__version__}, {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
            f"{args.runs} runs after a warm-up"
        )
        for name, section in SECTIONS.items():
            if args.only and name != args.only:
                continue
            print()
            print("\n".join(section(db_path, args.runs)))


if __name__ == "__main__":
    main()
