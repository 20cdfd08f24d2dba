"""In a real browser (Debian chromium, headless): a sales rep converts a lead into account + contact + opportunity,
drags the deal to another stage on the kanban board, builds a quote from it with a product line and downloads
its PDF."""

import re
import time
from pathlib import Path

import pytest
from djmoney.money import Money
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from forgecrm.catalog.tests.factories import PriceListFactory, PriceListItemFactory, ProductFactory
from forgecrm.platform.models import Role
from forgecrm.platform.search import index_objects
from forgecrm.platform.tests.factories import PASSWORD, UserFactory
from forgecrm.platform.tests.pdf_samples import page_texts
from forgecrm.sales.models import Lead, LeadStatus, Opportunity, Quote, Stage, StageHistory
from forgecrm.sales.operations.leads import create_lead

from . import test_account_flow

CHROMIUM = test_account_flow.CHROMIUM
browser_page = test_account_flow.browser_page  # the same signed-out chromium page, console errors collected

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)"),
    pytest.mark.xdist_group("browser"),
]


def _eventually(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _sign_in(page, base_url, user):
    page.goto(f"{base_url}/login/")
    page.fill('input[name="username"]', user.email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('form [type="submit"]').first.click()
    page.wait_for_url(re.compile(r".*/$"))
    assert "/login/" not in page.url


def _drag(page, handle, target):
    """SortableJS listens to native drag events; a slow mouse drag with intermediate moves triggers them. The
    handle is a plain part of the card (Sortable ignores drags that start on its link, select or button)."""
    box, goal = handle.bounding_box(), target.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    x1, y1 = goal["x"] + goal["width"] / 2, goal["y"] + 40
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x0 + (x1 - x0) * step / 20, y0 + (y1 - y0) * step / 20)
        page.wait_for_timeout(30)
    page.mouse.up()


def _pick(page, scope, typed, wanted):
    """Choose in a Tom Select that loads its options from an autocomplete URL after a pause in typing."""
    page.wait_for_load_state("networkidle")
    search = page.locator(f"{scope} .ts-control input")
    option = page.locator(".ts-dropdown .option", has_text=wanted).first
    for _attempt in range(3):
        page.locator(f"{scope} .ts-control").click()
        search.fill("")
        search.press_sequentially(typed, delay=80)
        try:
            option.wait_for(timeout=8_000)
        except PlaywrightTimeout:
            continue
        option.click()
        return
    raise AssertionError(f"{wanted} never offered")


def test_rep_converts_a_lead_moves_the_deal_quotes_it_and_downloads_the_pdf(live_server, browser_page, tmp_path):
    page, errors = browser_page
    base = live_server.url
    rep = UserFactory(role=Role.SALES_REP, email="rep@e2e-sales.forgecrm.kr", full_name="김영업")
    lead = create_lead(
        actor=rep,
        person_name="박구매",
        company_name="(주)동해정밀냉동",
        email="buyer@donghae.example",
        mobile="010-3333-4444",
    )
    product = ProductFactory(sku="E2E-VRF-23", name="시스템 에어컨 실외기 E2E")
    price_list = PriceListFactory(name="E2E 표준 단가표", is_default=True)
    PriceListItemFactory(price_list=price_list, product=product, unit_price=Money(8_500_000, "KRW"))
    index_objects("product", [product])  # the builder's product picker searches the index

    _sign_in(page, base, rep)

    # 1. Convert the lead: account, contact and opportunity in one step.
    page.goto(f"{base}/sales/leads/{lead.pk}/convert/")
    page.fill('input[name="opportunity_name"]', "동해정밀 냉동창고 공조")
    page.fill('input[name="close_date"]', "2027-03-31")
    page.fill('input[name="amount"]', "42000000")
    # A conversion writes a lot and CI is shared: wait for the POST's answer itself, and if the form came back,
    # say what it complained about instead of timing out on the URL.
    with page.expect_response(lambda r: r.request.method == "POST" and "/convert/" in r.url, timeout=90_000) as posted:
        page.locator('form[method="post"] button[type="submit"]').last.click()
    if posted.value.status != 302:
        body = posted.value.text()
        problems = re.findall(r'class="(?:invalid-feedback[^"]*|alert alert-danger)"[^>]*>([^<]+)<', body)
        raise AssertionError(f"the conversion form came back ({posted.value.status}): {problems}")
    page.wait_for_url(re.compile(r".*/sales/opportunities/\d+/$"), timeout=60_000)
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.status == LeadStatus.CONVERTED
    assert lead.converted_account.name == "(주)동해정밀냉동" and lead.converted_contact.full_name == "박구매"
    deal = Opportunity.objects.get(pk=lead.converted_opportunity_id)
    assert page.url.endswith(f"/sales/opportunities/{deal.pk}/")
    assert deal.name in page.locator("h2.page-title").inner_text()
    start = deal.stage

    # 2. Drag the card to the negotiation column of the kanban board.
    negotiation = Stage.objects.get(code="negotiation")
    assert start != negotiation
    page.goto(f"{base}/sales/pipeline/")
    card = page.locator(f"#opp-card-{deal.pk}")
    card.wait_for()
    column = page.locator(f'.kanban-cards[data-stage="{negotiation.pk}"]')
    _drag(page, card.locator(".card-body > .small.text-secondary").first, column)
    assert _eventually(lambda: Opportunity.objects.get(pk=deal.pk).stage_id == negotiation.pk), "not moved"
    page.locator(f'.kanban-cards[data-stage="{negotiation.pk}"] #opp-card-{deal.pk}').wait_for(timeout=10_000)
    deal.refresh_from_db()
    page.locator(f'#opp-card-{deal.pk}[data-version="{deal.version}"]').wait_for(timeout=10_000)
    stays = StageHistory.objects.filter(opportunity=deal).order_by("entered_at", "id")
    assert [stay.stage_id for stay in stays] == [start.pk, negotiation.pk] and stays.last().left_at is None
    page.reload()  # the board drawn again from the database shows it there too
    assert page.locator(f'.kanban-cards[data-stage="{negotiation.pk}"] #opp-card-{deal.pk}').count() == 1

    # 3. From the opportunity page, a new quote; add a product line through the builder.
    page.goto(f"{base}/sales/opportunities/{deal.pk}/")
    page.locator('[data-testid="new-quote"]').click()
    page.wait_for_url(re.compile(r".*/sales/quotes/new/\?opportunity=\d+$"))
    page.locator('form[method="post"] button[type="submit"]').last.click()
    page.wait_for_url(re.compile(r".*/sales/quotes/\d+/$"))
    quote = Quote.objects.get(opportunity=deal)
    _pick(page, "#add-line-form", "E2E-VRF", "E2E-VRF-23")
    page.fill('#add-line-form input[name="quantity"]', "3")
    page.locator('#add-line-form button[type="submit"]').click()
    page.locator("#quote-builder", has_text="시스템 에어컨 실외기 E2E").wait_for(timeout=10_000)
    assert _eventually(lambda: Quote.objects.get(pk=quote.pk).lines.filter(product=product, quantity=3).exists())
    quote.refresh_from_db()
    assert quote.net.amount == 25_500_000  # 3 × 8,500,000 from the price list
    assert "25,500,000" in page.locator("#quote-builder").inner_text()

    # 4. Download the PDF: a real PDF naming the quote number.
    with page.expect_download() as download_info:
        page.locator(f'a[href="/sales/quotes/{quote.pk}/pdf/"]').click()
    target = Path(tmp_path) / "quote.pdf"
    download_info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert quote.number in download_info.value.suggested_filename
    assert quote.number in "\n".join(page_texts(data))

    assert errors == [], errors
