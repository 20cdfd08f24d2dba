import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.customers.models import Account, AccountAlias, Consent, Contact, ContactAlias
from forgecrm.customers.operations import create_account, merge_accounts, merge_contacts, plan_merge
from forgecrm.customers.operations.merge import reverse_relations
from forgecrm.customers.tests.factories import (
    VALID_BRNS,
    AccountFactory,
    ConsentFactory,
    ContactFactory,
    PartnerAccountFactory,
)
from forgecrm.platform.models import OutboxEvent, Role, SearchDocument
from forgecrm.platform.search import search_queryset
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError

pytestmark = pytest.mark.django_db


def activity_model():
    # Looked up, not imported: customers sits below activities, and the merge must not know it either.
    return apps.get_model("activities", "Activity")


def test_reverse_relations_are_discovered_from_every_installed_app_without_history_tables():
    found = {(r.related_model._meta.label, r.field.name) for r in reverse_relations(Account)}
    assert {
        ("customers.Contact", "account"),
        ("customers.Account", "parent"),
        ("customers.Account", "partner"),
        ("customers.Account", "channel_parent"),
        ("customers.AccountAlias", "account"),
        ("platform.User", "organization"),
        ("activities.Activity", "account"),
    } <= found
    assert not any(label.startswith("customers.Historical") for label, _ in found)


def test_merge_moves_every_related_row_keeps_an_alias_and_fills_empty_fields():
    manager = UserFactory(role=Role.ADMIN)
    survivor = create_account(actor=manager, name="(주)대한공조", kind="customer", phone="02-555-1234")
    duplicate = create_account(
        actor=manager,
        name="대한공조 주식회사",
        kind="customer",
        brn=VALID_BRNS[2],
        industry="HVAC",
        email="info@daehan.kr",
    )
    contacts = ContactFactory.create_batch(2, account=duplicate)
    subsidiary = AccountFactory(parent=duplicate)
    served = AccountFactory()
    dealer = PartnerAccountFactory()
    # The duplicate was also recorded as a partner: its served accounts and dealers follow it.
    Account.objects.filter(pk=duplicate.pk).update(kind="partner")
    Account.objects.filter(pk=served.pk).update(partner=duplicate)
    Account.objects.filter(pk=dealer.pk).update(channel_parent=duplicate)
    portal_user = UserFactory(role=Role.CUSTOMER_USER, organization=duplicate)
    Activity = activity_model()
    activity = Activity.objects.create(kind="call", subject="견적 문의", account=duplicate, owner=manager)
    old_alias = AccountAlias.objects.create(account=duplicate, merged_id=999_999, merged_name="옛 대한")
    duplicate_id = duplicate.pk

    plan = plan_merge(survivor, Account.objects.get(pk=duplicate_id))
    assert plan.moved_total == 2 + 1 + 1 + 1 + 1 + 1 + 1
    assert set(plan.filled) == {"brn", "industry", "email"}

    merged = merge_accounts(actor=manager, survivor=survivor, duplicate=Account.objects.get(pk=duplicate_id))

    assert not Account.objects.filter(pk=duplicate_id).exists()
    assert set(merged.contacts.all()) == set(contacts)
    assert all(c.version == 2 for c in Contact.objects.filter(pk__in=[c.pk for c in contacts]))
    assert Account.objects.get(pk=subsidiary.pk).parent_id == merged.pk
    assert Account.objects.get(pk=served.pk).partner_id == merged.pk
    assert Account.objects.get(pk=dealer.pk).channel_parent_id == merged.pk
    portal_user.refresh_from_db()
    assert portal_user.organization_id == merged.pk
    assert Activity.objects.get(pk=activity.pk).account_id == merged.pk
    old_alias.refresh_from_db()
    assert old_alias.account_id == merged.pk  # earlier merges follow along
    alias = AccountAlias.objects.get(merged_id=duplicate_id)
    assert (alias.account_id, alias.merged_name, alias.merged_by) == (merged.pk, "대한공조 주식회사", manager)
    assert (merged.brn, merged.industry, merged.email, merged.phone) == (
        VALID_BRNS[2],
        "HVAC",
        "info@daehan.kr",
        "+8225551234",
    )
    assert merged.version == 2


def test_merge_is_audited_and_the_duplicate_leaves_search():
    admin = UserFactory(role=Role.ADMIN)
    survivor = create_account(actor=admin, name="한빛공조", kind="customer")
    duplicate = create_account(actor=admin, name="한빛공조 서울지점", kind="customer")
    contact = ContactFactory(account=duplicate, full_name="정하늘")
    merged = merge_accounts(actor=admin, survivor=survivor, duplicate=duplicate)

    assert not SearchDocument.objects.filter(entity="account", object_id=duplicate.pk).exists()
    assert list(search_queryset(admin, "contact", "한빛공조")) == [contact]  # the contact's account name changed
    event = OutboxEvent.objects.get(event_type="AccountMerged")
    assert event.payload["survivor_id"] == merged.pk and event.payload["merged_id"] == duplicate.pk
    assert event.payload["moved"] == {"customers.Contact.account": 1}
    latest = merged.history.first()
    assert latest.history_user == admin and "merged" in latest.history_change_reason
    deleted = Account.history.filter(id=duplicate.pk, history_type="-").get()
    assert deleted.history_user == admin


def test_the_survivor_pointing_at_the_duplicate_does_not_end_up_pointing_at_itself():
    admin = UserFactory(role=Role.ADMIN)
    top = AccountFactory(owner=admin)
    duplicate = AccountFactory(owner=admin, parent=top)
    survivor = AccountFactory(owner=admin, parent=duplicate)
    merged = merge_accounts(actor=admin, survivor=survivor, duplicate=duplicate)
    assert merged.parent_id == top.pk


def test_only_a_manager_who_sees_both_may_merge_and_a_refusal_changes_nothing():
    manager = UserFactory(role=Role.SALES_MANAGER)
    rep = UserFactory(manager=manager)
    survivor, duplicate = AccountFactory(owner=rep), AccountFactory(owner=rep)
    ContactFactory(account=duplicate)
    with pytest.raises(PermissionDenied):
        merge_accounts(actor=rep, survivor=survivor, duplicate=duplicate)
    stranger_account = AccountFactory()
    with pytest.raises(PermissionDenied):
        merge_accounts(actor=manager, survivor=survivor, duplicate=stranger_account)
    assert Account.objects.filter(pk=duplicate.pk).exists() and duplicate.contacts.count() == 1
    merge_accounts(actor=manager, survivor=survivor, duplicate=duplicate)
    assert survivor.contacts.count() == 1


def test_merging_into_itself_or_from_a_stale_page_is_refused():
    admin = UserFactory(role=Role.ADMIN)
    survivor, duplicate = AccountFactory(owner=admin), AccountFactory(owner=admin)
    with pytest.raises(ValidationError):
        merge_accounts(actor=admin, survivor=survivor, duplicate=survivor)
    with pytest.raises(ConflictError):
        merge_accounts(actor=admin, survivor=survivor, duplicate=duplicate, expected_version=survivor.version + 1)
    assert Account.objects.filter(pk=duplicate.pk).exists()


def test_merge_contacts_moves_consents_and_activities_and_keeps_an_alias():
    admin = UserFactory(role=Role.ADMIN)
    account = AccountFactory(owner=admin)
    survivor = ContactFactory(account=account, full_name="김민준", email="", mobile="+821012345678")
    duplicate = ContactFactory(account=account, full_name="김 민준", email="mj@x.kr", title="과장")
    consent = ConsentFactory(contact=duplicate)
    Activity = activity_model()
    activity = Activity.objects.create(kind="note", subject="메모", contact=duplicate, owner=admin)

    merged = merge_contacts(actor=admin, survivor=survivor, duplicate=duplicate)

    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    assert Consent.objects.get(pk=consent.pk).contact_id == merged.pk
    assert Activity.objects.get(pk=activity.pk).contact_id == merged.pk
    assert (merged.email, merged.title, merged.mobile) == ("mj@x.kr", "과장", "+821012345678")
    assert ContactAlias.objects.get(merged_id=duplicate.pk).contact_id == merged.pk
    assert OutboxEvent.objects.filter(event_type="ContactMerged", payload__merged_id=duplicate.pk).exists()
