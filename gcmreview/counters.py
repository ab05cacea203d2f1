"""Counts in a fixed window, kept in Django's cache: how many password-reset e-mails an address
had this hour (accounts/forms.py), how many public PDFs a client had rendered this minute
(reports/throttle.py). Per process with the default local-memory cache, shared between servers
with a shared cache."""

from __future__ import annotations

from django.core.cache import cache


def window_count(key: str) -> int:
    """How many times `key` was counted in its current window (0 once the window ends)."""
    return cache.get(key, 0)


def window_increment(key: str, *, seconds: int) -> None:
    """Count one for `key`; its window starts at the first count and lasts `seconds`."""
    if cache.add(key, 1, timeout=seconds):
        return
    try:
        cache.incr(key)
    except ValueError:  # the window ended in between
        cache.set(key, 1, timeout=seconds)
