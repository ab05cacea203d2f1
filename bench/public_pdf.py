"""Anonymous requests for public PDFs, and what they do to everyone else's pages.

    .venv/bin/python bench/public_pdf.py                  # before: the code before the fix
    .venv/bin/python bench/public_pdf.py --before-ref aec686b --seconds 20

The security review's finding 4 (issue 12): each public PDF was rendered on request (1.1-1.4 s of
CPU), and 16 anonymous requests, 8 at a time, took the login page from 6 ms to a median of 2.7 s.
This script measures that scenario against the code before the fix (`--before-ref`, exported
with `git archive` into a temporary directory and run from there) and after it (this checkout).

It creates a throwaway PostgreSQL database (gcm_load_<random>, with bench/load.py's helpers, on
the server --postgres names, 127.0.0.1 only), loads the demo and publishes Morocco's 2020 review
as the system does, which (with this checkout's code) queues its public PDFs in the three
languages. Then, for each phase, it runs gunicorn as production does (gcmreview/gunicorn.conf.py,
DEBUG off, behind the proxy, 2 x cores + 1 workers of 2 threads) and, in "after", one db_worker:

- before: the old code, which renders every request;
- after, stored: this checkout, once the worker has stored the three PDFs;
- after, never stored: this checkout while a thread of this script deletes the stored PDFs a
  hundred times a second, so that (nearly) every request finds none (as for a review published
  before the fix, or one whose data keeps changing): the worst case, where what protects the
  server is the limit on renders on demand, one at a time (PUBLIC_PDF_RENDERS_AT_ONCE), the
  others refused with 503 and Retry-After.

In each it times, over HTTP from threads of this process:

- the login page alone (--login-requests sequential requests), the reference;
- one anonymous PDF request alone (--pdf-requests sequential requests), and in "after, stored" a
  revalidation (If-None-Match with the ETag: 304);
- the server's CPU time per PDF request (of those sequential requests);
- the finding's burst: --burst requests for the PDF, --concurrency at a time, each from its own
  client address (X-Forwarded-For), while the login page is opened ten times a second (each in
  its own thread, whether or not the previous ones have answered): the login page's median and
  95th percentile while the burst runs, and the burst's statuses;
- a sustained attack: --concurrency threads requesting the PDF without pause for --seconds, and
  the login page meanwhile; the PDFs served per second. Stored PDFs are then a flood of cheap
  requests, which slows the other pages as any flood does (the proxy's limits are for that).

Figures are medians in milliseconds, wall time on this machine (read them as relative: see
bench/README.md). Machine-readable lines `BENCH name=... value=... unit=...` close the output.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import load as load_bench  # noqa: E402  (bench/load.py: throwaway database, ports, percentiles)

LOGIN = "/accounts/login/"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--before-ref",
        help="the git commit whose code is 'before' (default: the one before the fix, the parent "
        "of the commit that added reports/public_pdf.py)",
    )
    parser.add_argument("--burst", type=int, default=16, help="PDF requests in the burst")
    parser.add_argument("--concurrency", type=int, default=8, help="PDF requests at a time")
    parser.add_argument("--seconds", type=float, default=10, help="length of the sustained attack")
    parser.add_argument("--login-requests", type=int, default=30)
    parser.add_argument("--pdf-requests", type=int, default=10)
    parser.add_argument(
        "--server",
        choices=["gunicorn", "runserver"],
        default="gunicorn",
        help="gunicorn as production runs it (default), or runserver as `make run` does",
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    parser.add_argument("--quick", action="store_true", help="a 5 s sustained attack (make bench)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 5
    if not args.before_ref:
        added = subprocess.run(
            ["git", "log", "--diff-filter=A", "--format=%H", "--", "reports/public_pdf.py"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        if not added:
            parser.error("cannot find the fix's commit: name the code before it with --before-ref")
        args.before_ref = f"{added[-1][:12]}^"
    return args


# --- HTTP --------------------------------------------------------------------------------------


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, float, dict]:
    """One request on a new connection, as a browser tab opening a link: (status, ms, headers)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https", **(headers or {})})
        response = conn.getresponse()
        response.read()
        status, found = response.status, dict(response.getheaders())
    except OSError:
        status, found = 0, {}
    finally:
        conn.close()
    return status, (time.perf_counter() - start) * 1000, found


def client(n: int) -> dict:
    """A request from its own client address (the proxy appends it to X-Forwarded-For)."""
    return {"X-Forwarded-For": f"198.51.{100 + n // 250 % 100}.{n % 250 + 1}"}


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


class LoginProbe(threading.Thread):
    """Opens the login page every `interval` seconds until stopped, each request in its own
    thread, whether or not the previous ones have answered (as people arrive: a probe that waited
    for each answer would ask less often exactly while the server is slow), keeping each time."""

    def __init__(self, port: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.port = port
        self.interval = interval
        self.times: list[float] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.requests: list[threading.Thread] = []

    def one(self) -> None:
        status, ms, _headers = get(self.port, LOGIN)
        if status == 200:
            with self.lock:
                self.times.append(ms)

    def run(self) -> None:
        while True:  # the first at once, then every interval
            request = threading.Thread(target=self.one, daemon=True)
            request.start()
            self.requests.append(request)
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> list[float]:
        """Stop asking; wait for the answers of what was asked."""
        self.stopped.set()
        self.join()
        for request in self.requests:
            request.join()
        return sorted(self.times)


def burst(port: int, path: str, total: int, concurrency: int) -> dict:
    """`total` PDF requests, `concurrency` at a time, while the login page is probed."""
    taken = iter(range(total))
    lock = threading.Lock()
    samples: list[tuple[int, float]] = []

    def work() -> None:
        while True:
            with lock:
                n = next(taken, None)
            if n is None:
                return
            status, ms, _headers = get(port, path, client(n))
            with lock:
                samples.append((status, ms))

    probe = LoginProbe(port)
    probe.start()
    start = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    login = probe.stop()
    return {"login": login, "samples": samples, "wall": wall}


def sustained(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """`concurrency` threads requesting the PDF without pause for `seconds`."""
    end = time.perf_counter() + seconds
    lock = threading.Lock()
    samples: list[tuple[int, float]] = []
    counter = iter(range(10**9))

    def work() -> None:
        while time.perf_counter() < end:
            with lock:
                n = next(counter)
            status, ms, _headers = get(port, path, client(n))
            with lock:
                samples.append((status, ms))

    probe = LoginProbe(port)
    probe.start()
    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    login = probe.stop()
    return {"login": login, "samples": samples, "seconds": seconds}


# --- Servers -----------------------------------------------------------------------------------


class Server:
    """gunicorn (and a db_worker when asked) from a source tree, in process groups of their own."""

    def __init__(self, tree: Path, env: dict, log_dir: Path, *, worker: bool, kind: str, port: int):
        self.procs: list[subprocess.Popen] = []
        if kind == "runserver":  # make run's: one process, a thread per request
            web = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
            # Each request's thread would keep its own connection open past its end, until
            # PostgreSQL refuses more ("too many clients"): make run uses SQLite, without that.
            env = {**env, "CONN_MAX_AGE": "0"}
        else:
            web = [sys.executable, "-m", "gunicorn", "--config", "gcmreview/gunicorn.conf.py",
                   "gcmreview.wsgi"]  # fmt: skip
        commands = [web]
        if worker:
            commands.append(
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
            )
        for index, command in enumerate(commands):
            log = open(log_dir / f"{tree.name}-{index}.log", "ab")  # noqa: SIM115 (closed with it)
            self.procs.append(
                subprocess.Popen(
                    command, cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip

    def cpu(self) -> float:
        """CPU seconds the web server's processes (gunicorn's master and workers, or runserver)
        have used so far."""
        web = self.procs[0].pid
        try:
            children = Path(f"/proc/{web}/task/{web}/children").read_text().split()
        except OSError:
            children = []
        return sum(load_bench.CpuSampler.cpu(int(pid)) or 0.0 for pid in [web, *children])

    def wait_ready(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.procs[0].poll() is not None:
                raise RuntimeError("gunicorn exited: see its log")
            if get(port, LOGIN)[0] == 200:
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within a minute")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 15)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                proc.wait()


def export_tree(ref: str, into: Path) -> Path:
    """The code of `ref`, as files (git archive: the repository itself is left alone), with this
    checkout's compiled translations (they are not committed)."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    for mo in ROOT.glob("locale/*/LC_MESSAGES/*.mo"):
        target = into / mo.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(mo, target)
    return into


# --- Data --------------------------------------------------------------------------------------


def build_data() -> int:
    """The demo, with Morocco's 2020 review published as the system does: its PDFs are queued
    (this checkout's code) for the worker of the "after" phase. Returns its id."""
    from django.core.management import call_command

    from questionnaire import services
    from questionnaire.models import Submission, SubmissionStatus

    call_command("migrate", verbosity=0)
    call_command("loaddemo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    morocco = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    if morocco.status != SubmissionStatus.PUBLISHED:
        services.submission_transition(submission=morocco, to_status=SubmissionStatus.PUBLISHED)
    return morocco.pk


def wait_for_stored(submission_id: int, count: int, timeout: float = 180) -> float:
    from django.db import connection

    from reports.models import PublishedPdf

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if PublishedPdf.objects.filter(submission_id=submission_id).count() >= count:
            connection.close()
            return time.monotonic() - start
        time.sleep(0.5)
    raise RuntimeError("the worker did not store the public PDFs within 3 minutes")


class Eraser(threading.Thread):
    """Deletes the stored PDFs every `interval` seconds until stopped: every request finds none
    (as if the review changed all the time), the worst case for the on-demand limits."""

    def __init__(self, interval: float = 0.01):
        super().__init__(daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        from django.db import connection

        from reports.models import PublishedPdf

        while not self.stopped.wait(self.interval):
            PublishedPdf.objects.all().delete()
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


# --- Measuring ---------------------------------------------------------------------------------


def measure(server: Server, port: int, path: str, args, *, revalidate: bool = False) -> dict:
    load_bench.warm_up(port, 4)
    result: dict = {}
    result["login_alone"] = sorted(get(port, LOGIN)[1] for _ in range(args.login_requests))
    cpu = server.cpu()
    pdfs = [get(port, path, client(10_000 + n)) for n in range(args.pdf_requests)]
    result["pdf_cpu"] = (server.cpu() - cpu) / args.pdf_requests * 1000
    result["pdf_alone"] = sorted(ms for status, ms, _headers in pdfs)
    result["pdf_alone_statuses"] = sorted({status for status, _ms, _headers in pdfs})
    if revalidate:
        etag = pdfs[-1][2].get("ETag", "")
        again = [get(port, path, {"If-None-Match": etag}) for _ in range(args.pdf_requests)]
        result["revalidate"] = sorted(ms for _status, ms, _headers in again)
        result["revalidate_statuses"] = sorted({status for status, _ms, _headers in again})
    result["burst"] = burst(port, path, args.burst, args.concurrency)
    result["sustained"] = sustained(port, path, args.seconds, args.concurrency)
    return result


def statuses(samples) -> str:
    counts: dict[int, int] = {}
    for status, _ms in samples:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{count} x {status}" for status, count in sorted(counts.items()))


def served_per_second(phase: dict) -> float:
    samples = phase["sustained"]["samples"]
    return sum(status == 200 for status, _ms in samples) / phase["sustained"]["seconds"]


def report(phases: dict, args, meta: dict) -> list[str]:
    pct = load_bench.percentile
    lines = [
        f"Public PDFs under anonymous load ({meta['cores']} CPU cores, {meta['server']}, "
        f"PostgreSQL, load average {meta['load_before']:.1f} at the start, "
        f"{meta['load_after']:.1f} at the end)",
        f"before: {args.before_ref}; burst: {args.burst} PDF requests, {args.concurrency} at a "
        f"time; sustained: {args.concurrency} threads for {args.seconds:g} s",
        "",
        f"{'':34}{'before':>14}{'after, stored':>16}{'after, never stored':>20}",
    ]
    order = ["before", "stored", "unstored"]

    def row(label: str, cell) -> None:
        values = []
        for name in order:
            value = cell(phases[name]) if name in phases else None
            values.append("" if value is None else value)
        lines.append(f"{label:34}{values[0]:>14}{values[1]:>16}{values[2]:>20}")

    def ms(value: float) -> str:
        if value != value:  # NaN: no sample (the burst ended before a second login was asked)
            return "-"
        return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"

    row("login page alone, median", lambda p: ms(median(p["login_alone"])))
    row("PDF alone, median", lambda p: ms(median(p["pdf_alone"])))
    row("  statuses", lambda p: ",".join(map(str, p["pdf_alone_statuses"])))
    row("  server CPU per request", lambda p: ms(p["pdf_cpu"]))
    row(
        "PDF revalidation (304), median",
        lambda p: ms(median(p["revalidate"])) if "revalidate" in p else None,
    )
    row("burst: login median", lambda p: ms(median(p["burst"]["login"])))
    row("burst: login 95th percentile", lambda p: ms(pct(p["burst"]["login"], 95)))
    row("burst: login requests", lambda p: str(len(p["burst"]["login"])))
    row("burst: PDF median", lambda p: ms(median([m for _s, m in p["burst"]["samples"]])))
    row("burst: wall time", lambda p: f"{p['burst']['wall']:.1f} s")
    row("sustained: login median", lambda p: ms(median(p["sustained"]["login"])))
    row("sustained: login 95th percentile", lambda p: ms(pct(p["sustained"]["login"], 95)))
    row("sustained: PDFs served a second", lambda p: f"{served_per_second(p):.1f}")
    lines.append("")
    for name in order:
        if name in phases:
            lines.append(f"{name}: burst statuses {statuses(phases[name]['burst']['samples'])}; "
                         f"sustained {statuses(phases[name]['sustained']['samples'])}")  # fmt: skip
    if "stored_after" in meta:
        lines.append(f"The worker stored the 3 PDFs {meta['stored_after']:.1f} s after it started.")
    lines.append("")
    prefix = "public_pdf" if args.server == "gunicorn" else f"public_pdf_{args.server}"
    for name in order:
        if name not in phases:
            continue
        p = phases[name]
        for figure, value in (
            ("login_alone_ms", median(p["login_alone"])),
            ("pdf_alone_ms", median(p["pdf_alone"])),
            ("pdf_server_cpu_ms", p["pdf_cpu"]),
            ("burst_login_median_ms", median(p["burst"]["login"])),
            ("sustained_login_median_ms", median(p["sustained"]["login"])),
        ):
            lines.append(f"BENCH name={prefix}.{name}.{figure} value={value:.1f} unit=ms")
        if "revalidate" in p:
            value = median(p["revalidate"])
            lines.append(f"BENCH name={prefix}.{name}.revalidate_ms value={value:.1f} unit=ms")
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()[0]
    name, database_url = load_bench.create_database(args.postgres)
    tmp = Path(tempfile.mkdtemp(prefix="gcm-public-pdf-"))
    port = load_bench.free_port()
    env = load_bench.production_env(database_url=database_url, tmp=tmp, port=port)
    server = None
    phases: dict = {}
    meta = {"load_before": load_before, "cores": os.cpu_count()}
    try:
        load_bench.django_setup(env)
        print(f"Building {name}: the demo, Morocco's review published ...", flush=True)
        submission_id = build_data()
        path = f"/public/submissions/{submission_id}/pdf/"
        if args.server == "gunicorn":
            config = runpy.run_path(str(ROOT / "gcmreview" / "gunicorn.conf.py"))
            meta["server"] = f"gunicorn {config['workers']} workers x {config['threads']} threads"
        else:
            meta["server"] = "runserver, one process"

        before_tree = export_tree(args.before_ref, tmp / "before")
        print(f"before ({args.before_ref}): every request renders ...", flush=True)
        server = Server(before_tree, env, tmp, worker=False, kind=args.server, port=port)
        server.wait_ready(port)
        phases["before"] = measure(server, port, path, args)
        server.stop()

        print("after: the worker stores the PDFs queued at publication ...", flush=True)
        server = Server(ROOT, env, tmp, worker=True, kind=args.server, port=port)
        server.wait_ready(port)
        meta["stored_after"] = wait_for_stored(submission_id, 3)
        phases["stored"] = measure(server, port, path, args, revalidate=True)

        print("after, never stored: rendered on demand under the limits ...", flush=True)
        eraser = Eraser()
        eraser.start()
        try:
            phases["unstored"] = measure(server, port, path, args)
        finally:
            eraser.stop()
        server.stop()
        server = None
        meta["load_after"] = os.getloadavg()[0]
        print()
        print("\n".join(report(phases, args, meta)))
    finally:
        if server is not None:
            server.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        load_bench.drop_database(args.postgres, name)
        if args.keep_logs:
            for log in tmp.glob("*.log"):
                shutil.copy2(log, Path(tempfile.gettempdir()) / f"public-pdf-bench-{log.name}")
            print(f"Logs kept in {tempfile.gettempdir()}/public-pdf-bench-*.log")
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
