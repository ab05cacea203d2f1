"""Two-factor authentication: required of ESCWA staff and admins, a choice for everyone else."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.middleware import TWO_FACTOR_SESSION_KEY
from tests import factories
from tests.factories import PASSWORD

from .conftest import next_code, wait_out_the_delay

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]
TARGET = "/accounts/two-factor/"  # a page behind the login, not the home page


def log_in_with_password(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response
    return response


def setup_url(next_path="/"):
    return f"{reverse('two_factor_setup')}?next={next_path.replace('/', '%2F')}"


def verify_url(next_path="/"):
    return f"{reverse('two_factor_verify')}?next={next_path.replace('/', '%2F')}"


def enrol(client, user):
    """Set up an authenticator through the pages; returns the device and the backup codes."""
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"code": next_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_backup_codes")
    page = client.get(reverse("two_factor_backup_codes"))
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.text)
    device.refresh_from_db()
    return device, codes


# --- Staff must ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "admin_user"])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == setup_url()


def test_a_django_staff_flag_alone_is_enough_to_need_it(client):
    user = factories.UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == setup_url()


def test_the_login_form_leads_staff_to_the_setup_and_on_to_their_page(client, reviewer):
    response = client.post(
        reverse("login"),
        {"username": reviewer.username, "password": PASSWORD, "next": TARGET},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == setup_url(TARGET)
    page = response.text
    assert "<svg" in page  # the QR code, drawn here
    device = TOTPDevice.objects.get(user=reviewer)
    secret = response.context["secret"].replace(" ", "")
    assert secret and secret in re.sub(r"\s", "", page)
    assert not device.confirmed

    response = client.post(setup_url(TARGET), {"code": next_code(device)})
    assert response["Location"] == reverse("two_factor_backup_codes")
    codes = client.get(reverse("two_factor_backup_codes"))
    assert f'href="{TARGET}"' in codes.text  # "continue" goes where they were going
    assert client.get(TARGET).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_confirms_nothing(client, reviewer):
    client.force_login(reviewer)
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert response.status_code == 200
    assert "This code is not right" in response.text
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


def test_reloading_the_setup_page_keeps_the_secret_that_was_scanned(client, reviewer):
    client.force_login(reviewer)
    first = client.get(reverse("two_factor_setup")).context["secret"]
    assert client.get(reverse("two_factor_setup")).context["secret"] == first
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1


def test_staff_with_an_authenticator_give_a_code_before_any_page(client, reviewer):
    device = factories.authenticator(reviewer)
    log_in_with_password(client, reviewer)
    response = client.get(TARGET)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))

    wrong = client.post(verify_url(TARGET), {"code": "123456"})
    assert wrong.status_code == 200
    assert "This code is not right" in wrong.text

    wait_out_the_delay()
    right = client.post(verify_url(TARGET), {"code": next_code(device)})
    assert right["Location"] == TARGET
    assert client.get(TARGET).status_code == 200


def test_the_django_admin_asks_for_the_code_too(client, admin_user):
    device = factories.authenticator(admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == verify_url(reverse("admin:index"))
    client.post(verify_url(), {"code": next_code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_scripts_get_401_json_instead_of_a_redirect(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("home"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["error"] == "login"


def test_until_the_code_is_given_only_the_way_out_stays_open(client, reviewer):
    factories.authenticator(reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("two_factor_verify"))
    assert page.status_code == 200
    assert reverse("country_list") not in page.text  # the menu is not offered yet
    assert client.get(reverse("password_change")).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_next_address_elsewhere_is_ignored(client, reviewer):
    device = factories.authenticator(reviewer)
    client.force_login(reviewer)
    response = client.post(
        reverse("two_factor_verify") + "?next=https://evil.example/", {"code": next_code(device)}
    )
    assert response["Location"] == reverse("home")


def test_an_unverified_session_cannot_replace_the_authenticator(client, reviewer):
    device = factories.authenticator(reviewer)
    client.force_login(reviewer)
    response = client.get(reverse("two_factor_setup"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert list(TOTPDevice.objects.filter(user=reviewer)) == [device]


def test_staff_cannot_turn_it_off(client, reviewer):
    client.force_login(reviewer)
    device, _codes = enrol(client, reviewer)
    page = client.get(reverse("two_factor"))
    assert "cannot turn two-factor authentication off" in page.text
    assert reverse("two_factor_disable") not in page.text
    response = client.post(reverse("two_factor_disable"), {"code": next_code(device)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


def test_an_administrator_removes_a_lost_authenticator(client, admin_user, reviewer):
    factories.authenticator(reviewer)
    services.two_factor_backup_codes_generate(user=reviewer)
    admin_device = factories.authenticator(admin_user)
    client.force_login(admin_user)
    client.post(verify_url(), {"code": next_code(admin_device)})

    changelist = reverse("admin:accounts_user_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(
        changelist, {"action": "reset_two_factor", "_selected_action": [reviewer.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()
    assert TOTPDevice.objects.filter(user=admin_user).exists()

    client.post(reverse("logout"))
    reviewer.refresh_from_db()  # the reset ended their sessions: force_login uses the new hash
    client.force_login(reviewer)
    assert client.get(reverse("home"))["Location"] == setup_url()


def test_when_not_required_staff_log_in_with_the_password_alone(client, reviewer, settings):
    settings.OTP_REQUIRED_FOR_STAFF = False
    client.force_login(reviewer)
    assert client.get(reverse("home")).status_code == 200


# --- Everyone else may ---------------------------------------------------------------------------


def test_focal_points_log_in_with_the_password_alone_by_default(client, focal_point):
    log_in_with_password(client, focal_point)
    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("two_factor"))
    assert "Logging in takes only your password." in page.text
    assert reverse("two_factor_setup") in page.text


def test_a_focal_point_who_turns_it_on_gives_a_code_at_the_next_login(client, focal_point):
    log_in_with_password(client, focal_point)
    device, codes = enrol(client, focal_point)
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200  # this session passed already
    client.post(reverse("logout"))

    log_in_with_password(client, focal_point)
    response = client.get(reverse("home"))
    assert response["Location"] == verify_url()
    client.post(verify_url(), {"code": next_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_backup_codes_are_shown_once(client, focal_point):
    log_in_with_password(client, focal_point)
    _device, codes = enrol(client, focal_point)
    again = client.get(reverse("two_factor_backup_codes"))
    assert again.status_code == 302
    assert not any(code in client.get(reverse("two_factor")).text for code in codes)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == set(codes)


def test_a_backup_code_works_once(client, enrolled_focal_point):
    codes = services.two_factor_backup_codes_generate(user=enrolled_focal_point)
    log_in_with_password(client, enrolled_focal_point)
    response = client.post(verify_url(), {"code": codes[0].upper()})
    assert response["Location"] == reverse("home")
    assert "9 left" in client.get(reverse("home")).text
    client.post(reverse("logout"))

    log_in_with_password(client, enrolled_focal_point)
    reused = client.post(verify_url(), {"code": codes[0]})
    assert reused.status_code == 200
    assert "This code is not right, or it has been used already" in reused.text
    wait_out_the_delay()
    assert client.post(verify_url(), {"code": codes[1]})["Location"] == reverse("home")


def test_wrong_codes_slow_the_next_attempts(client, enrolled_focal_point):
    device = factories.authenticator(enrolled_focal_point)
    log_in_with_password(client, enrolled_focal_point)
    client.post(verify_url(), {"code": "000000"})
    # Right away, even the right code waits in this session: each wrong one doubles the pause.
    response = client.post(verify_url(), {"code": next_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.text
    assert client.get(reverse("home")).status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, focal_point):
    log_in_with_password(client, focal_point)
    _device, old = enrol(client, focal_point)
    response = client.post(reverse("two_factor_backup_codes"))
    assert response["Location"] == reverse("two_factor_backup_codes")
    new = re.findall(
        r"<li><code>([a-z2-7]{8})</code></li>", client.get(reverse("two_factor_backup_codes")).text
    )
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_a_focal_point_turns_it_off_with_a_code(client, focal_point):
    log_in_with_password(client, focal_point)
    device, _codes = enrol(client, focal_point)
    wrong = client.post(reverse("two_factor_disable"), {"code": "000000"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(user=focal_point).exists()

    wait_out_the_delay()
    response = client.post(reverse("two_factor_disable"), {"code": next_code(device)})
    assert response["Location"] == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=focal_point).exists()
    assert not StaticDevice.objects.filter(user=focal_point).exists()
    client.post(reverse("logout"))
    log_in_with_password(client, focal_point)
    assert client.get(reverse("home")).status_code == 200


def test_a_new_phone_replaces_the_old_authenticator(client, enrolled_focal_point):
    old = factories.authenticator(enrolled_focal_point)
    log_in_with_password(client, enrolled_focal_point)
    client.post(verify_url(), {"code": next_code(old)})
    new, _codes = enrol(client, enrolled_focal_point)
    assert list(TOTPDevice.objects.filter(user=enrolled_focal_point)) == [new]


def test_a_device_removed_by_an_administrator_no_longer_asks_a_focal_point(
    client, enrolled_focal_point
):
    log_in_with_password(client, enrolled_focal_point)
    TOTPDevice.objects.filter(user=enrolled_focal_point).delete()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[TWO_FACTOR_SESSION_KEY] is False


def test_the_account_menu_links_to_the_page(client, focal_point):
    client.force_login(focal_point)
    assert reverse("two_factor") in client.get(reverse("home")).text
