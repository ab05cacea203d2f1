"""The settings module (gcmreview/settings.py): SQLite configured so that a writer waits its turn
instead of failing with "database is locked", and only SQLite."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
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
