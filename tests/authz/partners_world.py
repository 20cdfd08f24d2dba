"""The partner records of the authorization matrix's world (keys as in policy.yaml; built after the sales world).

Distributor A (with dealer A1 under it) and partner B are siblings: neither may ever see the other's records.
Partner B registered a deal on the sales rep's own account (a channel conflict with `opp_rep`), and an earlier
offer of B's lead went to A, which rejected it: A keeps seeing its own offer row, never B's lead.
"""

import datetime as dt

from django.utils import timezone


def build_partners(world, marker) -> None:
    from forgecrm.partners.models import OfferStatus
    from forgecrm.partners.tests import factories as f

    a, dealer, b = world["distributor_a"], world["dealer_a"], world["partner_b"]
    for key, partner in [("profile_a", a), ("profile_dealer", dealer), ("profile_b", b)]:
        world[key] = f.PartnerProfileFactory(account=partner, internal_note=marker(key))
    world["tier_gold"] = f.TierRuleFactory()
    world["routing_rule"] = f.LeadRoutingRuleFactory(name=marker("routing_rule"))
    for key, partner in [("coverage_a", a), ("coverage_b", b)]:
        world[key] = f.PartnerCoverageFactory(partner=partner, sigungu=marker(key))
    for key, partner in [("authorization_a", a), ("authorization_b", b)]:
        world[key] = f.PartnerAuthorizationFactory(partner=partner, product_line=world["line_active"])
    for key, partner in [("certification_dealer", dealer), ("certification_b", b)]:
        world[key] = f.PartnerCertificationFactory(partner=partner, name=marker(key))

    # Lead distribution.
    def offer(key, lead, partner, **extra):
        world[key] = f.LeadOfferFactory(lead=world[lead], partner=partner, reject_note=marker(key), **extra)

    offer("offer_a", "lead_partner_a", a)
    offer("offer_dealer", "lead_dealer", dealer)
    offer("offer_b", "lead_partner_b", b, status=OfferStatus.ACCEPTED, responded_at=timezone.now())
    rejected = {"status": OfferStatus.REJECTED, "reject_reason": "no_capacity", "responded_at": timezone.now()}
    offer("offer_a_rejected", "lead_partner_b", a, attempt=1, **rejected)
    offer("offer_rep_rejected_b", "lead_rep", b, **rejected)

    # Deal registrations and conflicts.
    def registration(key, partner, **extra):
        world[key] = f.DealRegistrationFactory(
            number=marker(key), partner=partner, customer_name=marker(key), submitted_by=world[submitter[key]], **extra
        )

    submitter = {"reg_a": "partner_a_rep", "reg_dealer": "dealer_a_rep", "reg_b": "partner_b_rep"}
    sent = {"status": "submitted", "submitted_at": timezone.now()}
    registration("reg_a", a, account=world["acc_served_a"], **sent)
    registration("reg_dealer", dealer, account=world["acc_served_dealer"])
    registration("reg_b", b, account=world["acc_rep"], customer_brn="", **sent)
    for key, parent in [("reg_line_a", "reg_a"), ("reg_line_b", "reg_b")]:
        world[key] = f.DealRegistrationLineFactory(registration=world[parent], product=world["prod_active"])
    world["conflict_b"] = f.ChannelConflictFactory(
        registration=world["reg_b"], other_opportunity=world["opp_rep"], resolution_note=marker("conflict_b")
    )
    world["conflict_a"] = f.ChannelConflictFactory(
        kind="registration",
        registration=world["reg_a"],
        other_registration=world["reg_b"],
        resolution_note=marker("conflict_a"),
    )

    # Market development funds.
    for key, partner in [("mdf_alloc_a", a), ("mdf_alloc_dealer", dealer), ("mdf_alloc_b", b)]:
        world[key] = f.MdfAllocationFactory(partner=partner, note=marker(key))
    admins = {
        "mdf_request_a": "partner_a_admin",
        "mdf_request_dealer": "partner_a_admin",
        "mdf_request_b": "partner_b_admin",
    }
    for key, allocation in [
        ("mdf_request_a", "mdf_alloc_a"),
        ("mdf_request_dealer", "mdf_alloc_dealer"),
        ("mdf_request_b", "mdf_alloc_b"),
    ]:
        world[key] = f.MdfRequestFactory(
            number=marker(key), allocation=world[allocation], requested_by=world[admins[key]], campaign_name=marker(key)
        )
    world["mdf_claim_a"] = f.MdfClaimFactory(request=world["mdf_request_a"], note=marker("mdf_claim_a"))
    world["mdf_proof_a"] = f.MdfProofFactory(claim=world["mdf_claim_a"], original_name=f"{marker('mdf_proof_a')}.pdf")

    # Partner service requests: one worked by the service desk, one assigned to the sales rep.
    world["psr_a"] = f.PartnerServiceRequestFactory(
        number=marker("psr_a"), partner=a, requested_by=world["partner_a_rep"], assigned_to=world["service_agent"]
    )
    world["psr_b"] = f.PartnerServiceRequestFactory(
        number=marker("psr_b"), partner=b, requested_by=world["partner_b_rep"], assigned_to=world["sales_rep"]
    )
    world["psc_a_public"] = f.PartnerServiceCommentFactory(
        request=world["psr_a"], author=world["service_agent"], body=marker("psc_a_public")
    )
    world["psc_a_internal"] = f.PartnerServiceCommentFactory(
        request=world["psr_a"], author=world["service_agent"], body=marker("psc_a_internal"), is_internal=True
    )

    # Sell-through, channel inventory, scorecards.
    month = dt.date(2026, 10, 1)
    world["str_a"] = f.SellThroughReportFactory(partner=a, period_start=month, submitted_by=world["partner_a_rep"])
    world["str_b"] = f.SellThroughReportFactory(partner=b, period_start=month, submitted_by=world["partner_b_rep"])
    world["stl_a"] = f.SellThroughLineFactory(
        report=world["str_a"], product=world["prod_active"], end_customer_name=marker("stl_a")
    )
    world["inventory_dealer"] = f.ChannelInventoryFactory(partner=dealer, product=world["prod_active"])
    world["scorecard_b"] = f.PartnerScorecardFactory(partner=b)
