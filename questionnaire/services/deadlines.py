"""Deadline extensions for one country of a cycle."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import (
    Country,
    DeadlineExtension,
    ReviewCycle,
)
from ..permissions import Action
from ._common import _plain_text


@transaction.atomic
def deadline_extension_grant(
    *, cycle: ReviewCycle, country: Country, deadline: datetime.date, reason: str = "", user=None
) -> DeadlineExtension:
    """Give one participating country of an open cycle a later deadline (ESCWA staff only).

    A country has at most one extension per cycle: granting again replaces it (with who granted
    it and when). The date may not be before the cycle's own deadline; granting the cycle's
    deadline itself takes an earlier extension back.
    """
    if user is not None:
        permissions.require(user, Action.MANAGE_DEADLINES)
    deadline_extension_check(cycle=cycle, country=country, deadline=deadline)
    extension, _created = DeadlineExtension.objects.update_or_create(
        cycle=cycle,
        country=country,
        defaults={
            "deadline": deadline,
            "reason": _plain_text(reason)[:300],
            "granted_by": user,
            "granted_at": timezone.now(),
        },
    )
    return extension


@transaction.atomic
def deadline_extension_remove(*, extension: DeadlineExtension, user=None) -> None:
    """Take an extension back: the country's deadline is the cycle's again (ESCWA staff only)."""
    if user is not None:
        permissions.require(user, Action.MANAGE_DEADLINES)
    DeadlineExtension.objects.filter(pk=extension.pk).delete()


def deadline_extension_check(*, cycle: ReviewCycle, country: Country, deadline) -> None:
    """The rules an extension must meet, wherever it is granted (the dashboard, the admin)."""
    from django.utils.formats import date_format

    if cycle.is_closed:
        raise ValidationError(_("This review cycle is closed."))
    if not cycle.countries.filter(pk=country.pk).exists():
        raise ValidationError(
            _("%(country)s does not take part in this cycle.") % {"country": country}
        )
    if deadline < cycle.deadline:
        raise ValidationError(
            _("An extended deadline cannot be before the cycle's deadline (%(deadline)s).")
            % {"deadline": date_format(cycle.deadline)}
        )
