import datetime
import time

import pytest
from django.db.models import F
from django_otp.oath import hotp

from tests import factories


def next_code(device) -> str:
    """A code the device accepts now: the current one, or the next one if the current one has
    been used already (each code works once; django-otp accepts one step ahead)."""
    device.refresh_from_db()
    now = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(now, device.last_t + 1)
    return str(hotp(device.bin_key, step, digits=device.digits)).zfill(device.digits)


def wait_out_the_delay():
    """As if the wait that wrong codes asked for had passed (accounts.services._throttle_open)."""
    from accounts.models import TwoFactorThrottle

    TwoFactorThrottle.objects.update(
        last_failure_at=F("last_failure_at") - datetime.timedelta(hours=1, seconds=1)
    )


@pytest.fixture
def enrolled_focal_point(focal_point):
    """A focal point who chose two-factor authentication."""
    factories.authenticator(focal_point)
    return focal_point
