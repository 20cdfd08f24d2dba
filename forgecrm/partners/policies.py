"""Who sees which partner records, and who may do what with them (PRM, PRODUCT.md part 3).

The rule that must never break: a partner user sees only its own organisation's records (a distributor's admin
also its dealers': `Principal.organization_ids`), never another partner's, and never headquarters' internal
records about partners (routing rules, channel conflicts, internal notes).

- Org-wide roles (administrator, channel manager, marketing, service) see every partner record.
- Sales users see partner profiles and their areas (who covers a customer), the offers of leads they see,
  registrations on accounts or opportunities they see, the conflicts touching their opportunities, and
  sell-through; not MDF, not service requests unless assigned to someone in their line.
- Customer portal users see none of it.
"""

import rules
from django.db.models import Q

from forgecrm.customers.policies import account_scope
from forgecrm.platform.access import Principal, prefixed, principal_for, register_scope
from forgecrm.platform.access.predicates import (
    has_internal_role,
    is_admin,
    is_internal,
    is_partner_admin,
    is_partner_user,
    is_visible,
)
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.models import Role
from forgecrm.sales.policies import lead_scope, opportunity_scope

from .models import (
    ChannelConflict,
    ChannelInventory,
    DealRegistration,
    DealRegistrationLine,
    LeadOffer,
    LeadRoutingRule,
    MdfAllocation,
    MdfClaim,
    MdfProof,
    MdfRequest,
    MdfRequestStatus,
    OfferStatus,
    PartnerAuthorization,
    PartnerCertification,
    PartnerCoverage,
    PartnerProfile,
    PartnerScorecard,
    PartnerServiceComment,
    PartnerServiceRequest,
    RegistrationStatus,
    SellThroughLine,
    SellThroughReport,
    TierRule,
)

EVERYTHING = Q()


def _own_partner(principal: Principal, field: str = "partner_id") -> Q:
    if principal.is_partner and principal.organization_ids:
        return Q(**{f"{field}__in": principal.organization_ids})
    return NOTHING


def _internal_or_own(field: str = "partner_id"):
    def scope(principal: Principal) -> Q:
        if principal.is_internal:
            return EVERYTHING
        return _own_partner(principal, field)

    return scope


def _org_wide_or_own(field: str = "partner_id"):
    def scope(principal: Principal) -> Q:
        if principal.sees_everything:
            return EVERYTHING
        return _own_partner(principal, field)

    return scope


# --- profiles: internal users all (who covers what); partners their own ------------------------------------
register_scope(PartnerProfile)(_internal_or_own("account_id"))
for _model in (PartnerCoverage, PartnerAuthorization, PartnerCertification, SellThroughReport, ChannelInventory):
    register_scope(_model)(_internal_or_own())
register_scope(PartnerScorecard)(_internal_or_own())


@register_scope(SellThroughLine)
def sell_through_line_scope(principal: Principal) -> Q:
    return prefixed(_internal_or_own()(principal), "report")


@register_scope(TierRule)
def tier_rule_scope(principal: Principal) -> Q:
    """What each tier asks is shown to partners too (what it takes to move up)."""
    return EVERYTHING if principal.is_internal or principal.is_partner else NOTHING


@register_scope(LeadRoutingRule)
def routing_rule_scope(principal: Principal) -> Q:
    return EVERYTHING if principal.is_internal else NOTHING


# --- lead distribution -----------------------------------------------------------------------------------------


@register_scope(LeadOffer)
def lead_offer_scope(principal: Principal) -> Q:
    """A partner sees the offers made to it (its history with the lead), never those made to another partner."""
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        return prefixed(lead_scope(principal), "lead")
    return _own_partner(principal)


# --- deal registration and channel conflict -----------------------------------------------------------------


@register_scope(DealRegistration)
def deal_registration_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        return prefixed(account_scope(principal), "account") | prefixed(opportunity_scope(principal), "opportunity")
    return _own_partner(principal)


@register_scope(DealRegistrationLine)
def deal_registration_line_scope(principal: Principal) -> Q:
    return prefixed(deal_registration_scope(principal), "registration")


@register_scope(ChannelConflict)
def channel_conflict_scope(principal: Principal) -> Q:
    """Internal only: a conflict names the other channel's claim."""
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        return prefixed(opportunity_scope(principal), "other_opportunity")
    return NOTHING


# --- MDF: headquarters' org-wide roles and the partner itself -----------------------------------------------
register_scope(MdfAllocation)(_org_wide_or_own())
register_scope(MdfRequest)(_org_wide_or_own())
register_scope(MdfClaim)(_org_wide_or_own("request__partner_id"))
register_scope(MdfProof)(_org_wide_or_own("claim__request__partner_id"))


# --- partner service requests --------------------------------------------------------------------------------


@register_scope(PartnerServiceRequest)
def partner_service_request_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return EVERYTHING
    if principal.is_internal:
        return Q(assigned_to_id__in=principal.visible_user_ids)
    return _own_partner(principal)


@register_scope(PartnerServiceComment)
def partner_service_comment_scope(principal: Principal) -> Q:
    """The thread is shared, headquarters' internal notes are not."""
    through_request = prefixed(partner_service_request_scope(principal), "request")
    if principal.is_internal:
        return through_request
    return through_request & Q(is_internal=False)


# --- action rules ----------------------------------------------------------------------------------------------

CHANNEL_ROLES = frozenset({Role.ADMIN, Role.CHANNEL_MANAGER})
ROUTING_ROLES = CHANNEL_ROLES | {Role.MARKETING}


@rules.predicate
def manages_channel(user) -> bool:
    return has_internal_role(user, CHANNEL_ROLES)


@rules.predicate
def routes_leads(user) -> bool:
    return has_internal_role(user, ROUTING_ROLES)


@rules.predicate
def of_users_partner(user, obj) -> bool:
    """The record belongs to the user's own organisation (or, for a distributor's admin, one of its dealers)."""
    principal = principal_for(user)
    partner_id = getattr(obj, "partner_id", None) if obj is not None else None
    return principal.is_partner and partner_id is not None and partner_id in principal.organization_ids


@rules.predicate
def of_users_own_organization(user, obj) -> bool:
    """Exactly the user's organisation: a distributor answers its own offers, its dealers answer theirs."""
    principal = principal_for(user)
    return principal.is_partner and obj is not None and getattr(obj, "partner_id", None) == principal.organization_id


@rules.predicate
def offer_is_open(user, offer) -> bool:
    return offer is not None and offer.status == OfferStatus.OFFERED


@rules.predicate
def offer_is_accepted(user, offer) -> bool:
    return offer is not None and offer.status == OfferStatus.ACCEPTED


@rules.predicate
def registration_is_editable(user, registration) -> bool:
    return registration is not None and registration.status == RegistrationStatus.DRAFT


@rules.predicate
def registration_is_submitted(user, registration) -> bool:
    return registration is not None and registration.status == RegistrationStatus.SUBMITTED


@rules.predicate
def registration_is_approved(user, registration) -> bool:
    return registration is not None and registration.status == RegistrationStatus.APPROVED


@rules.predicate
def mdf_request_is_draft(user, request) -> bool:
    return request is not None and request.status == MdfRequestStatus.DRAFT


active = rules.is_active
partner_member = active & of_users_partner & is_visible
own_organization = active & of_users_own_organization & is_visible

rules.set_perm("partners.manage_partner", active & manages_channel)
rules.set_perm("partners.route_lead", active & routes_leads)
rules.set_perm("partners.respond_to_offer", own_organization & offer_is_open)
rules.set_perm("partners.reroute_lead", active & is_partner_admin & own_organization & offer_is_accepted)
rules.set_perm("partners.report_lead_result", partner_member & offer_is_accepted)
rules.set_perm("partners.add_dealregistration", active & is_partner_user)
rules.set_perm("partners.change_dealregistration", partner_member & registration_is_editable)
rules.set_perm("partners.decide_dealregistration", active & manages_channel & registration_is_submitted)
rules.set_perm("partners.decide_channelconflict", active & manages_channel)
# Reporting an approved registration won or lost: its own partner's users, or the channel manager.
rules.set_perm(
    "partners.close_dealregistration", (partner_member | (active & manages_channel)) & registration_is_approved
)
rules.set_perm("partners.allocate_mdf", active & manages_channel)
rules.set_perm("partners.request_mdf", active & is_partner_admin & of_users_partner & is_visible)
rules.set_perm("partners.change_mdfrequest", active & is_partner_admin & partner_member & mdf_request_is_draft)
rules.set_perm("partners.decide_mdf", active & manages_channel)
rules.set_perm("partners.pay_mdf", active & (is_admin | manages_channel))
rules.set_perm("partners.add_partnerservicerequest", active & is_partner_user)
rules.set_perm("partners.work_partnerservicerequest", active & is_internal & is_visible)
rules.set_perm("partners.comment_partnerservicerequest", (partner_member | (active & is_internal)) & is_visible)
rules.set_perm("partners.report_sell_through", active & is_partner_user)
rules.set_perm("partners.manage_portal_users", active & (manages_channel | is_partner_admin))
