"""Who sees which sales records, and who may do what with them.

Scopes (rows a user may see) are registered with the platform access layer; actions are django-rules
permissions (`sales.change_lead`, `sales.approve_quote`, ...), which operations check themselves.

- Leads and opportunities: org-wide roles (admin, service, marketing, channel) see all; other internal users
  by owner (self, role-hierarchy subtree, record-sharing teammates), by the record's team (members of it), by
  territory (own territories and below); sales managers also see unassigned leads (to assign them). Partner
  users see those whose `partner` is their organisation (a distributor's admin also its dealers').
- Quotes and sales orders follow their opportunity (and internal users also see their own); partners see the
  quotes and orders of their opportunities; customer portal users see only their own account's sales orders.
- Competitors and quote approvals are internal only. Configuration (stages, rules, thresholds, web forms) is
  visible to internal users.
- Quotas, forecasts and commission records follow the reporting line only: own + subtree, administrators all,
  partners and customers none.
"""

import rules
from django.db.models import Q, Subquery

from forgecrm.platform.access import Principal, prefixed, principal_for, register_scope
from forgecrm.platform.access.predicates import (
    has_internal_role,
    is_above,
    is_admin,
    is_internal,
    is_partner_user,
    is_sales_manager,
    is_visible,
)
from forgecrm.platform.access.principal import ORG_WIDE_ROLES
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.models import Role, Team

from .models import (
    CommissionPlan,
    CommissionPlanAssignment,
    CommissionRate,
    CommissionStatement,
    CommissionStatementLine,
    CommissionTier,
    DiscountApprovalThreshold,
    ForecastAdjustment,
    ForecastSubmission,
    Lead,
    LeadAssignmentRule,
    LeadConsent,
    LeadScoreModel,
    LeadScoringRule,
    LeadStatus,
    Opportunity,
    OpportunityCompetitor,
    OpportunityLine,
    Quota,
    Quote,
    QuoteApproval,
    QuoteLine,
    QuoteLineOption,
    SalesOrder,
    SalesOrderLine,
    SalesOrderStatusChange,
    SalesRollup,
    Stage,
    StageHistory,
    StageProbability,
    WebForm,
)

EVERYTHING = Q()


def _teams_of(user_id: int | None) -> Subquery:
    return Subquery(Team.objects.filter(members=user_id).values("pk"))


def _is_admin_principal(principal: Principal) -> bool:
    """Administrators, and superusers without an org-wide role (the principal knows superusers only this way)."""
    return principal.role == Role.ADMIN or (principal.sees_everything and principal.role not in ORG_WIDE_ROLES)


def _internal_record_q(principal: Principal) -> Q:
    """A lead or opportunity an internal user sees: by owner, by the record's team, by territory."""
    return (
        Q(owner_id__in=principal.visible_user_ids)
        | Q(team_id__in=_teams_of(principal.user_id))
        | Q(territory_id__in=principal.territory_ids)
    )


# --- leads -----------------------------------------------------------------------------------------------------


@register_scope(Lead)
def lead_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        q = _internal_record_q(principal)
        if principal.role == Role.SALES_MANAGER:
            q |= Q(owner__isnull=True)  # the queue they assign from
        return q
    if principal.is_partner and principal.organization_ids:
        return Q(partner_id__in=principal.organization_ids)
    return NOTHING


@register_scope(LeadConsent)
def lead_consent_scope(principal: Principal) -> Q:
    return prefixed(lead_scope(principal), "lead")


def _internal_configuration(principal: Principal) -> Q:
    return EVERYTHING if principal.is_internal else NOTHING


for _model in (
    LeadAssignmentRule,
    LeadScoringRule,
    LeadScoreModel,
    WebForm,
    StageProbability,
    DiscountApprovalThreshold,
):
    register_scope(_model)(_internal_configuration)


# --- pipeline --------------------------------------------------------------------------------------------------


@register_scope(Stage)
def stage_scope(principal: Principal) -> Q:
    """Stage names label a partner's own deals too; inactive stages are internal configuration."""
    if principal.is_internal:
        return EVERYTHING
    if principal.is_partner:
        return Q(is_active=True)
    return NOTHING


@register_scope(Opportunity)
def opportunity_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        return _internal_record_q(principal)
    if principal.is_partner and principal.organization_ids:
        return Q(partner_id__in=principal.organization_ids)
    return NOTHING


@register_scope(OpportunityLine)
def opportunity_line_scope(principal: Principal) -> Q:
    return prefixed(opportunity_scope(principal), "opportunity")


@register_scope(StageHistory)
def stage_history_scope(principal: Principal) -> Q:
    return prefixed(opportunity_scope(principal), "opportunity")


@register_scope(OpportunityCompetitor)
def opportunity_competitor_scope(principal: Principal) -> Q:
    """Who else bids is headquarters' knowledge: never a partner's, even on the partner's own deal."""
    if not principal.is_internal:
        return NOTHING
    return prefixed(opportunity_scope(principal), "opportunity")


# --- quotes and orders -----------------------------------------------------------------------------------------


@register_scope(Quote)
def quote_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return EVERYTHING
    through_opportunity = prefixed(opportunity_scope(principal), "opportunity")
    if principal.is_internal:
        return Q(owner_id__in=principal.visible_user_ids) | through_opportunity
    if principal.is_partner and principal.organization_ids:
        # A partner's own quotes stay its own even when the deal moves to another partner.
        return through_opportunity | Q(partner_id__in=principal.organization_ids)
    return NOTHING


@register_scope(QuoteLine)
def quote_line_scope(principal: Principal) -> Q:
    return prefixed(quote_scope(principal), "quote")


@register_scope(QuoteLineOption)
def quote_line_option_scope(principal: Principal) -> Q:
    return prefixed(quote_scope(principal), "line__quote")


@register_scope(QuoteApproval)
def quote_approval_scope(principal: Principal) -> Q:
    """Discount approvals are internal: the quote's viewers, and the approver asked."""
    if not principal.is_internal:
        return NOTHING
    if principal.sees_everything:
        return EVERYTHING
    return prefixed(quote_scope(principal), "quote") | Q(approver_id=principal.user_id)


@register_scope(SalesOrder)
def sales_order_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return EVERYTHING
    through_opportunity = prefixed(opportunity_scope(principal), "opportunity")
    if principal.is_internal:
        return Q(owner_id__in=principal.visible_user_ids) | through_opportunity
    if principal.is_partner and principal.organization_ids:
        return through_opportunity | Q(sold_through_id__in=principal.organization_ids)
    if principal.is_customer and principal.organization_id:
        return Q(account_id=principal.organization_id)
    return NOTHING


@register_scope(SalesOrderLine)
def sales_order_line_scope(principal: Principal) -> Q:
    return prefixed(sales_order_scope(principal), "order")


@register_scope(SalesOrderStatusChange)
def sales_order_status_change_scope(principal: Principal) -> Q:
    return prefixed(sales_order_scope(principal), "order")


# --- quotas, forecasts, commissions: the reporting line only -------------------------------------------------


def _reporting_line(principal: Principal, user_field: str) -> Q:
    if _is_admin_principal(principal):
        return EVERYTHING
    if not principal.is_internal:
        return NOTHING
    return Q(**{f"{user_field}__in": principal.subtree_user_ids})


@register_scope(Quota)
def quota_scope(principal: Principal) -> Q:
    """A rep's quota by the reporting line; a team's to its lead's line and its members; a territory's to its
    members (own territories and below)."""
    if _is_admin_principal(principal):
        return EVERYTHING
    if not principal.is_internal:
        return NOTHING
    return (
        Q(user_id__in=principal.subtree_user_ids)
        | Q(team__lead_id__in=principal.subtree_user_ids)
        | Q(team_id__in=_teams_of(principal.user_id))
        | Q(territory_id__in=principal.territory_ids)
    )


@register_scope(ForecastSubmission)
def forecast_submission_scope(principal: Principal) -> Q:
    return _reporting_line(principal, "owner_id")


@register_scope(ForecastAdjustment)
def forecast_adjustment_scope(principal: Principal) -> Q:
    """A manager's adjustment is the adjuster's line's, not the rep's: a rep sees their own numbers only."""
    return _reporting_line(principal, "manager_id")


@register_scope(CommissionPlanAssignment)
def commission_plan_assignment_scope(principal: Principal) -> Q:
    return _reporting_line(principal, "user_id")


@register_scope(CommissionPlan)
def commission_plan_scope(principal: Principal) -> Q:
    """A plan is seen by whoever has someone on it in their reporting line; administrators and sales managers
    (who configure the plans: `sales.change_commissionplan`) see every plan."""
    if _is_admin_principal(principal) or (principal.is_internal and principal.role == Role.SALES_MANAGER):
        return EVERYTHING
    if not principal.is_internal:
        return NOTHING
    on_plan = CommissionPlanAssignment.objects.filter(user_id__in=principal.subtree_user_ids).values("plan_id")
    return Q(pk__in=Subquery(on_plan))


@register_scope(CommissionRate)
def commission_rate_scope(principal: Principal) -> Q:
    return prefixed(commission_plan_scope(principal), "plan")


@register_scope(CommissionTier)
def commission_tier_scope(principal: Principal) -> Q:
    return prefixed(commission_plan_scope(principal), "plan")


@register_scope(CommissionStatement)
def commission_statement_scope(principal: Principal) -> Q:
    return _reporting_line(principal, "user_id")


@register_scope(CommissionStatementLine)
def commission_statement_line_scope(principal: Principal) -> Q:
    return prefixed(commission_statement_scope(principal), "statement")


# --- action rules ----------------------------------------------------------------------------------------------

# Internal roles that hand out leads and opportunities to others (the fields that decide who sees a record:
# owner, team, territory, partner).
ASSIGNER_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER, Role.MARKETING, Role.CHANNEL_MANAGER})
# Who configures the sales process: stages, thresholds, commission plans (scoring rules and web forms also
# marketing's).
SALES_SETTINGS_ROLES = frozenset({Role.ADMIN, Role.SALES_MANAGER})
LEAD_CAPTURE_SETTINGS_ROLES = SALES_SETTINGS_ROLES | {Role.MARKETING}


@rules.predicate
def is_assigner(user) -> bool:
    return has_internal_role(user, ASSIGNER_ROLES)


@rules.predicate
def manages_sales_settings(user) -> bool:
    return has_internal_role(user, SALES_SETTINGS_ROLES)


@rules.predicate
def manages_lead_capture(user) -> bool:
    return has_internal_role(user, LEAD_CAPTURE_SETTINGS_ROLES)


@rules.predicate
def lead_of_users_partner(user, lead) -> bool:
    """A partner user works (and reports the results of) the leads distributed to its organisation."""
    principal = principal_for(user)
    return principal.is_partner and lead is not None and lead.partner_id in principal.organization_ids


@rules.predicate
def lead_is_open(user, lead) -> bool:
    return lead is not None and lead.status not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)


@rules.predicate
def opportunity_of_users_partner(user, opportunity) -> bool:
    principal = principal_for(user)
    return principal.is_partner and opportunity is not None and opportunity.partner_id in principal.organization_ids


@rules.predicate
def quote_of_users_partner(user, quote) -> bool:
    if quote is not None and quote.partner_id is not None:
        principal = principal_for(user)
        return principal.is_partner and quote.partner_id in principal.organization_ids
    return quote is not None and opportunity_of_users_partner.test(user, quote.opportunity)


@rules.predicate
def approves_quote(user, quote) -> bool:
    """Discounts are approved up the line: an administrator, or a sales manager above the quote's owner (never
    the owner), or the approver a pending approval names."""
    if quote is None:
        return False
    if principal_for(user).role == Role.ADMIN or bool(getattr(user, "is_superuser", False)):
        return True
    if quote.owner_id == user.pk:
        return False
    if quote.approvals.filter(status="pending", approver_id=user.pk).exists():
        return True
    return is_sales_manager(user) and is_above(user, quote.owner)


@rules.predicate
def manages_submission_owner(user, submission) -> bool:
    return submission is not None and is_above(user, submission.owner)


@rules.predicate
def owns_submission(user, submission) -> bool:
    return submission is not None and submission.owner_id == user.pk


@rules.predicate
def manages_statement_user(user, statement) -> bool:
    return statement is not None and is_above(user, statement.user)


@rules.predicate
def quota_target_in_line(user, quota) -> bool:
    """A manager sets quotas for people below them, and for teams they lead (or that a report of theirs leads)."""
    if quota is None:
        return False
    if quota.user_id:
        return is_above(user, quota.user)
    if quota.team_id:
        lead = quota.team.lead
        return lead is not None and (lead.pk == user.pk or is_above(user, lead))
    return False


internal = rules.is_active & is_internal

# Cheap checks first: visibility is a query, and rules stops at the first False.
can_change_lead = (internal | lead_of_users_partner) & is_visible
can_convert_lead = internal & lead_is_open & is_visible
can_assign_lead = is_assigner & is_visible
can_change_opportunity = (internal | opportunity_of_users_partner) & is_visible
can_assign_opportunity = is_assigner & is_visible
can_change_quote = (internal | quote_of_users_partner) & is_visible
can_approve_quote = internal & approves_quote & is_visible
can_change_sales_order = internal & is_visible
can_cancel_sales_order = (is_assigner | is_admin) & is_visible
can_set_quota = internal & (is_admin | (is_sales_manager & quota_target_in_line))
can_submit_forecast = internal & owns_submission
can_adjust_forecast = internal & (is_admin | (is_sales_manager & manages_submission_owner)) & is_visible
can_approve_commission_statement = internal & (is_admin | (is_sales_manager & manages_statement_user)) & is_visible

rules.set_perm("sales.add_lead", rules.is_active & (is_internal | is_partner_user))
rules.set_perm("sales.change_lead", can_change_lead)
rules.set_perm("sales.convert_lead", can_convert_lead)
rules.set_perm("sales.assign_lead", can_assign_lead)
rules.set_perm("sales.add_opportunity", internal)
rules.set_perm("sales.change_opportunity", can_change_opportunity)
rules.set_perm("sales.assign_opportunity", can_assign_opportunity)
rules.set_perm("sales.add_quote", can_change_opportunity)  # a quote is built from an opportunity: (user, opportunity)
rules.set_perm("sales.change_quote", can_change_quote)
rules.set_perm("sales.send_quote", can_change_quote)
rules.set_perm("sales.approve_quote", can_approve_quote)
rules.set_perm("sales.accept_quote", can_change_quote)
rules.set_perm("sales.change_salesorder", can_change_sales_order)
rules.set_perm("sales.cancel_salesorder", can_cancel_sales_order)
rules.set_perm("sales.set_quota", can_set_quota)
rules.set_perm("sales.submit_forecast", can_submit_forecast)
rules.set_perm("sales.adjust_forecast", can_adjust_forecast)
rules.set_perm("sales.approve_commissionstatement", can_approve_commission_statement)
# Plans (rate tables, tiers): the sales settings roles; (user) to create, (user, plan) to edit.
rules.set_perm("sales.add_commissionplan", manages_sales_settings)
rules.set_perm("sales.change_commissionplan", manages_sales_settings & is_visible)
rules.set_perm("sales.manage_sales_settings", manages_sales_settings)
rules.set_perm("sales.manage_lead_capture", manages_lead_capture)


# --- reports: the dashboard's rollups ------------------------------------------------------------------------


@register_scope(SalesRollup)
def sales_rollup_scope(principal: Principal) -> Q:
    """Aggregates per owner: the owners an internal user sees deals of by owner (self, subtree, sharing
    teammates), org-wide roles all; portal users none (their dashboards read their own deals live)."""
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        return Q(owner_id__in=principal.visible_user_ids)
    return NOTHING
