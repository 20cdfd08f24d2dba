"""PIPA: views and exports of people's data are logged, consent gates marketing, a data subject's export and
erasure work and are audited, and retention anonymises what has expired."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from forgecrm.customers.models import ConsentPurpose, Contact, ContactAlias
from forgecrm.customers.operations import erase_personal_data, purge_expired_personal_data, record_consent
from forgecrm.customers.privacy import contacts_reachable_for
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.models import OutboxEvent, PersonalDataAccess, Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def logged(user, action) -> list[int]:
    rows = PersonalDataAccess.objects.filter(user=user, action=action, content_type__model="contact")
    return sorted(rows.values_list("object_id", flat=True))


@pytest.fixture
def rep():
    return UserFactory(role=Role.SALES_REP)


@pytest.fixture
def people(rep):
    account = AccountFactory(owner=rep)
    return [ContactFactory(account=account, owner=rep, mobile="+821012345678") for _ in range(3)]


# --- the access log: who, what, when -------------------------------------------------------------------------


def test_contact_page_is_logged_with_who_what_when(client, rep, people):
    client.force_login(rep)
    before = timezone.now()
    assert client.get(f"/contacts/{people[0].pk}/", REMOTE_ADDR="10.1.2.3").status_code == 200
    row = PersonalDataAccess.objects.get(user=rep)
    assert (row.object_id, row.action, row.ip_address) == (people[0].pk, "view", "10.1.2.3")
    assert row.content_type.model == "contact" and row.at >= before


def test_contact_list_page_logs_every_person_shown(client, rep, people):
    client.force_login(rep)
    assert client.get("/contacts/").status_code == 200
    assert logged(rep, "view") == sorted(c.pk for c in people)


def test_account_page_logs_the_contacts_it_shows(client, rep, people):
    client.force_login(rep)
    assert client.get(f"/accounts/{people[0].account_id}/").status_code == 200
    assert logged(rep, "view") == sorted(c.pk for c in people)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_list_exports_are_logged_per_person(client, rep, people, fmt):
    client.force_login(rep)
    assert client.get("/contacts/", {"export": fmt}).status_code == 200
    assert logged(rep, "export") == sorted(c.pk for c in people)


def test_api_list_and_detail_reads_are_logged(client, rep, people):
    client.force_login(rep)
    assert client.get("/api/v1/contacts/").status_code == 200
    assert client.get(f"/api/v1/contacts/{people[1].pk}/").status_code == 200
    assert logged(rep, "api_read") == sorted([*(c.pk for c in people), people[1].pk])


def test_nothing_is_logged_for_what_is_not_shown(client, people):
    outsider = UserFactory(role=Role.SALES_REP)
    client.force_login(outsider)
    assert client.get(f"/contacts/{people[0].pk}/").status_code == 404
    assert client.get("/contacts/").status_code == 200
    assert not PersonalDataAccess.objects.exists()


# --- consent before marketing --------------------------------------------------------------------------------


def test_only_contacts_whose_latest_consent_grants_the_purpose_are_reachable(rep):
    account = AccountFactory(owner=rep)
    granted, withdrawn, _never, regranted, no_email, inactive, other_purpose = (
        ContactFactory(account=account, owner=rep) for _ in range(7)
    )
    no_email.email = ""
    no_email.save()
    inactive.is_active = False
    inactive.save()
    now = timezone.now()
    email = ConsentPurpose.MARKETING_EMAIL
    for contact in (granted, withdrawn, regranted, no_email, inactive):
        record_consent(
            actor=rep,
            contact=contact,
            purpose=email,
            granted=True,
            source="웹",
            recorded_at=now - dt.timedelta(days=10),
        )
    record_consent(
        actor=rep,
        contact=withdrawn,
        purpose=email,
        granted=False,
        source="전화",
        recorded_at=now - dt.timedelta(days=1),
    )
    record_consent(
        actor=rep,
        contact=regranted,
        purpose=email,
        granted=False,
        source="전화",
        recorded_at=now - dt.timedelta(days=5),
    )
    record_consent(
        actor=rep, contact=regranted, purpose=email, granted=True, source="웹", recorded_at=now - dt.timedelta(days=2)
    )
    record_consent(actor=rep, contact=other_purpose, purpose=ConsentPurpose.MARKETING_SMS, granted=True, source="웹")
    assert set(contacts_reachable_for(email)) == {granted, regranted}
    assert set(contacts_reachable_for(ConsentPurpose.MARKETING_SMS)) == set()  # no mobile number
    other_purpose.mobile = "+821099998888"
    other_purpose.save()
    assert set(contacts_reachable_for(ConsentPurpose.MARKETING_SMS)) == {other_purpose}
    with pytest.raises(ValueError):
        contacts_reachable_for("spam")


# --- a data subject's export and erasure ---------------------------------------------------------------------


@pytest.fixture
def officer():
    user = UserFactory(role=Role.SALES_MANAGER)
    user.groups.add(Group.objects.create(name="privacy_officer"))
    return user


def test_the_export_holds_all_personal_data_and_is_logged(client, rep, people):
    admin = UserFactory(role=Role.ADMIN)
    person = people[0]
    record_consent(actor=rep, contact=person, purpose=ConsentPurpose.MARKETING_EMAIL, granted=True, source="박람회")
    client.force_login(admin)
    response = client.get(f"/contacts/{person.pk}/personal-data/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("personal-data.json"))
    assert data["contact"]["full_name"] == person.full_name and data["contact"]["email"] == person.email
    assert data["contact"]["mobile"] == "+821012345678"
    assert [c["source"] for c in data["consents"]] == ["박람회"]
    assert data["history"] and data["history"][0]["email"] == person.email
    assert logged(admin, "export") == [person.pk]
    api = client.get(f"/api/v1/contacts/{person.pk}/personal-data/")
    assert api.status_code == 200 and api.json()["contact"]["email"] == person.email
    assert logged(admin, "export") == [person.pk, person.pk]


def test_only_privacy_officers_may_export_or_erase(client, rep, people, officer):
    person = people[0]
    client.force_login(rep)  # the owner, but not a privacy officer
    assert client.get(f"/contacts/{person.pk}/personal-data/").status_code == 403
    assert client.post(f"/contacts/{person.pk}/erase/", {"confirm": "erase"}).status_code == 403
    assert client.get(f"/api/v1/contacts/{person.pk}/personal-data/").status_code == 403
    assert client.post(f"/api/v1/contacts/{person.pk}/erase/").status_code == 403
    person.refresh_from_db()
    assert person.email and person.version == 1
    assert not PersonalDataAccess.objects.filter(action__in=["export", "erase"]).exists()
    assert not OutboxEvent.objects.filter(event_type="contact.erased").exists()
    assert "personal-data" not in client.get(f"/contacts/{person.pk}/").content.decode()
    # A privacy officer in another team sees only their scope: 404, not 403, outside it.
    client.force_login(officer)
    assert client.get(f"/contacts/{person.pk}/personal-data/").status_code == 404


def test_erasure_anonymises_the_person_and_their_history_for_good(client, rep, people):
    admin = UserFactory(role=Role.ADMIN)
    person, survivor_of_merge = people[0], people[1]
    old_name, old_email = person.full_name, person.email
    person.notes = "주민번호 메모"
    person.save()
    ContactAlias.objects.create(contact=person, merged_id=999_999, merged_name="옛 이름")
    record_consent(actor=rep, contact=person, purpose=ConsentPurpose.MARKETING_EMAIL, granted=True, source="웹")
    client.force_login(admin)
    page = client.get(f"/contacts/{person.pk}/")
    assert f"/contacts/{person.pk}/erase/" in page.content.decode()
    unconfirmed = client.post(f"/contacts/{person.pk}/erase/", {})
    assert unconfirmed.status_code == 400
    person.refresh_from_db()
    assert person.full_name == old_name
    response = client.post(f"/contacts/{person.pk}/erase/", {"confirm": "erase"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name.startswith("Erased person") and not person.is_active
    assert (person.email, person.mobile, person.notes) == ("", "", "")
    values = list(Contact.history.filter(id=person.pk).values_list("full_name", "email", "mobile", "notes"))
    assert len(values) >= 3
    assert not any(old_name in str(row) or old_email in str(row) or "주민번호" in str(row) for row in values)
    assert ContactAlias.objects.get(contact=person).merged_name == person.full_name
    # Business records stay; the consent record stays as proof, without personal fields.
    assert person.consents.count() == 1 and person.account_id == people[0].account_id
    assert logged(admin, "erase") == [person.pk]
    assert OutboxEvent.objects.filter(event_type="contact.erased", payload__contact_id=person.pk).exists()
    survivor_of_merge.refresh_from_db()
    assert survivor_of_merge.email  # nobody else was touched
    # The search index forgets the name and email too.
    from forgecrm.platform.search import search_queryset

    assert person.pk not in set(search_queryset(admin, "contact", old_email).values_list("pk", flat=True))
    assert person.pk not in set(search_queryset(admin, "contact", old_name).values_list("pk", flat=True))


def test_erasure_through_the_api(client, people):
    officer_admin = UserFactory(role=Role.ADMIN)
    client.force_login(officer_admin)
    response = client.post(f"/api/v1/contacts/{people[2].pk}/erase/")
    assert response.status_code == 200 and response.json()["email"] == ""
    with pytest.raises(PermissionDenied):
        erase_personal_data(actor=UserFactory(role=Role.SALES_REP), contact=people[1])


# --- retention -----------------------------------------------------------------------------------------------


def test_retention_anonymises_contacts_without_consent_or_activity(settings, rep):
    settings.PERSONAL_DATA_RETENTION_YEARS = 3
    UserFactory(role=Role.ADMIN)
    account = AccountFactory(owner=rep)
    stale, consented, recent, withdrew = (ContactFactory(account=account, owner=rep) for _ in range(4))
    frozen_now = timezone.now() + dt.timedelta(days=365 * 4)  # four years from today
    record_consent(actor=rep, contact=consented, purpose=ConsentPurpose.MARKETING_EMAIL, granted=True, source="웹")
    record_consent(actor=rep, contact=withdrew, purpose=ConsentPurpose.MARKETING_EMAIL, granted=False, source="웹")
    Contact.objects.filter(pk=recent.pk).update(updated_at=frozen_now - dt.timedelta(days=30))

    assert purge_expired_personal_data(now=timezone.now()) == 0  # today nothing has expired
    assert purge_expired_personal_data(now=frozen_now) == 2
    for contact, erased in ((stale, True), (consented, False), (recent, False), (withdrew, True)):
        contact.refresh_from_db()
        assert (contact.email == "") is erased, contact
    assert purge_expired_personal_data(now=frozen_now) == 0  # already erased ones are not erased again
    assert OutboxEvent.objects.filter(event_type="contact.erased", payload__reason="retention").count() == 2


def test_retention_keeps_contacts_with_recent_timeline_activity(settings, rep, monkeypatch):
    from forgecrm.customers.operations import privacy
    from forgecrm.platform.timeline import TimelineEntry

    UserFactory(role=Role.ADMIN)
    contact = ContactFactory(account=AccountFactory(owner=rep), owner=rep)
    frozen_now = timezone.now() + dt.timedelta(days=365 * 5)
    recent = TimelineEntry(at=frozen_now - dt.timedelta(days=3), kind="activity.call", title="call")
    monkeypatch.setattr(privacy, "timeline_for", lambda *args, **kwargs: [recent])
    assert purge_expired_personal_data(now=frozen_now) == 0
    contact.refresh_from_db()
    assert contact.email


def test_retention_task_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "forgecrm.customers.tasks.purge_expired_personal_data_task" in tasks
