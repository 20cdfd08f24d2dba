"""Security headers on every response, and a Content-Security-Policy without unsafe script sources."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from forgecrm.platform.security import DEFAULT_POLICY, policy_header
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split("; ") if part.strip()}


@pytest.mark.parametrize("path", ["/login/", "/password-reset/", "/api/schema/", "/api/v1/"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_scripts_run_only_from_our_origin_or_with_the_page_nonce(client):
    response = client.get(reverse("login"))
    policy = _directives(response["Content-Security-Policy"])
    nonce = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    assert policy["script-src"][0] == "'self'" and len(nonce) == 1
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:"} & set(policy["script-src"])
    assert policy["style-src"] == ["'self'"]
    assert policy["font-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    # A fresh nonce per response.
    again = _directives(client.get(reverse("login"))["Content-Security-Policy"])
    assert again["script-src"] != policy["script-src"]


def test_pages_load_no_inline_script_and_only_local_assets(client):
    client.force_login(UserFactory())
    for path in [reverse("login"), reverse("dashboard"), reverse("search")]:
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "nonce=" in tag or 'type="application/json"' in tag, (path, tag)
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), (path, url)
        assert "alpine" not in html or "alpine-csp" in html, "the standard Alpine build needs 'unsafe-eval'"


def test_swagger_ui_is_served_offline_with_its_own_allowance(client):
    client.force_login(UserFactory())
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    policy = _directives(page["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["style-src-elem"]
    assert not {"'unsafe-inline'", "'unsafe-eval'"} & set(policy["script-src"])
    script_url = re.search(r'<script src="([^"]+script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_policy_header_rendering():
    header = policy_header({"script-src": ["'self'"], "style-src-elem": ["'self'", "'unsafe-inline'"]}, "abc")
    assert header == "script-src 'self' 'nonce-abc'; style-src-elem 'self' 'unsafe-inline'"
    assert "'unsafe-eval'" not in policy_header(DEFAULT_POLICY, "n")


def test_tls_settings_in_production(settings):
    # Test settings switch TLS off; the production values are checked by `check --deploy` in test_deploy.py.
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


TEMPLATES_ROOT = Path(__file__).resolve().parents[2] / "forgecrm"
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_needs_inline_script_the_policy_forbids():
    problems = []
    for template in sorted(TEMPLATES_ROOT.rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        name = template.relative_to(TEMPLATES_ROOT)
        if "javascript:" in text:
            problems.append(f"{name}: javascript: URL")
        if INLINE_HANDLER.search(text):
            problems.append(f"{name}: inline event handler (on...=)")
        if re.search(r"\shx-on[:-]", text):
            problems.append(f"{name}: hx-on needs eval")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
                problems.append(f"{name}: inline <script> without the nonce")
    assert problems == []


@pytest.mark.django_db
def test_nul_bytes_in_query_parameters_answer_400_not_500(client):
    from forgecrm.platform.tests.factories import UserFactory

    client.force_login(UserFactory())
    for url in ("/search/?q=%00", "/accounts/autocomplete/?q=a%00b", "/api/v1/accounts/?ordering=%00"):
        assert client.get(url).status_code == 400
