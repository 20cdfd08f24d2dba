"""The demo data set, loaded once for this module at the tiny scale, checked row by row."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone, translation

from forgecrm.activities.models import Activity
from forgecrm.catalog.models import OptionRule, PartnerProductNumber, PriceList, PriceTier, Product
from forgecrm.customers.models import Account, Consent, Contact
from forgecrm.demo.scales import SCALES
from forgecrm.platform.access import scope_for
from forgecrm.platform.access.principal import build_principal
from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.korea.calendar import is_business_day
from forgecrm.platform.korea.phone import normalize_phone
from forgecrm.platform.management.commands.show_logins import DEMO_PASSWORD
from forgecrm.platform.models import Role, SearchDocument, Territory, TerritoryKind, User
from forgecrm.platform.operations import match_territory
from forgecrm.platform.search import search_queryset

TINY = SCALES["tiny"]
FIXED_LOGINS = {
    "admin": Role.ADMIN,
    "manager": Role.SALES_MANAGER,
    "rep": Role.SALES_REP,
    "service": Role.SERVICE_MANAGER,
    "service.agent": Role.SERVICE_AGENT,
    "marketing": Role.MARKETING,
    "channel": Role.CHANNEL_MANAGER,
    "partner.admin": Role.PARTNER_ADMIN,
    "partner.rep": Role.PARTNER_REP,
    "customer": Role.CUSTOMER_USER,
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the whole module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
        out = io.StringIO()
        call_command("seed_demo", "--scale", "tiny", "--seed", "11", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_reports_what_it_made(seeded):
    assert "Demo data (tiny, seed 11)" in seeded
    assert Account.objects.filter(kind="partner").count() == TINY.partners
    assert Account.objects.exclude(kind="partner").count() == TINY.accounts
    assert Contact.objects.count() == TINY.contacts
    assert Activity.objects.count() >= TINY.activities


def test_once_is_idempotent_and_a_second_plain_run_refuses(seeded):
    before = (User.objects.count(), Account.objects.count(), Contact.objects.count(), Activity.objects.count())
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", "--once", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (User.objects.count(), Account.objects.count(), Contact.objects.count(), Activity.objects.count()) == before
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())


def test_every_brn_validates_and_companies_have_one(seeded):
    companies = Account.objects.filter(form="company")
    assert companies.exists()
    for account in companies:
        assert validate_brn(account.brn) == account.brn, account.name
    assert not Account.objects.filter(form="household").exclude(brn="").exists()
    brns = list(companies.values_list("brn", flat=True))
    assert len(brns) == len(set(brns))


def test_every_phone_is_valid_e164(seeded):
    numbers = list(Account.objects.exclude(phone="").values_list("phone", flat=True))
    numbers += [n for pair in Contact.objects.values_list("phone", "mobile") for n in pair if n]
    numbers += list(User.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(numbers) > TINY.contacts
    for number in numbers:
        assert number.startswith("+82")
        try:
            assert normalize_phone(number) == number
        except ValidationError:  # pragma: no cover - the message names the number
            pytest.fail(f"invalid phone {number}")


def test_every_account_has_the_territory_its_rules_give(seeded):
    territories = list(Territory.objects.all())
    assert Territory.objects.filter(kind=TerritoryKind.REGION, sido__gt="", sigungu="").count() == 17
    assert Territory.objects.filter(kind=TerritoryKind.REGION).exclude(sigungu="").exists()
    assert Territory.objects.filter(kind=TerritoryKind.INDUSTRY).exists()
    assert Territory.objects.filter(kind=TerritoryKind.ACCOUNT_SIZE).exists()
    regional = 0
    for account in Account.objects.select_related("territory"):
        expected = match_territory(
            sido=account.sido,
            sigungu=account.sigungu,
            industry=account.industry,
            employees=account.employees,
            territories=territories,
        )
        assert account.territory_id is not None, account.name
        assert account.territory_id == expected.pk, account.name
        if account.territory.kind == TerritoryKind.REGION:
            regional += 1
            assert account.territory.sido == account.sido
            assert account.road_address.startswith(account.sido)
    assert regional > Account.objects.count() * 0.8


def test_new_provincial_names_are_used(seeded):
    names = set(Territory.objects.values_list("sido", flat=True))
    assert {"강원특별자치도", "전북특별자치도", "세종특별자치시", "제주특별자치도"} <= names
    assert not {"강원도", "전라북도"} & names


def test_owners_are_sales_reps_and_territory_members_have_accounts(seeded):
    owners = set(Account.objects.exclude(kind="partner").values_list("owner__role", flat=True))
    assert owners == {Role.SALES_REP}
    assert set(Account.objects.filter(kind="partner").values_list("owner__role", flat=True)) == {Role.CHANNEL_MANAGER}
    rep = User.objects.get(email="rep@demo.forgecrm.kr")
    assert rep.territories.exists()
    assert scope_for(rep, Account).exists()


def test_every_portal_user_belongs_to_an_organisation_of_the_right_kind(seeded):
    partner_users = User.objects.filter(role__in=[Role.PARTNER_ADMIN, Role.PARTNER_REP])
    assert partner_users.count() >= 2 * TINY.partners
    assert not partner_users.filter(organization__isnull=True).exists()
    assert set(partner_users.values_list("organization__kind", flat=True)) == {"partner"}
    customers = User.objects.filter(role=Role.CUSTOMER_USER)
    assert customers.count() == TINY.customer_users + 1
    assert set(customers.values_list("organization__kind", flat=True)) == {"customer"}
    assert set(customers.values_list("organization__form", flat=True)) == {"company"}


def test_distributors_have_dealers_and_their_admin_sees_them(seeded):
    distributors = Account.objects.filter(partner_type="distributor")
    assert distributors.count() >= 3
    for distributor in distributors:
        assert distributor.channel_children.filter(partner_type="dealer").count() >= 2
    partner_types = set(Account.objects.filter(kind="partner").values_list("partner_type", flat=True))
    assert {"distributor", "dealer", "agency", "service_centre"} <= partner_types
    assert {"platinum", "gold", "silver"} <= set(Account.objects.filter(kind="partner").values_list("tier", flat=True))

    admin = User.objects.get(email="partner.admin@demo.forgecrm.kr")
    rep = User.objects.get(email="partner.rep@demo.forgecrm.kr")
    assert admin.organization.partner_type == "distributor"
    assert rep.organization.channel_parent_id == admin.organization_id
    dealer_ids = set(admin.organization.channel_children.values_list("pk", flat=True))
    assert dealer_ids <= build_principal(admin).organization_ids
    assert admin.organization_id not in build_principal(rep).organization_ids
    served_by_dealer = Account.objects.filter(partner_id=rep.organization_id)
    visible_to_admin = scope_for(admin, Account)
    assert all(visible_to_admin.filter(pk=account.pk).exists() for account in served_by_dealer)
    assert not scope_for(rep, Account).filter(partner_id=admin.organization_id).exists()


def test_one_fixed_login_per_role_with_the_demo_password(seeded):
    for local, role in FIXED_LOGINS.items():
        user = User.objects.get(email=f"{local}@demo.forgecrm.kr")
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
        first_of_role = User.objects.filter(role=role, email__endswith="@demo.forgecrm.kr").order_by("id").first()
        assert first_of_role == user, "show_logins prints the first user of each role"
    assert {role for role, _label in Role.choices} == set(FIXED_LOGINS.values())
    director = User.objects.get(email="manager@demo.forgecrm.kr")
    rep = User.objects.get(email="rep@demo.forgecrm.kr")
    assert f"/{director.pk}/" in rep.hierarchy_path  # director -> regional manager -> rep


def test_contacts_have_korean_names_roles_and_dated_consents(seeded):
    contacts = list(Contact.objects.all())
    assert all(2 <= len(contact.full_name) <= 4 for contact in contacts)
    assert all("\uac00" <= contact.full_name[0] <= "\ud7a3" for contact in contacts)
    emails = [contact.email for contact in contacts if contact.email]
    assert len(emails) == len(set(emails))
    assert {"decision_maker", "influencer", "user"} <= {contact.key_person_role for contact in contacts}
    consents = Consent.objects.all()
    assert consents.filter(granted=True).exists()
    assert consents.filter(granted=False).exists()  # withdrawals are records too
    assert not consents.filter(recorded_at__gt=timezone.now()).exists()
    assert not consents.filter(source="").exists()


def test_activities_fall_on_business_days_and_regard_consistent_records(seeded):
    today = timezone.localdate()
    activities = list(Activity.objects.select_related("contact", "owner"))
    assert {a.kind for a in activities} == {"call", "meeting", "correspondence", "demo", "visit", "task", "note"}
    for activity in activities:
        day = timezone.localtime(activity.timeline_at).date()
        if activity.starts_at or activity.due_at:
            assert is_business_day(day), (activity.subject, day)
        assert day >= today - dt.timedelta(days=731)
        if activity.contact_id:
            assert activity.contact.account_id == activity.account_id
        if activity.status == "done":
            assert activity.completed_at is not None
        if activity.starts_at and activity.ends_at:
            assert activity.ends_at >= activity.starts_at
    planned_ahead = [a for a in activities if a.status == "planned" and a.timeline_at.date() > today]
    assert planned_ahead
    assert all(a.timeline_at.date() <= today + dt.timedelta(days=60) for a in planned_ahead)
    by_partner = [a for a in activities if a.owner.organization_id]
    assert by_partner, "partners log work on the accounts they serve"
    for activity in by_partner:
        assert activity.account.partner_id == activity.owner.organization_id


def test_catalog_has_products_rules_price_lists_and_partner_numbers(seeded):
    assert Product.objects.count() >= 60
    assert Product.objects.filter(status="active").count() >= 50
    assert set(OptionRule.objects.values_list("kind", flat=True)) == {"requires", "excludes"}
    assert OptionRule.objects.filter(target_product__isnull=False).exists()
    assert PriceList.objects.filter(is_default=True).count() == 3  # this year and the two before
    assert set(PriceList.objects.exclude(partner_tier="").values_list("partner_tier", flat=True)) >= {
        "platinum",
        "gold",
        "silver",
    }
    assert PriceList.objects.filter(partner__partner_type="distributor").count() == 2
    assert PriceTier.objects.filter(min_quantity__gte=2).exists()
    for tier in PriceTier.objects.select_related("item")[:200]:
        assert tier.unit_price < tier.item.unit_price
    assert PartnerProductNumber.objects.count() >= 3 * 10


def test_search_finds_accounts_contacts_and_products(seeded):
    admin = User.objects.get(email="admin@demo.forgecrm.kr")
    assert SearchDocument.objects.filter(entity="account").count() == Account.objects.count()
    assert SearchDocument.objects.filter(entity="contact").count() == Contact.objects.count()
    account = Account.objects.filter(form="company").exclude(kind="partner").first()
    assert search_queryset(admin, "account", account.brn).filter(pk=account.pk).exists()
    assert search_queryset(admin, "product", "카세트").exists()


def test_notes_are_done_and_calls_end_after_their_duration(seeded):
    assert not Activity.objects.filter(kind="note").exclude(status="done").exists()
    for call in Activity.objects.filter(kind="call")[:100]:
        assert call.ends_at - call.starts_at == dt.timedelta(minutes=call.duration_minutes)


def test_bulk_rows_pass_the_models_own_validation(seeded):
    """The bulk path skips save(): every field validator and constraint must still hold for what it wrote."""
    samples = [
        *Account.objects.order_by("?")[:60],
        *Contact.objects.order_by("?")[:60],
        *Consent.objects.order_by("?")[:30],
        *Activity.objects.order_by("?")[:60],
        *User.objects.filter(organization__isnull=False)[:20],
    ]
    for row in samples:
        try:
            row.full_clean(exclude=["password"])
        except ValidationError as error:  # pragma: no cover - the message says which row and field
            pytest.fail(f"{type(row).__name__} {row.pk}: {error.message_dict}")


def test_mdf_and_partner_service_requests_in_every_state(seeded):
    from forgecrm.partners.models import (
        MdfAllocation,
        MdfProof,
        MdfRequest,
        MdfRequestStatus,
        PartnerServiceComment,
        PartnerServiceRequest,
        ServiceRequestStatus,
    )

    assert set(MdfRequest.objects.values_list("status", flat=True)) == set(MdfRequestStatus.values)
    assert MdfProof.objects.exists()
    assert all(row.committed <= row.amount and row.paid <= row.committed for row in MdfAllocation.objects.all())
    assert set(PartnerServiceRequest.objects.values_list("status", flat=True)) == set(ServiceRequestStatus.values)
    assert PartnerServiceComment.objects.filter(is_internal=True).exists()


def test_partners_report_sell_through_and_stock(seeded):
    from forgecrm.partners.models import ChannelInventory, SellThroughReport

    reports = SellThroughReport.objects.all()
    assert reports.count() >= 4 and reports.values("period_start").distinct().count() == 4
    assert all(report.lines.exists() for report in reports)
    assert ChannelInventory.objects.exists()


def test_the_effectiveness_report_and_the_mdf_return_have_numbers(seeded):
    from forgecrm.partners.models import PartnerScorecard
    from forgecrm.partners.queries.effectiveness import channel_effectiveness_for
    from forgecrm.partners.queries.funds import period_of
    from forgecrm.platform.models import Role, User

    channel = User.objects.filter(role=Role.CHANNEL_MANAGER).order_by("pk").first()
    report = channel_effectiveness_for(channel, period_of(None))
    assert report.total.routed and report.partners
    mdf = [row for row in report.programmes if row.mdf_number]
    assert mdf and any(row.outcome.routed for row in mdf) and any(row.outcome.cost for row in mdf)
    assert PartnerScorecard.objects.filter(mdf_paid__gt=0).exists()
    assert PartnerScorecard.objects.filter(mdf_return__gt=0).exists()
