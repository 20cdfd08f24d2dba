"""Routing pages: tier and routing rules (create, edit with a conflict, reorder), the console (constant queries,
bulk routing as a job with progress), one lead's distribution page with a manual offer."""

import pytest
from django.urls import reverse

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import LeadOffer, LeadRoutingRule, OfferKind, TierRule
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import Job, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(client):
    user = UserFactory(role=Role.CHANNEL_MANAGER)
    client.force_login(user)
    return user


def test_routing_rules_are_created_edited_and_reordered(client, channel):
    create = reverse("partners:routing-rule-create")
    assert client.get(create).status_code == 200
    base = {"priority": 50, "max_offers": 3, "require_coverage": "on", "require_authorization": "on", "is_active": "on"}
    assert client.post(create, {**base, "name": "서울", "sido": "서울특별시"}).status_code == 302
    assert client.post(create, {**base, "name": "", "max_offers": "x"}).status_code == 400
    assert client.post(create, {**base, "name": "부산", "sido": "부산광역시", "min_tier": "gold"}).status_code == 302
    seoul, busan = LeadRoutingRule.objects.order_by("pk")
    edit = reverse("partners:routing-rule-edit", args=[seoul.pk])
    form = {**base, "name": "서울 v2", "version": seoul.version}
    assert client.post(edit, form).status_code == 302
    assert client.post(edit, {**form, "name": "서울 v3"}).status_code == 409  # stale version
    assert client.post(reverse("partners:routing-rule-reorder"), {"move": f"{busan.pk}:up"}).status_code == 302
    assert list(LeadRoutingRule.objects.order_by("priority").values_list("name", flat=True)) == ["부산", "서울 v2"]
    page = client.get(reverse("partners:routing-rule-list")).content.decode()
    assert page.index("부산") < page.index("서울 v2")


def test_tier_rules_are_edited_by_channel_managers_only(client, channel):
    rule = f.TierRuleFactory(tier="gold", rank=2, lead_priority=20)
    url = reverse("partners:tier-rule-edit", args=[rule.pk])
    values = {
        "rank": 2,
        "min_annual_sell_through": "500000000",
        "min_certified_people": 2,
        "min_performance_score": "60",
        "lead_priority": 15,
        "version": rule.version,
    }
    assert client.post(url, values).status_code == 302
    assert TierRule.objects.get(pk=rule.pk).lead_priority == 15
    assert "500,000,000" in client.get(reverse("partners:tier-rules")).content.decode()
    client.force_login(UserFactory(role=Role.MARKETING))
    assert client.post(url, values).status_code == 403


def _network(line, partners=2):
    for number in range(partners):
        account = PartnerAccountFactory(name=f"대리점{number}")
        f.PartnerProfileFactory(account=account, lead_capacity=100)
        f.PartnerCoverageFactory(partner=account, sido="경기도", sigungu="")
        f.PartnerAuthorizationFactory(partner=account, product_line=line)


def test_the_console_lists_unassigned_leads_in_constant_queries(client, channel, django_assert_max_num_queries):
    line = ProductLineFactory()
    for _ in range(3):
        LeadFactory(sido="경기도", product_line=line, owner=None)
    held = f.LeadOfferFactory()  # a lead with a partner is not in the console
    url = reverse("partners:routing-console")
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for _ in range(25):
        LeadFactory(sido="경기도", product_line=line, owner=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert str(held.lead) not in response.content.decode()
    assert client.get(url, {"sido": "부산광역시"}).status_code == 200


def test_bulk_routing_from_the_console_runs_as_a_job(client, channel, django_capture_on_commit_callbacks):
    line = ProductLineFactory()
    _network(line)
    leads = [LeadFactory(sido="경기도", sigungu="수원시", product_line=line, owner=None) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:routing-bulk"), {"lead": [lead.pk for lead in leads[:3]]})
    assert response.status_code == 302 and "?job=" in response["Location"]
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.result["routed"] == 3
    page = client.get(response["Location"]).content.decode()
    assert "3 / 3" in page  # the progress bar
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:routing-bulk"), {"all": "1", "sido": "경기도"})
    assert LeadOffer.objects.count() == 5
    assert client.post(reverse("partners:routing-bulk"), {}).status_code == 302  # nothing ticked: a message


def test_a_lead_page_shows_its_distribution_and_takes_a_manual_offer(client, channel):
    line = ProductLineFactory()
    _network(line)
    chosen = PartnerAccountFactory(name="지정 대리점")
    lead = LeadFactory(sido="경기도", product_line=line, owner=None)
    url = reverse("partners:lead-routing", args=[lead.pk])
    page = client.get(url).content.decode()
    assert "대리점0" in page  # the next candidates by the rules
    assert client.post(reverse("partners:lead-offer", args=[lead.pk]), {"partner": chosen.pk}).status_code == 302
    offer = LeadOffer.objects.get(lead=lead)
    assert offer.kind == OfferKind.MANUAL and offer.partner == chosen
    page = client.get(url).content.decode()
    assert "지정 대리점" in page
    assert client.post(reverse("partners:lead-offer", args=[lead.pk]), {}).status_code == 400  # already offered


def test_a_sales_rep_cannot_route(client):
    client.force_login(UserFactory(role=Role.SALES_REP))
    lead = LeadFactory()
    assert client.post(reverse("partners:routing-bulk"), {"lead": [lead.pk]}).status_code == 403
    assert client.post(reverse("partners:lead-offer", args=[lead.pk]), {}).status_code == 403
    assert not LeadOffer.objects.exists()
