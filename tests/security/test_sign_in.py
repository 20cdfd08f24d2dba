"""Sign-in as a security reviewer checks it: hashing, lockout, session rotation, reset, redirects."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from forgecrm.platform.models import User
from forgecrm.platform.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _production_setting(expression: str) -> str:
    """Evaluate a setting under the production settings module, in a fresh interpreter."""
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "crm.example.kr",
        "PATH": "/usr/bin:/bin",
        "FORGE_VAR_DIR": str(ROOT / "var"),
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_production_hashes_passwords_with_argon2():
    assert _production_setting("settings.PASSWORD_HASHERS[0]") == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # ... and the hasher works on this machine (argon2-cffi installed).
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("correct horse", hasher.salt())
    assert encoded.startswith("argon2$argon2id$") and hasher.verify("correct horse", encoded)


def _login(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra}, **extra.pop("headers", {}))


def test_login_works_and_rotates_the_session_key(client):
    user = UserFactory(email="kim@example.kr")
    client.get(reverse("login"))
    client.session.save()
    client.cookies["sessionid"] = client.session.session_key
    before = client.session.session_key
    response = _login(client, "KIM@example.kr", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert int(client.session["_auth_user_id"]) == user.pk


def test_five_failures_lock_the_account_for_this_address_and_show_the_lockout_page(client):
    UserFactory(email="lee@example.kr")
    for attempt in range(4):
        response = _login(client, "lee@example.kr", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
    assert _login(client, "lee@example.kr", "wrong-5").status_code == 429  # the fifth failure locks
    locked = _login(client, "lee@example.kr", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "15" in body and reverse("password_reset") in body
    assert "_auth_user_id" not in client.session


def test_case_variants_of_the_email_share_one_failure_count(client):
    UserFactory(email="park@example.kr")
    for variant in ["park@example.kr", "PARK@example.kr", "Park@Example.kr", " park@EXAMPLE.KR", "pArK@example.kr"]:
        _login(client, variant, "wrong")
    assert _login(client, "park@example.kr", PASSWORD).status_code == 429


def test_a_success_before_the_limit_resets_the_count(client):
    UserFactory(email="choi@example.kr")
    for _ in range(4):
        _login(client, "choi@example.kr", "wrong")
    assert _login(client, "choi@example.kr", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert _login(client, "choi@example.kr", "wrong").status_code == 200
    assert _login(client, "choi@example.kr", PASSWORD).status_code == 302


def test_inactive_users_cannot_sign_in(client):
    UserFactory(email="gone@example.kr", is_active=False)
    response = _login(client, "gone@example.kr", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_password_reset_reveals_nothing_about_unknown_addresses(client):
    UserFactory(email="known@example.kr")
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.kr"})
    assert len(mail.outbox) == 0
    known = client.post(reverse("password_reset"), {"email": "known@example.kr"})
    assert len(mail.outbox) == 1
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == reverse("password_reset_done")
    assert mail.outbox[0].to == ["known@example.kr"]
    link = re.search(r"/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body


def test_the_reset_link_sets_a_new_password_once(client):
    user = UserFactory(email="reset@example.kr")
    client.post(reverse("password_reset"), {"email": "reset@example.kr"})
    link = re.search(r"(/password-reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new_password = "a-new-passphrase-2026"
    response = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    again = client.get(link, follow=True)
    assert b"new_password1" not in again.content  # the token is spent


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/x",
        "https:///evil.example",
        "/\\evil.example",
        "http://testserver@evil.example",
    ],
)
def test_open_redirect_after_login_is_refused(client, target):
    UserFactory(email="next@example.kr")
    response = client.post(
        f"{reverse('login')}?next={target}", {"username": "next@example.kr", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_a_local_next_is_honoured(client):
    UserFactory(email="local@example.kr")
    response = client.post(
        reverse("login"), {"username": "local@example.kr", "password": PASSWORD, "next": "/search/?q=1"}
    )
    assert response["Location"] == "/search/?q=1"


def test_language_switch_refuses_an_outside_next(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_csrf_is_enforced_on_login():
    UserFactory(email="csrf@example.kr")
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("login"), {"username": "csrf@example.kr", "password": PASSWORD}).status_code == 403
    page = client.get(reverse("login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    ok = client.post(
        reverse("login"), {"username": "csrf@example.kr", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert ok.status_code == 302


def test_admin_is_for_administrators_only(client):
    rep = UserFactory()
    client.force_login(rep)
    assert client.get("/admin/").status_code == 302
    admin = UserFactory(role="admin")
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/platform/user/add/").status_code == 200
    assert client.get(f"/admin/platform/user/{rep.pk}/change/").status_code == 200


def test_no_user_has_a_plain_password():
    UserFactory()
    assert all("$" in password for password in User.objects.values_list("password", flat=True))


# --- two-factor sign-in for internal staff (TOTP, backup codes) --------------------------------------------------


def _totp(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def _confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_an_admin_must_enrol_and_the_qr_code_is_drawn_here(client, settings):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.FORGE_TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    admin = UserFactory(role="admin", email="boss@example.kr")
    assert _login(client, "boss@example.kr", PASSWORD).status_code == 302
    held = client.get(reverse("dashboard"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("two-factor-setup"))
    assert client.get("/api/v1/users/").status_code == 403  # the session API waits too
    page = client.get(reverse("two-factor-setup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "otpauth" not in html  # an inline SVG, no QR service URL
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post(reverse("two-factor-setup"), {"token": "000000" if _totp(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()  # the wait django-otp imposes after a wrong code (see the throttling test)
    done = client.post(reverse("two-factor-setup"), {"token": _totp(device)})
    assert done.status_code == 200
    assert StaticToken.objects.filter(device__user=admin).count() == 10
    for token in StaticToken.objects.filter(device__user=admin).values_list("token", flat=True):
        assert token in done.content.decode()  # shown once, on this page
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_rep_without_a_device_is_not_asked_when_the_rule_is_for_admins(client, settings):
    settings.FORGE_TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    UserFactory(email="rep2fa@example.kr")
    _login(client, "rep2fa@example.kr", PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200


def test_after_the_password_a_user_with_a_device_must_give_a_code(client):
    user = UserFactory(email="otp@example.kr")
    device = _confirmed_device(user)
    assert _login(client, "otp@example.kr", PASSWORD).status_code == 302
    held = client.get(reverse("customers:account-list"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("two-factor-verify"))
    assert client.get("/api/v1/accounts/").status_code == 403
    assert client.post(reverse("two-factor-verify"), {"token": "12345x"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # the wait django-otp imposes after a wrong code (see the throttling test)
    before = client.session.session_key
    ok = client.post(reverse("two-factor-verify"), {"token": _totp(device), "next": "/accounts/"})
    assert ok.status_code == 302 and ok["Location"] == "/accounts/"
    assert client.session.session_key != before  # verifying rotates the session like signing in
    assert client.get(reverse("customers:account-list")).status_code == 200
    assert client.get("/api/v1/accounts/").status_code == 200


def test_a_backup_code_works_once(client):
    from django_otp.plugins.otp_static.models import StaticDevice

    user = UserFactory(email="backup@example.kr")
    _confirmed_device(user)
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    backup.token_set.create(token="abcd2345")
    _login(client, "backup@example.kr", PASSWORD)
    assert client.post(reverse("two-factor-verify"), {"token": "abcd 2345"}).status_code == 302
    client.post(reverse("logout"))
    _login(client, "backup@example.kr", PASSWORD)
    assert client.post(reverse("two-factor-verify"), {"token": "abcd2345"}).status_code == 400
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_verify_step_refuses_an_outside_next(client):
    user = UserFactory(email="otpnext@example.kr")
    device = _confirmed_device(user)
    _login(client, "otpnext@example.kr", PASSWORD)
    response = client.post(reverse("two-factor-verify"), {"token": _totp(device), "next": "//evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_wrong_codes_are_throttled(client):
    user = UserFactory(email="throttle@example.kr")
    device = _confirmed_device(user)
    _login(client, "throttle@example.kr", PASSWORD)
    for _attempt in range(3):
        client.post(reverse("two-factor-verify"), {"token": "999999" if _totp(device) != "999999" else "888888"})
    # Even the right code waits out the delay django-otp set after the failures.
    assert client.post(reverse("two-factor-verify"), {"token": _totp(device)}).status_code == 400


def test_portal_users_have_no_two_factor_pages(client):
    from forgecrm.customers.tests.factories import PartnerAccountFactory

    partner_user = UserFactory(role="partner_rep", organization=PartnerAccountFactory())
    client.force_login(partner_user)
    assert client.get(reverse("two-factor-setup")).status_code == 404
    assert client.get(reverse("partner_portal:home")).status_code == 200


# --- sessions end when an admin changes what decides a user's visibility ------------------------------------------


@pytest.mark.parametrize("change", ["role", "organization", "email"])
def test_a_privilege_change_by_an_admin_ends_the_users_sessions(client, change):
    from forgecrm.customers.tests.factories import PartnerAccountFactory
    from forgecrm.platform.operations.identity import update_user

    first, second = PartnerAccountFactory(), PartnerAccountFactory()
    user = UserFactory(role="partner_rep", organization=first, email="moved@example.kr")
    _login(client, "moved@example.kr", PASSWORD)
    assert client.get(reverse("partner_portal:home")).status_code == 200  # signed in: a partner's home
    admin = UserFactory(role="admin")
    changes = {
        "role": {"role": "partner_admin"},
        "organization": {"organization": second},
        "email": {"email": "moved2@example.kr"},
    }[change]
    update_user(actor=admin, user=User.objects.get(pk=user.pk), **changes)
    response = client.get(reverse("partner_portal:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_profile_change_keeps_the_session(client):
    from forgecrm.platform.operations.identity import update_user

    user = UserFactory(email="stay@example.kr")
    _login(client, "stay@example.kr", PASSWORD)
    update_user(actor=user, user=User.objects.get(pk=user.pk), full_name="새 이름")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_role_change_in_the_admin_ends_the_users_sessions(client):
    target = UserFactory(email="demoted@example.kr", role="sales_manager")
    _login(client, "demoted@example.kr", PASSWORD)
    admin = Client()
    admin.force_login(UserFactory(role="admin"))
    User.objects.filter(pk=target.pk).update(role="sales_rep")  # whatever path writes the role
    assert client.get(reverse("dashboard")).status_code == 302


# --- rate limits: public forms and the API ------------------------------------------------------------------------


@pytest.fixture
def empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_password_reset_is_rate_limited_per_address(client, empty_cache):
    UserFactory(email="bombed@example.kr")
    for _attempt in range(5):
        assert client.post(reverse("password_reset"), {"email": "bombed@example.kr"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": "bombed@example.kr"}).status_code == 429
    assert len(mail.outbox) == 5
    # Unknown addresses are counted the same way (the answer reveals nothing either way).
    for _attempt in range(5):
        client.post(reverse("password_reset"), {"email": "ghost@example.kr"})
    assert client.post(reverse("password_reset"), {"email": "ghost@example.kr"}).status_code == 429


def test_password_reset_is_rate_limited_per_ip(client, empty_cache):
    for n in range(30):
        client.post(reverse("password_reset"), {"email": f"sweep{n}@example.kr"})
    assert client.post(reverse("password_reset"), {"email": "another@example.kr"}).status_code == 429
    assert client.get(reverse("password_reset")).status_code == 200  # reading the form is not counted


def test_production_throttles_the_api_per_user_and_the_token_endpoint():
    classes = _production_setting("settings.REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES']")
    rates = _production_setting("settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']")
    assert "UserRateThrottle" in classes and "AnonRateThrottle" in classes
    assert "'user':" in rates and "'anon':" in rates and "'token':" in rates


def test_the_token_endpoint_throttles_even_with_test_settings(client, empty_cache):
    from django.urls import resolve

    view = resolve("/api/v1/auth/token/").func
    throttles = getattr(view.cls, "throttle_classes", [])
    assert throttles, "the token endpoint must keep its own throttle"
