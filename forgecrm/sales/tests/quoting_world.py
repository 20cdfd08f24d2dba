"""A small CPQ world for the quote and order tests: a rep under a manager under a director, an HVAC outdoor
unit with options and rules, a default price list with a volume tier, thresholds, an opportunity with a line."""

from dataclasses import dataclass
from decimal import Decimal

from djmoney.money import Money

from forgecrm.catalog.models import Option, PriceList, Product
from forgecrm.catalog.tests.factories import (
    OptionFactory,
    OptionGroupFactory,
    OptionRuleFactory,
    PriceListFactory,
    PriceListItemFactory,
    PriceTierFactory,
    ProductFactory,
    ProductLineFactory,
)
from forgecrm.customers.models import Account, Contact
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.models import Role, User
from forgecrm.platform.operations import set_manager
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import ApprovalLevel, Opportunity

from . import factories as f


def krw(amount) -> Money:
    return Money(amount, "KRW")


@dataclass
class QuotingWorld:
    admin: User
    director: User
    manager: User
    rep: User
    outsider: User
    account: Account
    contact: Contact
    product: Product
    pipe: Option  # 동배관 5m +150,000
    remote: Option  # 무선 리모컨 +80,000 (excludes the pipe kit)
    controller: Option  # 중앙 제어기 +1,200,000 (requires the pipe kit)
    price_list: PriceList
    opportunity: Opportunity


def build_quoting_world() -> QuotingWorld:
    admin = UserFactory(role=Role.ADMIN, full_name="관리자")
    director = UserFactory(role=Role.SALES_MANAGER, full_name="이본부장")
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="박팀장")
    rep = UserFactory(role=Role.SALES_REP, full_name="김영업")
    outsider = UserFactory(role=Role.SALES_REP, full_name="다른영업")
    set_manager(actor=None, user=manager, manager=director)
    set_manager(actor=None, user=rep, manager=manager)
    for user in (director, manager, rep):
        user.refresh_from_db()
    account = AccountFactory(
        name="주식회사 한빛공조", owner=rep, brn="1234567891", road_address="서울 중구 세종대로 110"
    )
    contact = ContactFactory(account=account, full_name="최구매", email="buyer@hanbit.example", title="구매팀장")
    line = ProductLineFactory(name="시스템 에어컨")
    product = ProductFactory(
        sku="SAC-OU-23K",
        name="시스템 에어컨 실외기 23kW",
        product_line=line,
        list_price=krw(8_900_000),
        standard_cost=krw(5_340_000),
    )
    pipes = OptionGroupFactory(product=product, name="배관 키트", min_selections=0, max_selections=1)
    controls = OptionGroupFactory(product=product, name="제어", min_selections=0, max_selections=1)
    pipe = OptionFactory(group=pipes, sku="OPT-PIPE5", name="동배관 5m 세트", price_delta=krw(150_000))
    remote = OptionFactory(group=controls, sku="OPT-REMOTE", name="무선 리모컨", price_delta=krw(80_000))
    controller = OptionFactory(group=controls, sku="OPT-CTRL", name="중앙 제어기", price_delta=krw(1_200_000))
    OptionRuleFactory(product=product, option=controller, kind="requires", target_option=pipe)
    OptionRuleFactory(product=product, option=remote, kind="excludes", target_option=pipe)
    price_list = PriceListFactory(name="2026 표준 단가표", is_default=True)
    item = PriceListItemFactory(price_list=price_list, product=product, unit_price=krw(8_500_000))
    PriceTierFactory(item=item, min_quantity=10, unit_price=krw(8_000_000))
    f.DiscountApprovalThresholdFactory(level=ApprovalLevel.MANAGER, from_discount_percent=Decimal("10"))
    f.DiscountApprovalThresholdFactory(level=ApprovalLevel.DIRECTOR, from_discount_percent=Decimal("20"))
    f.DiscountApprovalThresholdFactory(
        level=ApprovalLevel.MANAGER, from_discount_percent=Decimal("15"), product_line=line
    )
    opportunity = f.OpportunityFactory(
        name="본사 사옥 냉난방 교체", owner=rep, account=account, primary_contact=contact
    )
    opp_line = f.OpportunityLineFactory(
        opportunity=opportunity, product=product, quantity=4, discount_percent=Decimal("5"), position=1
    )
    opp_line.selected_options.set([pipe])
    return QuotingWorld(
        admin=admin,
        director=director,
        manager=manager,
        rep=rep,
        outsider=outsider,
        account=account,
        contact=contact,
        product=product,
        pipe=pipe,
        remote=remote,
        controller=controller,
        price_list=price_list,
        opportunity=opportunity,
    )
