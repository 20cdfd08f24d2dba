"""Bulk routing (the routing console): the same offers as routing the leads one by one, capacity honoured across
the batch, and a query count that does not grow with the batch."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import LeadOffer, OfferStatus
from forgecrm.partners.operations.distribution import route_lead_to_partner
from forgecrm.partners.operations.routing import queue_bulk_routing, route_leads_in_bulk
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import Job, OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead
from forgecrm.sales.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
AREAS = [("경기도", "성남시"), ("경기도", "수원시"), ("서울특별시", "강남구")]


def partner(name, *, tier="gold", score=70, capacity=5, areas=(("경기도", ""),), line=None, **extra):
    account = PartnerAccountFactory(name=name, tier=tier, **extra)
    f.PartnerProfileFactory(account=account, performance_score=score, lead_capacity=capacity, response_hours=24)
    for sido, sigungu in areas:
        f.PartnerCoverageFactory(partner=account, sido=sido, sigungu=sigungu)
    if line is not None:
        f.PartnerAuthorizationFactory(partner=account, product_line=line, valid_from=dt.date(2020, 1, 1))
    return account


@pytest.fixture
def channel():
    f.TierRuleFactory(tier="platinum", rank=1, lead_priority=10)
    f.TierRuleFactory(tier="gold", rank=2, lead_priority=20)
    f.TierRuleFactory(tier="silver", rank=3, lead_priority=30)
    return UserFactory(role=Role.CHANNEL_MANAGER)


def network(line):
    partner("플래티넘 성남", tier="platinum", score=60, capacity=3, areas=[("경기도", "성남시")], line=line)
    partner("골드 경기", score=80, capacity=4, line=line)
    partner("골드 경기 2", score=75, capacity=2, line=line)
    partner("실버 서울", tier="silver", score=90, capacity=3, areas=[("서울특별시", "")], line=line)
    partner("인증 없음", tier="platinum", score=99, capacity=9)
    partner("총판", tier="platinum", score=99, capacity=9, partner_type="distributor", line=line)
    f.LeadRoutingRuleFactory(name="서울 실버 이상", priority=10, sido="서울특별시", min_tier="silver", max_offers=2)


def leads(line, count):
    return [
        LeadFactory(sido=AREAS[i % 3][0], sigungu=AREAS[i % 3][1], product_line=line if i % 4 else None, owner=None)
        for i in range(count)
    ]


def outcome():
    return sorted(
        (o.lead.person_name, o.partner.name, o.attempt, o.rule_id is not None, o.respond_by - o.offered_at)
        for o in LeadOffer.objects.select_related("lead", "partner")
    )


def test_bulk_routing_gives_what_routing_one_by_one_gives(channel):
    line = ProductLineFactory()
    network(line)
    batch = leads(line, 20)
    for lead in batch:
        route_lead_to_partner(actor=channel, lead=lead)
    one_by_one = outcome()
    holders = dict(Lead.objects.values_list("person_name", "partner__name"))
    LeadOffer.objects.all().delete()
    Lead.objects.update(partner=None)
    result = route_leads_in_bulk(actor=channel, lead_ids=[lead.pk for lead in batch], batch_size=7)
    assert outcome() == one_by_one
    assert dict(Lead.objects.values_list("person_name", "partner__name")) == holders
    assert result.routed == len(one_by_one) and result.routed + result.returned == 20


def test_bulk_routing_honours_capacity_across_the_batch(channel):
    line = ProductLineFactory()
    partner("작은 곳", capacity=2, line=line)
    partner("큰 곳", score=10, capacity=3, line=line)
    batch = [LeadFactory(sido="경기도", sigungu="성남시", product_line=line, owner=None) for _ in range(8)]
    result = route_leads_in_bulk(actor=channel, lead_ids=[lead.pk for lead in batch])
    loads = {
        name: LeadOffer.objects.filter(partner__name=name, status=OfferStatus.OFFERED).count()
        for name in ("작은 곳", "큰 곳")
    }
    assert loads == {"작은 곳": 2, "큰 곳": 3}
    assert (result.routed, result.returned) == (5, 3)
    assert Lead.objects.filter(partner__isnull=True).count() == 3
    assert OutboxEvent.objects.filter(event_type="LeadOffered").count() == 5
    assert OutboxEvent.objects.filter(event_type="LeadReturnedToHeadquarters").count() == 3
    # the lead's history names how it reached the partner
    routed = Lead.objects.filter(partner__isnull=False).first()
    assert routed.history.first().history_change_reason == "partner:routed"
    # a second run skips the leads already offered and routes nothing twice
    again = route_leads_in_bulk(actor=channel, lead_ids=[lead.pk for lead in batch])
    assert again.routed == 0 and again.skipped == 5


def _queries(channel, line, count):
    """(statements other than INSERT, the tables inserted into): SQLite splits a long INSERT into chunks of its
    parameter limit, PostgreSQL sends one; every other statement is one per batch on both."""
    batch = leads(line, count)
    with CaptureQueriesContext(connection) as captured:
        route_leads_in_bulk(actor=channel, lead_ids=[lead.pk for lead in batch], batch_size=1000)
    statements = [query["sql"] for query in captured.captured_queries]
    inserts = {sql.split('"')[1] for sql in statements if sql.startswith("INSERT")}
    return len([sql for sql in statements if not sql.startswith("INSERT")]), inserts


def test_bulk_routing_runs_a_constant_number_of_queries_per_batch(channel):
    line = ProductLineFactory()
    for number in range(12):
        partner(f"파트너 {number}", score=50 + number, capacity=100, areas=[AREAS[number % 3]], line=line)
    f.LeadRoutingRuleFactory(name="전체", priority=50)
    small, large = _queries(channel, line, 5), _queries(channel, line, 60)
    assert small == large, (small, large)
    assert small[0] <= 12
    assert small[1] == {
        "partners_leadoffer",
        "partners_historicalleadoffer",
        "sales_historicallead",
        "platform_outboxevent",
    }


def test_a_sales_rep_may_not_route_in_bulk(channel):
    rep = UserFactory(role=Role.SALES_REP)
    with pytest.raises(Exception) as refused:
        queue_bulk_routing(actor=rep, lead_ids=[LeadFactory().pk])
    assert refused.type.__name__ == "PermissionDenied"
    assert not Job.objects.exists()


def test_the_console_job_routes_and_records_its_progress(channel, django_capture_on_commit_callbacks):
    line = ProductLineFactory()
    partner("골드", capacity=10, line=line)
    batch = [LeadFactory(sido="경기도", sigungu="성남시", product_line=line, owner=None) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_bulk_routing(actor=channel, lead_ids=[lead.pk for lead in batch])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == 4 and job.result["routed"] == 4
