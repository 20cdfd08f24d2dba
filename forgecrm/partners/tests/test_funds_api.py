"""/api/v1/mdf-allocations/ and /api/v1/mdf-requests/: the flow through the API, If-Match, field errors, and
partner A never reading B's."""

import pytest

from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import MdfRequestStatus
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def post(client, url, data=None, etag="*", **extra):
    return client.post(url, data or {}, content_type="application/json", HTTP_IF_MATCH=etag, **extra)


def test_the_mdf_flow_through_the_api(client, tmp_path, settings):
    settings.FORGE_PRIVATE_MEDIA_ROOT = str(tmp_path)
    partner, rival = PartnerAccountFactory(), PartnerAccountFactory()
    admin = UserFactory(role=Role.PARTNER_ADMIN, organization=partner)
    channel = UserFactory(role=Role.CHANNEL_MANAGER)
    client.force_login(channel)
    created = client.post(
        "/api/v1/mdf-allocations/",
        {"partner": partner.pk, "period_kind": "quarter", "period_start": "2026-10-01", "amount": "5000000"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    allocation = created.json()
    assert (allocation["amount"], allocation["remaining"]) == ("5000000", "5000000")

    client.force_login(admin)
    draft = client.post(
        "/api/v1/mdf-requests/",
        {
            "allocation": allocation["id"],
            "campaign_name": "대리점 신제품 설명회",
            "activity_type": "event",
            "planned_start": "2026-11-05",
            "planned_end": "2026-11-05",
            "planned_cost": "3000000",
            "requested_amount": "2000000",
            "expected_leads": 25,
        },
        content_type="application/json",
    )
    assert draft.status_code == 201, draft.content
    pk = draft.json()["id"]
    assert post(client, f"/api/v1/mdf-requests/{pk}/submit/", etag='"mdfrequest-1-v99"').status_code == 412
    assert client.post(f"/api/v1/mdf-requests/{pk}/submit/", content_type="application/json").status_code == 428
    submitted = post(client, f"/api/v1/mdf-requests/{pk}/submit/", etag=draft["ETag"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    client.force_login(channel)
    over = post(client, f"/api/v1/mdf-requests/{pk}/approve/", {"approved_amount": "2500000"})
    assert over.status_code == 400 and "approved_amount" in over.json()
    approved = post(client, f"/api/v1/mdf-requests/{pk}/approve/", {"approved_amount": "1500000"})
    assert approved.json()["approved_amount"] == "1500000"

    client.force_login(admin)
    no_proof = post(
        client, f"/api/v1/mdf-requests/{pk}/claim/", {"actual_cost": "2800000", "claimed_amount": "1500000"}
    )
    assert no_proof.status_code == 400 and "proofs" in no_proof.json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = client.post(
        f"/api/v1/mdf-requests/{pk}/claim/",
        {
            "actual_cost": "2800000",
            "claimed_amount": "1400000",
            "actual_leads": "31",
            "proofs": [SimpleUploadedFile("참석자명단.pdf", PDF, content_type="application/pdf")],
        },
        HTTP_IF_MATCH="*",
    )
    assert claim.status_code == 200, claim.content
    assert claim.json()["claim"]["proofs"][0]["original_name"] == "참석자명단.pdf"

    client.force_login(channel)
    assert post(client, f"/api/v1/mdf-requests/{pk}/approve-claim/").status_code == 200
    paid = post(client, f"/api/v1/mdf-requests/{pk}/pay/", {"payment_reference": "BANK-1"})
    assert paid.json()["status"] == MdfRequestStatus.PAID
    budget = client.get(f"/api/v1/mdf-allocations/{allocation['id']}/").json()
    assert (budget["committed"], budget["paid"], budget["remaining"]) == ("1400000", "1400000", "3600000")
    lowered = client.patch(
        f"/api/v1/mdf-allocations/{allocation['id']}/",
        {"amount": "1000000"},
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert lowered.status_code == 400 and "amount" in lowered.json()

    client.force_login(UserFactory(role=Role.PARTNER_ADMIN, organization=rival))
    assert client.get(f"/api/v1/mdf-requests/{pk}/").status_code == 404
    assert client.get("/api/v1/mdf-requests/").json()["results"] == []
