"""Bad input, theme 1: stored XSS. Hostile markup typed into every free-text field that is shown back.

Each case stores a payload through the real input path (the API or the operation a form calls), renders the
page a colleague would open, and asserts that nothing executable reached the HTML: no `<script>` carrying the
payload, no `on*=` event handler attribute, no `javascript:` URL. Escaped text (`&lt;script&gt;`) is fine.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from djmoney.money import Money

from forgecrm.activities.tests.factories import ActivityFactory
from forgecrm.catalog.operations.products import create_product
from forgecrm.catalog.tests.factories import (
    PartnerFactory,
    PartnerProductNumberFactory,
    PriceListFactory,
    ProductFactory,
    ProductLineFactory,
)
from forgecrm.customers.operations.accounts import create_account
from forgecrm.customers.operations.contacts import create_contact
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARK = "xss1337"
PAYLOADS = [
    f"<script>alert('{MARK}')</script>",
    f"<img src=x onerror=\"alert('{MARK}')\">",
    f'"><svg onload=alert("{MARK}")>',
    f"<a href=\"javascript:alert('{MARK}')\">click</a>",
    f"<iframe srcdoc=\"<script>alert('{MARK}')</script>\"></iframe>",
]
ALL = " ".join(PAYLOADS)


class _Executable(HTMLParser):
    """Collects every place in a page where the marker could run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
        if tag in {"iframe", "svg", "object", "embed"} and any(MARK in (v or "") for _n, v in attrs):
            self.found.append(f"<{tag}> carrying the payload")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and MARK in value:
                self.found.append(f"{tag} {name}={value}")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and MARK in data:
            self.found.append(f"<script>{data}")


def executable_markup(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    parser = _Executable()
    parser.feed(response.content.decode())
    return parser.found


def shown(response) -> bool:
    """The payload's text came back (escaped or cleaned), so the field really is rendered on this page."""
    return MARK in response.content.decode() or "alert" in response.content.decode()


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


@pytest.fixture
def browser(admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client


def test_account_name_is_escaped_on_the_list_and_360_page(admin, browser):
    account = create_account(actor=admin, name=PAYLOADS[0], kind="customer")
    for url in (reverse("customers:account-list"), reverse("customers:account-detail", args=[account.pk])):
        response = browser.get(url)
        assert shown(response) and executable_markup(response) == [], url


def test_account_description_is_escaped_on_the_360_page(admin, browser):
    account = create_account(actor=admin, name="설명상사", kind="customer", description=ALL)
    response = browser.get(reverse("customers:account-detail", args=[account.pk]))
    assert executable_markup(response) == []


def test_account_address_and_industry_are_escaped(admin, browser):
    account = create_account(
        actor=admin, name="주소상사", kind="customer", industry=PAYLOADS[2][:60], address_detail=PAYLOADS[1][:120]
    )
    response = browser.get(reverse("customers:account-detail", args=[account.pk]))
    assert executable_markup(response) == []


def test_contact_name_and_title_are_escaped_on_list_and_360(admin, browser):
    account = create_account(actor=admin, name="연락처상사", kind="customer")
    contact = create_contact(actor=admin, account=account, full_name=PAYLOADS[2][:120], title=PAYLOADS[1][:80])
    for url in (reverse("customers:contact-list"), reverse("customers:contact-detail", args=[contact.pk])):
        response = browser.get(url)
        assert shown(response) and executable_markup(response) == [], url


def test_contact_notes_are_escaped_on_the_360_page(admin, browser):
    account = create_account(actor=admin, name="메모상사", kind="customer")
    contact = create_contact(actor=admin, account=account, full_name="김메모", notes=ALL)
    response = browser.get(reverse("customers:contact-detail", args=[contact.pk]))
    assert executable_markup(response) == []


def test_contact_name_is_escaped_on_its_accounts_360_page(admin, browser):
    account = create_account(actor=admin, name="소속상사", kind="customer")
    create_contact(actor=admin, account=account, full_name=PAYLOADS[1][:120])
    response = browser.get(reverse("customers:account-detail", args=[account.pk]))
    assert shown(response) and executable_markup(response) == []


def _activity_via_api(browser, account, **fields):
    response = browser.post(
        "/api/v1/activities/",
        {"kind": "note", "subject": "메모", "account": account.pk, **fields},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_activity_subject_is_escaped_on_list_detail_and_account_timeline(admin, browser):
    account = create_account(actor=admin, name="활동상사", kind="customer")
    data = _activity_via_api(browser, account, subject=PAYLOADS[1][:200])
    for url in (
        reverse("activities:list"),
        reverse("activities:detail", args=[data["id"]]),
        reverse("customers:account-detail", args=[account.pk]),
    ):
        response = browser.get(url)
        assert shown(response) and executable_markup(response) == [], url


def test_activity_rich_body_keeps_formatting_and_loses_scripts(admin, browser):
    account = create_account(actor=admin, name="본문상사", kind="customer")
    data = _activity_via_api(browser, account, body="<p><b>안건</b></p>" + ALL)
    assert "<b>안건</b>" in data["body"] and MARK not in data["body"].replace("click", "")
    response = browser.get(reverse("activities:detail", args=[data["id"]]))
    assert "<b>안건</b>" in response.content.decode()
    assert executable_markup(response) == []


def test_activity_body_written_straight_to_the_database_is_still_safe_on_the_page(admin, browser):
    """A row that skipped the operation (a data migration, a restore, a raw import) must not become a script."""
    account = create_account(actor=admin, name="원본상사", kind="customer")
    activity = ActivityFactory(account=account, owner=admin, body=ALL)
    response = browser.get(reverse("activities:detail", args=[activity.pk]))
    assert executable_markup(response) == []


def test_activity_outcome_and_location_are_escaped(admin, browser):
    account = create_account(actor=admin, name="결과상사", kind="customer")
    data = _activity_via_api(
        browser, account, kind="meeting", starts_at="2026-07-01T10:00:00+09:00", location=PAYLOADS[2][:200]
    )
    browser.post(reverse("activities:complete", args=[data["id"]]), {"outcome": ALL, "version": data["version"]})
    response = browser.get(reverse("activities:detail", args=[data["id"]]))
    assert executable_markup(response) == []


def test_product_description_is_sanitised_on_save_and_on_the_page(admin, browser):
    line = ProductLineFactory()
    product = create_product(
        actor=admin,
        sku="XSS-1",
        name="안전 제품",
        product_line=line,
        unit="EA",
        list_price=Money(1000, "KRW"),
        description="<p>설명</p>" + ALL,
    )
    product.refresh_from_db()
    assert "<script" not in product.description and "onerror" not in product.description
    response = browser.get(reverse("catalog:product-detail", args=[product.pk]))
    assert "설명" in response.content.decode() and executable_markup(response) == []


def test_product_description_written_straight_to_the_database_is_still_safe(admin, browser):
    product = ProductFactory(list_price=Money(1, "KRW"))
    type(product).objects.filter(pk=product.pk).update(description=ALL)
    response = browser.get(reverse("catalog:product-detail", args=[product.pk]))
    assert executable_markup(response) == []


def test_product_specs_keys_and_values_are_escaped(admin, browser):
    product = ProductFactory(specs=[{"key": PAYLOADS[0], "value": PAYLOADS[1]}])
    response = browser.get(reverse("catalog:product-detail", args=[product.pk]))
    assert shown(response) and executable_markup(response) == []


def test_product_name_is_escaped_on_list_and_detail(admin, browser):
    product = ProductFactory(name=PAYLOADS[2][:200])
    for url in (reverse("catalog:product-list"), reverse("catalog:product-detail", args=[product.pk])):
        response = browser.get(url)
        assert shown(response) and executable_markup(response) == [], url


def test_partner_name_is_escaped_where_partners_are_shown(admin, browser):
    partner = PartnerFactory(name=PAYLOADS[1][:200])
    served = create_account(actor=admin, name="고객상사", kind="customer", partner=partner)
    price_list = PriceListFactory(partner=partner, is_default=False)
    for url in (
        reverse("customers:account-detail", args=[partner.pk]),
        reverse("customers:account-detail", args=[served.pk]),
        reverse("catalog:price-list-detail", args=[price_list.pk]),
    ):
        response = browser.get(url)
        assert shown(response) and executable_markup(response) == [], url


def test_partner_product_name_is_escaped_on_the_product_page(admin, browser):
    number = PartnerProductNumberFactory(partner_name=PAYLOADS[2][:200], partner_sku="<b>x</b>")
    response = browser.get(reverse("catalog:product-detail", args=[number.product.pk]))
    assert shown(response) and executable_markup(response) == []


def test_price_list_name_is_escaped_on_list_and_detail(admin, browser):
    price_list = PriceListFactory(name=PAYLOADS[1][:120])
    for url in (reverse("catalog:price-list-list"), reverse("catalog:price-list-detail", args=[price_list.pk])):
        response = browser.get(url)
        assert shown(response) and executable_markup(response) == [], url


def test_search_results_and_typeahead_escape_indexed_names(admin, browser):
    create_account(actor=admin, name=f"검색상사 {PAYLOADS[1]}"[:200], kind="customer")
    for url in (reverse("search"), reverse("search-typeahead")):
        response = browser.get(url, {"q": "검색상사"})
        assert executable_markup(response) == [], url


def test_the_search_query_itself_is_escaped_when_echoed(browser):
    response = browser.get(reverse("search"), {"q": PAYLOADS[0]})
    assert executable_markup(response) == []
    response = browser.get(reverse("customers:account-list"), {"q": PAYLOADS[2]})
    assert executable_markup(response) == []


def test_user_full_name_is_escaped_as_owner(admin, browser):
    owner = UserFactory(full_name=PAYLOADS[1][:150])
    account = create_account(actor=admin, name="담당상사", kind="customer", owner=owner)
    response = browser.get(reverse("customers:account-detail", args=[account.pk]))
    assert shown(response) and executable_markup(response) == []
