"""Deal registration operations: the workflow, conflict detection (BRN, fuzzy name, email, phone), exclusivity,
reminders on a frozen clock, idempotence, and the online referral."""

import contextlib
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.catalog.tests.factories import ProductFactory, ProductLineFactory
from forgecrm.customers.tests.factories import VALID_BRNS, AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.partners.models import ChannelConflict, ConflictKind, ConflictStatus, LeadOffer, OfferKind
from forgecrm.partners.models import RegistrationStatus as S
from forgecrm.partners.operations import registrations as ops
from forgecrm.partners.operations.conflicts import decide_channel_conflict
from forgecrm.partners.operations.referrals import capture_referral_inquiry
from forgecrm.partners.tests import factories as f
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.tests.factories import OpportunityFactory, WebFormFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def frozen(moment: str):
    """A frozen clock (Asia/Seoul): what `timezone.now()` and `localdate()` answer inside."""
    at = dt.datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo("Asia/Seoul"))
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


@pytest.fixture
def world():
    line = ProductLineFactory()
    a, b = PartnerAccountFactory(name="한빛냉열"), PartnerAccountFactory(name="동해설비")
    return {
        "line": line,
        "product": ProductFactory(product_line=line),
        "a": a,
        "b": b,
        "rep_a": f.PartnerUserFactory(organization=a, email="rep.a@hanbit.kr"),
        "rep_b": f.PartnerUserFactory(organization=b),
        "channel": UserFactory(role=Role.CHANNEL_MANAGER),
        "sales": UserFactory(role=Role.SALES_REP),
    }


def draft(world, who="rep_a", **values):
    data = {
        "customer_name": "(주)미래정밀",
        "expected_close_date": timezone.localdate() + dt.timedelta(days=60),
        "expected_amount": 85_000_000,
        "product_line": world["line"],
        **values,
    }
    return ops.create_deal_registration(actor=world[who], values=data, lines=[(world["product"], 4)])


def submitted(world, who="rep_a", **values):
    registration = draft(world, who, **values)
    return ops.submit_deal_registration(actor=world[who], registration=registration, expected_version=None)


def test_a_partner_drafts_changes_and_submits_with_history_and_events(world):
    registration = draft(world, customer_brn="120-81-47521", contact_phone="010-2345-6789", contact_email="A@B.KR")
    assert registration.number.startswith("DR-") and registration.status == S.DRAFT
    assert registration.customer_brn == "1208147521" and registration.contact_phone == "+821023456789"
    assert registration.contact_email == "a@b.kr" and registration.partner == world["a"]
    changed = ops.update_deal_registration(
        actor=world["rep_a"], registration=registration, expected_version=1, values={"contact_name": "박지훈"}
    )
    with pytest.raises(ConflictError):
        ops.update_deal_registration(
            actor=world["rep_a"], registration=registration, expected_version=1, values={"contact_name": "x"}
        )
    sent = ops.submit_deal_registration(actor=world["rep_a"], registration=changed, expected_version=changed.version)
    assert sent.status == S.SUBMITTED and sent.submitted_at is not None
    assert sent.history.count() == 3
    kinds = set(OutboxEvent.objects.values_list("event_type", flat=True))
    assert {"DealRegistrationCreated", "DealRegistrationUpdated", "DealRegistrationSubmitted"} <= kinds
    with pytest.raises(PermissionDenied):  # a submitted registration is no longer the partner's to change
        ops.update_deal_registration(actor=world["rep_a"], registration=sent, expected_version=None, values={})


def test_bad_input_gives_field_errors(world):
    with pytest.raises(ValidationError) as error:
        draft(world, customer_brn="123-45-67890", contact_email="nope", sido="서울", customer_name=" ")
    assert {"customer_brn", "contact_email", "sido", "customer_name"} <= set(error.value.error_dict)


def test_headquarters_and_other_partners_cannot_draft_for_a_partner(world):
    with pytest.raises(PermissionDenied):
        draft(world, who="sales")
    registration = draft(world)
    with pytest.raises(PermissionDenied):
        ops.update_deal_registration(actor=world["rep_b"], registration=registration, expected_version=None, values={})


def conflicts_of(registration):
    return list(ChannelConflict.objects.filter(registration=registration).order_by("-score"))


def test_conflict_with_an_open_opportunity_by_brn(world):
    account = AccountFactory(name="미래정밀산업", brn=VALID_BRNS[0])
    opportunity = OpportunityFactory(account=account)
    registration = submitted(world, customer_name="전혀 다른 이름", customer_brn=VALID_BRNS[0])
    [conflict] = conflicts_of(registration)
    assert conflict.kind == ConflictKind.OPPORTUNITY and conflict.other_opportunity == opportunity
    assert conflict.match_reasons[0]["reason"] == "brn" and conflict.score == 100
    registration.refresh_from_db()
    assert registration.account == account  # matched to the surest account


def test_conflict_with_a_direct_account_by_fuzzy_name(world):
    account = AccountFactory(name="주식회사 미래정밀")  # a customer headquarters serves itself, no deal open
    registration = submitted(world, customer_name="(주)미레정밀")  # one jamo off
    [conflict] = conflicts_of(registration)
    assert conflict.kind == ConflictKind.DIRECT_ACCOUNT and conflict.other_account == account
    assert conflict.match_reasons[0]["reason"] == "name_similar" and 85 <= conflict.score < 100


def test_conflict_with_another_partners_registration_by_email_and_phone(world):
    other = submitted(world, "rep_b", customer_name="서진테크", contact_email="buyer@seojin.kr")
    by_email = submitted(world, customer_name="에스제이 테크", contact_email="Buyer@Seojin.kr")
    [conflict] = conflicts_of(by_email)
    assert conflict.kind == ConflictKind.REGISTRATION and conflict.other_registration == other
    assert conflict.match_reasons == [{"reason": "email"}] and conflict.status == ConflictStatus.OPEN
    phone_other = submitted(world, "rep_b", customer_name="가나상사", contact_phone="010-9876-5432")
    by_phone = submitted(world, customer_name="라마상사", contact_phone="+82 10 9876 5432")
    assert [c.other_registration for c in conflicts_of(by_phone)] == [phone_other]


def test_a_contact_of_an_account_matches_by_phone(world):
    account = AccountFactory(name="청호기계")
    ContactFactory(account=account, mobile="+821055554444")
    OpportunityFactory(account=account)
    registration = submitted(world, customer_name="다른 회사", contact_phone="010-5555-4444")
    assert [c.kind for c in conflicts_of(registration)] == [ConflictKind.OPPORTUNITY]


def test_own_deals_and_unrelated_customers_are_no_conflict(world):
    account = AccountFactory(name="미래정밀", partner=world["a"])
    OpportunityFactory(account=account, partner=world["a"])  # the registrant's own deal
    submitted(world, "rep_a", customer_name="미래정밀")  # and its own other registration
    registration = submitted(world, customer_name="(주)미래정밀", description="second")
    assert conflicts_of(registration) == []
    assert conflicts_of(submitted(world, customer_name="완전히 다른 곳")) == []


def test_detection_runs_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for n in range(12):
        account = AccountFactory(name=f"미래정밀 {n}공장", brn=VALID_BRNS[n % len(VALID_BRNS)])
        OpportunityFactory(account=account)
        f.DealRegistrationFactory(partner=world["b"], customer_name=f"미래정밀{n}", status=S.SUBMITTED)
    registration = draft(world, customer_name="미래정밀", customer_brn=VALID_BRNS[0])
    with django_assert_max_num_queries(30):
        ops.submit_deal_registration(actor=world["rep_a"], registration=registration, expected_version=None)
    assert len(conflicts_of(registration)) >= 2


def test_approval_needs_decided_conflicts_and_gives_exclusivity(world, settings):
    settings.FORGE_DEAL_REGISTRATION_EXCLUSIVE_DAYS = 60
    OpportunityFactory(account=AccountFactory(brn=VALID_BRNS[1]))
    registration = submitted(world, customer_brn=VALID_BRNS[1])
    with pytest.raises(PermissionDenied):
        ops.approve_deal_registration(actor=world["sales"], registration=registration, expected_version=None)
    with pytest.raises(ValidationError, match="conflicts first"):
        ops.approve_deal_registration(actor=world["channel"], registration=registration, expected_version=None)
    [conflict] = conflicts_of(registration)
    with pytest.raises(ValidationError):  # a decision for one side says why
        decide_channel_conflict(actor=world["channel"], conflict=conflict, decision="partner")
    decided = decide_channel_conflict(
        actor=world["channel"], conflict=conflict, decision="partner", note="파트너 선발굴"
    )
    assert decided.decided_by == world["channel"] and decided.history.count() == 2
    approved = ops.approve_deal_registration(
        actor=world["channel"], registration=registration, expected_version=None, create_opportunity=False
    )
    assert approved.status == S.APPROVED
    assert approved.exclusive_until == timezone.localdate() + dt.timedelta(days=60)
    assert approved.decided_by == world["channel"]


def test_approval_may_open_the_opportunity_for_the_partner(world):
    registration = submitted(world, customer_name="신규고객 주식회사")
    approved = ops.approve_deal_registration(
        actor=world["channel"], registration=registration, expected_version=None, create_opportunity=True
    )
    assert approved.opportunity.partner == world["a"] and approved.opportunity.owner == world["channel"]
    assert approved.account.name == "신규고객 주식회사" and approved.opportunity.account == approved.account


def test_approval_may_link_an_open_opportunity(world):
    account = AccountFactory(name="링크고객")
    opportunity = OpportunityFactory(account=account)
    registration = submitted(world, customer_name="링크고객")
    for conflict in conflicts_of(registration):
        decide_channel_conflict(actor=world["channel"], conflict=conflict, decision="partner", note="ok")
    approved = ops.approve_deal_registration(
        actor=world["channel"], registration=registration, expected_version=None, opportunity=opportunity
    )
    opportunity.refresh_from_db()
    assert approved.opportunity == opportunity and opportunity.partner == world["a"]


def test_an_exclusive_registration_blocks_another_partner(world):
    first = submitted(world, "rep_b", customer_name="대성산업", customer_brn=VALID_BRNS[2])
    ops.approve_deal_registration(actor=world["channel"], registration=first, expected_version=None)
    second = submitted(world, customer_name="대성산업(주)", customer_brn=VALID_BRNS[2])
    [conflict] = conflicts_of(second)
    assert conflict.status == ConflictStatus.RESOLVED_FOR_OTHER and conflict.other_registration == first
    assert conflict.match_reasons[-1]["reason"] == "exclusive"
    with pytest.raises(ValidationError, match="other channel"):
        ops.approve_deal_registration(actor=world["channel"], registration=second, expected_version=None)
    with pytest.raises(ValidationError):
        ops.reject_deal_registration(actor=world["channel"], registration=second, expected_version=None, reason="")
    rejected = ops.reject_deal_registration(
        actor=world["channel"], registration=second, expected_version=None, reason="동해설비 독점 기간"
    )
    assert rejected.status == S.REJECTED and rejected.decision_note == "동해설비 독점 기간"


def test_won_and_lost_are_reported_on_approved_registrations(world):
    registration = submitted(world)
    with pytest.raises(PermissionDenied):
        ops.mark_deal_registration_won(actor=world["rep_a"], registration=registration, expected_version=None)
    approved = ops.approve_deal_registration(actor=world["channel"], registration=registration, expected_version=None)
    with pytest.raises(PermissionDenied):
        ops.mark_deal_registration_won(actor=world["rep_b"], registration=approved, expected_version=None)
    won = ops.mark_deal_registration_won(actor=world["rep_a"], registration=approved, expected_version=None)
    assert won.status == S.WON


def test_reminders_once_then_expiry_on_a_frozen_clock(world, settings, django_capture_on_commit_callbacks):
    settings.FORGE_DEAL_REGISTRATION_REMINDER_DAYS = 14
    with frozen("2026-03-01 10:00"):
        registration = submitted(world)
        approved = ops.approve_deal_registration(
            actor=world["channel"], registration=registration, expected_version=None, days=30
        )
        assert approved.exclusive_until == dt.date(2026, 3, 31)
        assert ops.remind_expiring_deal_registrations() == 0  # 30 days left
    with frozen("2026-03-18 10:00"), django_capture_on_commit_callbacks(execute=True):
        assert ops.remind_expiring_deal_registrations() == 1
        assert ops.remind_expiring_deal_registrations() == 0  # never twice
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rep.a@hanbit.kr"]
    assert approved.number in mail.outbox[0].subject
    with frozen("2026-03-31 10:00"):
        assert ops.expire_deal_registrations() == 0  # the last exclusive day
    with frozen("2026-04-01 10:00"):
        assert ops.expire_deal_registrations() == 1
        assert ops.expire_deal_registrations() == 0
    approved.refresh_from_db()
    assert approved.status == S.EXPIRED
    assert OutboxEvent.objects.filter(event_type="DealRegistrationExpired").count() == 1


def test_the_beat_task_reminds_and_expires(world):
    from forgecrm.partners.tasks import remind_expiring_deal_registrations_task

    assert remind_expiring_deal_registrations_task() == {"reminded": 0, "expired": 0}


def test_an_online_inquiry_is_referred_to_the_covering_dealer(world):
    dealer = world["a"]
    f.PartnerProfileFactory(account=dealer)
    f.PartnerCoverageFactory(partner=dealer, sido="경기도", sigungu="수원시")
    f.PartnerAuthorizationFactory(partner=dealer, product_line=world["line"], valid_from=dt.date(2020, 1, 1))
    elsewhere = world["b"]
    f.PartnerProfileFactory(account=elsewhere)
    f.PartnerCoverageFactory(partner=elsewhere, sido="부산광역시", sigungu="")
    f.PartnerAuthorizationFactory(partner=elsewhere, product_line=world["line"], valid_from=dt.date(2020, 1, 1))
    OpportunityFactory(account=AccountFactory(name="수원정밀"))  # headquarters already works this customer
    web_form = WebFormFactory(product_line=world["line"])
    data = {"person_name": "김민준", "company_name": "(주)수원정밀", "email": "kim@suwon.kr", "sido": "경기도"}
    lead, offer = capture_referral_inquiry(
        web_form=web_form,
        data={**data, "sigungu": "수원시"},
        consent_purposes=["marketing_email"],
        ip_address="203.0.113.9",
        language="ko",
    )
    assert offer.partner == dealer and offer.kind == OfferKind.REFERRAL and offer.credited
    assert lead.partner == dealer and lead.source == "referral" and lead.consents.count() == 1
    [conflict] = ChannelConflict.objects.filter(offer=offer)
    assert conflict.kind == ConflictKind.REFERRAL and conflict.other_opportunity is not None
    _lead, nobody = capture_referral_inquiry(
        web_form=web_form,
        data={**data, "sido": "제주특별자치도", "email": "x@jeju.kr", "company_name": "제주상회"},
        consent_purposes=[],
        ip_address=None,
        language="ko",
    )
    assert nobody is None and LeadOffer.objects.count() == 1


def test_policies_partner_a_never_sees_b_and_no_partner_sees_a_conflict(world):
    from forgecrm.partners.queries.registrations import conflicts_for, registrations_for

    mine = submitted(world, customer_name="공통고객", contact_email="same@common.kr")
    theirs = submitted(world, "rep_b", customer_name="공통고객(주)", contact_email="same@common.kr")
    assert list(registrations_for(world["rep_a"])) == [mine]
    assert list(registrations_for(world["rep_b"])) == [theirs]
    assert list(conflicts_for(world["rep_a"])) == [] and list(conflicts_for(world["rep_b"])) == []
    assert conflicts_for(world["channel"]).count() == 1
    rep_a, channel = world["rep_a"], world["channel"]
    assert rep_a.has_perm("partners.add_dealregistration") and not channel.has_perm("partners.add_dealregistration")
    assert not rep_a.has_perm("partners.decide_dealregistration", mine)
    assert channel.has_perm("partners.decide_dealregistration", mine)
    assert not channel.has_perm("partners.close_dealregistration", mine)  # not approved yet
    assert not world["sales"].has_perm("partners.decide_channelconflict")
