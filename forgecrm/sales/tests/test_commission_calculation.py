"""The commission maths (marginal accelerator), with exact KRW figures."""

from decimal import Decimal as D

from forgecrm.sales.commission_calculation import Rates, Sale, Tier, calculate_commission

CHILLERS, FANS = 1, 2
RATES = Rates(by_product_line={CHILLERS: D("3.00")}, default=D("2.00"))
TIERS = [Tier(D("150.00"), D("2.00")), Tier(D("100.00"), D("1.50"))]  # any order


def lines_of(calculation):
    return [
        (line.sales_order_id, line.base, line.rate_percent, line.multiplier, line.commission)
        for line in calculation.lines
    ]


def test_the_worked_example_of_the_module_docstring():
    sales = [
        Sale(1, CHILLERS, D(60_000_000)),
        Sale(2, FANS, D(30_000_000)),
        Sale(3, CHILLERS, D(40_000_000)),
        Sale(4, FANS, D(30_000_000)),
    ]
    result = calculate_commission(sales=sales, quota=D(100_000_000), rates=RATES, tiers=TIERS)
    assert lines_of(result) == [
        (1, D(60_000_000), D("3.00"), 1, D(1_800_000)),
        (2, D(30_000_000), D("2.00"), 1, D(600_000)),
        (3, D(10_000_000), D("3.00"), 1, D(300_000)),
        (3, D(30_000_000), D("3.00"), D("1.50"), D(1_350_000)),
        (4, D(20_000_000), D("2.00"), D("1.50"), D(600_000)),
        (4, D(10_000_000), D("2.00"), D("2.00"), D(400_000)),
    ]
    assert result.total == D(5_050_000)
    assert result.attained == D(160_000_000)
    assert result.attainment_percent == D("160.00")


def test_the_accelerator_is_marginal_not_retroactive():
    """At 120 % only the 20 % above quota earns the multiplier; the first 100 % stays at the base rate."""
    result = calculate_commission(sales=[Sale(1, FANS, D(120_000_000))], quota=D(100_000_000), rates=RATES, tiers=TIERS)
    assert result.total == D(100_000_000) * D("0.02") + D(20_000_000) * D("0.02") * D("1.5")  # 2,600,000
    assert result.total == D(2_600_000)


def test_below_quota_no_tier_applies_and_rates_follow_the_product_line():
    sales = [Sale(1, CHILLERS, D(10_000_000)), Sale(1, FANS, D(5_000_000)), Sale(2, None, D(1_000_000))]
    result = calculate_commission(sales=sales, quota=D(100_000_000), rates=RATES, tiers=TIERS)
    assert [line.commission for line in result.lines] == [D(300_000), D(100_000), D(20_000)]
    assert result.total == D(420_000)
    assert result.attainment_percent == D("16.00")


def test_rounding_is_half_up_to_the_won_per_line():
    result = calculate_commission(
        sales=[Sale(1, FANS, D("12345.25"))], quota=D(0), rates=Rates({}, D("2.00")), tiers=[]
    )
    assert result.lines[0].commission == D(247)  # 246.905 -> 247
    assert result.attainment_percent == D("0.00")


def test_without_a_quota_only_a_tier_from_zero_applies():
    tiers = [Tier(D("0"), D("0.50")), Tier(D("100"), D("2.00"))]
    result = calculate_commission(sales=[Sale(1, FANS, D(1_000_000))], quota=D(0), rates=RATES, tiers=tiers)
    assert [(line.multiplier, line.commission) for line in result.lines] == [(D("0.50"), D(10_000))]


def test_a_decelerator_below_a_threshold_and_two_sales_of_one_order_are_one_line():
    tiers = [Tier(D("0"), D("0.50")), Tier(D("50"), D("1.00"))]
    sales = [Sale(1, FANS, D(30_000_000)), Sale(1, FANS, D(40_000_000))]
    result = calculate_commission(sales=sales, quota=D(100_000_000), rates=RATES, tiers=tiers)
    assert lines_of(result) == [
        (1, D(50_000_000), D("2.00"), D("0.50"), D(500_000)),
        (1, D(20_000_000), D("2.00"), D("1.00"), D(400_000)),
    ]
    assert result.total == D(900_000)
