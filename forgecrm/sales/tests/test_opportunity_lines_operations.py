"""Opportunity lines (priced from the catalog, configured with options) and competitors (internal only)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import (
    OptionFactory,
    OptionGroupFactory,
    OptionRuleFactory,
    PartnerFactory,
    PriceListFactory,
    PriceListItemFactory,
    PriceTierFactory,
    ProductFactory,
)
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import OpportunityCompetitor, Stage
from forgecrm.sales.operations.opportunities import create_opportunity, move_opportunity_to_stage
from forgecrm.sales.operations.opportunity_competitors import (
    add_opportunity_competitor,
    remove_opportunity_competitor,
    update_opportunity_competitor,
)
from forgecrm.sales.operations.opportunity_lines import (
    add_opportunity_line,
    remove_opportunity_line,
    update_opportunity_line,
)

pytestmark = pytest.mark.django_db


def krw(value) -> Money:
    return Money(value, "KRW")


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def deal(rep):
    return create_opportunity(
        actor=rep,
        account=AccountFactory(owner=rep),
        name="물류센터 냉동창고",
        close_date=timezone.localdate() + dt.timedelta(days=60),
        amount=krw(1),
    )


@pytest.fixture
def chiller():
    product = ProductFactory(list_price=krw(10_000_000))
    item = PriceListItemFactory(product=product, unit_price=krw(9_000_000))
    PriceTierFactory(item=item, min_quantity=10, unit_price=krw(8_000_000))
    return product


def test_a_line_is_priced_from_the_default_list_with_the_volume_tier_and_sets_the_amount(rep, deal, chiller):
    line = add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=2)
    assert line.unit_price == krw(9_000_000)
    assert line.amount == krw(18_000_000)
    assert line.position == 1

    big = add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=10, discount_percent=Decimal(5))
    assert big.unit_price == krw(8_000_000)
    assert big.amount == krw(76_000_000)
    deal.refresh_from_db()
    assert deal.amount == krw(94_000_000)

    line = update_opportunity_line(actor=rep, line=line, expected_version=line.version, quantity=12)
    assert line.unit_price == krw(8_000_000)
    deal.refresh_from_db()
    assert deal.amount == krw(96_000_000 + 76_000_000)


def test_the_partners_own_list_wins(rep, deal, chiller):
    partner = PartnerFactory()
    own = PriceListFactory(is_default=False, partner=partner)
    PriceListItemFactory(price_list=own, product=chiller, unit_price=krw(7_000_000))
    deal.partner = partner
    deal.save()

    line = add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=1)

    assert line.price_list == own
    assert line.unit_price == krw(7_000_000)


def test_options_add_their_price_and_an_excluded_combination_is_refused_naming_the_rule(rep, deal, chiller):
    kits = OptionGroupFactory(product=chiller, max_selections=2)
    pipes = OptionFactory(group=kits, name="동배관", sku="PIPE", price_delta=krw(150_000))
    remote = OptionFactory(group=kits, name="무선 리모컨", sku="RMT", price_delta=krw(50_000))
    line = add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=2, options=[pipes, remote])
    assert line.unit_price == krw(9_200_000)
    assert set(line.selected_options.all()) == {pipes, remote}

    OptionRuleFactory(product=chiller, option=pipes, kind="excludes", target_option=remote)
    with pytest.raises(ValidationError) as error:
        add_opportunity_line(actor=rep, opportunity=deal, product=chiller, options=[pipes, remote])
    assert "동배관 (PIPE)" in str(error.value) and "무선 리모컨 (RMT)" in str(error.value)


def test_an_option_of_another_product_is_refused(rep, deal, chiller):
    stranger = OptionFactory()
    with pytest.raises(ValidationError) as error:
        add_opportunity_line(actor=rep, opportunity=deal, product=chiller, options=[stranger])
    assert "selected_options" in error.value.message_dict


def test_bad_quantity_discount_and_a_chosen_list_without_the_product(rep, deal, chiller):
    with pytest.raises(ValidationError) as error:
        add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=0, discount_percent=Decimal(101))
    assert set(error.value.message_dict) == {"quantity", "discount_percent"}
    with pytest.raises(ValidationError) as error:
        add_opportunity_line(actor=rep, opportunity=deal, product=chiller, price_list=PriceListFactory())
    assert "price_list" in error.value.message_dict


def test_a_discontinued_product_is_refused(rep, deal):
    with pytest.raises(ValidationError) as error:
        add_opportunity_line(actor=rep, opportunity=deal, product=ProductFactory(status="discontinued"))
    assert "product" in error.value.message_dict


def test_removing_lines_and_stale_line_writes(rep, deal, chiller):
    first = add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=1)
    second = add_opportunity_line(actor=rep, opportunity=deal, product=chiller, quantity=2)
    update_opportunity_line(actor=rep, line=first, expected_version=first.version, quantity=3)
    with pytest.raises(ConflictError):
        update_opportunity_line(actor=rep, line=first, expected_version=first.version, quantity=4)
    with pytest.raises(ConflictError):
        remove_opportunity_line(actor=rep, line=first, expected_version=first.version)

    remove_opportunity_line(actor=rep, line=second)

    deal.refresh_from_db()
    assert deal.amount == krw(27_000_000)


def test_lines_of_a_closed_deal_and_of_someone_elses_deal_cannot_change(rep, deal, chiller):
    with pytest.raises(PermissionDenied):
        add_opportunity_line(actor=UserFactory(), opportunity=deal, product=chiller)
    won = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=Stage.objects.get(code="won"), expected_version=deal.version
    )
    with pytest.raises(ValidationError):
        add_opportunity_line(actor=rep, opportunity=won, product=chiller)


def test_competitors_by_account_or_name_one_winner(rep, deal):
    rival = AccountFactory(kind="competitor", owner=rep)
    first = add_opportunity_competitor(actor=rep, opportunity=deal, competitor=rival, won_by=True)
    second = add_opportunity_competitor(actor=rep, opportunity=deal, competitor_name="대성공조", notes="단가 공세")

    second = update_opportunity_competitor(actor=rep, row=second, expected_version=second.version, won_by=True)

    first.refresh_from_db()
    assert (first.won_by, second.won_by) == (False, True)
    remove_opportunity_competitor(actor=rep, row=first)
    assert list(OpportunityCompetitor.objects.filter(opportunity=deal)) == [second]


def test_competitor_bad_input(rep, deal):
    with pytest.raises(ValidationError) as error:
        add_opportunity_competitor(actor=rep, opportunity=deal)
    assert "competitor_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        add_opportunity_competitor(actor=rep, opportunity=deal, competitor=AccountFactory(owner=rep))
    assert "competitor" in error.value.message_dict


def test_partners_never_record_competitors(rep, deal):
    partner = PartnerFactory()
    deal.partner = partner
    deal.save()
    partner_user = UserFactory(organization=partner, role=Role.PARTNER_REP)
    assert partner_user.has_perm("sales.change_opportunity", deal)
    with pytest.raises(PermissionDenied):
        add_opportunity_competitor(actor=partner_user, opportunity=deal, competitor_name="x")
