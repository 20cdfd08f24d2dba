"""In a real browser (Debian chromium, headless, a phone's viewport): a dealer's rep signs in, lands on the
partner portal, sees an offer with its countdown, accepts it with one tap (HTMX) and logs a call on the lead."""

import re

import pytest

from forgecrm.activities.models import Activity
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import OfferStatus
from forgecrm.partners.tests.factories import LeadOfferFactory, PartnerProfileFactory, PartnerUserFactory
from forgecrm.platform.tests.factories import PASSWORD

from .test_account_flow import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)"),
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture
def phone_page(live_server, settings):
    import os

    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.ALLOWED_HOSTS = ["*"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_partner_rep_accepts_an_offer_and_logs_a_call(live_server, phone_page):
    page, errors = phone_page
    dealer = PartnerAccountFactory(name="(주)서울냉열 대리점")
    PartnerProfileFactory(account=dealer)
    rep = PartnerUserFactory(organization=dealer, email="rep@dealer.e2e.example", full_name="박대리")
    offer = LeadOfferFactory(partner=dealer, lead__company_name="(주)한강빌딩", lead__interest="시스템 에어컨 40대")

    page.goto(f"{live_server.url}/login/")
    page.fill('input[name="username"]', rep.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form [type="submit"]').first.click()
    page.wait_for_url(re.compile(r".*/partner/$"))
    assert "(주)서울냉열 대리점" in page.locator(".portal-header").inner_text()

    row = page.locator(f"#offer-{offer.pk}")
    assert "(주)한강빌딩" in row.inner_text()
    assert "남음" in row.locator("[data-countdown-text]").inner_text()  # the live countdown, in Korean

    row.locator('[data-action="accept"]').click()  # one tap: the row is swapped in place
    page.locator(f"#offer-{offer.pk} .alert-success").wait_for(timeout=10_000)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED

    page.locator(f"#offer-{offer.pk} a.btn").click()
    page.wait_for_url(re.compile(rf".*/partner/leads/{offer.lead_id}/$"))
    assert offer.lead.person_name in page.locator("body").inner_text()  # contact details once accepted
    page.locator('label[for="kind-call"]').click()
    page.fill('input[name="subject"]', "첫 통화: 현장 방문 일정 협의")
    page.fill('textarea[name="body"]', "다음 주 화요일 방문")
    page.locator('[data-action="log-activity"]').click()
    page.wait_for_url(re.compile(rf".*/partner/leads/{offer.lead_id}/$"))
    assert "첫 통화: 현장 방문 일정 협의" in page.locator("#activities").inner_text()
    activity = Activity.objects.get(subject="첫 통화: 현장 방문 일정 협의")
    assert activity.owner_id == rep.pk and activity.regarding_id == offer.lead_id
    assert page.locator(".portal-nav").is_visible()  # the phone's bottom bar
    assert errors == [], errors


def test_partner_rep_accepts_an_offer_and_registers_a_deal(live_server, phone_page):
    from forgecrm.catalog.tests.factories import ProductFactory
    from forgecrm.partners.models import DealRegistration, RegistrationStatus

    page, errors = phone_page
    dealer = PartnerAccountFactory(name="(주)서울냉열 대리점")
    PartnerProfileFactory(account=dealer)
    rep = PartnerUserFactory(organization=dealer, email="rep2@dealer.e2e.example", full_name="박대리")
    offer = LeadOfferFactory(partner=dealer, lead__company_name="(주)한강빌딩")
    product = ProductFactory(name="시스템 에어컨 실외기 23kW")

    page.goto(f"{live_server.url}/login/")
    page.fill('input[name="username"]', rep.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form [type="submit"]').first.click()
    page.wait_for_url(re.compile(r".*/partner/$"))
    page.locator(f'#offer-{offer.pk} [data-action="accept"]').click()
    page.locator(f"#offer-{offer.pk} .alert-success").wait_for(timeout=10_000)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED

    page.locator('.portal-nav a[href$="/partner/registrations/"]').click()  # the bottom bar's Deals
    page.wait_for_url(re.compile(r".*/partner/registrations/$"))
    page.locator('a[href$="/partner/registrations/new/"]').click()
    page.fill('input[name="customer_name"]', "(주)한강빌딩")
    page.fill('input[name="customer_brn"]', "120-81-47521")
    page.fill('input[name="contact_name"]', "김부장")
    page.fill('input[name="contact_phone"]', "010-2345-6789")
    page.select_option('select[name="sido"]', "서울특별시")
    page.select_option('select[name="product_0"]', str(product.pk))
    page.fill('input[name="quantity_0"]', "40")
    page.fill('input[name="expected_amount"]', "356000000")
    page.fill('input[name="expected_close_date"]', "2027-03-31")
    page.locator('[data-action="save-registration"]').click()
    page.wait_for_url(re.compile(r".*/partner/registrations/\d+/$"))
    page.locator('[data-action="submit-registration"]').click()
    page.locator(".alert-info").wait_for(timeout=10_000)  # under review

    registration = DealRegistration.objects.get(customer_name="(주)한강빌딩")
    assert registration.partner_id == dealer.pk and registration.submitted_by_id == rep.pk
    assert registration.status == RegistrationStatus.SUBMITTED and registration.customer_brn == "1208147521"
    assert registration.contact_phone == "+821023456789"
    assert [(line.product_id, line.quantity) for line in registration.lines.all()] == [(product.pk, 40)]
    assert errors == [], errors
