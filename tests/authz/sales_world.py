"""The sales records of the authorization matrix's world (keys as in policy.yaml; built after the base world).

Who is who: `sales_rep` reports to `sales_manager`; both are members of `team` (which shares records);
`sales_rep` alone covers `territory`; `other_rep` (outside that subtree) owns the "foreign" records.
"""

import datetime as dt
from decimal import Decimal


def build_sales(world, marker) -> None:
    from djmoney.money import Money

    from forgecrm.sales.tests import factories as f

    def krw(amount):
        return Money(amount, "KRW")

    rep, manager, other = world["sales_rep"], world["sales_manager"], world["other_rep"]
    rep.territories.add(world["territory"])
    rep.__dict__.pop("_forge_principal", None)

    # Configuration.
    world["stage_active"] = f.StageFactory(code="authz-active", name=marker("stage_active"))
    world["stage_inactive"] = f.StageFactory(code="authz-inactive", name=marker("stage_inactive"), is_active=False)
    world["stage_probability"] = f.StageProbabilityFactory(
        stage=world["stage_active"], product_line=world["line_active"]
    )
    world["lead_rule"] = f.LeadAssignmentRuleFactory(name=marker("lead_rule"), assign_to_user=rep)
    world["scoring_rule"] = f.LeadScoringRuleFactory(name=marker("scoring_rule"))
    world["score_model"] = f.LeadScoreModelFactory(is_active=True)
    world["web_form"] = f.WebFormFactory(name=marker("web_form"), slug="authz-form")
    world["threshold"] = f.DiscountApprovalThresholdFactory(product_line=world["line_active"])

    # Leads.
    def lead(key, **extra):
        extra.setdefault("owner", other)
        world[key] = f.LeadFactory(person_name=marker(key), company_name=marker(key), **extra)
        return world[key]

    lead("lead_rep", owner=rep)
    lead("lead_other")
    lead("lead_unassigned", owner=None)
    lead("lead_team", team=world["team"])
    lead("lead_territory", territory=world["territory"])
    lead("lead_partner_a", partner=world["distributor_a"])
    lead("lead_dealer", partner=world["dealer_a"])
    lead("lead_partner_b", partner=world["partner_b"])
    world["consent_rep"] = f.LeadConsentFactory(lead=world["lead_rep"])
    world["consent_partner_a"] = f.LeadConsentFactory(lead=world["lead_partner_a"])

    # Opportunities and what hangs on them.
    stage = world["stage_active"]

    def opportunity(key, account, **extra):
        extra.setdefault("owner", other)
        world[key] = f.OpportunityFactory(name=marker(key), account=world[account], stage=stage, **extra)
        return world[key]

    opportunity("opp_rep", "acc_rep", owner=rep)
    opportunity("opp_other", "acc_other")
    opportunity("opp_territory", "acc_other", territory=world["territory"])
    opportunity("opp_partner_a", "acc_served_a", partner=world["distributor_a"])
    opportunity("opp_dealer", "acc_served_dealer", partner=world["dealer_a"])
    opportunity("opp_partner_b", "acc_served_b", partner=world["partner_b"])
    for key, opp in [("oppline_rep", "opp_rep"), ("oppline_partner_a", "opp_partner_a")]:
        world[key] = f.OpportunityLineFactory(opportunity=world[opp], product=world["prod_active"])
    for key, opp in [("competitor_rep", "opp_rep"), ("competitor_partner_a", "opp_partner_a")]:
        world[key] = f.OpportunityCompetitorFactory(opportunity=world[opp], competitor_name=marker(key))
    for key, opp in [("stage_history_rep", "opp_rep"), ("stage_history_partner_a", "opp_partner_a")]:
        world[key] = f.StageHistoryFactory(opportunity=world[opp], stage=stage)

    # Quotes, approvals and orders.
    def quote(key, opp, **extra):
        world[key] = f.QuoteFactory(
            number=marker(key),
            opportunity=world[opp],
            account=world[opp].account,
            owner=world[opp].owner,
            price_list=world["pl_default"],
            **extra,
        )
        return world[key]

    for key, opp in [
        ("quote_rep", "opp_rep"),
        ("quote_other", "opp_other"),
        ("quote_partner_a", "opp_partner_a"),
        ("quote_dealer", "opp_dealer"),
        ("quote_partner_b", "opp_partner_b"),
    ]:
        # The deals' partners quote their own customers (partner quotes: Quote.partner).
        quote(key, opp, partner=world[opp].partner)
    for key, parent in [("quote_line_rep", "quote_rep"), ("quote_line_partner_a", "quote_partner_a")]:
        world[key] = f.QuoteLineFactory(
            quote=world[parent], position=1, product=world["prod_active"], description=marker(key)
        )
    for key, line in [("quote_option_rep", "quote_line_rep"), ("quote_option_partner_a", "quote_line_partner_a")]:
        world[key] = f.QuoteLineOptionFactory(line=world[line], option=world["opt_active"])
    world["approval_rep"] = f.QuoteApprovalFactory(
        quote=world["quote_rep"], approver=manager, reason=marker("approval_rep")
    )
    world["approval_partner_a"] = f.QuoteApprovalFactory(
        quote=world["quote_partner_a"], approver=None, reason=marker("approval_partner_a")
    )

    def order(key, parent):
        source = world[parent]
        world[key] = f.SalesOrderFactory(
            number=marker(key), quote=source, opportunity=source.opportunity, account=source.account, owner=source.owner
        )
        return world[key]

    order("order_rep", "quote_rep")
    order("order_other", "quote_other")
    # An order partner B placed for a customer it serves, arrived from ERP without a quote or deal here: partner
    # B sees it only because it was sold through B.
    world["order_through_b"] = f.SalesOrderFactory(
        number=marker("order_through_b"),
        opportunity=None,
        account=world["acc_served_b"],
        owner=world["channel_manager"],
        sold_through=world["partner_b"],
    )
    order("order_partner_a", "quote_partner_a")
    order("order_dealer", "quote_dealer")
    for key, parent in [("order_line_rep", "order_rep"), ("order_line_partner_a", "order_partner_a")]:
        world[key] = f.SalesOrderLineFactory(
            order=world[parent], position=1, product=world["prod_active"], description=marker(key)
        )
    for key, parent in [("order_change_rep", "order_rep"), ("order_change_other", "order_other")]:
        world[key] = f.SalesOrderStatusChangeFactory(order=world[parent], note=marker(key))

    # Quotas, forecasts and commissions: the reporting line.
    quarter = dt.date(2026, 1, 1)
    world["quota_rep"] = f.QuotaFactory(user=rep, period_start=quarter)
    world["quota_manager"] = f.QuotaFactory(user=manager, period_start=quarter)
    world["quota_other"] = f.QuotaFactory(user=other, period_start=quarter)
    world["quota_team"] = f.QuotaFactory(user=None, team=world["team"], period_start=quarter)
    world["quota_territory"] = f.QuotaFactory(user=None, territory=world["territory"], period_start=quarter)
    for key, owner in [("forecast_rep", rep), ("forecast_manager", manager), ("forecast_other", other)]:
        world[key] = f.ForecastSubmissionFactory(owner=owner, period_start=quarter, note=marker(key))
    world["forecast_adjustment"] = f.ForecastAdjustmentFactory(
        submission=world["forecast_rep"], manager=manager, note=marker("forecast_adjustment")
    )
    world["plan_rep"] = f.CommissionPlanFactory(name=marker("plan_rep"))
    world["plan_other"] = f.CommissionPlanFactory(name=marker("plan_other"))
    world["plan_assignment_rep"] = f.CommissionPlanAssignmentFactory(plan=world["plan_rep"], user=rep)
    world["plan_assignment_other"] = f.CommissionPlanAssignmentFactory(plan=world["plan_other"], user=other)
    world["commission_rate"] = f.CommissionRateFactory(plan=world["plan_rep"], product_line=world["line_active"])
    world["commission_tier"] = f.CommissionTierFactory(plan=world["plan_rep"])
    world["statement_rep"] = f.CommissionStatementFactory(
        user=rep, plan=world["plan_rep"], note=marker("statement_rep")
    )
    world["statement_other"] = f.CommissionStatementFactory(
        user=other, plan=world["plan_other"], note=marker("statement_other")
    )
    world["statement_line_rep"] = f.CommissionStatementLineFactory(
        statement=world["statement_rep"],
        sales_order=world["order_rep"],
        product_line=world["line_active"],
        base=krw(39_160_000),
        rate_percent=Decimal("2.00"),
        commission=krw(783_200),
    )

    # Activities in sales (branch sales-activities): an activity is shared with its owner's teams unless the
    # owner unticks it. `teammate` is in a team with sales_rep that does NOT share records, and owns two calls
    # about a deal the rep does not see: the shared one reaches the rep, the private one does not. They regard
    # the deal alone: a shared activity on an account the teammate does not see would show that account's name
    # (a known consequence of team sharing, reported to the lead; not what these cells are about).
    from django.contrib.contenttypes.models import ContentType

    from forgecrm.activities.models import Activity, ActivityKind
    from forgecrm.platform.models import Role
    from forgecrm.platform.tests.factories import TeamFactory, UserFactory

    teammate = UserFactory(role=Role.SALES_REP, full_name=marker("teammate"), email="teammate@authz.example")
    world["teammate"] = teammate
    world["team_private"] = TeamFactory(name=marker("team_private"), shares_records=False, members=[rep, teammate])
    for key, shared in [("act_team_shared", True), ("act_team_private", False)]:
        world[key] = Activity.objects.create(
            kind=ActivityKind.CALL,
            subject=marker(key),
            body=f"<p>{marker(key)} body</p>",
            account=None,
            owner=teammate,
            created_by=teammate,
            updated_by=teammate,
            status="done",
            starts_at=dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC),
            shared_with_team=shared,
            regarding_type=ContentType.objects.get_for_model(world["opp_other"]),
            regarding_id=world["opp_other"].pk,
        )
    # Quotes and orders area: the quote lines' cost snapshot is the product's standard cost, the secret figure the
    # matrix looks for in every partner and customer body (unit_cost is internal only).
    from forgecrm.sales.models import QuoteLine

    QuoteLine.objects.filter(pk__in=[world["quote_line_rep"].pk, world["quote_line_partner_a"].pk]).update(
        unit_cost=krw(7_654_321)
    )
    QuoteLine.objects.filter(pk=world["quote_line_partner_a"].pk).update(partner_unit_price=krw(900_000))
    # Reports: the dashboard's rollups (per owner; the rep and the manager share records as teammates).
    from forgecrm.sales.models import SalesRollup

    for key, owner in [("rollup_rep", rep), ("rollup_manager", manager), ("rollup_other", other)]:
        world[key] = SalesRollup.objects.create(
            owner=owner, stage=stage, month=quarter, currency="KRW", count=1, amount=Decimal(1_000_000)
        )
