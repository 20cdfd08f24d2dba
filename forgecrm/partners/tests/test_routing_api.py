"""The partners API contract: profiles (ETag / If-Match, the internal note for headquarters only), lead offers
(partners list theirs, accept and reject; headquarters routes), routing rules (headquarters only), scorecards."""

import pytest
from rest_framework.test import APIClient

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import LeadOffer, LeadRoutingRule, OfferStatus
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    a, b = PartnerAccountFactory(name="에이상사"), PartnerAccountFactory(name="비상사")
    profiles = {
        key: f.PartnerProfileFactory(account=acc, internal_note=f"본사메모-{key}") for key, acc in (("a", a), ("b", b))
    }
    return {
        "a": a,
        "b": b,
        "profiles": profiles,
        "channel": UserFactory(role=Role.CHANNEL_MANAGER),
        "rep_a": UserFactory(role=Role.PARTNER_REP, organization=a),
        "offer_a": f.LeadOfferFactory(partner=a),
        "offer_b": f.LeadOfferFactory(partner=b),
        "rule": f.LeadRoutingRuleFactory(name="비밀 규칙"),
        "card_b": f.PartnerScorecardFactory(partner=b),
    }


def test_profiles_update_with_if_match_and_hide_the_internal_note_from_partners(world):
    channel, profile = api(world["channel"]), world["profiles"]["a"]
    read = channel.get(f"/api/v1/partners/{profile.pk}/")
    assert read.status_code == 200 and read.json()["internal_note"] == "본사메모-a"
    etag = read["ETag"]
    assert channel.patch(f"/api/v1/partners/{profile.pk}/", {"lead_capacity": 7}, format="json").status_code == 428
    changed = channel.patch(f"/api/v1/partners/{profile.pk}/", {"lead_capacity": 7}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["lead_capacity"] == 7
    stale = channel.patch(f"/api/v1/partners/{profile.pk}/", {"lead_capacity": 8}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    bad = channel.patch(f"/api/v1/partners/{profile.pk}/", {"response_hours": -3}, format="json", HTTP_IF_MATCH="*")
    assert bad.status_code == 400 and "response_hours" in bad.json()
    partner = api(world["rep_a"])
    rows = partner.get("/api/v1/partners/").json()["results"]
    assert [row["name"] for row in rows] == ["에이상사"] and "internal_note" not in rows[0]
    assert "본사메모" not in partner.get(f"/api/v1/partners/{profile.pk}/").content.decode()
    assert partner.get(f"/api/v1/partners/{world['profiles']['b'].pk}/").status_code == 404
    refused = partner.patch(f"/api/v1/partners/{profile.pk}/", {"lead_capacity": 99}, format="json", HTTP_IF_MATCH="*")
    assert refused.status_code == 403


def test_partners_list_their_offers_and_answer_them(world):
    partner = api(world["rep_a"])
    rows = partner.get("/api/v1/lead-offers/").json()["results"]
    assert [row["id"] for row in rows] == [world["offer_a"].pk] and "match_reasons" not in rows[0]
    assert partner.post(f"/api/v1/lead-offers/{world['offer_b'].pk}/accept/").status_code == 404
    rejected = partner.post(f"/api/v1/lead-offers/{world['offer_a'].pk}/reject/", {"reason": "nonsense"}, format="json")
    assert rejected.status_code == 400
    accepted = partner.post(f"/api/v1/lead-offers/{world['offer_a'].pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert partner.post(f"/api/v1/lead-offers/{world['offer_a'].pk}/accept/").status_code in (400, 403)
    assert partner.post("/api/v1/lead-offers/", {"lead": world["offer_a"].lead_id}, format="json").status_code == 403


def test_headquarters_routes_a_lead_through_the_api(world):
    line = ProductLineFactory()
    target = PartnerAccountFactory(name="씨상사")
    f.PartnerProfileFactory(account=target)
    f.PartnerCoverageFactory(partner=target, sido="경기도", sigungu="")
    f.PartnerAuthorizationFactory(partner=target, product_line=line)
    lead = LeadFactory(sido="경기도", sigungu="성남시", product_line=line, owner=None)
    channel = api(world["channel"])
    made = channel.post("/api/v1/lead-offers/", {"lead": lead.pk}, format="json")
    assert made.status_code == 201 and made.json()["partner"] == target.pk and made["ETag"]
    assert channel.post("/api/v1/lead-offers/", {"lead": lead.pk}, format="json").status_code == 400
    nobody = LeadFactory(sido="제주특별자치도", owner=None)
    assert channel.post("/api/v1/lead-offers/", {"lead": nobody.pk}, format="json").status_code == 204
    manual = channel.post("/api/v1/lead-offers/", {"lead": nobody.pk, "partner": world["b"].pk}, format="json")
    assert manual.status_code == 201 and LeadOffer.objects.get(pk=manual.json()["id"]).kind == "manual"


def test_routing_rules_are_headquarters_only(world):
    partner = api(world["rep_a"])
    listing = partner.get("/api/v1/lead-routing-rules/")
    assert listing.status_code == 200 and listing.json()["results"] == []
    assert "비밀 규칙" not in listing.content.decode()
    assert partner.get(f"/api/v1/lead-routing-rules/{world['rule'].pk}/").status_code == 404
    assert partner.post("/api/v1/lead-routing-rules/", {"name": "x"}, format="json").status_code == 403
    channel = api(world["channel"])
    made = channel.post(
        "/api/v1/lead-routing-rules/",
        {"name": "서울 플래티넘", "sido": "서울특별시", "min_tier": "platinum"},
        format="json",
    )
    assert made.status_code == 201, made.content
    rule = LeadRoutingRule.objects.get(pk=made.json()["id"])
    assert rule.min_tier == "platinum" and rule.created_by == world["channel"]
    rep = api(UserFactory(role=Role.SALES_REP))
    assert (
        rep.patch(f"/api/v1/lead-routing-rules/{rule.pk}/", {"name": "y"}, format="json", HTTP_IF_MATCH="*").status_code
        == 403
    )


def test_scorecards_read_by_scope(world):
    assert api(world["rep_a"]).get("/api/v1/partner-scorecards/").json()["results"] == []
    rows = api(world["channel"]).get("/api/v1/partner-scorecards/").json()["results"]
    assert [row["partner"] for row in rows] == [world["b"].pk] and rows[0]["score"] == "74.20"


def test_an_offer_past_its_deadline_cannot_be_accepted(world):
    offer = world["offer_a"]
    LeadOffer.objects.filter(pk=offer.pk).update(respond_by=offer.offered_at)
    answer = api(world["rep_a"]).post(f"/api/v1/lead-offers/{offer.pk}/accept/")
    assert answer.status_code == 400
    assert LeadOffer.objects.get(pk=offer.pk).status == OfferStatus.OFFERED
