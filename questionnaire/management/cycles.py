"""What every management command that takes `--cycle` does with it."""

from __future__ import annotations

from django.core.management.base import CommandError

from questionnaire.models import ReviewCycle


def cycle_for_command(slug: str, *, related: tuple[str, ...] = ()) -> ReviewCycle:
    """The review cycle whose slug is `slug` (with `related` selected along), or a CommandError
    that names the cycles there are, so that the operator can correct the command at once."""
    cycle = ReviewCycle.objects.select_related(*related).filter(slug=slug).first()
    if cycle is None:
        known = ", ".join(ReviewCycle.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"There is no cycle {slug!r}. Cycles: {known or 'none yet'}.")
    return cycle
