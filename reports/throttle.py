"""Limits on what anonymous visitors may make the server render: public PDFs on demand.

Two limits, both refusing at once rather than queueing (a queue of requests would hold web
workers as surely as the renders themselves):

- at most PUBLIC_PDF_RENDERS_AT_ONCE renders at a time across every app server and process:
  `RenderSlot` rows in the database, each taken by a conditional UPDATE that only one request can
  win, with a lease so that a slot whose server died frees itself; a second request for the
  document a slot is rendering is refused too (it will be stored in a moment);
- at most PUBLIC_PDF_RENDERS_PER_MINUTE renders a minute for one client address, counted in
  Django's cache (gcmreview/counters.py, as the password-reset throttle is): per process with the
  default local-memory cache, shared with a shared cache. The global limit is what protects the
  CPU; this one keeps one client from taking every slot.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from gcmreview.counters import window_count, window_increment

from .models import RenderSlot

# A render takes a second or two; a slot still held after this long lost its server.
LEASE = datetime.timedelta(minutes=2)
WINDOW_SECONDS = 60
# Seconds to wait before asking again: when the slots are busy (a render or two), and when the
# same document is being rendered (it will be stored by then).
BUSY_RETRY_AFTER = 10
SAME_DOCUMENT_RETRY_AFTER = 5


class RenderRefused(Exception):
    """No render now; `retry_after` seconds from now, perhaps."""

    status = 503

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class RendersBusy(RenderRefused):
    """Every slot is taken (or this document is being rendered): 503."""


class ClientOverLimit(RenderRefused):
    """This client asked for too many renders this minute: 429."""

    status = 429


def _client_key(client: str) -> str:
    return f"public-pdf-renders:{client}"


def client_check(client: str) -> None:
    """Raise ClientOverLimit when `client` has had its renders for this minute."""
    if window_count(_client_key(client)) >= settings.PUBLIC_PDF_RENDERS_PER_MINUTE:
        raise ClientOverLimit(WINDOW_SECONDS)


def client_count(client: str) -> None:
    """Count one render for `client` (the window starts at its first)."""
    window_increment(_client_key(client), seconds=WINDOW_SECONDS)


def slot_acquire(*, document: str) -> int:
    """Take a free render slot for `document`; RendersBusy when there is none, or when another
    request is rendering the same document."""
    now = timezone.now()
    count = settings.PUBLIC_PDF_RENDERS_AT_ONCE
    held = Q(held_until__gt=now)
    if RenderSlot.objects.filter(held, document=document).exists():
        raise RendersBusy(SAME_DOCUMENT_RETRY_AFTER)
    RenderSlot.objects.bulk_create(
        [RenderSlot(number=number) for number in range(count)], ignore_conflicts=True
    )
    for number in range(count):
        # Only one request can turn a free slot into a held one: the others update no row.
        taken = (
            RenderSlot.objects.filter(number=number)
            .exclude(held)
            .update(document=document, held_until=now + LEASE)
        )
        if taken:
            return number
    raise RendersBusy(BUSY_RETRY_AFTER)


def slot_release(number: int, *, document: str) -> None:
    RenderSlot.objects.filter(number=number, document=document).update(document="", held_until=None)


@contextmanager
def render_allowed(*, client: str, document: str) -> Iterator[None]:
    """Hold a render slot for `document` while the block runs, counting one render for `client`;
    raise a RenderRefused subclass, before the block, when either limit says no."""
    client_check(client)
    number = slot_acquire(document=document)
    try:
        client_count(client)
        yield
    finally:
        slot_release(number, document=document)
