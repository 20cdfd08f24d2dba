"""The same seed gives the same demo data; the generators produce valid rows on their own."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db import transaction

from forgecrm.customers.models import Account, Contact
from forgecrm.demo.generators import accounts, contacts, identifiers, partners
from forgecrm.demo.places import SIDOS
from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.korea.phone import normalize_phone
from forgecrm.platform.models import User
from forgecrm.sales.models import Opportunity, Quote


class Rollback(Exception):
    pass


def _snapshot() -> tuple:
    return (
        list(Account.objects.order_by("pk").values_list("name", "brn", "road_address", "sido", "sigungu")),
        list(Contact.objects.order_by("pk").values_list("full_name", "email", "mobile")),
        list(User.objects.order_by("pk").values_list("email", "full_name", "role")),
        list(
            Opportunity.objects.order_by("pk").values_list(
                "name", "amount", "stage__code", "owner__email", "close_date"
            )
        ),
        list(Quote.objects.order_by("pk").values_list("number", "status", "net", "vat", "total")),
    )


@pytest.mark.django_db
def test_two_runs_with_one_seed_give_the_same_rows():
    with pytest.raises(Rollback), transaction.atomic():
        call_command("seed_demo", "--scale", "tiny", "--seed", "5", stdout=io.StringIO())
        first = _snapshot()
        raise Rollback
    call_command("seed_demo", "--scale", "tiny", "--seed", "5", stdout=io.StringIO())
    assert _snapshot() == first
    assert len(first[0]) > 100


def test_another_seed_gives_other_names():
    one = [row["name"] for row in accounts.customer_accounts(random.Random(1), 50, set())]
    two = [row["name"] for row in accounts.customer_accounts(random.Random(2), 50, set())]
    assert one != two
    again = [row["name"] for row in accounts.customer_accounts(random.Random(1), 50, set())]
    assert one == again


def test_generated_identifiers_pass_the_platform_validators():
    rng = random.Random(3)
    for _ in range(3000):
        sido = rng.choice(SIDOS)
        business = rng.choice(["corp", "sole", "nonprofit", "public"])
        number = identifiers.brn(rng, sido, business)
        assert validate_brn(number) == number
        for phone in (identifiers.landline(rng, sido), identifiers.mobile(rng)):
            assert normalize_phone(phone) == phone


def test_names_stay_unique_when_stems_run_out():
    taken: set[str] = set()
    rows = list(accounts.customer_accounts(random.Random(4), 5000, taken))
    companies = [row["name"] for row in rows if row["form"] == "company"]
    assert len(companies) == len(set(companies))


def test_contacts_of_a_household_start_with_the_householder():
    rng = random.Random(6)
    places = accounts.Places()
    home = accounts.household(rng, places)
    people = list(contacts.contacts(rng, home, 2, set()))
    assert people[0]["full_name"] == home["name"]
    assert people[0]["mobile"] == home["phone"]


def test_partner_plan_puts_dealers_under_every_distributor():
    for count in (16, 64, 300):
        plan = partners.partner_plan(count)
        assert len(plan) == count
        distributors = [index for index, (kind, _parent) in enumerate(plan) if kind == "distributor"]
        assert len(distributors) >= 3
        for index in distributors:
            assert sum(1 for kind, parent in plan if kind == "dealer" and parent == index) >= 2


def test_consents_never_lie_in_the_future():
    rng = random.Random(8)
    today = dt.date(2026, 3, 1)
    for _ in range(500):
        for _purpose, _granted, when, _source, _self in contacts.consents(rng, household=True, today=today):
            assert when.date() <= today
