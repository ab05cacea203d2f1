"""The settings module (gcmreview/settings.py): SQLite configured so that a writer waits its turn
instead of failing with "database is locked", and only SQLite; a checkout's `.env` read, with the
real environment winning, and nothing changed where there is none (production)."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections, transaction


def sqlite_settings(path, options) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": dict(options),
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """Two aliases on one SQLite file, as a web request and the background worker have: `use`
    them with the options to try."""
    made = []

    def use(options):
        for alias in ("writer", "other"):
            connections.settings[alias] = sqlite_settings(tmp_path / "db.sqlite3", options)
            made.append(alias)
        with connections["writer"].cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS item (n integer)")
        return connections["writer"]

    with django_db_blocker.unblock():
        yield use
        for alias in set(made):
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def write_while_another_write_is_open(*, read_first: bool) -> int:
    """The worker holds a write transaction; meanwhile a request writes (after reading, if
    `read_first`). Returns the rows written, or raises what the request got."""
    holding, started, request_read = threading.Event(), threading.Event(), threading.Event()
    failures = []

    def worker():
        try:
            with transaction.atomic(using="writer"):
                with connections["writer"].cursor() as cursor:
                    cursor.execute("INSERT INTO item VALUES (1)")
                holding.set()
                started.wait(5)
                # Give the request time to reach the lock (it must wait, not fail), or, when it
                # reads first, let it read before this write is committed.
                request_read.wait(0.3)
        except Exception as exc:  # reported to the test below
            failures.append(exc)
        finally:
            connections["writer"].close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert holding.wait(5)
        started.set()
        with transaction.atomic(using="other"), connections["other"].cursor() as cursor:
            if read_first:
                cursor.execute("SELECT count(*) FROM item")
                request_read.set()
            cursor.execute("INSERT INTO item VALUES (2)")
    finally:
        request_read.set()
        thread.join(10)
    assert not failures, failures
    with connections["other"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM item")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("read_first", [False, True])
def test_a_second_writer_waits_for_the_first_rather_than_failing(sqlite_file, read_first):
    sqlite_file(settings.SQLITE_OPTIONS)
    assert write_while_another_write_is_open(read_first=read_first) == 2


def test_without_immediate_transactions_a_write_after_a_read_fails_at_once(sqlite_file):
    """Why the settings ask for immediate transactions: a transaction that has read cannot
    wait for the lock, whatever the timeout (what the admin's save met while the worker ran)."""
    deferred = {k: v for k, v in settings.SQLITE_OPTIONS.items() if k != "transaction_mode"}
    sqlite_file(deferred)
    with pytest.raises(OperationalError, match="locked"):
        write_while_another_write_is_open(read_first=True)


def test_the_sqlite_file_is_in_wal_mode_with_a_busy_timeout(sqlite_file):
    connection = sqlite_file(settings.SQLITE_OPTIONS)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
    assert connection.transaction_mode == "IMMEDIATE"


# --- The checkout's .env -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path):
    """A copy of the settings module in a checkout of its own, whose `.env` the test writes."""
    (tmp_path / "gcmreview").mkdir()
    shutil.copy(ROOT / "gcmreview" / "settings.py", tmp_path / "gcmreview" / "settings.py")
    return tmp_path


def load_settings(checkout, **environment) -> dict:
    """The settings as the module computes them with exactly `environment` (and the checkout's
    .env, if any). The process's own environment is left as it was."""
    with mock.patch.dict(os.environ, environment, clear=True):
        return runpy.run_path(str(checkout / "gcmreview" / "settings.py"))


def test_the_settings_read_the_checkout_s_env_file(checkout):
    (checkout / ".env").write_text("# local\nDEBUG=1\nTIME_ZONE=Asia/Amman\n")
    loaded = load_settings(checkout)
    assert loaded["DEBUG"] is True
    assert loaded["TIME_ZONE"] == "Asia/Amman"
    assert loaded["SECRET_KEY"].startswith("django-insecure-development-only")


def test_the_real_environment_wins_over_the_env_file(checkout):
    (checkout / ".env").write_text("DEBUG=1\nTIME_ZONE=Asia/Amman\n")
    loaded = load_settings(checkout, DEBUG="0", SECRET_KEY="from-the-environment", TIME_ZONE="UTC")
    assert loaded["DEBUG"] is False
    assert loaded["SECRET_KEY"] == "from-the-environment"
    assert loaded["TIME_ZONE"] == "UTC"


def test_without_an_env_file_nothing_changes(checkout):
    # As production runs: DEBUG off unless set, and then a SECRET_KEY is required.
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        load_settings(checkout)
    assert load_settings(checkout, DEBUG="1")["DEBUG"] is True
    loaded = load_settings(checkout, SECRET_KEY="k", ALLOWED_HOSTS="gcm.example.org")
    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["gcm.example.org"]


def test_sqlite_options_apply_to_sqlite_only(checkout):
    sqlite = load_settings(checkout, DEBUG="1")["DATABASES"]["default"]
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    postgres = load_settings(
        checkout, DEBUG="1", DATABASE_URL="postgres://user@127.0.0.1:5432/gcm"
    )["DATABASES"]["default"]
    assert "transaction_mode" not in postgres.get("OPTIONS", {})
    assert "init_command" not in postgres.get("OPTIONS", {})


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_writes_the_env_file_once_and_git_ignores_it(checkout):
    def make_env():
        subprocess.run(
            ["make", "-s", "-C", str(checkout), "-f", str(ROOT / "Makefile"), ".env"],
            check=True,
            capture_output=True,
        )

    make_env()
    text = (checkout / ".env").read_text()
    assert "DEBUG=1" in text.splitlines()
    assert text.startswith("# Local settings of this checkout, made by `make run`")
    assert load_settings(checkout)["DEBUG"] is True
    (checkout / ".env").write_text("DEBUG=1\nMY_OWN=kept\n")
    make_env()  # never overwritten
    assert (checkout / ".env").read_text() == "DEBUG=1\nMY_OWN=kept\n"
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_every_cookie_is_https_only_in_production(checkout):
    """The language cookie went over plain HTTP in production (issue 12, finding 7)."""
    loaded = load_settings(checkout, SECRET_KEY="k", ALLOWED_HOSTS="gcm.example.org")
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert loaded[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert loaded[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
