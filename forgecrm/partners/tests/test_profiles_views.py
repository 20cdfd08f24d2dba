"""The directory and a partner's page: constant queries at two sizes, edits with a version conflict, coverage,
authorisations, certifications, expiry reminders, deactivation, and what partners never see."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.activities.models import Activity
from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import LeadOffer, OfferStatus, PartnerCoverage, PartnerProfile
from forgecrm.partners.operations.directory import deactivate_partner
from forgecrm.partners.operations.profiles import remind_expiring_certifications
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(client):
    user = UserFactory(role=Role.CHANNEL_MANAGER)
    client.force_login(user)
    return user


def a_partner(number, manager=None, dealers=0):
    account = PartnerAccountFactory(name=f"파트너{number}", partner_type="distributor" if dealers else "dealer")
    profile = f.PartnerProfileFactory(account=account, channel_manager=manager, internal_note=f"내부메모{number}")
    f.PartnerCoverageFactory(partner=account, sido="경기도", sigungu="")
    f.PartnerCoverageFactory(partner=account, sido="서울특별시", sigungu="강남구")
    f.PartnerAuthorizationFactory(partner=account)
    f.PartnerCertificationFactory(partner=account)
    f.LeadOfferFactory(partner=account)
    UserFactory(role=Role.PARTNER_REP, organization=account)
    for index in range(dealers):
        dealer = PartnerAccountFactory(name=f"딜러{number}-{index}", channel_parent=account)
        f.PartnerProfileFactory(account=dealer)
    f.PartnerScorecardFactory(partner=account)
    return profile


def test_the_directory_runs_a_constant_number_of_queries(client, channel, django_assert_max_num_queries):
    for number in range(3):
        a_partner(number, channel)
    url = reverse("partners:partner-list")
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    for number in range(3, 15):
        a_partner(number, channel)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and "파트너14" in response.content.decode()
    assert "내부메모" not in response.content.decode()  # the note is on the partner's page, not in lists


def test_the_directory_filters_and_exports(client, channel):
    line = ProductLineFactory()
    busan = PartnerAccountFactory(name="부산대리점", tier="silver")
    f.PartnerProfileFactory(account=busan)
    f.PartnerCoverageFactory(partner=busan, sido="부산광역시", sigungu="")
    f.PartnerAuthorizationFactory(partner=busan, product_line=line, valid_from=dt.date(2020, 1, 1))
    a_partner(1)
    url = reverse("partners:partner-list")
    body = client.get(url, {"sido": "부산광역시"}).content.decode()
    assert "부산대리점" in body and "파트너1" not in body
    assert "부산대리점" in client.get(url, {"product_line": line.pk}).content.decode()
    assert "부산대리점" not in client.get(url, {"tier": "gold"}).content.decode()
    export = client.get(url, {"export": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "부산대리점" in text and "부산광역시" in text


def test_a_partner_page_runs_a_constant_number_of_queries(client, channel, django_assert_max_num_queries):
    small = a_partner(1, channel, dealers=1)
    with django_assert_max_num_queries(30) as few:
        response = client.get(reverse("partners:partner-detail", args=[small.pk]))
    assert response.status_code == 200 and "내부메모1" in response.content.decode()
    large = a_partner(2, channel, dealers=6)
    for _ in range(8):
        f.PartnerCertificationFactory(partner=large.account)
        f.LeadOfferFactory(partner=large.account)
        f.PartnerCoverageFactory(partner=large.account, sido="경기도", sigungu=f"시{_}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("partners:partner-detail", args=[large.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("partners:partner-scorecard", args=[large.pk])).status_code == 200


def test_editing_a_profile_meets_a_stale_version_with_a_conflict(client, channel):
    profile = a_partner(1)
    url = reverse("partners:partner-edit", args=[profile.pk])
    form = {"lead_capacity": 9, "response_hours": 24, "internal_note": "첫 번째", "version": profile.version}
    assert client.post(url, {**form, "accepts_leads": "on"}).status_code == 302
    assert client.post(url, {**form, "internal_note": "두 번째"}).status_code == 409  # read before the first save
    profile.refresh_from_db()
    assert (profile.lead_capacity, profile.internal_note) == (9, "첫 번째")
    assert client.post(url, {**form, "lead_capacity": -1, "version": profile.version}).status_code == 400


def test_coverage_authorisations_and_certifications_are_edited_on_the_page(client, channel):
    profile = a_partner(1)
    line = ProductLineFactory()
    add = reverse("partners:partner-coverage-add", args=[profile.pk])
    assert client.post(add, {"sido": "부산광역시", "sigungu": "해운대구"}).status_code == 302
    assert client.post(add, {"sido": "부산광역시", "sigungu": "해운대구"}).status_code == 400  # already covered
    area = PartnerCoverage.objects.get(partner=profile.account, sigungu="해운대구")
    assert client.post(reverse("partners:partner-coverage-remove", args=[area.pk])).status_code == 302
    assert not PartnerCoverage.objects.filter(pk=area.pk).exists()
    url = reverse("partners:partner-authorization-add", args=[profile.pk])
    bad = client.post(url, {"product_line": line.pk, "valid_from": "2026-05-01", "valid_to": "2026-01-01"})
    assert bad.status_code == 400
    assert client.post(url, {"product_line": line.pk, "valid_from": "2026-01-01"}).status_code == 302
    cert = reverse("partners:partner-certification-add", args=[profile.pk])
    assert (
        client.post(cert, {"name": "설치 기사 1급", "issued_on": "2026-01-01", "expires_on": "2025-01-01"}).status_code
        == 400
    )
    assert client.post(cert, {"name": "설치 기사 1급", "issued_on": "2026-01-01"}).status_code == 302


def test_a_sales_rep_reads_the_directory_but_changes_nothing(client):
    profile = a_partner(1)
    client.force_login(UserFactory(role=Role.SALES_REP))
    assert client.get(reverse("partners:partner-detail", args=[profile.pk])).status_code == 200
    assert client.post(reverse("partners:partner-edit", args=[profile.pk]), {"lead_capacity": 1}).status_code == 403
    assert client.get(reverse("partners:routing-console")).status_code == 403


def test_partners_never_reach_headquarters_channel_pages(client):
    profile = a_partner(1)
    client.force_login(UserFactory(role=Role.PARTNER_ADMIN, organization=profile.account))
    for url in (
        reverse("partners:partner-list"),
        reverse("partners:partner-detail", args=[profile.pk]),
        reverse("partners:routing-rule-list"),
        reverse("partners:tier-rules"),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "내부메모1" not in response.content.decode()


def test_expiring_certifications_remind_the_channel_manager_once(channel):
    profile = a_partner(1, channel)
    today = timezone.localdate()
    soon = f.PartnerCertificationFactory(
        partner=profile.account,
        issued_on=today - dt.timedelta(days=300),
        expires_on=today + dt.timedelta(days=20),
        name="곧 만료",
    )
    f.PartnerCertificationFactory(partner=profile.account, issued_on=today, expires_on=today + dt.timedelta(days=90))
    assert remind_expiring_certifications(today=today) >= 1
    reminders = Activity.objects.filter(owner=channel, regarding_id=soon.pk)
    assert reminders.count() == 1 and "곧 만료" in reminders.get().subject
    before = Activity.objects.count()
    assert remind_expiring_certifications(today=today) == 0  # idempotent
    assert Activity.objects.count() == before


def test_deactivating_a_partner_hands_its_leads_to_another_in_one_audited_action(client, channel):
    leaving, successor = a_partner(1), a_partner(2)
    held = LeadOffer.objects.get(partner=leaving.account)
    url = reverse("partners:partner-deactivate", args=[leaving.pk])
    page = client.get(url)
    assert page.status_code == 200 and "1" in page.content.decode()
    assert client.post(url, {"successor": successor.account.pk}).status_code == 400  # not confirmed
    assert client.post(url, {"successor": successor.account.pk, "confirm": "on"}).status_code == 302
    held.refresh_from_db()
    assert held.status == OfferStatus.WITHDRAWN
    lead = Lead.objects.get(pk=held.lead_id)
    assert lead.partner_id == successor.account.pk
    assert LeadOffer.objects.filter(lead=lead, partner=successor.account, status=OfferStatus.OFFERED).exists()
    leaving.refresh_from_db()
    assert not leaving.accepts_leads and not leaving.account.is_active
    assert lead.history.first().history_change_reason == "partner:deactivated"
    event = OutboxEvent.objects.get(event_type="PartnerDeactivated")
    assert event.payload["leads_moved"] == 1 and event.payload["successor_id"] == successor.account.pk


def test_deactivating_back_to_headquarters(channel):
    leaving = a_partner(1)
    counts = deactivate_partner(actor=channel, partner=leaving.account)
    assert counts.open_offers == 1 and counts.leads == 1
    assert not Lead.objects.filter(partner=leaving.account).exists()
    assert PartnerProfile.objects.get(pk=leaving.pk).accepts_leads is False
