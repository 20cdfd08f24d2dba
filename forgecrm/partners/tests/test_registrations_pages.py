"""Headquarters' deal registration and conflict pages, the public inquiry form, and the API contract
(ETag / If-Match, partner isolation, headquarters' decisions)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.catalog.tests.factories import ProductFactory, ProductLineFactory
from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.partners.models import ChannelConflict, ConflictStatus, DealRegistration, LeadOffer, RegistrationStatus
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead
from forgecrm.sales.operations import lead_capture
from forgecrm.sales.tests.factories import OpportunityFactory, WebFormFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    a, b = PartnerAccountFactory(name="한빛냉열"), PartnerAccountFactory(name="동해설비")
    return {
        "a": a,
        "b": b,
        "rep_a": f.PartnerUserFactory(organization=a),
        "rep_b": f.PartnerUserFactory(organization=b),
        "channel": UserFactory(role=Role.CHANNEL_MANAGER),
        "sales": UserFactory(role=Role.SALES_REP),
    }


def registrations(partner, count, **extra):
    rows = []
    for _n in range(count):
        registration = f.DealRegistrationFactory(
            partner=partner, status=RegistrationStatus.SUBMITTED, submitted_at=timezone.now(), **extra
        )
        f.DealRegistrationLineFactory(registration=registration)
        f.ChannelConflictFactory(registration=registration, other_opportunity=OpportunityFactory())
        rows.append(registration)
    return rows


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["partners:registration-list", "partners:conflict-list"])
def test_lists_run_a_constant_number_of_queries(client, people, name, django_assert_max_num_queries):
    signed_in(client, people["channel"])
    registrations(people["a"], 2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse(name), {"status": ""}).status_code == 200
    registrations(people["b"], 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(name), {"status": ""})
    assert response.status_code == 200


def test_detail_runs_a_constant_number_of_queries(client, people, django_assert_max_num_queries):
    signed_in(client, people["channel"])
    [small] = registrations(people["a"], 1)
    with django_assert_max_num_queries(60) as few:
        assert client.get(reverse("partners:registration-detail", args=[small.pk])).status_code == 200
    [big] = registrations(people["a"], 1)
    for _n in range(6):
        f.DealRegistrationLineFactory(registration=big)
        f.ChannelConflictFactory(registration=big, other_opportunity=OpportunityFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("partners:registration-detail", args=[big.pk]))
    assert response.status_code == 200 and big.number in response.content.decode()


def test_list_filters_and_csv_export(client, people):
    signed_in(client, people["channel"])
    [mine] = registrations(people["a"], 1, customer_name="=HYPERLINK(1)")
    [theirs] = registrations(people["b"], 1)
    soon = timezone.localdate() + dt.timedelta(days=5)
    DealRegistration.objects.filter(pk=theirs.pk).update(
        status=RegistrationStatus.APPROVED, exclusive_until=soon, decided_at=timezone.now()
    )
    body = client.get(reverse("partners:registration-list"), {"partner": people["a"].pk}).content.decode()
    assert mine.number in body and theirs.number not in body
    body = client.get(reverse("partners:registration-list"), {"expiring": "on"}).content.decode()
    assert theirs.number in body and mine.number not in body
    export = client.get(reverse("partners:registration-list"), {"export": "csv"})
    text = b"".join(export.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text and theirs.number in text


def test_partner_users_get_no_headquarters_page(client, people):
    [registration] = registrations(people["a"], 1)
    signed_in(client, people["rep_a"])
    assert client.get(reverse("partners:registration-list")).status_code == 403
    assert client.get(reverse("partners:registration-detail", args=[registration.pk])).status_code == 403
    assert client.get(reverse("partners:conflict-list")).status_code == 403


def test_the_channel_manager_decides_conflicts_then_approves(client, people):
    [registration] = registrations(people["a"], 1)
    conflict = registration.conflicts.get()
    signed_in(client, people["channel"])
    url = reverse("partners:registration-approve", args=[registration.pk])
    response = client.post(url, {"version": registration.version, "days": 90})
    assert response.status_code == 400 and "conflicts first" in response.content.decode()
    client.post(
        reverse("partners:conflict-decide", args=[conflict.pk]),
        {"version": conflict.version, "decision": ConflictStatus.RESOLVED_FOR_PARTNER, "note": "선발굴"},
    )
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.RESOLVED_FOR_PARTNER and conflict.decided_by == people["channel"]
    response = client.post(url, {"version": registration.version, "days": 45, "note": "축하합니다"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.APPROVED
    assert registration.exclusive_until == timezone.localdate() + dt.timedelta(days=45)


def test_a_stale_decision_is_a_conflict_message(client, people):
    [registration] = registrations(people["a"], 1)
    signed_in(client, people["channel"])
    response = client.post(
        reverse("partners:registration-reject", args=[registration.pk]),
        {"version": registration.version - 1, "reason": "중복"},
        follow=True,
    )
    assert "changed this registration" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED


def test_the_public_inquiry_form_refers_to_a_dealer(client, people):
    line = ProductLineFactory()
    dealer = people["a"]
    f.PartnerProfileFactory(account=dealer)
    f.PartnerCoverageFactory(partner=dealer, sido="경기도", sigungu="")
    f.PartnerAuthorizationFactory(partner=dealer, product_line=line, valid_from=dt.date(2020, 1, 1))
    web_form = WebFormFactory(product_line=line, slug="eshowroom")
    url = reverse("partners:referral-inquiry", args=["eshowroom"])
    assert client.get(url).status_code == 200
    token = lead_capture.form_token(web_form, now=timezone.now().timestamp() - 30)
    data = {"person_name": "김민준", "company_name": "수원정밀", "email": "kim@suwon.kr", "sido": "경기도"}
    assert client.post(url, {**data, "started": token, "website": "spam"}).status_code == 200
    assert Lead.objects.count() == 0  # the honeypot keeps nothing
    fast = lead_capture.form_token(web_form)
    assert client.post(url, {**data, "started": fast}).status_code == 400
    response = client.post(url, {**data, "started": token, "consent_marketing_email": "on"})
    assert response.status_code == 200 and b'data-testid="sent"' in response.content
    offer = LeadOffer.objects.get()
    assert offer.partner == dealer and offer.credited and offer.lead.consents.count() == 1
    cross_site = client.post(url, {**data, "started": token}, HTTP_ORIGIN="https://evil.example")
    assert cross_site.status_code == 403


# --- API ---------------------------------------------------------------------------------------------------------


def api(client, user):
    client.force_login(user)
    return client


def test_api_partner_creates_updates_and_submits_its_own(client, people):
    product = ProductFactory()
    api(client, people["rep_a"])
    body = {
        "customer_name": "(주)미래정밀",
        "customer_brn": "120-81-47521",
        "contact_phone": "010-2345-6789",
        "expected_amount": "85000000",
        "expected_close_date": str(timezone.localdate() + dt.timedelta(days=30)),
        "lines": [{"product": product.pk, "quantity": 3}],
    }
    created = client.post("/api/v1/deal-registrations/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["customer_brn"] == "1208147521" and data["lines"][0]["quantity"] == 3 and "account" not in data
    url = f"/api/v1/deal-registrations/{data['id']}/"
    stale = client.patch(url, {"contact_name": "x"}, content_type="application/json", HTTP_IF_MATCH='"x"')
    assert stale.status_code == 412
    assert client.patch(url, {"contact_name": "x"}, content_type="application/json").status_code == 428
    etag = client.get(url)["ETag"]
    changed = client.patch(url, {"contact_name": "박지훈"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["contact_name"] == "박지훈"
    submitted = client.post(f"{url}submit/", {}, content_type="application/json", HTTP_IF_MATCH=changed["ETag"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    refused = client.post(f"{url}approve/", {}, content_type="application/json", HTTP_IF_MATCH=submitted["ETag"])
    assert refused.status_code == 403
    bad = client.post("/api/v1/deal-registrations/", {**body, "customer_brn": "123"}, content_type="application/json")
    assert bad.status_code == 400 and "customer_brn" in bad.json().get("errors", bad.json())


def test_api_partners_never_see_each_other_or_conflicts(client, people):
    [theirs] = registrations(people["b"], 1)
    api(client, people["rep_a"])
    assert client.get(f"/api/v1/deal-registrations/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/deal-registrations/").json()["results"] == []
    assert client.get("/api/v1/channel-conflicts/").json()["results"] == []
    conflict = ChannelConflict.objects.get()
    assert client.get(f"/api/v1/channel-conflicts/{conflict.pk}/").status_code == 404


def test_api_headquarters_decides(client, people):
    [registration] = registrations(people["a"], 1)
    conflict = registration.conflicts.get()
    api(client, people["channel"])
    url = f"/api/v1/channel-conflicts/{conflict.pk}/decide/"
    decided = client.post(url, {"decision": "dismissed"}, content_type="application/json", HTTP_IF_MATCH="*")
    assert decided.status_code == 200 and decided.json()["status"] == "dismissed"
    approve = f"/api/v1/deal-registrations/{registration.pk}/approve/"
    approved = client.post(approve, {"days": 30}, content_type="application/json", HTTP_IF_MATCH="*")
    assert approved.status_code == 200, approved.content
    assert approved.json()["exclusive_until"] == str(timezone.localdate() + dt.timedelta(days=30))
    assert approved.json()["account"] is None or "account" in approved.json()
    won = client.post(
        f"/api/v1/deal-registrations/{registration.pk}/won/", {}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert won.status_code == 200 and won.json()["status"] == "won"
    api(client, people["sales"])
    assert client.post(url, {"decision": "other"}, content_type="application/json", HTTP_IF_MATCH="*").status_code in {
        403,
        404,
    }
    AccountFactory()  # nothing else leaks: a sales rep without the deal sees no conflict
    assert client.get("/api/v1/channel-conflicts/").json()["results"] == []
