"""The effectiveness loop: outcome per programme (lead source + detail, or the MDF activity the detail names)
and per partner for the leads routed in a period, MDF paid and cost per won deal; who may open the page (a
partner user: 404), the export, and a constant number of queries."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.partners.models import MdfRequestStatus, OfferStatus
from forgecrm.partners.queries.effectiveness import channel_effectiveness_for
from forgecrm.partners.queries.funds import period_of
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead, LeadSource, LeadStatus, Stage
from forgecrm.sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def paid_mdf(partner, number, amount=5_700_000):
    request = f.MdfRequestFactory(
        number=number, allocation=f.MdfAllocationFactory(partner=partner), status=MdfRequestStatus.PAID
    )
    f.MdfClaimFactory(request=request, claimed_amount=f.krw(amount), paid_at=timezone.now())
    return request


def routed(partner, *, source=LeadSource.CAMPAIGN, detail="", status=OfferStatus.ACCEPTED, won=None, parent=None):
    """A lead of the programme offered to `partner`; `won` True / False converts it into a won / open deal."""
    offer = f.LeadOfferFactory(
        partner=partner,
        status=status,
        parent_offer=parent,
        reject_reason="no_capacity" if status == OfferStatus.REJECTED else "",
        lead__source=source,
        lead__source_detail=detail,
    )
    if won is not None:
        stage = Stage.objects.get(code="won" if won else "proposal")
        opportunity = OpportunityFactory(
            partner=partner, stage=stage, amount=f.krw(100_000_000), source_lead=offer.lead, closed_at=timezone.now()
        )
        Lead.objects.filter(pk=offer.lead_id).update(
            status=LeadStatus.CONVERTED,
            converted_account=AccountFactory(),
            converted_at=timezone.now(),
            converted_opportunity=opportunity,
        )
    return offer


@pytest.fixture
def world():
    gold = PartnerAccountFactory(name="동부 공조 총판", tier="gold")
    silver = PartnerAccountFactory(name="서부 설비", tier="silver")
    mdf = paid_mdf(gold, "MDF-2026-00077")
    routed(gold, detail="mdf-2026-00077 ", won=True)  # the number as an import may spell it
    routed(gold, detail="MDF-2026-00077", won=False)
    routed(gold, detail="MDF-2026-00077", status=OfferStatus.REJECTED)
    routed(silver, detail="여름 성수기 캠페인", status=OfferStatus.RECALLED)
    routed(silver, detail="여름 성수기 캠페인", won=True)
    paid_mdf(silver, "MDF-2026-00078", amount=2_000_000)  # paid, no lead yet: a cost without a return
    return {"gold": gold, "silver": silver, "mdf": mdf}


def channel():
    return UserFactory(role=Role.CHANNEL_MANAGER)


def test_outcome_per_programme_and_partner(world):
    report = channel_effectiveness_for(channel(), period_of(None))
    programmes = {row.mdf_number or row.detail: row for row in report.programmes}
    mdf = programmes["MDF-2026-00077"]
    assert mdf.mdf_partner == "동부 공조 총판"
    outcome = mdf.outcome
    assert (outcome.routed, outcome.accepted, outcome.rejected, outcome.converted, outcome.won) == (3, 2, 1, 2, 1)
    assert outcome.won_amount == Decimal(100_000_000) and outcome.cost == Decimal(5_700_000)
    assert outcome.cost_per_won == Decimal(5_700_000)
    assert outcome.conversion_rate == Decimal("66.7")
    campaign = programmes["여름 성수기 캠페인"].outcome
    assert (campaign.routed, campaign.recalled, campaign.won, campaign.cost) == (2, 1, 1, 0)
    assert programmes["MDF-2026-00078"].outcome.cost == Decimal(2_000_000)
    assert programmes["MDF-2026-00078"].outcome.routed == 0
    partners = {row.name: row.outcome for row in report.partners}
    assert partners["서부 설비"].cost == Decimal(2_000_000) and partners["서부 설비"].won == 1
    assert partners["동부 공조 총판"].won_amount == Decimal(100_000_000)
    assert report.total.won == 2 and report.total.cost == Decimal(7_700_000)


def test_a_rerouted_lead_counts_once_for_its_programme(world):
    dealer = PartnerAccountFactory(name="동부 대리점", tier="silver", channel_parent=world["gold"])
    parent = routed(world["gold"], detail="MDF-2026-00077")
    f.LeadOfferFactory(partner=dealer, lead=parent.lead, parent_offer=parent, status=OfferStatus.ACCEPTED)
    report = channel_effectiveness_for(channel(), period_of(None))
    mdf = next(row for row in report.programmes if row.mdf_number == "MDF-2026-00077")
    assert mdf.outcome.routed == 4
    assert {row.name for row in report.partners} >= {"동부 대리점", "동부 공조 총판"}


def test_tier_and_partner_filters(world):
    report = channel_effectiveness_for(channel(), period_of(None), tier="silver")
    assert [row.name for row in report.partners] == ["서부 설비"]
    assert all(row.mdf_number != "MDF-2026-00077" for row in report.programmes)
    report = channel_effectiveness_for(channel(), period_of(None), partner_ids=[world["gold"].pk])
    assert [row.name for row in report.partners] == ["동부 공조 총판"]
    last_year = channel_effectiveness_for(channel(), period_of(None).previous.previous.previous.previous)
    assert last_year.partners == [] and last_year.programmes == []


@pytest.mark.parametrize("role", [Role.CHANNEL_MANAGER, Role.MARKETING, Role.ADMIN])
def test_the_page_shows_chart_and_numbers(client, world, role):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("partners:channel-effectiveness"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "MDF-2026-00077" in body and "여름 성수기 캠페인" in body and "chart" in body


def test_portal_users_get_404_and_other_internal_roles_403(client, world):
    url = reverse("partners:channel-effectiveness")
    client.force_login(UserFactory(role=Role.PARTNER_ADMIN, organization=world["gold"]))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=Role.SALES_REP))
    assert client.get(url).status_code == 403


def test_the_export_neutralises_formulas(client, world):
    routed(world["silver"], detail='=HYPERLINK("http://x")', won=True)
    client.force_login(channel())
    response = client.get(reverse("partners:channel-effectiveness"), {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert any("MDF-2026-00077" in cell for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    xlsx = client.get(reverse("partners:channel-effectiveness"), {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"


def test_constant_queries(client, world, django_assert_max_num_queries):
    client.force_login(channel())
    url = reverse("partners:channel-effectiveness")
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    for index in range(6):
        partner = PartnerAccountFactory(tier="gold")
        paid_mdf(partner, f"MDF-2026-{index + 200:05d}")
        routed(partner, detail=f"MDF-2026-{index + 200:05d}", won=True)
        routed(partner, detail=f"캠페인 {index}", status=OfferStatus.REJECTED)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "MDF-2026-00205" in response.content.decode()


def test_a_partner_admin_sees_its_own_programme_outcomes_only(client, world):
    url = reverse("partner_portal:programme-outcomes")
    client.force_login(UserFactory(role=Role.PARTNER_ADMIN, organization=world["gold"]))
    body = client.get(url).content.decode()
    assert "MDF-2026-00077" in body and "100,000,000" in body
    assert "여름 성수기 캠페인" not in body and "MDF-2026-00078" not in body
    client.force_login(UserFactory(role=Role.PARTNER_REP, organization=world["gold"]))
    assert client.get(url).status_code == 403
    client.force_login(channel())
    assert client.get(url).status_code == 403
