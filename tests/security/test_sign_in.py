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
