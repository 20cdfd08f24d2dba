"""CSV/XLSX of the quote and sales order lists: the list's rows, formulas neutralised, cost and margin for
internal users only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db

SECRET_COST = "21360000"  # 4 × the 5,340,000 unit cost snapshot


@pytest.fixture
def partner():
    return PartnerAccountFactory(partner_type="distributor")


@pytest.fixture
def documents(partner):
    owner = UserFactory(role=Role.SALES_REP)
    opportunity = f.OpportunityFactory(owner=owner, partner=partner, name='=HYPERLINK("http://evil")')
    quote = f.QuoteFactory(opportunity=opportunity)
    f.QuoteLineFactory(quote=quote)
    order = f.SalesOrderFactory(quote=quote, customer_reference="@SUM(A1:A9)")
    other = f.QuoteFactory()  # another rep's deal, no partner
    return owner, quote, order, other


def rows(client, route, fmt="csv"):
    response = client.get(reverse(route), {"export": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [[("" if cell is None else str(cell)) for cell in row] for row in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_owner_exports_their_quotes_with_cost_and_margin(client, documents, fmt):
    owner, quote, _order, _other = documents
    client.force_login(owner)
    table = rows(client, "sales:quote-list", fmt)
    header, body = table[0], table[1:]
    assert [row[1] for row in body] == [quote.number]  # the list's scope: not the other rep's quote
    assert "Cost" in header and "Margin (%)" in header
    row = dict(zip(header, body[0], strict=True))
    assert row["Cost"].startswith(SECRET_COST) and row["Margin (%)"] in {"40.0", "40"}
    assert row["Opportunity"].startswith("'=HYPERLINK")


def test_a_partner_exports_the_same_rows_without_cost_or_margin(client, documents, partner):
    _owner, quote, order, _other = documents
    client.force_login(UserFactory(role=Role.PARTNER_ADMIN, organization=partner))
    for route, number in (("sales:quote-list", quote.number), ("sales:order-list", order.number)):
        table = rows(client, route)
        assert [row[1] for row in table[1:]] == [number]
        flat = " ".join(" ".join(row) for row in table)
        assert "Cost" not in table[0] and "Margin (%)" not in table[0] and SECRET_COST not in flat


def test_the_order_export_neutralises_formulas_and_carries_the_quote(client, documents):
    owner, quote, order, _other = documents
    client.force_login(owner)
    table = rows(client, "sales:order-list")
    row = dict(zip(table[0], table[1], strict=True))
    assert row["Number"] == order.number and row["Quote"] == quote.number
    assert row["Customer PO number"].startswith("'@SUM") and row["Cost"].startswith(SECRET_COST)


def test_the_export_runs_the_same_queries_for_more_rows(client, documents, django_assert_max_num_queries):
    owner, quote, _order, _other = documents
    client.force_login(owner)
    url = reverse("sales:quote-list")
    client.get(url, {"export": "csv"})
    with django_assert_max_num_queries(12) as few:
        b"".join(client.get(url, {"export": "csv"}).streaming_content)
    for _ in range(6):
        f.QuoteLineFactory(quote=f.QuoteFactory(opportunity=quote.opportunity))
    with django_assert_max_num_queries(len(few.captured_queries)):
        b"".join(client.get(url, {"export": "csv"}).streaming_content)
