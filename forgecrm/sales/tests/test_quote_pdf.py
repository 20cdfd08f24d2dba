"""The 견적서 PDF read back with pypdf: Korean and English layouts, supplier and customer blocks with their
사업자등록번호, lines with options and discounts, 공급가액 / 부가세 / 합계, validity; never cost or notes."""

import pytest

from forgecrm.platform.tests.pdf_samples import decoded_streams, font_names, page_texts
from forgecrm.sales.operations.quote_lines import update_quote, update_quote_line
from forgecrm.sales.operations.quoting import create_quote
from forgecrm.sales.quote_documents import render_quote_pdf

from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote():
    world = build_quoting_world()
    quote = create_quote(
        actor=world.rep,
        opportunity=world.opportunity,
        terms="<p>납기: 발주 후 4주</p>",
        internal_note="ZQX내부메모Q",
    )
    update_quote_line(actor=world.rep, line=quote.lines.get(), discount_percent="7.5")
    quote.refresh_from_db()
    return update_quote(actor=world.rep, quote=quote, expected_version=None, changes={"header_discount_percent": "2"})


def test_the_korean_quote_reads_back(quote):
    pdf = render_quote_pdf(quote)
    text = "\n".join(page_texts(pdf))
    for expected in (
        "견적서",
        quote.number,
        "주식회사 한빛공조",
        "123-45-67891",  # the customer's 사업자등록번호
        "포지공조 주식회사",
        "120-88-00767",  # ours
        "시스템 에어컨 실외기 23kW",
        "동배관 5m 세트 (OPT-PIPE5)",
        "공급가액",
        "부가세",
        "합계",
        "납기: 발주 후 4주",
        quote.valid_until.isoformat(),
        f"₩{quote.total.amount:,.0f}",
        f"₩{quote.vat.amount:,.0f}",
    ):
        assert expected in text, expected
    assert font_names(pdf) == {"Noto-Sans-KR", "Noto-Sans-KR-Bold"}
    for secret in ("5,340,000", "5340000", "ZQX내부메모Q", "마진", "Margin"):
        assert secret not in text
    assert b"5340000" not in decoded_streams(pdf)


def test_the_english_quote_reads_back(quote):
    quote.language = "en"
    text = "\n".join(page_texts(render_quote_pdf(quote)))
    for expected in ("Quotation", "Forge HVAC Co., Ltd.", "Supplier", "Customer", "VAT", "Valid until"):
        assert expected in text, expected
