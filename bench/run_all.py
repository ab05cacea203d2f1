"""Every benchmark in bench/, with quick settings, and one table of their figures at the end.

    .venv/bin/python bench/run_all.py [--only load,answering] [--full]      (make bench)

Each script prints its own report (shown as it runs) and, at the end, machine-readable lines

    BENCH name=<figure> value=<number> unit=<unit>

which this runner collects. For a script that prints none (bench/reports.py), the figures are
read from its report's text instead (REPORT_PATTERNS). A script that fails is marked FAILED in
the table, the others still run, and the runner exits non-zero.

Scripts that need PostgreSQL (load.py, public_pdf.py, the compilation of reports.py,
backup_restore.sh) use the server on 127.0.0.1:5432 (BENCH_POSTGRES_URL to change it) and create
and drop their own throwaway databases; answering.py, review.py and api.py use a temporary SQLite
file unless DATABASE_URL is set, as their docstrings say. None of them restarts PostgreSQL: the
fault test (`bench/load.py --restart-postgres-at 40`) is run by hand (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# name → (command, quick arguments, full arguments)
SCRIPTS = {
    "answering": (
        [sys.executable, "bench/answering.py"],
        ["--requests", "20", "--warmup", "3"],
        [],
    ),
    "review": ([sys.executable, "bench/review.py"], ["--requests", "10", "--warmup", "2"], []),
    "api": ([sys.executable, "bench/api.py"], ["--requests", "30", "--warmup", "3"], []),
    "reports": ([sys.executable, "bench/reports.py"], ["--runs", "2", "--quick"], []),
    "load": ([sys.executable, "bench/load.py"], ["--quick"], []),
    "public_pdf": ([sys.executable, "bench/public_pdf.py"], ["--quick"], []),
    "charts": ([sys.executable, "bench/charts.py"], ["--countries", "6", "--runs", "1"], []),
    "word_import": ([sys.executable, "bench/word_import.py"], ["--runs", "3"], []),
    "backup_restore": (["bash", "bench/backup_restore.sh"], [], []),
}

LINE = re.compile(r"^BENCH name=(\S+) value=(\S+) unit=(\S+)\s*$")
# Figures read from the text of a report that prints no BENCH lines: (name, regex, unit); the
# regex's first group is the value.
OURS = r"ours: selectors, templates, PDF"
REPORT_PATTERNS = {
    "reports": [
        ("reports.pdf_cpu", OURS + r"\s+([\d.]+)", "s"),
        ("reports.pdf_wall", OURS + r"\s+[\d.]+\s+([\d.]+)", "s"),
        ("reports.pdf_peak_memory", OURS + r"(?:\s+[\d.]+){3}\s+(\d+)", "MB"),
        ("reports.pdf_ours_over_raw", r"CPU time ours/raw\s+([\d.]+)x", "x"),
        ("reports.compile_cold_1_worker", r"cold: empty cache\s+1\s+([\d.]+)", "s"),
        ("reports.compile_cold_2_workers", r"cold: empty cache\s+2\s+([\d.]+)", "s"),
        ("reports.compile_warm_2_workers", r"warm: nothing changed\s+2\s+([\d.]+)", "s"),
        ("reports.compile_speedup", r"speed-up of 2 workers over 1, cold\s+([\d.]+)x", "x"),
        ("reports.recompile_one_change", r"after one change, 2 workers\s+([\d.]+) s", "s"),
    ],
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated script names: " + ", ".join(SCRIPTS))
    parser.add_argument("--full", action="store_true", help="each script's own defaults")
    return parser.parse_args()


def figures_from(name: str, output: str) -> list[tuple[str, str, str]]:
    found = [m.groups() for m in map(LINE.match, output.splitlines()) if m]
    if found:
        return found
    figures = []
    for figure, pattern, unit in REPORT_PATTERNS.get(name, []):
        match = re.search(pattern, output)
        if match:
            figures.append((figure, match.group(1), unit))
    return figures


def run(name: str, full: bool) -> tuple[int, str, float]:
    command, quick, full_args = SCRIPTS[name]
    argv = [*command, *(full_args if full else quick)]
    print(f"\n=== {name}: {' '.join(argv[1:] if argv[0] == sys.executable else argv)}", flush=True)
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    proc.wait()
    return proc.returncode, "".join(lines), time.monotonic() - start


def main() -> int:
    args = parse_args()
    names = args.only.split(",") if args.only else list(SCRIPTS)
    unknown = [n for n in names if n not in SCRIPTS]
    if unknown:
        raise SystemExit(f"unknown script(s): {', '.join(unknown)}")
    load_before = os.getloadavg()
    rows, failed = [], []
    for name in names:
        code, output, seconds = run(name, args.full)
        figures = figures_from(name, output)
        if code != 0:
            failed.append(name)
            rows.append((name, "FAILED", f"exit {code}", f"after {seconds:.0f} s"))
        for figure, value, unit in figures:
            rows.append((name, figure, value, unit))
        if code == 0 and not figures:
            rows.append((name, "(no figures found in its output)", "", ""))
    load_after = os.getloadavg()
    print()
    print(
        f"Benchmark figures ({'full' if args.full else 'quick'} settings; {os.cpu_count()} CPU "
        f"cores; load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end)"
    )
    print()
    header = ("script", "figure", "value", "unit")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(
                cell.rjust(widths[i]) if i == 2 else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
