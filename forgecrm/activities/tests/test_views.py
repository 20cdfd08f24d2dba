import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from forgecrm.activities.models import Activity, ActivityKind, ActivityStatus
from forgecrm.activities.operations import log_activity
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def client(rep):
    client = Client()
    client.force_login(rep)
    return client


def make_activities(owner, count):
    account = AccountFactory(owner=owner)
    for i in range(count):
        contact = ContactFactory(account=account)
        ActivityFactory(account=account, contact=contact, owner=owner, subject=f"활동 {i}")


def test_list_query_count_is_constant(client, rep, django_assert_max_num_queries):
    make_activities(rep, 5)
    with django_assert_max_num_queries(14) as small:
        assert client.get("/activities/").status_code == 200
    make_activities(rep, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/activities/")
    assert response.status_code == 200
    assert response.content.count(b'id="activity-row-') == 35


def test_list_filters_sorts_and_pages_by_keyset(client, rep):
    account = AccountFactory(owner=rep)
    base = timezone.now() - dt.timedelta(days=100)
    for i in range(60):
        ActivityFactory(account=account, owner=rep, subject=f"통화 {i:02d}", starts_at=base + dt.timedelta(days=i))
    ActivityFactory(account=account, owner=rep, kind=ActivityKind.TASK, subject="할 일 하나", status="planned")

    first = client.get("/activities/?sort=-when&kind=call")
    body = first.content.decode()
    assert "통화 59" in body and "통화 10" in body and "통화 09" not in body and "할 일 하나" not in body
    cursor = first.context["page"].next_cursor
    second = client.get(f"/activities/?sort=-when&kind=call&cursor={cursor}", headers={"HX-Request": "true"})
    assert "통화 09" in second.content.decode() and "통화 59" not in second.content.decode()
    assert client.get("/activities/?kind=task").context["page"].rows[0].subject == "할 일 하나"


def test_list_exports_csv_and_xlsx_with_formulas_neutralised(client, rep):
    from forgecrm.platform.models import PersonalDataAccess

    contact = ContactFactory(account=AccountFactory(owner=rep))
    ActivityFactory(account=contact.account, contact=contact, owner=rep, subject='=HYPERLINK("http://evil")')
    csv_response = client.get("/activities/?export=csv")
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    xlsx = client.get("/activities/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=3).value.startswith("'=")
    logged = PersonalDataAccess.objects.filter(user=rep, action="export", object_id=contact.pk)
    assert logged.count() == 2  # PIPA: one entry per exported person per export


def test_detail_query_count_is_constant(client, rep, django_assert_max_num_queries, settings, tmp_path):
    settings.FORGE_PRIVATE_MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forgecrm.activities.operations import add_attachment

    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    for i in range(2):
        add_attachment(actor=rep, activity=activity, upload=SimpleUploadedFile(f"{i}.txt", f"note {i}".encode()))
    with django_assert_max_num_queries(14) as small:
        assert client.get(f"/activities/{activity.pk}/").status_code == 200
    for i in range(2, 12):
        add_attachment(actor=rep, activity=activity, upload=SimpleUploadedFile(f"{i}.txt", f"note {i}".encode()))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"/activities/{activity.pk}/")
    assert response.content.decode().count("/activities/attachments/") >= 12


def test_detail_of_another_organisations_activity_is_404():
    partner_a, partner_b = PartnerAccountFactory(), PartnerAccountFactory()
    rep_b = UserFactory(role=Role.PARTNER_REP, organization=partner_b)
    hq_note = log_activity(
        actor=UserFactory(role=Role.ADMIN),
        kind=ActivityKind.NOTE,
        subject="본사 내부 메모",
        account=AccountFactory(partner=partner_a),
    )
    client = Client()
    client.force_login(rep_b)
    for url in (f"/activities/{hq_note.pk}/", f"/activities/{hq_note.pk}/edit/", f"/activities/{hq_note.pk}/ics/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/activities/{hq_note.pk}/complete/").status_code == 404
    assert b"\xeb\xb3\xb8\xec\x82\xac" not in client.get("/activities/").content  # "본사" never listed


def test_new_call_is_prefilled_from_the_account_page(client, rep):
    account = AccountFactory(owner=rep, name="(주)한빛냉동")
    response = client.get(f"/activities/new/?account={account.pk}&kind=call")
    form = response.context["form"]
    assert form.initial["account"] == account.pk and form.initial["kind"] == "call"
    assert "(주)한빛냉동" in form.initial["subject"] and form.initial["status"] == ActivityStatus.DONE
    body = response.content.decode()
    assert f'<option value="{account.pk}" selected>(주)한빛냉동</option>' in body
    assert body.count("<option") < 40  # the autocomplete renders the chosen account only, not every account

    # The second click: save as prefilled.
    data = {
        "kind": "call",
        "subject": form.initial["subject"],
        "account": account.pk,
        "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "status": "done",
        "direction": "outbound",
        "owner": rep.pk,
        "shared_with_team": "on",
    }
    saved = client.post("/activities/new/", data)
    activity = Activity.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/activities/{activity.pk}/"
    assert activity.account == account and activity.status == ActivityStatus.DONE and activity.created_by == rep


def test_prefill_ignores_foreign_ids(client):
    foreign = AccountFactory()
    response = client.get(f"/activities/new/?account={foreign.pk}&kind=call")
    assert "account" not in response.context["form"].initial
    assert foreign.name not in response.content.decode()


def test_create_with_foreign_account_is_a_field_error(client, rep):
    response = client.post(
        "/activities/new/",
        {"kind": "call", "subject": "x", "account": AccountFactory().pk, "status": "done", "owner": rep.pk},
    )
    assert response.status_code == 400 and "account" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_edit_with_a_stale_version_shows_the_conflict(client, rep):
    activity = log_activity(actor=rep, kind=ActivityKind.TASK, subject="원본", account=AccountFactory(owner=rep))
    page = client.get(f"/activities/{activity.pk}/edit/")
    assert page.context["form"].initial["version"] == 1
    from forgecrm.activities.operations import update_activity

    update_activity(actor=rep, activity=activity, expected_version=1, subject="다른 사람이 먼저")
    response = client.post(
        f"/activities/{activity.pk}/edit/",
        {
            "kind": "task",
            "subject": "내 수정",
            "account": activity.account_id,
            "status": "planned",
            "owner": rep.pk,
            "version": 1,
        },
    )
    assert response.status_code == 409 and response.context["conflict"]
    assert "다른 사람이 먼저" in response.content.decode()
    activity.refresh_from_db()
    assert activity.subject == "다른 사람이 먼저"


def test_htmx_complete_and_cancel(client, rep):
    account = AccountFactory(owner=rep)
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="견적서 발송", account=account)
    response = client.post(
        f"/activities/{task.pk}/complete/", {"version": 1, "outcome": "메일 발송"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'data-status="done"' in response.content.decode()
    task.refresh_from_db()
    assert task.status == ActivityStatus.DONE and task.outcome == "메일 발송"

    call = log_activity(
        actor=rep,
        kind=ActivityKind.CALL,
        subject="콜백",
        account=account,
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )
    stale = client.post(f"/activities/{call.pk}/cancel/", {"version": 7}, headers={"HX-Request": "true"})
    assert "Someone else changed" in stale.content.decode() or "다른 사람" in stale.content.decode()
    call.refresh_from_db()
    assert call.status == ActivityStatus.PLANNED
    client.post(f"/activities/{call.pk}/cancel/", {"version": 1}, headers={"HX-Request": "true"})
    call.refresh_from_db()
    assert call.status == ActivityStatus.CANCELLED

    row_task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="행에서 완료", account=account)
    row = client.post(
        f"/activities/{row_task.pk}/complete/", {"version": 1, "target": "row"}, headers={"HX-Request": "true"}
    )
    assert f'id="activity-row-{row_task.pk}"' in row.content.decode()


def test_a_teammate_who_may_see_but_not_change_gets_403(rep):
    from forgecrm.platform.tests.factories import TeamFactory

    peer = UserFactory()
    TeamFactory(members=[rep, peer])
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="x", account=AccountFactory(owner=rep))
    client = Client()
    client.force_login(peer)
    assert client.get(f"/activities/{task.pk}/").status_code == 200
    assert client.get(f"/activities/{task.pk}/edit/").status_code == 403
    assert client.post(f"/activities/{task.pk}/complete/", {"version": 1}).status_code == 403
    task.refresh_from_db()
    assert task.status == ActivityStatus.PLANNED


def test_calendar_page_marks_holidays(client, rep):
    log_activity(
        actor=rep,
        kind=ActivityKind.MEETING,
        subject="연휴 전 미팅",
        account=AccountFactory(owner=rep),
        starts_at=timezone.make_aware(dt.datetime(2026, 2, 13, 15)),
    )
    response = client.get("/activities/calendar/?week=2026-02-16")
    body = response.content.decode()
    assert response.status_code == 200 and body.count("data-holiday") == 3 and "설날" in body
    previous = client.get("/activities/calendar/?week=2026-02-09").content.decode()
    assert "연휴 전 미팅" in previous
    assert client.get("/activities/calendar/?week=garbage").status_code == 200


def test_contacts_autocomplete_is_scoped(client, rep):
    account = AccountFactory(owner=rep)
    mine = ContactFactory(account=account, full_name="이서준")
    ContactFactory(full_name="이하은")  # another rep's
    results = client.get(f"/activities/contacts-autocomplete/?q=이&account={account.pk}").json()["results"]
    assert results == [
        {"id": mine.pk, "text": f"이서준 · {account.name}", "account": account.pk, "account_name": account.name}
    ]
    assert len(client.get("/activities/contacts-autocomplete/?q=이").json()["results"]) == 1


def test_dashboard_tiles_and_menu(client, rep):
    log_activity(
        actor=rep,
        kind=ActivityKind.TASK,
        subject="x",
        account=AccountFactory(owner=rep),
        due_at=timezone.now() - dt.timedelta(days=1),
    )
    body = client.get("/").content.decode()
    assert 'data-tile="activities.my_open_tasks">1<' in body
    assert 'data-tile="activities.overdue">1<' in body
    assert 'href="/activities/"' in body
    redirect = client.get("/activities/overdue/")
    assert redirect.status_code == 302 and "overdue=on" in redirect["Location"]


def test_account_and_contact_pages_offer_logging_a_call_prefilled(client):
    from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
    from forgecrm.platform.tests.factories import UserFactory

    rep = UserFactory()
    account = AccountFactory(owner=rep)
    contact = ContactFactory(account=account)
    client.force_login(rep)
    page = client.get(f"/accounts/{account.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/activities/new/?account={account.pk}&amp;kind=call" in page
    page = client.get(f"/contacts/{contact.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/activities/new/?contact={contact.pk}&amp;kind=call" in page
    form = client.get(f"/activities/new/?account={account.pk}&kind=call", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200


def test_customer_portal_users_get_no_logging_actions(client):
    from forgecrm.customers.tests.factories import AccountFactory
    from forgecrm.platform.models import Role
    from forgecrm.platform.tests.factories import UserFactory

    account = AccountFactory()
    customer = UserFactory(role=Role.CUSTOMER_USER, organization=account)
    client.force_login(customer)
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert "/activities/new/" not in page


def test_only_the_longest_matching_menu_entry_is_active(rf):
    from forgecrm.platform.tests.factories import UserFactory
    from forgecrm.platform.ui.context import navigation

    request = rf.get("/activities/calendar/")
    request.user = UserFactory()
    active = [entry["url"] for entry in navigation(request)["menu"] if entry["active"]]
    assert active == ["/activities/calendar/"]
