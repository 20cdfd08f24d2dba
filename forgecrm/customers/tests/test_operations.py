import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forgecrm.customers.models import Account, AccountKind, Consent, ConsentPurpose
from forgecrm.customers.operations import (
    create_account,
    create_contact,
    deactivate_account,
    reactivate_account,
    record_consent,
    update_account,
    update_contact,
)
from forgecrm.customers.queries import consent_status
from forgecrm.customers.tests.factories import VALID_BRNS, AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.search import search_queryset
from forgecrm.platform.tests.factories import TerritoryFactory, UserFactory
from forgecrm.platform.versioning import ConflictError

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_create_account_normalises_brn_phone_email_and_name_key():
    rep = UserFactory()
    account = create_account(
        actor=rep,
        name="(주)한빛공조",
        kind=AccountKind.CUSTOMER,
        brn="120-81-47521",
        phone="02-555-1234",
        email=" Sales@HanBit.CO.KR ",
    )
    account.refresh_from_db()
    assert account.brn == "1208147521"
    assert account.phone == "+8225551234"
    assert account.email == "sales@hanbit.co.kr"
    assert account.name_key == "한빛공조"
    assert account.name_block == "한빛"
    assert account.owner == rep and account.created_by == rep
    assert account.history.get().history_user == rep
    assert OutboxEvent.objects.filter(event_type="AccountCreated", payload__account_id=account.pk).exists()


def test_field_errors_name_the_rule_that_failed_and_come_together():
    rep = UserFactory()
    wrong_check_digit = VALID_BRNS[0][:9] + str((int(VALID_BRNS[0][9]) + 1) % 10)
    with pytest.raises(ValidationError) as caught:
        create_account(
            actor=rep, name="대한기계", kind="customer", brn=wrong_check_digit, phone="12", email="kim@@example"
        )
    assert codes(caught.value) == {"brn": ["brn_check_digit"], "phone": ["phone"], "email": ["email"]}
    assert "check digit" in caught.value.message_dict["brn"][0]
    assert not Account.objects.exists()


def test_brn_with_the_wrong_number_of_digits_is_a_format_error():
    with pytest.raises(ValidationError) as caught:
        create_account(actor=UserFactory(), name="대한기계", kind="customer", brn="123-45-678")
    assert codes(caught.value) == {"brn": ["brn_format"]}


def test_territory_is_assigned_by_the_most_specific_rule_and_follows_address_changes():
    seoul = TerritoryFactory(sido="서울특별시")
    gangnam = TerritoryFactory(parent=seoul, sido="서울특별시", sigungu="강남구")
    busan = TerritoryFactory(sido="부산광역시")
    big_hvac = TerritoryFactory(industry="HVAC", min_employees=300)
    rep = UserFactory()

    account = create_account(actor=rep, name="강남설비", kind="customer", sido="서울특별시", sigungu="강남구")
    assert account.territory == gangnam
    account = update_account(
        actor=rep, account=account, expected_version=1, changes={"sido": "부산광역시", "sigungu": "해운대구"}
    )
    assert account.territory == busan
    account = update_account(
        actor=rep,
        account=account,
        expected_version=2,
        changes={"sido": "", "sigungu": "", "industry": "HVAC", "employees": 450},
    )
    assert account.territory == big_hvac
    assert account.size == "large"  # derived from the employee count


def test_a_manager_may_set_the_territory_a_rep_may_not():
    manual = TerritoryFactory(sido="대구광역시")
    manager = UserFactory(role=Role.SALES_MANAGER)
    account = create_account(actor=manager, name="대구공조", kind="customer", territory=manual, sido="서울특별시")
    assert account.territory == manual
    rep = UserFactory()
    with pytest.raises(ValidationError) as caught:
        create_account(actor=rep, name="서울공조", kind="customer", territory=manual)
    assert codes(caught.value) == {"territory": ["not_allowed"]}


def test_a_rep_cannot_give_an_account_away_but_a_manager_can():
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep, colleague = UserFactory(manager=manager), UserFactory(manager=manager)
    account = create_account(actor=rep, name="가온테크", kind="prospect")
    with pytest.raises(ValidationError) as caught:
        update_account(actor=rep, account=account, expected_version=1, changes={"owner": colleague})
    assert codes(caught.value) == {"owner": ["not_allowed"]}
    with pytest.raises(ValidationError):
        create_account(actor=rep, name="다른회사", kind="prospect", owner=colleague)
    account = update_account(actor=manager, account=account, expected_version=1, changes={"owner": colleague})
    assert account.owner == colleague


def test_partner_user_creates_accounts_served_by_their_own_partner_only(channel):
    account = create_account(actor=channel.dealer_a_rep, name="새고객", kind="customer")
    assert account.partner == channel.dealer_a
    assert account.owner == channel.dealer_a.owner
    with pytest.raises(ValidationError) as caught:
        create_account(
            actor=channel.dealer_a_rep, name="경쟁사", kind="competitor", tier="gold", partner=channel.dealer_b
        )
    assert codes(caught.value) == {"partner": ["not_allowed"], "tier": ["not_allowed"], "kind": ["not_allowed"]}
    with pytest.raises(ValidationError) as caught:
        update_account(
            actor=channel.dealer_a_rep, account=account, expected_version=1, changes={"partner": channel.dealer_b}
        )
    assert codes(caught.value) == {"partner": ["not_allowed"]}


def test_partner_user_cannot_change_an_account_another_dealer_serves(channel):
    with pytest.raises(PermissionDenied):
        update_account(
            actor=channel.dealer_a_rep, account=channel.served_by_b, expected_version=None, changes={"industry": "x"}
        )
    channel.served_by_b.refresh_from_db()
    assert channel.served_by_b.industry == ""


def test_customer_user_cannot_create_or_change_accounts(channel):
    with pytest.raises(PermissionDenied):
        create_account(actor=channel.customer_user, name="무엇", kind="customer")
    with pytest.raises(PermissionDenied):
        update_account(
            actor=channel.customer_user, account=channel.own_account, expected_version=None, changes={"industry": "x"}
        )


def test_stale_update_is_a_conflict_and_nothing_is_written():
    rep = UserFactory()
    account = create_account(actor=rep, name="한결기계", kind="customer")
    update_account(actor=rep, account=account, expected_version=1, changes={"industry": "기계"})
    with pytest.raises(ConflictError) as caught:
        update_account(actor=rep, account=account, expected_version=1, changes={"industry": "전자"})
    assert caught.value.current.industry == "기계"
    account.refresh_from_db()
    assert account.version == 2 and account.industry == "기계"
    assert account.history.count() == 2
    assert account.history.first().history_user == rep


def test_unchanged_values_write_nothing():
    rep = UserFactory()
    account = create_account(actor=rep, name="한결기계", kind="customer", industry="기계")
    same = update_account(
        actor=rep, account=account, expected_version=1, changes={"name": "한결기계", "industry": "기계"}
    )
    assert same.version == 1 and account.history.count() == 1


def test_renaming_reindexes_the_account_and_its_contacts():
    rep = UserFactory()
    account = create_account(actor=rep, name="옛이름상사", kind="customer")
    contact = create_contact(actor=rep, account=account, full_name="최지우")
    update_account(actor=rep, account=account, expected_version=1, changes={"name": "새이름테크"})
    assert list(search_queryset(rep, "account", "새이름")) == [account]
    assert not search_queryset(rep, "account", "옛이름").exists()
    assert list(search_queryset(rep, "contact", "새이름테크")) == [contact]


def test_parent_must_be_visible_and_must_not_make_a_loop():
    rep, stranger = UserFactory(), UserFactory()
    hidden = AccountFactory(owner=stranger)
    with pytest.raises(ValidationError) as caught:
        create_account(actor=rep, name="자회사", kind="customer", parent=hidden)
    assert codes(caught.value) == {"parent": ["does_not_exist"]}
    top = create_account(actor=rep, name="모회사", kind="customer")
    child = create_account(actor=rep, name="자회사", kind="customer", parent=top)
    with pytest.raises(ValidationError) as caught:
        update_account(actor=rep, account=top, expected_version=1, changes={"parent": child})
    assert codes(caught.value) == {"parent": ["hierarchy_loop"]}


def test_serving_partner_must_be_a_partner_account():
    manager = UserFactory(role=Role.SALES_MANAGER)
    customer = AccountFactory(owner=manager)
    with pytest.raises(ValidationError) as caught:
        create_account(actor=manager, name="고객사", kind="customer", partner=customer)
    assert codes(caught.value) == {"partner": ["not_partner"]}
    dealer = PartnerAccountFactory(owner=manager)
    assert create_account(actor=manager, name="고객사", kind="customer", partner=dealer).partner == dealer


def test_deactivate_and_restore_by_the_owner_not_by_a_stranger():
    rep, stranger = UserFactory(), UserFactory()
    account = create_account(actor=rep, name="비활성상사", kind="customer")
    with pytest.raises(PermissionDenied):
        deactivate_account(actor=stranger, account=account)
    account = deactivate_account(actor=rep, account=account)
    assert account.is_active is False
    assert reactivate_account(actor=rep, account=account).is_active is True
    assert OutboxEvent.objects.filter(event_type="AccountDeactivated").count() == 1


def test_create_contact_normalises_and_defaults_the_owner():
    rep = UserFactory()
    account = AccountFactory(owner=rep)
    contact = create_contact(
        actor=rep, account=account, full_name=" 김민준 ", email="MinJun@Example.KR", mobile="010 1234 5678"
    )
    assert contact.full_name == "김민준" and contact.name_key == "김민준"
    assert contact.email == "minjun@example.kr" and contact.mobile == "+821012345678"
    assert contact.owner == rep


def test_contact_cannot_move_to_an_account_the_actor_cannot_see():
    rep, stranger = UserFactory(), UserFactory()
    contact = ContactFactory(account=AccountFactory(owner=rep))
    hidden = AccountFactory(owner=stranger)
    with pytest.raises(ValidationError) as caught:
        update_contact(actor=rep, contact=contact, expected_version=1, changes={"account": hidden})
    assert codes(caught.value) == {"account": ["does_not_exist"]}


def test_consent_records_are_purpose_bound_dated_and_the_latest_wins():
    rep = UserFactory()
    contact = ContactFactory(account=AccountFactory(owner=rep))
    earlier = timezone.now() - dt.timedelta(days=30)
    record_consent(
        actor=rep,
        contact=contact,
        purpose=ConsentPurpose.MARKETING_EMAIL,
        granted=True,
        source="웹 양식",
        recorded_at=earlier,
    )
    record_consent(actor=rep, contact=contact, purpose=ConsentPurpose.MARKETING_EMAIL, granted=False, source="전화")
    status = {s.purpose: s.granted for s in consent_status(list(Consent.objects.filter(contact=contact)))}
    assert status[ConsentPurpose.MARKETING_EMAIL] is False
    assert status[ConsentPurpose.MARKETING_SMS] is None

    with pytest.raises(ValidationError) as caught:
        record_consent(actor=rep, contact=contact, purpose="spam", granted=True, source="")
    assert codes(caught.value) == {"purpose": ["invalid_choice"], "source": ["required"]}
    with pytest.raises(ValidationError) as caught:
        record_consent(
            actor=rep,
            contact=contact,
            purpose=ConsentPurpose.PROFILING,
            granted=True,
            source="웹",
            recorded_at=timezone.now() + dt.timedelta(days=2),
        )
    assert codes(caught.value) == {"recorded_at": ["future"]}


def test_consent_for_someone_elses_contact_is_refused():
    rep, stranger = UserFactory(), UserFactory()
    contact = ContactFactory(account=AccountFactory(owner=stranger))
    with pytest.raises(PermissionDenied):
        record_consent(actor=rep, contact=contact, purpose=ConsentPurpose.MARKETING_SMS, granted=True, source="x")
    assert not Consent.objects.exists()
