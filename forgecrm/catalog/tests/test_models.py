import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from djmoney.money import Money

from forgecrm.catalog.models import PriceList, sanitize_description, validate_specs

from .factories import PartnerFactory, PriceListFactory, PriceListItemFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_description_is_sanitised_on_save():
    product = ProductFactory(
        description=(
            '<p>저소음 <strong>인버터</strong> 실외기</p><script>alert("x")</script>'
            '<img src="https://cdn.example.kr/ou.png" onerror="alert(1)">'
            '<a href="javascript:alert(1)" onclick="steal()">사양서</a>'
            '<iframe src="https://evil.example"></iframe><p style="color:red">냉방 23kW</p>'
        )
    )
    product.refresh_from_db()
    assert "<script" not in product.description and "alert(" not in product.description
    assert "onerror" not in product.description and "onclick" not in product.description
    assert "javascript:" not in product.description and "<iframe" not in product.description
    assert "style=" not in product.description
    assert "<strong>인버터</strong>" in product.description
    assert '<img src="https://cdn.example.kr/ou.png">' in product.description
    assert "냉방 23kW" in product.description


def test_sanitiser_keeps_tables_and_safe_links():
    html = '<table><tr><th>모델</th><td>HP-B-16</td></tr></table><a href="https://forge.example.kr/spec.pdf">PDF</a>'
    clean = sanitize_description(html)
    assert "<table>" in clean and "<td>HP-B-16</td>" in clean
    assert 'href="https://forge.example.kr/spec.pdf"' in clean and 'rel="noopener noreferrer nofollow"' in clean


@pytest.mark.parametrize(
    "specs",
    [
        {"냉방능력": "23 kW"},
        [{"key": "", "value": "x"}],
        [{"key": "냉방능력", "value": "23"}, {"key": "냉방능력 ", "value": "24"}],
        [{"key": "전원", "value": {"nested": True}}],
        [{"key": "전원", "value": "380V", "unit": "V"}],
    ],
)
def test_specs_must_be_ordered_key_value_pairs(specs):
    with pytest.raises(ValidationError):
        validate_specs(specs)


def test_valid_specs_pass():
    validate_specs([{"key": "냉방능력", "value": "23.0 kW"}, {"key": "중량", "value": 182}])


def test_price_list_needs_exactly_one_assignment():
    partner = PartnerFactory()
    both = PriceList(name="중복", valid_from=dt.date(2026, 1, 1), partner=partner, partner_tier="gold")
    with pytest.raises(ValidationError):
        both.full_clean()
    none = PriceList(name="없음", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        none.full_clean()
    backwards = PriceList(name="역순", valid_from=dt.date(2026, 2, 1), valid_to=dt.date(2026, 1, 1), is_default=True)
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert "valid_to" in error.value.message_dict


def test_item_price_must_be_in_the_list_currency_and_whole_for_krw():
    item = PriceListItemFactory.build(
        price_list=PriceListFactory(), product=ProductFactory(), unit_price=Money("1000.50", "KRW")
    )
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "KRW has no minor unit" in str(error.value)
    item.unit_price = Money(1000, "USD")
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "list's currency (KRW)" in str(error.value)


def test_partner_price_list_rejects_a_customer_account():
    customer = PartnerFactory(kind="customer")
    price_list = PriceList(name="고객", valid_from=dt.date(2026, 1, 1), partner=customer)
    with pytest.raises(ValidationError) as error:
        price_list.full_clean()
    assert "partner" in error.value.message_dict


def test_list_price_is_krw_without_minor_unit():
    product = ProductFactory(list_price=Money(1_250_000, "KRW"))
    product.refresh_from_db()
    assert product.list_price == Money(1_250_000, "KRW")
    product.list_price = Money(100, "USD")
    with pytest.raises(ValidationError):
        product.full_clean()
