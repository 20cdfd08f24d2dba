import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.activities.models import Activity, ActivityKind, ActivityStatus, CallOutcome
from forgecrm.activities.operations import (
    cancel_activity,
    complete_activity,
    delete_activity,
    log_activity,
    update_activity,
)
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.operations import set_manager
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory(role=Role.SALES_REP)


def test_log_a_call_on_an_account_records_it_and_emits_an_event(rep):
    account = AccountFactory(owner=rep)

    activity = log_activity(
        actor=rep,
        kind=ActivityKind.CALL,
        subject="견적 문의 통화",
        account=account,
        status=ActivityStatus.DONE,
        outcome_code=CallOutcome.CONNECTED,
        direction="outbound",
        duration_minutes=12,
    )

    activity.refresh_from_db()
    assert activity.owner == rep and activity.created_by == rep
    assert activity.account == account and activity.version == 1
    assert activity.starts_at is not None  # a logged call happened now
    assert activity.completed_at is not None
    assert activity.ends_at == activity.starts_at + dt.timedelta(minutes=12)
    event = OutboxEvent.objects.get(event_type="ActivityLogged")
    assert event.payload["activity_id"] == activity.pk and event.payload["account_id"] == account.pk


def test_a_contact_alone_brings_its_account_and_a_mismatched_pair_is_refused(rep):
    contact = ContactFactory(account=AccountFactory(owner=rep))
    other_account = AccountFactory(owner=rep)

    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", contact=contact.pk)
    assert activity.account_id == contact.account_id

    with pytest.raises(ValidationError) as error:
        log_activity(actor=rep, kind=ActivityKind.CALL, subject="x", account=other_account, contact=contact)
    assert "contact" in error.value.message_dict


def test_regarding_records_outside_the_actors_scope_answer_not_found(rep):
    foreign_account = AccountFactory()  # another rep's account
    foreign_contact = ContactFactory()

    for kwargs, field in (
        ({"account": foreign_account.pk}, "account"),
        ({"account": 999_999}, "account"),
        ({"contact": foreign_contact.pk}, "contact"),
    ):
        with pytest.raises(ValidationError) as error:
            log_activity(actor=rep, kind=ActivityKind.CALL, subject="x", **kwargs)
        assert "not found" in error.value.message_dict[field][0]
    assert not Activity.objects.exists()


def test_partner_user_cannot_log_on_another_partners_account():
    partner_a, partner_b = PartnerAccountFactory(), PartnerAccountFactory()
    customer_of_b = AccountFactory(partner=partner_b)
    partner_rep = UserFactory(role=Role.PARTNER_REP, organization=partner_a)

    with pytest.raises(ValidationError) as error:
        log_activity(actor=partner_rep, kind=ActivityKind.VISIT, subject="방문", account=customer_of_b.pk)
    assert "account" in error.value.message_dict
    assert not Activity.objects.exists()


def test_customer_users_cannot_log_activities():
    customer = AccountFactory()
    portal_user = UserFactory(role=Role.CUSTOMER_USER, organization=customer)
    with pytest.raises(PermissionDenied):
        log_activity(actor=portal_user, kind=ActivityKind.NOTE, subject="x", account=customer)


def test_body_is_sanitised_on_write(rep):
    account = AccountFactory(owner=rep)
    activity = log_activity(
        actor=rep,
        kind=ActivityKind.NOTE,
        subject="메모",
        account=account,
        body='<p>회의록</p><img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a>',
    )
    assert "<img" not in activity.body and "onerror" not in activity.body
    assert "<script" not in activity.body and "javascript:" not in activity.body
    assert "<p>회의록</p>" in activity.body

    updated = update_activity(
        actor=rep, activity=activity, expected_version=1, body="<b onclick=x()>굵게</b>\n<iframe src=//evil></iframe>"
    )
    assert updated.body == "<b>굵게</b>"


def test_plain_text_body_keeps_its_line_breaks_and_is_escaped(rep):
    activity = log_activity(
        actor=rep,
        kind=ActivityKind.NOTE,
        subject="메모",
        body="첫 줄\n둘째 줄 & 1 < 2",
        account=AccountFactory(owner=rep),
    )
    assert activity.body == "<p>첫 줄<br>둘째 줄 &amp; 1 &lt; 2</p>"


def test_meetings_need_a_start_and_cannot_end_before_it(rep):
    account = AccountFactory(owner=rep)
    with pytest.raises(ValidationError) as error:
        log_activity(actor=rep, kind=ActivityKind.MEETING, subject="분기 리뷰", account=account)
    assert "starts_at" in error.value.message_dict

    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        log_activity(
            actor=rep,
            kind=ActivityKind.MEETING,
            subject="분기 리뷰",
            account=account,
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
        )
    assert "ends_at" in error.value.message_dict


def test_only_tasks_and_notes_may_regard_nothing(rep):
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="주간 보고서 작성")
    assert task.account is None and task.owner == rep
    with pytest.raises(ValidationError) as error:
        log_activity(actor=rep, kind=ActivityKind.CALL, subject="누구와?")
    assert "account" in error.value.message_dict


def test_owner_must_be_someone_the_actor_sees(rep):
    stranger = UserFactory()
    account = AccountFactory(owner=rep)
    with pytest.raises(ValidationError) as error:
        log_activity(actor=rep, kind=ActivityKind.TASK, subject="x", account=account, owner=stranger.pk)
    assert "owner" in error.value.message_dict

    manager = UserFactory(role=Role.SALES_MANAGER)
    set_manager(actor=None, user=rep, manager=manager)
    manager.refresh_from_db()
    task = log_activity(actor=manager, kind=ActivityKind.TASK, subject="견적 보내기", account=account, owner=rep)
    assert task.owner == rep


def test_complete_and_cancel(rep):
    account = AccountFactory(owner=rep)
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="샘플 발송", account=account)
    assert task.status == ActivityStatus.PLANNED and task.completed_at is None

    done = complete_activity(actor=rep, activity=task, outcome="택배 발송 완료", expected_version=task.version)
    assert done.status == ActivityStatus.DONE and done.completed_at is not None
    assert done.outcome == "택배 발송 완료" and done.version == 2
    with pytest.raises(ValidationError):
        cancel_activity(actor=rep, activity=done)

    call = log_activity(
        actor=rep,
        kind=ActivityKind.CALL,
        subject="콜백",
        account=account,
        starts_at=timezone.now() + dt.timedelta(hours=2),
    )
    cancelled = cancel_activity(actor=rep, activity=call, expected_version=1)
    assert cancelled.status == ActivityStatus.CANCELLED
    with pytest.raises(ValidationError):
        complete_activity(actor=rep, activity=cancelled)
    assert set(OutboxEvent.objects.values_list("event_type", flat=True)) >= {
        "ActivityLogged",
        "ActivityCompleted",
        "ActivityCancelled",
    }


def test_a_stale_version_is_a_conflict_and_changes_nothing(rep):
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="원래 제목", account=AccountFactory(owner=rep))
    update_activity(actor=rep, activity=task, expected_version=1, subject="첫 수정")

    with pytest.raises(ConflictError):
        update_activity(actor=rep, activity=task, expected_version=1, subject="늦은 수정")
    with pytest.raises(ConflictError):
        complete_activity(actor=rep, activity=task, expected_version=1)
    task.refresh_from_db()
    assert task.subject == "첫 수정" and task.version == 2 and task.status == ActivityStatus.PLANNED


def test_who_may_change_an_activity(rep):
    manager, peer, admin = UserFactory(role=Role.SALES_MANAGER), UserFactory(), UserFactory(role=Role.ADMIN)
    set_manager(actor=None, user=rep, manager=manager)
    rep.refresh_from_db()
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="x", account=AccountFactory(owner=rep))

    with pytest.raises(PermissionDenied):
        update_activity(actor=peer, activity=task, expected_version=None, subject="남의 것")
    with pytest.raises(PermissionDenied):
        delete_activity(actor=peer, activity=task)
    task = update_activity(actor=manager, activity=task, expected_version=None, subject="팀장 수정")
    task = update_activity(actor=admin, activity=task, expected_version=None, subject="관리자 수정")
    assert task.subject == "관리자 수정"
    delete_activity(actor=rep, activity=task)
    assert not Activity.objects.filter(pk=task.pk).exists()


def test_moving_regarding_records_on_update_is_checked_against_scope(rep):
    task = log_activity(actor=rep, kind=ActivityKind.TASK, subject="x", account=AccountFactory(owner=rep))
    with pytest.raises(ValidationError) as error:
        update_activity(actor=rep, activity=task, expected_version=1, account=AccountFactory().pk)
    assert "account" in error.value.message_dict


def test_all_day_items_are_kept_at_local_midnight(rep):
    start = timezone.make_aware(dt.datetime(2026, 3, 3, 15, 30))
    visit = log_activity(
        actor=rep,
        kind=ActivityKind.VISIT,
        subject="공장 방문",
        account=AccountFactory(owner=rep),
        starts_at=start,
        ends_at=start + dt.timedelta(days=1),
        all_day=True,
    )
    assert timezone.localtime(visit.starts_at).time() == dt.time.min
    assert timezone.localtime(visit.starts_at).date() == dt.date(2026, 3, 3)
    assert timezone.localtime(visit.ends_at).date() == dt.date(2026, 3, 4)


def test_partner_users_cannot_flag_their_activities_for_partners():
    partner = PartnerAccountFactory()
    customer = AccountFactory(partner=partner)
    partner_rep = UserFactory(role=Role.PARTNER_REP, organization=partner)
    activity = log_activity(
        actor=partner_rep, kind=ActivityKind.VISIT, subject="방문", account=customer,
        starts_at=timezone.now(), visible_to_partner=True,
    )  # fmt: skip
    assert activity.visible_to_partner is False


def test_duration_and_end_stay_consistent(rep):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    meeting = log_activity(
        actor=rep,
        kind=ActivityKind.MEETING,
        subject="m",
        account=AccountFactory(owner=rep),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=45),
        duration_minutes=999,
    )
    assert meeting.duration_minutes == 45  # the end decides
    meeting = update_activity(actor=rep, activity=meeting, expected_version=1, duration_minutes=90)
    assert meeting.ends_at == start + dt.timedelta(minutes=90)
    meeting = update_activity(actor=rep, activity=meeting, expected_version=2, starts_at=start + dt.timedelta(hours=1))
    assert meeting.duration_minutes == 30 and meeting.ends_at == start + dt.timedelta(minutes=90)
