"""Sales scopes per role and the action rules (the full role x record table is tests/authz/policy.yaml)."""

import pytest

from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Role
from forgecrm.platform.operations import set_manager
from forgecrm.platform.tests.factories import TeamFactory, TerritoryFactory, UserFactory
from forgecrm.sales.models import (
    CommissionStatement,
    ForecastAdjustment,
    ForecastSubmission,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityCompetitor,
    Quota,
    Quote,
    SalesOrder,
)

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def line():
    """director > manager > rep; `outsider` reports to nobody here."""
    director = UserFactory(role=Role.SALES_MANAGER)
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory()
    outsider = UserFactory()
    set_manager(actor=None, user=manager, manager=director)
    set_manager(actor=None, user=rep, manager=manager)
    for user in (director, manager, rep):
        user.refresh_from_db()
    return director, manager, rep, outsider


def test_leads_by_owner_subtree_team_territory_and_the_managers_queue(line):
    director, manager, rep, outsider = line
    team = TeamFactory(members=[outsider], shares_records=False)
    north = TerritoryFactory()
    rep.territories.add(north)
    own = f.LeadFactory(owner=rep)
    teams = f.LeadFactory(owner=UserFactory(), team=team)
    regional = f.LeadFactory(owner=UserFactory(), territory=north)
    queued = f.LeadFactory(owner=None)

    assert set(scope_for(rep, Lead)) == {own, regional}
    assert set(scope_for(manager, Lead)) == {own, queued}
    assert set(scope_for(director, Lead)) == {own, queued}
    assert set(scope_for(outsider, Lead)) == {teams}
    assert set(scope_for(UserFactory(role=Role.MARKETING), Lead)) == {own, teams, regional, queued}


def test_partner_users_see_their_organisations_leads_and_deals_and_their_quotes_and_orders():
    distributor = PartnerAccountFactory(partner_type="distributor")
    dealer = PartnerAccountFactory(channel_parent=distributor)
    sibling = PartnerAccountFactory(partner_type="distributor")
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=distributor)
    rep = UserFactory(role=Role.PARTNER_REP, organization=distributor)
    ours, dealers, theirs = (f.OpportunityFactory(partner=partner) for partner in (distributor, dealer, sibling))
    quote = f.QuoteFactory(opportunity=dealers)
    order = f.SalesOrderFactory(quote=quote)
    f.OpportunityCompetitorFactory(opportunity=ours)
    lead = f.LeadFactory(partner=distributor)

    assert set(scope_for(admin, Opportunity)) == {ours, dealers}
    assert set(scope_for(rep, Opportunity)) == {ours}
    assert theirs not in scope_for(admin, Opportunity)
    assert set(scope_for(admin, Quote)) == {quote} and set(scope_for(admin, SalesOrder)) == {order}
    assert not scope_for(rep, Quote).exists()
    assert set(scope_for(rep, Lead)) == {lead}
    assert not scope_for(admin, OpportunityCompetitor).exists()  # internal knowledge only


def test_customer_portal_users_see_only_their_accounts_sales_orders():
    account = AccountFactory()
    customer = UserFactory(role=Role.CUSTOMER_USER, organization=account)
    own = f.SalesOrderFactory(quote=f.QuoteFactory(opportunity=f.OpportunityFactory(account=account)))
    f.SalesOrderFactory()
    assert set(scope_for(customer, SalesOrder)) == {own}
    for model in (Lead, Opportunity, Quote):
        assert not scope_for(customer, model).exists()


def test_reporting_line_records_follow_the_hierarchy_only(line):
    director, manager, rep, outsider = line
    TeamFactory(members=[rep, outsider])  # sharing teammates do not see each other's forecasts
    rep_quota, outsider_quota = f.QuotaFactory(user=rep), f.QuotaFactory(user=outsider)
    submission = f.ForecastSubmissionFactory(owner=rep)
    adjustment = f.ForecastAdjustmentFactory(submission=submission, manager=manager)
    statement = f.CommissionStatementFactory(user=rep)

    assert set(scope_for(rep, Quota)) == {rep_quota}
    assert set(scope_for(director, Quota)) == {rep_quota}
    assert set(scope_for(outsider, Quota)) == {outsider_quota}
    assert set(scope_for(manager, ForecastSubmission)) == {submission}
    assert not scope_for(outsider, ForecastSubmission).exists()
    assert not scope_for(rep, ForecastAdjustment).exists()  # the manager's view stays the manager's
    assert set(scope_for(director, ForecastAdjustment)) == {adjustment}
    assert set(scope_for(manager, CommissionStatement)) == {statement}
    admin, service = UserFactory(role=Role.ADMIN), UserFactory(role=Role.SERVICE_MANAGER)
    assert scope_for(admin, CommissionStatement).count() == 1
    assert not scope_for(service, CommissionStatement).exists()


def test_lead_rules(line):
    _, manager, rep, outsider = line
    lead = f.LeadFactory(owner=rep)
    assert rep.has_perm("sales.change_lead", lead) and rep.has_perm("sales.convert_lead", lead)
    assert not outsider.has_perm("sales.change_lead", lead)
    assert not rep.has_perm("sales.assign_lead", lead) and manager.has_perm("sales.assign_lead", lead)
    lead.status, lead.disqualify_reason = LeadStatus.DISQUALIFIED, "no_need"
    lead.save()
    assert not rep.has_perm("sales.convert_lead", lead)
    partner = PartnerAccountFactory()
    partner_rep = UserFactory(role=Role.PARTNER_REP, organization=partner)
    distributed = f.LeadFactory(partner=partner)
    assert partner_rep.has_perm("sales.change_lead", distributed)
    assert not partner_rep.has_perm("sales.convert_lead", distributed)


def test_discounts_are_approved_up_the_line_never_by_the_owner(line):
    director, manager, rep, outsider = line
    quote = f.QuoteFactory(opportunity=f.OpportunityFactory(owner=rep))
    assert manager.has_perm("sales.approve_quote", quote) and director.has_perm("sales.approve_quote", quote)
    assert not rep.has_perm("sales.approve_quote", quote)
    assert not outsider.has_perm("sales.approve_quote", quote)
    assert UserFactory(role=Role.ADMIN).has_perm("sales.approve_quote", quote)
    own = f.QuoteFactory(opportunity=f.OpportunityFactory(owner=manager))
    assert not manager.has_perm("sales.approve_quote", own)


def test_forecast_quota_and_commission_rules(line):
    _, manager, rep, outsider = line
    submission = f.ForecastSubmissionFactory(owner=rep)
    assert rep.has_perm("sales.submit_forecast", submission) and not manager.has_perm(
        "sales.submit_forecast", submission
    )
    assert manager.has_perm("sales.adjust_forecast", submission) and not rep.has_perm(
        "sales.adjust_forecast", submission
    )
    assert not manager.has_perm("sales.adjust_forecast", f.ForecastSubmissionFactory(owner=outsider))
    assert manager.has_perm("sales.set_quota", f.QuotaFactory.build(user=rep))
    assert not rep.has_perm("sales.set_quota", f.QuotaFactory.build(user=rep))
    statement = f.CommissionStatementFactory(user=rep)
    assert manager.has_perm("sales.approve_commissionstatement", statement)
    assert not rep.has_perm("sales.approve_commissionstatement", statement)


def test_settings_are_the_managers_and_lead_capture_also_marketings():
    assert UserFactory(role=Role.SALES_MANAGER).has_perm("sales.manage_sales_settings")
    assert not UserFactory().has_perm("sales.manage_sales_settings")
    marketing = UserFactory(role=Role.MARKETING)
    assert marketing.has_perm("sales.manage_lead_capture") and not marketing.has_perm("sales.manage_sales_settings")
