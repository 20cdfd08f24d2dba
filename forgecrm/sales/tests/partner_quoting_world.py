"""The CPQ world of quoting_world.py with a dealer working the deal: a gold dealer with its own price list, a
gold tier list, the dealer's own product number, and the dealer's users (and another partner's)."""

from dataclasses import dataclass

from forgecrm.catalog.models import PriceList
from forgecrm.catalog.tests.factories import PartnerProductNumberFactory, PriceListFactory, PriceListItemFactory
from forgecrm.customers.models import Account
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.platform.models import Role, User
from forgecrm.platform.tests.factories import UserFactory

from .quoting_world import QuotingWorld, build_quoting_world, krw


@dataclass
class PartnerQuotingWorld:
    base: QuotingWorld
    dealer: Account
    dealer_rep: User
    other_partner: Account
    other_rep: User
    dealer_list: PriceList
    tier_list: PriceList


def build_partner_quoting_world(*, own_list: bool = True) -> PartnerQuotingWorld:
    base = build_quoting_world()
    dealer = PartnerAccountFactory(name="(주)서울냉열 대리점", tier="gold")
    other = PartnerAccountFactory(name="(주)부산공조", tier="gold")
    dealer_rep = UserFactory(role=Role.PARTNER_REP, organization=dealer, full_name="박대리")
    other_rep = UserFactory(role=Role.PARTNER_REP, organization=other, full_name="남대리")
    tier_list = PriceListFactory(name="골드 파트너 단가표", is_default=False, partner_tier="gold")
    PriceListItemFactory(price_list=tier_list, product=base.product, unit_price=krw(7_200_000))
    dealer_list = PriceListFactory(name="서울냉열 전용 단가표", is_default=False, partner=dealer)
    if own_list:
        PriceListItemFactory(price_list=dealer_list, product=base.product, unit_price=krw(6_900_000))
    PartnerProductNumberFactory(partner=dealer, product=base.product, partner_sku="SN-OU23")
    base.opportunity.partner = dealer
    base.opportunity.save(update_fields=["partner"])
    return PartnerQuotingWorld(
        base=base,
        dealer=dealer,
        dealer_rep=dealer_rep,
        other_partner=other,
        other_rep=other_rep,
        dealer_list=dealer_list,
        tier_list=tier_list,
    )
