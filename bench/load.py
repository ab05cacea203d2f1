"""Many people at once: the portal under gunicorn on PostgreSQL, as in production.

    .venv/bin/python bench/load.py                        # 100 users for 120 s (the issue's)
    .venv/bin/python bench/load.py --quick                # 30 users for 30 s
    .venv/bin/python bench/load.py --restart-postgres-at 40   # the fault test

(the fault test restarts the PostgreSQL server itself: see docs/performance.md.)

It creates a throwaway database (gcm_load_<random>) on the PostgreSQL server --postgres names
(127.0.0.1 only), loads the demo, starts a draft of the open 2024 cycle for each of the 22
countries (every long-text question answered once), and gives each country three people (a focal
point and two contributors) and ESCWA five reviewers with an authenticator app. It then runs
gunicorn (gcmreview/gunicorn.conf.py, DEBUG off, collected static files, as behind the TLS
proxy of docs/deploy.md) and one `db_worker`, and a load of simulated users, threads of this
process speaking HTTP to 127.0.0.1 only:

- editing sessions (--users minus --reviewers, spread over the 66 people, so that some people
  work in two tabs): log in through the login form, open a section page, and save answers the
  way static/js/answering.js does: POST {value, revision} to the autosave endpoint; on 409 take
  the stored revision and save again ("keep mine"); on 5xx or a lost connection wait 2, 5, 10,
  20, 30 s and try again; now and then the check page or an answer's history;
- reviewers: log in with a password and a code from their authenticator, then browse the
  dashboard, submissions, review pages, one question across countries, the search, and download
  CSV and XLSX exports.

At the end it prints throughput and median / 95th / 99th percentile latency per kind of request
and the errors, then checks that every save the server acknowledged (200 with revision N for
value V) is in the database: the answer is at revision N or later, and its revision N holds V.
With --restart-postgres-at it restarts PostgreSQL that many seconds into the full load (once
every user has logged in; the --duration seconds of load start then) and reports what
users saw meanwhile (503 "try again" rather than 500), whether the gunicorn workers lived on, and
whether every request after the restart succeeded. The database is dropped at the end.

Machine-readable lines `BENCH name=... value=... unit=...` close the output (bench/run_all.py).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import resource
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CYCLE = "arab-2024"
PASSWORD = "load-test-passphrase-2024"  # noqa: S105 (a throwaway database's users)
ROLES = ("focal_point", "contributor", "contributor")
# The page's pauses between retries after a server error or a lost connection (answering.js).
RETRY_SECONDS = (2, 5, 10, 20, 30)
MAX_CONFLICT_RETRIES = 5
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SEARCH_TERMS = ("migrants", "national committee", "labour", "strategy -asylum", "ministry")
PARAGRAPH = (
    "The national coordination committee met with the ministries of labour, interior and "
    "foreign affairs, and with civil society, to review the implementation of the objectives."
)
ARABIC = "تتولى اللجنة الوطنية تنسيق سياسات الهجرة وتجتمع كل ثلاثة أشهر مع الوزارات."


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="simultaneous users (default 100)")
    parser.add_argument("--reviewers", type=int, default=5, help="of which ESCWA reviewers")
    parser.add_argument(
        "--duration", type=float, default=120, help="seconds of load once every user is in"
    )
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which users arrive")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="scale of the pauses between a user's actions (1: 2-6 s between an editor's saves, "
        "1-4 s between a reviewer's pages; 0: no pause, the most the server can take)",
    )
    parser.add_argument("--countries", type=int, default=22, help="countries taking part")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker")
    parser.add_argument(
        "--quick", action="store_true", help="30 users for 30 s after a 5 s ramp (make bench)"
    )
    parser.add_argument(
        "--restart-postgres-at",
        type=float,
        metavar="SECONDS",
        help="restart the PostgreSQL server this many seconds after every user has logged in "
        "(the fault test)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="the PostgreSQL server for the throwaway database (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--keep-logs", action="store_true", help="keep gunicorn's log directory")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.duration, args.ramp = 30, 30, 5
    args.reviewers = min(args.reviewers, args.users)
    return args


# --- The throwaway database and its data ------------------------------------------------------


def create_database(server_url: str) -> tuple[str, str]:
    import psycopg2

    server = urlsplit(server_url)
    if server.hostname not in LOOPBACK:
        raise SystemExit(f"--postgres must be on this machine (127.0.0.1), not {server.hostname}")
    name = f"gcm_load_{secrets.token_hex(4)}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return name, urlunsplit(server._replace(path=f"/{name}"))


def drop_database(server_url: str, name: str) -> None:
    import psycopg2

    for _attempt in range(30):  # PostgreSQL may still be coming back after the fault test
        try:
            admin = psycopg2.connect(server_url)
            break
        except psycopg2.OperationalError:
            time.sleep(1)
    else:
        print(f"Could not drop {name}: PostgreSQL is not answering", file=sys.stderr)
        return
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


@dataclass
class Plan:
    """Who logs in as whom, and what they open."""

    editors: list[dict]  # username, iso2, submission pk, sections with long texts
    reviewers: list[dict]  # username, TOTP device pk
    submissions: list[int]
    question_keys: list[str]
    cycle_id: int


def build_data(*, countries: int, reviewers: int, rng: random.Random) -> Plan:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import StaffRole, User
    from questionnaire import services
    from questionnaire.models import (
        Country,
        CountryRole,
        Membership,
        QuestionType,
        ReviewCycle,
        Submission,
    )

    call_command("migrate", verbosity=0)
    # Every country of 2024 is filled here, Morocco too: without the demo's invented review.
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    cycle = ReviewCycle.objects.get(slug=CYCLE)
    long_texts = [
        q
        for q in cycle.version.questions.select_related("section").order_by("section__order")
        if q.type == QuestionType.LONG_TEXT
    ]
    # One real (PBKDF2) hash for everyone: logging in costs what it costs in production, building
    # the users does not.
    password = make_password(PASSWORD)
    editors, submissions = [], []
    for country in Country.objects.order_by("iso2")[:countries]:
        submission = Submission.objects.filter(cycle=cycle, country=country).first()
        if submission is None:
            submission = services.submission_create(cycle=cycle, country=country, language="en")
        answered = set(submission.answers.values_list("question_id", flat=True))
        for question in long_texts:
            if question.pk not in answered:
                services.answer_save(
                    submission=submission,
                    question=question,
                    value=f"<p>{country.name_en}: {PARAGRAPH}</p><p>{ARABIC}</p>",
                )
        submissions.append(submission.pk)
        sections = sorted({q.section.number for q in long_texts})
        for index, role in enumerate(ROLES):
            user = User.objects.create(
                username=f"load-{country.iso2.lower()}-{index}",
                email=f"load-{country.iso2.lower()}-{index}@example.org",
                first_name=country.name_en,
                last_name=f"Person {index}",
                password=password,
            )
            Membership.objects.create(
                user=user, country=country, role=getattr(CountryRole, role.upper())
            )
            editors.append(
                {
                    "username": user.username,
                    "iso2": country.iso2,
                    "submission": submission.pk,
                    "sections": sections,
                    "role_index": index,
                }
            )
    staff = []
    for index in range(reviewers):
        user = User.objects.create(
            username=f"load-reviewer-{index}",
            email=f"load-reviewer-{index}@example.org",
            staff_role=StaffRole.REVIEWER,
            password=password,
        )
        device = TOTPDevice.objects.create(user=user, name="Load test app", confirmed=True)
        staff.append({"username": user.username, "device": device.pk})
    rng.shuffle(editors)
    return Plan(
        editors=editors,
        reviewers=staff,
        submissions=submissions,
        question_keys=[q.key for q in long_texts],
        cycle_id=cycle.pk,
    )


def totp_code(device_pk: int) -> str:
    """The code the reviewer's authenticator app shows now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(pk=device_pk)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn and one db_worker, in process groups of their own."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        for name, command in (
            (
                "gunicorn",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    str(ROOT / "gcmreview" / "gunicorn.conf.py"),
                    "gcmreview.wsgi",
                ],
            ),
            (
                "worker",
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
            ),
        ):
            log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed by stop)
            self.procs.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    @property
    def gunicorn(self) -> subprocess.Popen:
        return self.procs[0]

    def worker_pids(self) -> set[int]:
        """The gunicorn master's children: its workers."""
        pid = self.gunicorn.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return set()
        return {int(p) for p in text.split()}

    def wait_ready(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_dir / 'gunicorn.log'}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within a minute")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def warm_up(port: int, slots: int) -> None:
    """A few rounds of concurrent requests, so that every worker has imported its views and
    templates before the clock starts."""

    def one():
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            conn.close()

    for _round in range(3):
        threads = [threading.Thread(target=one) for _ in range(slots * 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


# --- Simulated users --------------------------------------------------------------------------


@dataclass
class Sample:
    at: float  # seconds since the start of the run
    kind: str
    status: int  # 0: no HTTP answer (connection refused, reset, timed out)
    ms: float
    retry_after: bool = False
    json_body: bool = False


@dataclass
class Ack:
    submission: int
    key: str
    revision: int
    value: str
    sent: str


@dataclass
class Shared:
    """What the simulated users share. The clock: users arrive over the ramp and log in; once
    the last one has (`all_in`), everyone works for `duration` seconds more (`end`)."""

    host: str
    port: int
    start: float
    end: float
    duration: float
    expected: int
    think: float
    plan: Plan
    arrived: int = 0
    all_in: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    everyone_in: threading.Event = field(default_factory=threading.Event)

    def logged_in(self) -> None:
        """One more user is in (or gave up trying)."""
        with self.lock:
            self.arrived += 1
            if self.arrived == self.expected:
                now = time.monotonic()
                self.all_in = now - self.start
                self.end = now + self.duration
                self.everyone_in.set()


class Stop(Exception):
    pass


class Browser:
    """One user's browser tab: a keep-alive connection and its cookies."""

    def __init__(self, shared: Shared, samples: list):
        self.shared = shared
        self.samples = samples
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.origin = f"https://{shared.host}"
        self.last_url = "/"

    def _open(self):
        return http.client.HTTPConnection("127.0.0.1", self.shared.port, timeout=120)

    def request(self, kind: str, method: str, path: str, *, body=None, headers=None):
        if time.monotonic() >= self.shared.end:
            raise Stop
        sent_headers = {
            "Host": self.shared.host,
            # As behind the proxy of docs/deploy.md, which ends TLS (BEHIND_PROXY=1).
            "X-Forwarded-Proto": "https",
            "User-Agent": "gcm-load/1",
            "Accept": "text/html,application/xhtml+xml",
        }
        if self.cookies:
            sent_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent_headers["Origin"] = self.origin
            sent_headers["Referer"] = self.origin + self.last_url
        sent_headers.update(headers or {})
        start = time.monotonic()
        status, response, data = 0, None, b""
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = self._open()
            try:
                self.conn.request(method, path, body=body, headers=sent_headers)
                response = self.conn.getresponse()
                data = response.read()
                status = response.status
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                # A kept-alive connection the server had closed: browsers try once more.
                if not (reused and attempt == 0):
                    break
        ms = (time.monotonic() - start) * 1000
        content_type = response.getheader("Content-Type", "") if response else ""
        self.samples.append(
            Sample(
                at=start - self.shared.start,
                kind=kind,
                status=status,
                ms=ms,
                retry_after=bool(response and response.getheader("Retry-After")),
                json_body=content_type.startswith("application/json"),
            )
        )
        if response is not None:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                lowered = header.lower()
                if "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        if method == "GET" and status == 200:
            self.last_url = path
        return status, response, data

    def get_until_ok(self, kind: str, path: str) -> tuple[str, str]:
        """GET a page, following redirects, and waiting like a person pressing "Try again"
        while the server answers 5xx. Returns the final path and the page."""
        attempt = 0
        while True:
            status, response, data = self.request(kind, "GET", path)
            if status in (301, 302, 303):
                location = urlsplit(response.getheader("Location"))
                path = location.path + (f"?{location.query}" if location.query else "")
                kind = "GET (redirected)"
                continue
            if status == 200:
                return path, data.decode("utf-8", "replace")
            if status == 0 or status >= 500:
                self.pause(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1
                continue
            raise RuntimeError(f"GET {path}: {status}")

    def post_form(self, kind: str, path: str, fields: dict) -> tuple[int, object]:
        attempt = 0
        while True:
            status, response, _data = self.request(
                kind,
                "POST",
                path,
                body=urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            if status == 0 or status >= 500:
                self.pause(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1
                continue
            return status, response

    def pause(self, seconds: float) -> None:
        left = self.shared.end - time.monotonic()
        if left <= 0:
            raise Stop
        time.sleep(min(seconds, left))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BLOCK = re.compile(r'<fieldset class="portal-question answer-block[^"]*"(.*?)>', re.S)
ATTR = re.compile(r'data-(key|type|revision|url)="([^"]*)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def log_in(browser: Browser, username: str, device: int | None = None) -> None:
    path, html = browser.get_until_ok("GET login page", "/accounts/login/")
    status, response = browser.post_form(
        "POST login (password)",
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(html), "username": username, "password": PASSWORD},
    )
    if status != 302:
        raise RuntimeError(f"login of {username} answered {status}")
    path, html = browser.get_until_ok("GET home", "/")
    if device is not None:
        # The reviewer was sent to the second step: a code from their authenticator app.
        if "two-factor" not in path:
            raise RuntimeError(f"{username} was not asked for a code ({path})")
        with browser.shared.lock:
            code = totp_code(device)
        status, response = browser.post_form(
            "POST login (2FA code)",
            path.split("?")[0],
            {"csrfmiddlewaretoken": csrf_token(html), "code": code, "next": "/"},
        )
        if status != 302:
            raise RuntimeError(f"two-factor step of {username} answered {status}")
        browser.get_until_ok("GET home", "/")


def answer_value(username: str, session: int, n: int, rng: random.Random) -> str:
    sentences = rng.randint(1, 4)
    items = "".join(f"<li>Measure {i + 1} of edit {n}.</li>" for i in range(rng.randint(0, 3)))
    return f"<p>{username} (tab {session}), edit {n}: {' '.join([PARAGRAPH] * sentences)}</p>" + (
        f"<ul>{items}</ul>" if items else ""
    )


def editor(shared: Shared, index: int, person: dict, samples: list, acks: list, rng) -> None:
    browser = Browser(shared, samples)
    think = shared.think
    try:
        try:
            log_in(browser, person["username"])
        finally:
            shared.logged_in()
        submission = person["submission"]
        n = 0
        while True:
            number = rng.choice(person["sections"])
            _path, html = browser.get_until_ok(
                "GET section page", f"/submissions/{submission}/sections/{number}/"
            )
            token = csrf_token(html)
            blocks = {}
            for match in BLOCK.finditer(html):
                attrs = dict(ATTR.findall(match.group(1)))
                if attrs.get("type") == "long_text":
                    blocks[attrs["key"]] = {
                        "revision": int(attrs.get("revision") or 0),
                        "url": attrs["url"],
                    }
            if not blocks:
                raise RuntimeError(f"no long-text question on section {number}")
            for _edit in range(rng.randint(3, 8)):
                browser.pause(rng.uniform(2, 6) * think)  # typing, then the page's 1.2 s pause
                key = pick_question(list(blocks), person, rng)
                n += 1
                value = answer_value(person["username"], index, n, rng)
                autosave(browser, submission, key, blocks[key], value, token, acks)
            roll = rng.random()
            if roll < 0.15:
                browser.pause(rng.uniform(1, 3) * think)
                browser.get_until_ok("GET check page", f"/submissions/{submission}/check/")
            elif roll < 0.25:
                browser.pause(rng.uniform(1, 3) * think)
                key = rng.choice(list(blocks))
                browser.get_until_ok(
                    "GET answer history", f"/submissions/{submission}/answers/{key}/history/"
                )
    except Stop:
        pass
    finally:
        browser.close()


def pick_question(keys: list[str], person: dict, rng) -> str:
    """Colleagues mostly share the work out: each person edits "their" questions four times in
    five, anyone's otherwise (and the same person in two tabs edits the same ones)."""
    own = [k for k in keys if sum(map(ord, k)) % len(ROLES) == person["role_index"]]
    if own and rng.random() < 0.8:
        return rng.choice(own)
    return rng.choice(keys)


def autosave(browser: Browser, submission: int, key: str, block: dict, value, token, acks):
    """What answering.js does with one answer: post it with the revision it started from."""
    attempt = conflicts = 0
    revision = block["revision"]
    while True:
        status, _response, data = browser.request(
            "POST autosave",
            "POST",
            block["url"],
            body=json.dumps({"value": value, "revision": revision}),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": token,
                "X-Requested-With": "fetch",
            },
        )
        payload = None
        with contextlib.suppress(ValueError):
            payload = json.loads(data or b"null")
        if status == 200 and payload and payload.get("ok"):
            block["revision"] = payload["revision"]
            acks.append(Ack(submission, key, payload["revision"], payload["value"], value))
            return
        if status == 409 and payload and payload.get("current"):
            # Someone saved in between: the page shows both; this user keeps theirs, which is
            # a save based on the revision now stored.
            browser.samples[-1].kind = "POST autosave (409 conflict)"
            conflicts += 1
            revision = payload["current"]["revision"]
            block["revision"] = revision
            if conflicts > MAX_CONFLICT_RETRIES:
                return  # the page would leave the choice to the user: a correct answer all along
            continue
        if status == 0 or status >= 500:
            browser.samples[-1].kind = f"POST autosave ({status or 'no answer'}, retried)"
            browser.pause(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1
            continue
        # 400, 401, 403: the page stops and tells the user; counted as errors.
        return


def reviewer(shared: Shared, person: dict, samples: list, rng) -> None:
    browser = Browser(shared, samples)
    plan = shared.plan
    actions = [
        ("GET home", 8, lambda: "/"),
        ("GET dashboard", 20, lambda: f"/cycles/{CYCLE}/"),
        # The review tools live on the submission page (the former review page redirects there).
        ("GET submission page", 28, lambda: f"/submissions/{rng.choice(plan.submissions)}/"),
        (
            "GET question across countries",
            14,
            lambda: f"/cycles/{CYCLE}/questions/{rng.choice(plan.question_keys)}/",
        ),
        (
            "GET search",
            12,
            lambda: f"/cycles/{CYCLE}/search/?" + urlencode({"q": rng.choice(SEARCH_TERMS)}),
        ),
        ("GET export CSV", 9, lambda: f"/cycles/{CYCLE}/exports/answers-long.csv?drafts=1"),
        ("GET export XLSX", 9, lambda: f"/cycles/{CYCLE}/exports/answers-wide.xlsx?drafts=1"),
    ]
    weights = [weight for _kind, weight, _url in actions]
    try:
        try:
            log_in(browser, person["username"], person["device"])
        finally:
            shared.logged_in()
        while True:
            browser.pause(rng.uniform(1, 4) * shared.think)
            kind, _weight, url = rng.choices(actions, weights)[0]
            browser.get_until_ok(kind, url())
    except Stop:
        pass
    finally:
        browser.close()


class CpuSampler(threading.Thread):
    """CPU seconds that gunicorn's workers and this database's PostgreSQL backends spend while
    everyone is logged in: a figure the other work on a shared machine barely changes (it changes
    how long a request waits for a core, not how much CPU it needs)."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server: Server, server_url: str, database: str, shared: Shared):
        super().__init__(daemon=True)
        self.server, self.database, self.shared = server, database, shared
        self.server_url = server_url  # the sampler's own connection is not to `database`
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.halt = threading.Event()

    @classmethod
    def cpu(cls, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / cls.TICK  # utime + stime

    def backends(self) -> set[int]:
        import psycopg2

        try:
            with (
                contextlib.closing(psycopg2.connect(self.server_url)) as conn,
                conn.cursor() as cursor,
            ):
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
                )
                return {row[0] for row in cursor.fetchall()}
        except psycopg2.Error:
            return set()

    def sample(self, initial: bool) -> None:
        pids = [("gunicorn", p) for p in self.server.worker_pids()]
        pids += [("postgres", p) for p in self.backends()]
        for key in pids:
            value = self.cpu(key[1])
            if value is None:
                continue
            # A process first seen after the start counts from zero: all its CPU is in the run.
            self.first.setdefault(key, value if initial else 0.0)
            self.last[key] = value

    def run(self) -> None:
        self.shared.everyone_in.wait()
        self.sample(initial=True)
        while not self.halt.wait(2):
            self.sample(initial=False)

    def stop(self) -> None:
        if self.shared.everyone_in.is_set():
            self.sample(initial=False)
        self.halt.set()

    def totals(self) -> dict[str, float]:
        out = {"gunicorn": 0.0, "postgres": 0.0}
        for key, value in self.last.items():
            out[key[0]] += value - self.first.get(key, 0.0)
        return out


# --- The fault: a PostgreSQL restart ----------------------------------------------------------


def restart_postgres(result: dict, at: float, shared: Shared) -> None:
    """`at` seconds after the last user logged in, restart the PostgreSQL server."""
    start = shared.start
    shared.everyone_in.wait()
    time.sleep(max(0.0, start + shared.all_in + at - time.monotonic()))
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    result["began"] = time.monotonic() - start
    completed = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        capture_output=True,
        text=True,
    )
    result["command_done"] = time.monotonic() - start
    result["returncode"] = completed.returncode
    result["output"] = (completed.stdout + completed.stderr).strip()
    for _ in range(120):
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"])
        if ready.returncode == 0:
            break
        time.sleep(0.25)
    result["ready"] = time.monotonic() - start


# --- Figures ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), int(-(-p * len(values) // 100))))
    return values[rank - 1]


def is_error(sample: Sample) -> bool:
    if sample.status in (200, 302):
        return False
    return not (sample.status == 409 and "conflict" in sample.kind)


def report(args, samples, acks, checked, lost, meta, fault) -> list[str]:
    ramp_end = meta["all_in"]
    window = [s for s in samples if s.at >= ramp_end]
    duration = meta["end"] - ramp_end
    kinds = sorted({s.kind for s in samples})
    lines = [
        f"Load: {args.users} users ({args.users - args.reviewers} editing sessions of "
        f"{meta['people']} people in {meta['countries']} countries, {args.reviewers} reviewers), "
        f"think x{args.think:g}; arriving over {args.ramp:g} s, all logged in after "
        f"{ramp_end:.0f} s, then {duration:.0f} s of load measured; gunicorn "
        f"{meta['workers']} workers x {meta['threads']} threads, {meta['database']}; "
        f"{os.cpu_count()} CPU cores; load average {meta['load_before']:.1f} before, "
        f"{meta['load_after']:.1f} after",
        "",
    ]
    header = ("request", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
    rows = []
    for kind in kinds:
        # Logins happen during the ramp: counted over the whole run.
        pool = samples if kind.startswith(("GET login", "POST login")) else window
        picked = [s for s in pool if s.kind == kind]
        if not picked:
            continue
        ms = sorted(s.ms for s in picked)
        span = meta["end"] if pool is samples else duration
        rows.append(
            (
                kind,
                str(len(picked)),
                f"{len(picked) / span:.1f}",
                f"{percentile(ms, 50):.0f}",
                f"{percentile(ms, 95):.0f}",
                f"{percentile(ms, 99):.0f}",
                f"{ms[-1]:.0f}",
                str(sum(is_error(s) for s in picked)),
            )
        )
    ms = sorted(s.ms for s in window)
    errors = [s for s in window if is_error(s)]
    rows.append(
        (
            "all (after the ramp)",
            str(len(window)),
            f"{len(window) / duration:.1f}",
            f"{percentile(ms, 50):.0f}",
            f"{percentile(ms, 95):.0f}",
            f"{percentile(ms, 99):.0f}",
            f"{ms[-1]:.0f}" if ms else "-",
            str(len(errors)),
        )
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = [c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells))
    statuses: dict[str, int] = {}
    for s in samples:
        if is_error(s):
            code = str(s.status or "no answer")
            statuses[code] = statuses.get(code, 0) + 1
    conflicts = sum(1 for s in samples if s.kind == "POST autosave (409 conflict)")
    changed = sum(1 for a in acks if a.value != a.sent)
    lines += [
        "",
        f"Errors by status over the whole run: {statuses or 'none'}",
        f"Autosaves acknowledged: {len(acks)}; conflicts (409) resolved by saving again: "
        f"{conflicts}; acknowledged values the server normalised: {changed}",
        f"Acknowledged saves checked in the database: {checked}; lost: {lost}",
        f"Server CPU while everyone was in: gunicorn workers {meta['cpu']['gunicorn']:.0f} s, "
        f"PostgreSQL backends {meta['cpu']['postgres']:.0f} s, in {duration:.0f} s: "
        f"{1000 * meta['cpu']['gunicorn'] / max(len(window), 1):.1f} ms + "
        f"{1000 * meta['cpu']['postgres'] / max(len(window), 1):.1f} ms of CPU per request, so "
        f"{os.cpu_count()} cores to itself would serve about "
        f"{(os.cpu_count() or 1) * len(window) / max(sum(meta['cpu'].values()), 0.001):.0f} "
        "requests/s of this mix",
        f"Load generator: {meta['client_cpu']:.0f} s of CPU in this process "
        f"({100 * meta['client_cpu'] / max(meta['end'], 1) / (os.cpu_count() or 1):.0f}% of the "
        "machine), which the server did not have",
    ]
    autosave = sorted(s.ms for s in window if s.kind == "POST autosave")
    pages = sorted(s.ms for s in window if s.kind.startswith("GET") and "export" not in s.kind)
    bench = [
        ("load.throughput", f"{len(window) / duration:.1f}", "req/s"),
        ("load.p50", f"{percentile(ms, 50):.0f}", "ms"),
        ("load.p95", f"{percentile(ms, 95):.0f}", "ms"),
        ("load.p99", f"{percentile(ms, 99):.0f}", "ms"),
        ("load.autosave_p95", f"{percentile(autosave, 95):.0f}", "ms"),
        ("load.page_p95", f"{percentile(pages, 95):.0f}", "ms"),
        ("load.errors", str(len(errors)), "requests"),
        (
            "load.server_cpu_per_request",
            f"{1000 * sum(meta['cpu'].values()) / max(len(window), 1):.1f}",
            "ms",
        ),
        ("load.acks_checked", str(checked), "saves"),
        ("load.acks_lost", str(lost), "saves"),
    ]
    if fault is not None:
        lines += [""] + fault["lines"]
        bench += [
            ("fault.restart_command", f"{fault['restart']:.1f}", "s"),
            ("fault.failing_window", f"{fault['window']:.1f}", "s"),
            ("fault.server_errors_500", str(fault["crash_pages"]), "responses"),
            ("fault.errors_after_recovery", str(fault["after"]), "requests"),
        ]
    lines.append("")
    lines += [f"BENCH name={name} value={value} unit={unit}" for name, value, unit in bench]
    return lines


def fault_report(fault: dict, samples: list, server_log: Path, pids_before, pids_after) -> dict:
    began, ready = fault["began"], fault["ready"]
    unavailable = [s for s in samples if s.status == 503]
    crash = [s for s in samples if s.status == 500]
    no_answer = [s for s in samples if s.status == 0]
    json_503 = [s for s in unavailable if "autosave" in s.kind]
    settle = ready + 2  # connections already open when PostgreSQL came back fail once at most
    after = [s for s in samples if s.at >= settle and is_error(s)]
    affected = [s for s in samples if s.status == 503 or s.status == 0]
    first_ok = min(
        (s.at for s in samples if s.at >= ready and s.status == 200 and s.kind == "POST autosave"),
        default=float("nan"),
    )
    log = server_log.read_text(errors="replace") if server_log.exists() else ""
    lines = [
        f"Fault: PostgreSQL restarted at {began:.1f} s (pg_ctlcluster restart, exit "
        f"{fault['returncode']}); the command returned and the server accepted connections at "
        f"{ready:.1f} s ({ready - began:.1f} s later)",
        f"  responses 503 'try again' (Retry-After): {len(unavailable)} "
        f"({sum(s.retry_after for s in unavailable)} with Retry-After; {len(json_503)} autosaves, "
        f"{sum(s.json_body for s in json_503)} of them JSON), from "
        + (
            f"{min(s.at for s in affected):.1f} s to {max(s.at for s in affected):.1f} s"
            if affected
            else "-"
        ),
        f"  crash pages (500): {len(crash)}; requests without an HTTP answer: {len(no_answer)}",
        f"  first acknowledged autosave after the restart: {first_ok - ready:+.1f} s after "
        "PostgreSQL was back",
        f"  errors from {settle:.1f} s (restart done + 2 s) to the end: {len(after)}",
        f"  gunicorn workers: {len(pids_before)} before, {len(pids_after)} after, "
        + (
            "the same processes (none died or was replaced)"
            if pids_before == pids_after
            else f"{len(pids_before - pids_after)} replaced"
        ),
        f"  server log: {log.count('Traceback')} tracebacks, "
        f"{log.count('Database unavailable')} 'Database unavailable' warnings",
    ]
    return {
        "lines": lines,
        "restart": ready - began,
        "window": (max(s.at for s in affected) - min(s.at for s in affected)) if affected else 0.0,
        "crash_pages": len(crash),
        "after": len(after),
    }


def check_acks(acks: list[Ack], cycle_id: int) -> tuple[int, int, list[str]]:
    """Every acknowledged (revision N, value V) is in the database: the answer is at N or
    later, and its revision N holds V."""
    from django.db import connections

    from questionnaire.models import Answer, AnswerRevision

    connections.close_all()  # the connection from before a PostgreSQL restart is gone
    current = {
        (sid, key): rev
        for sid, key, rev in Answer.objects.filter(submission__cycle_id=cycle_id).values_list(
            "submission_id", "question__key", "revision"
        )
    }
    stored = {
        (sid, key, rev): value
        for sid, key, rev, value in AnswerRevision.objects.filter(
            answer__submission__cycle_id=cycle_id
        ).values_list("answer__submission_id", "answer__question__key", "revision", "value")
    }
    problems = []
    for ack in acks:
        where = (ack.submission, ack.key)
        if current.get(where, -1) < ack.revision:
            problems.append(
                f"{where}: acknowledged revision {ack.revision}, stored {current.get(where)}"
            )
        elif stored.get((*where, ack.revision)) != ack.value:
            problems.append(f"{where}: revision {ack.revision} does not hold the value")
    seen: dict = {}
    for ack in acks:
        other = seen.setdefault((ack.submission, ack.key, ack.revision), ack.value)
        if other != ack.value:
            problems.append(f"{ack.submission, ack.key}: revision {ack.revision} acked twice")
    return len(acks), len(problems), problems


# --- Main -------------------------------------------------------------------------------------


def production_env(*, database_url: str, tmp: Path, port: int) -> dict:
    """The environment of a production-like portal (DEBUG off, gunicorn on `port`, the
    database worker's task backend) over a throwaway database and folder."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gcmreview.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    name, database_url = create_database(args.postgres)
    tmp = Path(tempfile.mkdtemp(prefix="gcm-load-"))
    port = free_port()
    env = production_env(database_url=database_url, tmp=tmp, port=port)
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    server = None
    exit_code = 0
    try:
        django_setup(env)
        print(f"Building {name}: demo, {args.countries} countries' drafts, users ...", flush=True)
        plan = build_data(countries=args.countries, reviewers=args.reviewers, rng=rng)
        server = Server(env, tmp)
        server.start()
        server.wait_ready(port)
        # The sizes the config file chose from the same environment.
        config = runpy.run_path(str(ROOT / "gcmreview" / "gunicorn.conf.py"))
        warm_up(port, config["workers"] * config["threads"])
        meta = {
            "workers": config["workers"],
            "threads": config["threads"],
            "people": len(plan.editors),
            "countries": args.countries,
            "load_before": load_before,
        }
        from django.db import connection

        meta["database"] = f"PostgreSQL {connection.pg_version // 10000}"
        connection.close()
        print(
            f"gunicorn on 127.0.0.1:{port}; {args.users} users arrive over {args.ramp:g} s, "
            f"then {args.duration:g} s of load ...",
            flush=True,
        )
        cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        start = time.monotonic()
        shared = Shared(
            host=f"127.0.0.1:{port}",
            port=port,
            start=start,
            # Until everyone is in; then `duration` more (Shared.logged_in).
            end=start + args.ramp + 600 + args.duration,
            duration=args.duration,
            expected=args.users,
            think=args.think,
            plan=plan,
        )
        threads, per_user, acks = [], [], []
        for i in range(args.users):
            samples: list[Sample] = []
            per_user.append(samples)
            user_rng = random.Random(rng.random())
            if i < args.reviewers:
                target = reviewer
                fargs = (shared, plan.reviewers[i], samples, user_rng)
            else:
                j = i - args.reviewers
                person = plan.editors[j % len(plan.editors)]
                target = editor
                fargs = (shared, j // len(plan.editors), person, samples, acks, user_rng)
            delay = args.ramp * i / max(args.users, 1)

            def run(target=target, fargs=fargs, delay=delay):
                time.sleep(delay)
                try:
                    target(*fargs)
                except Stop:
                    pass
                except Exception as exc:  # a user who gives up is reported, not fatal
                    print(f"user gave up: {exc!r}", file=sys.stderr)

            threads.append(threading.Thread(target=run, daemon=True))
        pids_before = server.worker_pids()
        sampler = CpuSampler(server, args.postgres, name, shared)
        sampler.start()
        fault = None
        fault_thread = None
        if args.restart_postgres_at is not None:
            fault = {}
            fault_thread = threading.Thread(
                target=restart_postgres, args=(fault, args.restart_postgres_at, shared)
            )
            fault_thread.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            # Past the end, a user finishes the request it is waiting for, at most 120 s.
            while thread.is_alive() and time.monotonic() < shared.end + 150:
                thread.join(timeout=1)
        if fault_thread is not None:
            fault_thread.join()
        meta["end"] = min(time.monotonic(), shared.end) - start
        meta["all_in"] = shared.all_in if shared.all_in is not None else args.ramp
        sampler.stop()
        meta["cpu"] = sampler.totals()
        meta["load_after"] = os.getloadavg()[0]
        meta["client_cpu"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_before
        pids_after = server.worker_pids()
        server.stop()
        samples = [s for user in per_user for s in user]
        checked, lost, problems = check_acks(acks, plan.cycle_id)
        fault_lines = None
        if fault is not None:
            fault_lines = fault_report(
                fault, samples, tmp / "gunicorn.log", pids_before, pids_after
            )
        lines = report(args, samples, acks, checked, lost, meta, fault_lines)
        print()
        print("\n".join(lines))
        for problem in problems[:20]:
            print("LOST:", problem)
        if lost or (fault_lines and (fault_lines["crash_pages"] or fault_lines["after"])):
            exit_code = 1
    finally:
        if server is not None:
            server.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        drop_database(args.postgres, name)
        if args.keep_logs:
            print(f"Logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
