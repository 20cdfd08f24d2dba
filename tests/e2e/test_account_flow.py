"""In a real browser (Debian chromium, headless): sign in, create an account, find it by search, open its 360° view."""

import os
import re
import shutil

import pytest
from django.utils import translation

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import PASSWORD, UserFactory

CHROMIUM = next((path for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if shutil.which(path)), None)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)"),
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture
def browser_page(live_server, settings):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.ALLOWED_HOSTS = ["*"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ko-KR", viewport={"width": 1440, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_rep_creates_an_account_finds_it_by_search_and_sees_its_360_view(live_server, browser_page):
    page, errors = browser_page
    rep = UserFactory(role=Role.SALES_REP, email="rep@e2e.forgecrm.kr", full_name="김영업")

    page.goto(f"{live_server.url}/login/")
    page.fill('input[name="username"]', rep.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form [type="submit"]').first.click()
    page.wait_for_url(re.compile(r".*/$"))
    assert "/login/" not in page.url

    page.goto(f"{live_server.url}/accounts/new/")
    page.fill('input[name="name"]', "(주)청람냉동공조")
    page.fill('input[name="brn"]', "124-81-00998")
    page.fill('input[name="phone"]', "02-555-1234")
    page.locator('form[method="post"] button[type="submit"]').last.click()
    page.wait_for_url(re.compile(r".*/accounts/\d+/$"))
    account_url = page.url

    # The navbar type-ahead (HTMX) finds it by a fragment of the name without the corporate form.
    page.goto(f"{live_server.url}/")
    page.fill('input[name="q"]', "청람냉동")
    hit = page.locator("#typeahead a", has_text="청람냉동공조")
    hit.first.wait_for(timeout=10_000)
    hit.first.click()
    page.wait_for_url(account_url)

    # The 360° view: header facts and the timeline.
    body = page.locator("body")
    assert "(주)청람냉동공조" in body.inner_text()
    assert "124-81-00998" in body.inner_text()
    with translation.override("ko"):
        created = translation.gettext("Account created")
    assert created != "Account created"  # the page is in Korean
    assert page.locator(f"text={created}").count() >= 1

    # Found by business registration number digits as well, on the search page.
    page.goto(f"{live_server.url}/search/?q=1248100998")
    assert page.locator("a", has_text="청람냉동공조").count() >= 1
    assert errors == [], errors
