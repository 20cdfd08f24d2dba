"""Deal registrations in every state, through the real operations: drafts, submitted ones with a channel conflict
(an account headquarters already works, and two dealers claiming one customer), an approved one with its
exclusivity, a rejected one, one won."""

import datetime as dt
import random

from django.utils import timezone

from forgecrm.catalog.models import Product
from forgecrm.customers.models import Account, AccountKind
from forgecrm.partners.models import ChannelConflict, ConflictStatus
from forgecrm.partners.operations import registrations as ops
from forgecrm.partners.operations.conflicts import decide_channel_conflict
from forgecrm.platform.korea.brn import is_valid
from forgecrm.platform.models import User
from forgecrm.sales.models import Opportunity


def _values(name: str, rng: random.Random, close: dt.date, **extra) -> dict:
    return {
        "customer_name": name,
        "contact_name": rng.choice(["김도윤", "이서연", "박지훈", "최민서", "정하준"]),
        "contact_email": f"buyer{rng.randint(100, 999)}@example.kr",
        "sido": rng.choice(["경기도", "서울특별시", "충청남도"]),
        "expected_amount": rng.choice([38_000_000, 85_000_000, 142_000_000]),
        "expected_close_date": close + dt.timedelta(days=rng.randint(30, 120)),
        **extra,
    }


def seed_deal_registrations(*, org, book, rng: random.Random, today: dt.date) -> int:
    """A handful of registrations by dealers' users; returns how many were made."""
    dealers = [
        account
        for account in Account.objects.filter(kind=AccountKind.PARTNER, partner_type="dealer").order_by("pk")
        if book.portal_user_ids.get(account.pk)
    ][:3]
    products = list(Product.objects.filter(status="active").order_by("pk")[:6])
    if len(dealers) < 2 or not products or not org.channel_manager_ids:
        return 0
    users = {dealer.pk: User.objects.get(pk=book.portal_user_ids[dealer.pk][0]) for dealer in dealers}
    channel = User.objects.get(pk=org.channel_manager_ids[0])
    close = max(today, timezone.localdate())
    made = []

    def register(dealer, name, submit=True, **extra):
        registration = ops.create_deal_registration(
            actor=users[dealer.pk],
            values=_values(name, rng, close, product_line=products[0].product_line, **extra),
            lines=[(rng.choice(products), rng.randint(1, 12))],
        )
        if submit:
            registration = ops.submit_deal_registration(
                actor=users[dealer.pk], registration=registration, expected_version=None
            )
        made.append(registration)
        return registration

    first, second = dealers[0], dealers[1]
    register(first, "(주)성진정밀 2공장 증설", submit=False)
    # A customer headquarters already works: the registration opens a conflict with that opportunity.
    worked = Opportunity.objects.filter(stage__is_won=False, stage__is_lost=False, partner__isnull=True)
    worked = worked.select_related("account").order_by("pk").first()
    if worked is not None:
        brn = worked.account.brn if is_valid(worked.account.brn or "") else ""
        register(first, worked.account.name, customer_brn=brn)
    # Approved, then another dealer claims the same customer during the exclusivity.
    approved = register(first, "(주)대성하이텍", customer_brn="1248100998")
    ops.approve_deal_registration(actor=channel, registration=approved, expected_version=None, note="선발굴 인정")
    register(second, "대성하이텍 주식회사", customer_brn="124-81-00998")
    rejected = register(second, "한결물류센터")
    ops.reject_deal_registration(
        actor=channel, registration=rejected, expected_version=None, reason="본사 직판 고객입니다."
    )
    won = register(second, "(주)미래에너지 신사옥")
    for conflict in ChannelConflict.objects.filter(registration=won, status=ConflictStatus.OPEN):
        decide_channel_conflict(actor=channel, conflict=conflict, decision=ConflictStatus.DISMISSED)
    won = ops.approve_deal_registration(actor=channel, registration=won, expected_version=None, days=60)
    ops.mark_deal_registration_won(actor=users[second.pk], registration=won, expected_version=None)
    return len(made)
