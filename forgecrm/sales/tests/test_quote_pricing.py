"""Quote pricing: price list and volume tiers, option price differences, line and header discounts, 10 % VAT
(KRW: whole won, VAT truncated like a 세금계산서), and the catalog's rules refusing a combination by name."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from forgecrm.sales.operations.quote_lines import add_quote_line, update_quote, update_quote_line
from forgecrm.sales.operations.quoting import create_quote
from forgecrm.sales.quote_amounts import effective_discount_percent, price_line, quote_totals

from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_quoting_world()


def amount(money) -> Decimal:
    return money.amount


def test_a_quote_copies_the_opportunity_lines_priced_from_the_list_with_options(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    line = quote.lines.get()
    assert quote.number.startswith("Q-") and quote.family == quote.number and quote.revision == 1
    assert quote.contact == world.contact and quote.owner == world.rep and quote.status == "draft"
    assert amount(line.list_unit_price) == 8_500_000  # the price list's item, not the product's list price
    assert line.tier_unit_price is None  # 4 units reach no tier
    assert [o.option_sku for o in line.options.all()] == ["OPT-PIPE5"]
    # (8,500,000 + 150,000) × 0.95 = 8,217,500 per unit; × 4
    assert amount(line.net_unit_price) == 8_217_500
    assert amount(line.line_total) == 32_870_000
    assert amount(line.unit_cost) == 5_340_000  # the cost snapshot, for the internal margin
    assert amount(quote.subtotal) == 32_870_000
    assert amount(quote.discount) == 0
    assert amount(quote.net) == 32_870_000
    assert amount(quote.vat) == 3_287_000
    assert amount(quote.total) == 36_157_000


def test_the_volume_tier_applies_from_its_quantity_and_the_header_discount_after_the_lines(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    line = update_quote_line(actor=world.rep, line=quote.lines.get(), quantity=10)
    assert amount(line.tier_unit_price) == 8_000_000
    # (8,000,000 + 150,000) × 0.95 = 7,742,500; × 10
    assert amount(line.line_total) == 77_425_000
    quote = update_quote(actor=world.rep, quote=quote, expected_version=None, changes={"header_discount_percent": "3"})
    assert amount(quote.subtotal) == 77_425_000
    assert amount(quote.discount) == 2_322_750
    assert amount(quote.net) == 75_102_250
    assert amount(quote.vat) == 7_510_225
    assert amount(quote.total) == 82_612_475


def test_krw_rounds_unit_prices_half_up_and_truncates_vat_below_one_won():
    priced = price_line(
        list_unit_price=Decimal("12345"),
        tier_unit_price=None,
        option_deltas=[],
        quantity=1,
        discount_percent=Decimal("1.5"),
        currency="KRW",
    )
    assert priced.net_unit_price == Decimal("12160")  # 12,159.825 → 12,160
    totals = quote_totals([Decimal("12345")], header_discount_percent=Decimal(0), vat_rate=Decimal(10), currency="KRW")
    assert (totals.net, totals.vat, totals.total) == (Decimal("12345"), Decimal("1234"), Decimal("13579"))
    usd = quote_totals([Decimal("100.05")], header_discount_percent=Decimal(0), vat_rate=Decimal(10), currency="USD")
    assert usd.vat == Decimal("10.00") and usd.total == Decimal("110.05")


def test_effective_discount_combines_line_and_header():
    assert effective_discount_percent(Decimal(10), Decimal(10)) == Decimal("19.00")
    assert effective_discount_percent(Decimal(0), Decimal("12.5")) == Decimal("12.50")


def test_an_excluded_option_combination_is_refused_with_the_rule_named(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity, copy_lines=False)
    with pytest.raises(ValidationError) as refused:
        add_quote_line(actor=world.rep, quote=quote, product=world.product, option_ids=[world.pipe.pk, world.remote.pk])
    message = " ".join(refused.value.message_dict["options"])
    assert "무선 리모컨 (OPT-REMOTE)" in message and "동배관 5m 세트 (OPT-PIPE5)" in message
    with pytest.raises(ValidationError) as missing:
        add_quote_line(actor=world.rep, quote=quote, product=world.product, option_ids=[world.controller.pk])
    assert "requires" in " ".join(missing.value.message_dict["options"]) or "필요" in str(missing.value)
    assert quote.lines.count() == 0  # nothing half-added


def test_options_change_the_price_and_are_snapshotted(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity, copy_lines=False)
    line = add_quote_line(
        actor=world.rep, quote=quote, product=world.product, quantity=2, option_ids=[world.pipe.pk, world.controller.pk]
    )
    # 8,500,000 + 150,000 + 1,200,000 = 9,850,000 per unit
    assert amount(line.net_unit_price) == 9_850_000 and amount(line.line_total) == 19_700_000
    assert sorted(o.option_name for o in line.options.all()) == ["동배관 5m 세트", "중앙 제어기"]
    line = update_quote_line(actor=world.rep, line=line, option_ids=[world.remote.pk])
    assert amount(line.net_unit_price) == 8_580_000
    assert [o.option_sku for o in line.options.all()] == ["OPT-REMOTE"]


def test_bad_numbers_are_field_errors(world):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity, copy_lines=False)
    for field, kwargs in [
        ("quantity", {"quantity": 0}),
        ("quantity", {"quantity": "many"}),
        ("discount_percent", {"discount_percent": "101"}),
        ("discount_percent", {"discount_percent": "NaN"}),
    ]:
        with pytest.raises(ValidationError) as error:
            add_quote_line(actor=world.rep, quote=quote, product=world.product, **kwargs)
        assert field in error.value.message_dict


def test_a_stale_line_edit_is_a_conflict(world):
    from forgecrm.platform.versioning import ConflictError

    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    line = quote.lines.get()
    update_quote_line(actor=world.rep, line=line, expected_version=line.version, quantity=5)
    with pytest.raises(ConflictError):
        update_quote_line(actor=world.rep, line=line, expected_version=line.version, quantity=6)


def test_terms_are_sanitised(world):
    quote = create_quote(
        actor=world.rep,
        opportunity=world.opportunity,
        terms='<p>납기 4주</p><script>alert(1)</script><img src="file:///etc/passwd">',
    )
    assert quote.terms == "<p>납기 4주</p>"


def test_someone_who_cannot_see_the_opportunity_cannot_quote_it(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_quote(actor=world.outsider, opportunity=world.opportunity)
