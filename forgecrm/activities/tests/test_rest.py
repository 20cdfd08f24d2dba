import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from forgecrm.activities.models import Activity, ActivityKind, ActivityStatus
from forgecrm.activities.operations import add_attachment, log_activity
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from . import sample_files
from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_create_read_update_with_etag_and_412(api, rep):
    account = AccountFactory(owner=rep)
    contact = ContactFactory(account=account)
    created = api.post(
        "/api/v1/activities/",
        {
            "kind": "meeting",
            "subject": "분기 사업 리뷰",
            "contact": contact.pk,
            "starts_at": "2026-07-01T10:00:00+09:00",
            "duration_minutes": 60,
            "body": "<p>안건</p><img src=x onerror=alert(1)>",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["account"] == account.pk and data["account_name"] == account.name  # from the contact
    assert data["owner"] == rep.pk and data["version"] == 1 and data["status"] == "planned"
    assert data["body"] == "<p>안건</p>"
    assert data["ends_at"].startswith("2026-07-01T11:00:00")
    etag = created["ETag"]

    detail = api.get(f"/api/v1/activities/{data['id']}/")
    assert detail.status_code == 200 and detail["ETag"] == etag

    assert api.patch(f"/api/v1/activities/{data['id']}/", {"subject": "x"}, format="json").status_code == 428
    updated = api.patch(f"/api/v1/activities/{data['id']}/", {"location": "본사"}, format="json", HTTP_IF_MATCH=etag)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = api.patch(f"/api/v1/activities/{data['id']}/", {"location": "지사"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Activity.objects.get().location == "본사"

    done = api.post(f"/api/v1/activities/{data['id']}/complete/", {"outcome": "합의"}, HTTP_IF_MATCH=updated["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["outcome"] == "합의"
    assert api.delete(f"/api/v1/activities/{data['id']}/", HTTP_IF_MATCH=done["ETag"]).status_code == 204
    assert not Activity.objects.exists()


def test_foreign_regarding_ids_are_not_found_and_nothing_is_created(api):
    foreign_account, foreign_contact = AccountFactory(), ContactFactory()
    missing = api.post("/api/v1/activities/", {"kind": "call", "subject": "x", "account": 987654}, format="json")
    foreign = api.post(
        "/api/v1/activities/", {"kind": "call", "subject": "x", "account": foreign_account.pk}, format="json"
    )
    assert missing.status_code == foreign.status_code == 400
    assert missing.json() == foreign.json() == {"account": ["Account not found."]}
    contact = api.post(
        "/api/v1/activities/", {"kind": "note", "subject": "x", "contact": foreign_contact.pk}, format="json"
    )
    assert contact.status_code == 400 and "contact" in contact.json()
    assert not Activity.objects.exists()


def test_validation_errors_name_the_field(api, rep):
    response = api.post(
        "/api/v1/activities/",
        {"kind": "meeting", "subject": "x", "account": AccountFactory(owner=rep).pk},
        format="json",
    )
    assert response.status_code == 400 and "starts_at" in response.json()
    assert api.post("/api/v1/activities/", {"kind": "party", "subject": "x"}, format="json").status_code == 400


def test_list_is_scoped_filtered_ordered_and_cursor_paginated(api, rep):
    account = AccountFactory(owner=rep)
    base = timezone.now() - dt.timedelta(days=10)
    for i in range(5):
        ActivityFactory(account=account, owner=rep, starts_at=base + dt.timedelta(days=i), subject=f"c{i}")
    ActivityFactory(account=account, owner=rep, kind=ActivityKind.TASK, status=ActivityStatus.PLANNED, subject="t")
    ActivityFactory(subject="invisible")

    page = api.get("/api/v1/activities/?kind=call&page_size=2").json()
    assert [row["subject"] for row in page["results"]] == ["c4", "c3"]
    second = api.get(page["next"]).json()
    assert [row["subject"] for row in second["results"]] == ["c2", "c1"]
    ascending = api.get("/api/v1/activities/?kind=call&ordering=timeline_at").json()
    assert [row["subject"] for row in ascending["results"]] == ["c0", "c1", "c2", "c3", "c4"]
    everything = {row["subject"] for row in api.get("/api/v1/activities/").json()["results"]}
    assert "invisible" not in everything and len(everything) == 6
    assert api.get(f"/api/v1/activities/?account={AccountFactory().pk}").json()["results"] == []
    assert api.get("/api/v1/activities/?status=planned").json()["results"][0]["subject"] == "t"


def test_attachments_are_nested_read_only_with_download_urls(api, rep, settings, tmp_path):
    settings.FORGE_PRIVATE_MEDIA_ROOT = tmp_path
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    attachment = add_attachment(
        actor=rep, activity=activity, upload=SimpleUploadedFile("견적서.pdf", sample_files.pdf())
    )
    data = api.get(f"/api/v1/activities/{activity.pk}/").json()
    (nested,) = data["attachments"]
    assert nested["name"] == "견적서.pdf" and nested["content_type"] == "application/pdf"
    assert nested["size"] == len(sample_files.pdf()) and len(nested["sha256"]) == 64
    assert nested["download_url"].endswith(f"/api/v1/activities/{activity.pk}/attachments/{attachment.pk}/download/")

    download = api.get(nested["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == sample_files.pdf()
    assert download["X-Content-Type-Options"] == "nosniff" and "attachment" in download["Content-Disposition"]
    other_activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="다른", account=activity.account)
    assert api.get(f"/api/v1/activities/{other_activity.pk}/attachments/{attachment.pk}/download/").status_code == 404

    ignored = api.patch(
        f"/api/v1/activities/{activity.pk}/",
        {"attachments": []},
        format="json",
        HTTP_IF_MATCH=f'"activity-{activity.pk}-v1"',
    )
    assert ignored.status_code == 200 and len(ignored.json()["attachments"]) == 1


def test_partner_api_sees_no_hq_notes_and_gets_404_on_them():
    partner = PartnerAccountFactory()
    customer = AccountFactory(partner=partner)
    partner_rep = UserFactory(role=Role.PARTNER_REP, organization=partner)
    internal = log_activity(actor=customer.owner, kind=ActivityKind.NOTE, subject="내부", account=customer)
    own = log_activity(actor=partner_rep, kind=ActivityKind.NOTE, subject="대리점", account=customer)
    client = APIClient()
    client.force_authenticate(partner_rep)
    assert [row["id"] for row in client.get("/api/v1/activities/").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/activities/{internal.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/activities/{internal.pk}/", {"subject": "x"}, format="json", HTTP_IF_MATCH="*"
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/activities/{internal.pk}/", HTTP_IF_MATCH="*").status_code == 404
    internal.refresh_from_db()
    assert internal.subject == "내부"


def test_anonymous_gets_nothing():
    ActivityFactory()
    assert APIClient().get("/api/v1/activities/").status_code in {401, 403}


def test_list_query_count_is_constant(api, rep, django_assert_max_num_queries, settings, tmp_path):
    settings.FORGE_PRIVATE_MEDIA_ROOT = tmp_path
    account = AccountFactory(owner=rep)

    def make(count):
        for i in range(count):
            activity = ActivityFactory(account=account, contact=ContactFactory(account=account), owner=rep)
            add_attachment(actor=rep, activity=activity, upload=SimpleUploadedFile(f"{i}.txt", f"{i}".encode()))

    make(3)
    with django_assert_max_num_queries(12) as small:
        assert api.get("/api/v1/activities/").status_code == 200
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/v1/activities/").json()["results"]) == 23


def test_schema_documents_the_endpoint(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/activities/" in paths and "/api/v1/activities/{id}/complete/" in paths
