"""The hand-built book every report test counts on (`make_book()`, wrapped in a `book` fixture)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import ForecastStatus, LeadStatus, Opportunity, Stage

from . import factories as f

# "today" of the report tests: the second quarter of 2026
TODAY = dt.date(2026, 5, 15)
Q2 = dt.date(2026, 4, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_book() -> SimpleNamespace:
    """manager > rep_a, rep_b; a partner works one of rep_b's deals; `outsider` reports to nobody here.

    rep_a: proposal 100M KRW (p 50, close 6/15), negotiation 50M KRW (p 75, close 8/1),
           won 30M KRW (closed 4/10, in the pipeline since 3/1: 40 days, account "큰손"),
           won 10,000 USD (closed 5/2, created 4/2: 30 days), lost 20M KRW (closed 4/20, since 4/10: 10 days)
    rep_b: prospecting 5M KRW (p 10, close 6/15, the partner's), won 40M KRW (closed 6/30, chillers, "큰손"),
           lost 7M KRW (closed 7/1)
    outsider: won 999M KRW (closed 5/5)
    quotas Q2: rep_a 50M KRW, rep_b 80M KRW; outsider 1,000M KRW. rep_a submitted commit 45M, best case 60M;
    rep_b's forecast is a draft.
    leads of rep_a: new, qualified, disqualified, converted → the 30M won deal, converted → the open 100M deal;
    one lead of rep_b: converted → the 40M won deal (chillers).
    """
    stage = {s.code: s for s in Stage.objects.all()}
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="김팀장")
    rep_a = UserFactory(manager=manager, full_name="가영업")
    rep_b = UserFactory(manager=manager, full_name="나영업")
    outsider = UserFactory(full_name="다외부")
    partner_org = PartnerAccountFactory()
    partner = UserFactory(role=Role.PARTNER_ADMIN, organization=partner_org)
    chillers = ProductLineFactory(name="칠러", name_en="Chillers")
    big = AccountFactory(name="큰손", owner=rep_a)

    def deal(owner, code, amount, currency="KRW", closed=None, close_date=dt.date(2026, 6, 15), **extra):
        extra.setdefault("probability", stage[code].default_probability)
        return f.OpportunityFactory(
            owner=owner,
            stage=stage[code],
            amount=Money(amount, currency),
            closed_at=at(closed) if closed else None,
            close_date=closed or close_date,
            **extra,
        )

    deals = SimpleNamespace(
        a_proposal=deal(rep_a, "proposal", 100_000_000),
        a_negotiation=deal(rep_a, "negotiation", 50_000_000, close_date=dt.date(2026, 8, 1)),
        a_won=deal(rep_a, "won", 30_000_000, closed=dt.date(2026, 4, 10), account=big),
        a_won_usd=deal(rep_a, "won", 10_000, "USD", closed=dt.date(2026, 5, 2)),
        a_lost=deal(rep_a, "lost", 20_000_000, closed=dt.date(2026, 4, 20)),
        b_prospecting=deal(rep_b, "prospecting", 5_000_000, partner=partner_org),
        b_won=deal(rep_b, "won", 40_000_000, closed=dt.date(2026, 6, 30), product_line=chillers, account=big),
        b_lost=deal(rep_b, "lost", 7_000_000, closed=dt.date(2026, 7, 1)),
        outsider_won=deal(outsider, "won", 999_000_000, closed=dt.date(2026, 5, 5)),
    )
    f.StageHistoryFactory(opportunity=deals.a_won, stage=stage["proposal"], entered_at=at(dt.date(2026, 3, 1)))
    f.StageHistoryFactory(opportunity=deals.a_lost, stage=stage["proposal"], entered_at=at(dt.date(2026, 4, 10)))
    Opportunity.objects.filter(pk=deals.a_won_usd.pk).update(created_at=at(dt.date(2026, 4, 2)))

    f.QuotaFactory(user=rep_a, period_start=Q2, amount=Money(50_000_000, "KRW"))
    f.QuotaFactory(user=rep_b, period_start=Q2, amount=Money(80_000_000, "KRW"))
    f.QuotaFactory(user=outsider, period_start=Q2, amount=Money(1_000_000_000, "KRW"))
    f.ForecastSubmissionFactory(
        owner=rep_a,
        period_start=Q2,
        commit=Money(45_000_000, "KRW"),
        best_case=Money(60_000_000, "KRW"),
        status=ForecastStatus.SUBMITTED,
        submitted_at=at(dt.date(2026, 4, 3)),
    )
    f.ForecastSubmissionFactory(owner=rep_b, period_start=Q2, commit=Money(70_000_000, "KRW"))

    def converted(owner, opportunity, **extra):
        return f.LeadFactory(
            owner=owner,
            status=LeadStatus.CONVERTED,
            converted_account=opportunity.account,
            converted_opportunity=opportunity,
            converted_at=timezone.now(),
            **extra,
        )

    f.LeadFactory(owner=rep_a, status=LeadStatus.NEW)
    f.LeadFactory(owner=rep_a, status=LeadStatus.QUALIFIED)
    f.LeadFactory(owner=rep_a, status=LeadStatus.DISQUALIFIED, disqualify_reason="no_budget")
    converted(rep_a, deals.a_won)
    converted(rep_a, deals.a_proposal)
    converted(rep_b, deals.b_won, product_line=chillers)
    return SimpleNamespace(
        manager=manager,
        rep_a=rep_a,
        rep_b=rep_b,
        outsider=outsider,
        partner=partner,
        partner_org=partner_org,
        chillers=chillers,
        big=big,
        deals=deals,
    )
