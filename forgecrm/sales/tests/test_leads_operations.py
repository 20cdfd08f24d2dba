"""Lead operations: create/update (versioned), status changes, assignment rules and round robin, scoring with
reasons, training, capture with spam traps and consents, import, conversion keeping everything."""

import datetime as dt
import time
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.activities.models import Activity
from forgecrm.customers.models import Consent
from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import TeamFactory, UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import Lead, LeadConsent, LeadScoreModel, LeadStatus
from forgecrm.sales.operations import lead_assignment, lead_capture, lead_scoring
from forgecrm.sales.operations.leads import change_lead_status, create_lead, update_lead
from forgecrm.sales.queries.leads import duplicates_for, lead_history_for, score_reasons_of
from forgecrm.sales.tests.factories import (
    LeadAssignmentRuleFactory,
    LeadFactory,
    LeadScoringRuleFactory,
    WebFormFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="박팀장")
    return SimpleNamespace(
        admin=UserFactory(role=Role.ADMIN),
        manager=manager,
        rep=UserFactory(role=Role.SALES_REP, manager=manager, full_name="김영업"),
        rep2=UserFactory(role=Role.SALES_REP, manager=manager, full_name="최영업"),
        marketing=UserFactory(role=Role.MARKETING),
    )


# --- create / update / status ----------------------------------------------------------------------------------


def test_a_rep_creates_a_lead_for_themselves_with_normalised_fields(people):
    lead = create_lead(
        actor=people.rep,
        person_name=" 이서연 ",
        company_name="(주)대한설비",
        email="Seo@Daehan.KR",
        mobile="010-1234-5678",
        brn="220-81-62517",
    )
    assert lead.owner == people.rep
    assert (lead.person_name, lead.email, lead.mobile, lead.brn) == (
        "이서연",
        "seo@daehan.kr",
        "+821012345678",
        "2208162517",
    )
    assert lead.company_name_key and lead.version == 1
    assert OutboxEvent.objects.filter(event_type="LeadCreated").count() == 1


@pytest.mark.parametrize(
    "field,value", [("brn", "123-45-67890"), ("email", "no-at-sign"), ("mobile", "12"), ("person_name", " ")]
)
def test_bad_input_is_a_field_error(people, field, value):
    values = {"person_name": "이서연", field: value}
    with pytest.raises(ValidationError) as error:
        create_lead(actor=people.rep, **values)
    assert field in error.value.message_dict
    assert not Lead.objects.exists()


def test_a_rep_cannot_give_a_lead_to_someone_else(people):
    with pytest.raises(ValidationError) as error:
        create_lead(actor=people.rep, person_name="이서연", owner=people.rep2)
    assert "owner" in error.value.message_dict


def test_a_manager_may_assign_at_create(people):
    lead = create_lead(actor=people.manager, person_name="이서연", owner=people.rep2)
    assert lead.owner == people.rep2


def test_a_partner_users_lead_belongs_to_its_organisation(people):
    partner = PartnerAccountFactory()
    user = UserFactory(role=Role.PARTNER_REP, organization=partner)
    lead = create_lead(actor=user, person_name="정파트")
    assert lead.partner_id == partner.pk and lead.owner is None


def test_a_stale_edit_is_a_conflict(people):
    lead = create_lead(actor=people.rep, person_name="이서연")
    update_lead(actor=people.rep, lead=lead, expected_version=1, changes={"title": "과장"})
    with pytest.raises(ConflictError):
        update_lead(actor=people.rep, lead=lead, expected_version=1, changes={"title": "부장"})
    lead.refresh_from_db()
    assert (lead.title, lead.version) == ("과장", 2)


def test_status_changes_and_disqualify_needs_a_reason(people):
    lead = create_lead(actor=people.rep, person_name="이서연")
    lead = change_lead_status(actor=people.rep, lead=lead, status=LeadStatus.WORKING, expected_version=lead.version)
    with pytest.raises(ValidationError) as error:
        change_lead_status(actor=people.rep, lead=lead, status=LeadStatus.DISQUALIFIED, expected_version=lead.version)
    assert "reason" in error.value.message_dict
    lead = change_lead_status(
        actor=people.rep, lead=lead, status="disqualified", reason="no_budget", expected_version=lead.version
    )
    assert lead.disqualify_reason == "no_budget"
    with pytest.raises(ValidationError):
        change_lead_status(actor=people.rep, lead=lead, status=LeadStatus.CONVERTED, expected_version=lead.version)
    lead = change_lead_status(actor=people.rep, lead=lead, status="working", expected_version=lead.version)
    assert lead.disqualify_reason == ""


def test_someone_outside_the_scope_cannot_change_a_lead(people):
    lead = create_lead(actor=people.rep, person_name="이서연")
    stranger = UserFactory(role=Role.SALES_REP)
    with pytest.raises(PermissionDenied):
        update_lead(actor=stranger, lead=lead, expected_version=lead.version, changes={"title": "x"})


# --- assignment ------------------------------------------------------------------------------------------------


def test_rules_by_priority_and_criteria(people):
    LeadAssignmentRuleFactory(name="부산", priority=10, sido="부산광역시", assign_to_user=people.rep2)
    LeadAssignmentRuleFactory(name="서울", priority=20, sido="서울특별시", assign_to_user=people.rep)
    busan = create_lead(actor=people.manager, person_name="가", sido="부산광역시")
    seoul = create_lead(actor=people.manager, person_name="나", sido="서울특별시")
    nowhere = create_lead(actor=people.manager, person_name="다", sido="제주특별자치도")
    assert (busan.owner, seoul.owner, nowhere.owner) == (people.rep2, people.rep, None)
    assert lead_history_for(people.manager, busan)[0].reason.startswith("Assigned by the rule")


def test_round_robin_with_capacity(people):
    rep3 = UserFactory(role=Role.SALES_REP)
    team = TeamFactory(members=[people.rep, people.rep2, rep3])
    LeadAssignmentRuleFactory(name="팀", sido="", assign_to_user=None, assign_to_team=team, capacity=2)
    LeadFactory(owner=rep3, status="working")
    LeadFactory(owner=rep3, status="new")  # rep3 is full
    owners = [create_lead(actor=None, person_name=f"리드{i}").owner for i in range(4)]
    assert owners == [people.rep, people.rep2, people.rep, people.rep2]
    fifth = create_lead(actor=None, person_name="리드5")
    assert fifth.owner is None  # everyone at capacity: it waits in the queue


def test_manual_and_bulk_assignment(people):
    leads = [create_lead(actor=people.manager, person_name=f"리드{i}") for i in range(3)]
    assert all(lead.owner is None for lead in leads)
    one = lead_assignment.assign_lead(
        actor=people.manager, lead=leads[0], owner=people.rep, expected_version=leads[0].version
    )
    assert one.owner == people.rep
    with pytest.raises(PermissionDenied):
        lead_assignment.assign_lead(actor=people.rep, lead=one, owner=people.rep2)
    count = lead_assignment.bulk_assign_leads(
        actor=people.manager, leads=Lead.objects.filter(owner__isnull=True), owner=people.rep2
    )
    assert count == 2 and Lead.objects.filter(owner=people.rep2).count() == 2
    assert next(h.reason for h in lead_history_for(people.manager, leads[1])) == "Assigned with others"


# --- scoring ---------------------------------------------------------------------------------------------------


def test_rules_score_fit_and_engagement_with_reasons(people):
    LeadScoringRuleFactory(name="대기업", kind="fit", field="size", operator="in", value="large,enterprise", points=20)
    LeadScoringRuleFactory(name="결정권자", kind="fit", field="title", operator="contains", value="이사", points=15)
    LeadScoringRuleFactory(
        name="데모", kind="engagement", field="activities.demo", operator="gte", value="1", points=30
    )
    LeadScoringRuleFactory(
        name="무료메일", kind="fit", field="email_domain", operator="equals", value="gmail.com", points=-10
    )
    lead = create_lead(actor=people.rep, person_name="가", size="large", title="구매이사", email="a@gmail.com")
    assert (lead.fit_score, lead.engagement_score, lead.score) == (25, 0, 25)
    Activity.objects.create(
        kind="demo",
        subject="데모",
        owner=people.rep,
        regarding_type=ContentType.objects.get_for_model(Lead),
        regarding_id=lead.pk,
        timeline_at=lead.created_at,
    )
    lead = lead_scoring.score_lead(lead=lead)
    assert lead.score == 55
    reasons = score_reasons_of(lead)
    assert [r.text for r in reasons] == ["데모", "대기업", "결정권자", "무료메일"]
    assert reasons[-1].points == -10 and not reasons[-1].raises


def _history(people, n_each=30):
    """Decided leads where a BRN and a decision-maker title make conversion likely."""
    account = AccountFactory()
    for i in range(n_each):
        LeadFactory(
            owner=people.rep,
            brn="2208162517",
            title="대표이사",
            status="converted",
            converted_account=account,
            converted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            person_name=f"전환{i}",
        )
        LeadFactory(
            owner=people.rep,
            title="사원" if i % 3 else "대표",
            status="disqualified",
            disqualify_reason="no_need",
            person_name=f"탈락{i}",
        )


def test_training_needs_enough_history(people):
    _history(people, n_each=5)
    assert lead_scoring.train_lead_score_model() is None
    assert not LeadScoreModel.objects.exists()


def test_the_model_is_trained_stored_as_numbers_and_explains(people):
    _history(people)
    model = lead_scoring.train_lead_score_model()
    assert model is not None and model.is_active and model.samples == 60 and model.positives == 30
    assert len(model.coefficients) == len(model.feature_names) == len(model.scaling["mean"])
    assert model.metrics["auc"] is not None and model.metrics["auc"] >= 0.8
    good = create_lead(actor=people.rep, person_name="좋은", brn="2208162517", title="대표이사")
    weak = create_lead(actor=people.rep, person_name="약한", title="사원")
    assert good.model_probability > weak.model_probability
    texts = [r.text for r in score_reasons_of(good) if r.kind == "model"]
    assert "A business registration number is given" in texts
    # A second training on the same history replaces the active model: one active at a time.
    lead_scoring.train_lead_score_model()
    assert LeadScoreModel.objects.filter(is_active=True).count() == 1


# --- capture ---------------------------------------------------------------------------------------------------


def test_form_token_refuses_fast_forged_and_foreign_submissions():
    form, other = WebFormFactory(), WebFormFactory()
    token = lead_capture.form_token(form, now=1000.0)
    lead_capture.check_form_token(form, token, now=1010.0)
    with pytest.raises(lead_capture.SpamRefused):
        lead_capture.check_form_token(form, token, now=1001.0)  # faster than a person types
    with pytest.raises(lead_capture.SpamRefused):
        lead_capture.check_form_token(other, token, now=1010.0)
    with pytest.raises(lead_capture.SpamRefused):
        lead_capture.check_form_token(form, token + "x", now=1010.0)
    with pytest.raises(lead_capture.SpamRefused):
        lead_capture.check_form_token(form, lead_capture.form_token(form, now=time.time() - 7 * 3600))


def test_capture_records_consents_with_text_version_ip_and_time(people):
    form = WebFormFactory(consent_purposes=["marketing_email", "marketing_sms"], default_owner=people.rep)
    lead = lead_capture.capture_web_form_lead(
        web_form=form,
        data={"person_name": "이서연", "company_name": "(주)대한", "email": "s@daehan.kr"},
        consent_purposes=["marketing_email", "third_party"],  # third_party is not on the form: ignored
        ip_address="203.0.113.9",
        language="ko",
    )
    assert (lead.source, lead.web_form, lead.owner) == ("web_form", form, people.rep)
    consent = LeadConsent.objects.get(lead=lead)
    assert (consent.purpose, consent.text_version, consent.ip_address) == (
        "marketing_email",
        "2026-01/ko",
        "203.0.113.9",
    )
    assert consent.recorded_at is not None


# --- duplicates ------------------------------------------------------------------------------------------------


def test_duplicates_across_leads_contacts_and_accounts(people):
    account = AccountFactory(name="(주)대한설비", brn="2208162517", owner=people.rep)
    LeadFactory(company_name="대한설비 주식회사", person_name="이서연", owner=people.rep, email="x@y.kr")
    found = duplicates_for(people.rep, {"company_name": "대한설비", "person_name": "이서연", "brn": "220-81-62517"})
    assert [record for _m, record in found.accounts] == [account]
    assert len(found.leads) == 1


# --- conversion ------------------------------------------------------------------------------------------------


def test_conversion_keeps_everything(people):
    from djmoney.money import Money

    from forgecrm.sales.operations.lead_conversion import convert_lead

    form = WebFormFactory(consent_purposes=["marketing_email"])
    lead = lead_capture.capture_web_form_lead(
        web_form=form,
        data={"person_name": "이서연", "company_name": "(주)새회사", "email": "s@new.kr", "mobile": "010-2222-3333"},
        consent_purposes=["marketing_email"],
        ip_address="203.0.113.9",
        language="ko",
    )
    lead = lead_assignment.assign_lead(actor=people.manager, lead=lead, owner=people.rep)
    Activity.objects.create(
        kind="call",
        subject="첫 통화",
        owner=people.rep,
        regarding_type=ContentType.objects.get_for_model(Lead),
        regarding_id=lead.pk,
        timeline_at=lead.created_at,
    )
    result = convert_lead(
        actor=people.rep,
        lead=lead,
        expected_version=lead.version,
        close_date=dt.date(2026, 6, 30),
        amount=Money(50_000_000, "KRW"),
    )
    lead.refresh_from_db()
    assert (
        lead.status == "converted"
        and lead.converted_account == result.account
        and lead.converted_contact == result.contact
    )
    assert result.account.name == "(주)새회사" and result.account.owner == people.rep
    assert (result.contact.email, result.contact.mobile) == ("s@new.kr", "+821022223333")
    consent = Consent.objects.get(contact=result.contact)
    assert consent.purpose == "marketing_email" and "2026-01/ko" in consent.source
    activity = Activity.objects.get(subject="첫 통화")
    assert (activity.account, activity.contact, activity.regarding_id) == (result.account, result.contact, lead.pk)
    deal = result.opportunity
    assert lead.converted_opportunity == deal and deal.source_lead_id == lead.pk
    assert (deal.account, deal.primary_contact, deal.owner) == (result.account, result.contact, people.rep)
    assert deal.amount == Money(50_000_000, "KRW") and deal.stage.code == "prospecting"
    with pytest.raises(PermissionDenied):  # converted: no second conversion
        convert_lead(actor=people.rep, lead=lead, expected_version=lead.version, create_opportunity=False)


def test_conversion_into_an_existing_account_and_stale_version(people):
    from forgecrm.sales.operations.lead_conversion import convert_lead

    account = AccountFactory(owner=people.rep)
    lead = create_lead(actor=people.rep, person_name="이서연", company_name=account.name)
    with pytest.raises(ConflictError):
        convert_lead(
            actor=people.rep, lead=lead, expected_version=lead.version - 1, account=account, create_opportunity=False
        )
    with pytest.raises(ValidationError):
        convert_lead(actor=people.rep, lead=lead, expected_version=lead.version, account=account)  # no close date
    result = convert_lead(
        actor=people.rep, lead=lead, expected_version=lead.version, account=account, create_opportunity=False
    )
    assert result.account == account and not result.account_created and result.contact.account == account
