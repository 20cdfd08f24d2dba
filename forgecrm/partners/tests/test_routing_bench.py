"""Bench scenario 7 at a small scale: its data set loads and its burst routes every lead once, within capacity."""

import pytest
from django.db.models import Count, F

from forgecrm.partners.models import LeadOffer, PartnerProfile
from forgecrm.sales.models import Lead

pytestmark = pytest.mark.django_db


def test_scenario_7_runs_at_a_small_scale():
    from bench.scenarios import s7_lead_routing as scenario

    counts = scenario.seed_routing_bench(partners=40, leads=400)
    burst = scenario.route_burst(manager_id=counts["manager"], batch=150)
    assert burst["leads"] == 400 and burst["routed"] + burst["returned"] + burst["skipped"] == 400
    assert burst["routed"] > 100 and len(burst["batches"]) == 3
    assert LeadOffer.objects.count() == burst["routed"] == Lead.objects.filter(partner__isnull=False).count()
    over = PartnerProfile.objects.annotate(n=Count("account__lead_offers")).filter(n__gt=F("lead_capacity")).count()
    assert over == 0
