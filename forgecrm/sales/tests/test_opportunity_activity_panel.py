"""The activity panel on the opportunity page: the account's and contact's parts only for viewers who see them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.activities.models import Activity, ActivityKind
from forgecrm.activities.operations import log_activity
from forgecrm.catalog.tests.factories import PartnerFactory, PriceListItemFactory, ProductFactory
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import TerritoryFactory, UserFactory
from forgecrm.sales.models import Stage
from forgecrm.sales.operations.opportunities import create_opportunity, move_opportunity_to_stage
from forgecrm.sales.operations.opportunity_lines import add_opportunity_line

pytestmark = pytest.mark.django_db

ACCOUNT_PHONE = "+8229998877"
CONTACT_MOBILE = "+821077776666"


def _deal(owner, **kwargs):
    account = AccountFactory(owner=owner, name="(주)비공개상사", phone=ACCOUNT_PHONE)
    contact = ContactFactory(account=account, full_name="정비밀", mobile=CONTACT_MOBILE)
    return create_opportunity(
        actor=owner,
        account=account,
        primary_contact=contact,
        name="항온항습기 납품",
        close_date=timezone.localdate() + dt.timedelta(days=30),
        **kwargs,
    )


def _detail(client, opportunity) -> str:
    response = client.get(reverse("sales:opportunity-detail", args=[opportunity.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _panel(client, opportunity) -> str:
    url = reverse("activities:regarding-panel", args=[opportunity.pk])
    response = client.get(url, {"type": "sales.opportunity"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_owner_gets_the_panel_with_the_accounts_and_contacts_numbers(client):
    owner = UserFactory()
    opportunity = _deal(owner)
    client.force_login(owner)
    body = _detail(client, opportunity)
    assert f'id="activity-panel-sales-opportunity-{opportunity.pk}"' in body
    assert 'data-quick-log="call"' in body
    assert f'href="tel:{CONTACT_MOBILE}"' in body and f'href="tel:{ACCOUNT_PHONE}"' in body
    assert "{# activity panel #}" not in body


@pytest.mark.parametrize("who", ["partner", "territory rep"])
def test_a_viewer_who_does_not_see_the_account_gets_the_panel_without_it(client, who):
    owner = UserFactory()
    if who == "partner":
        partner = PartnerFactory()
        opportunity = _deal(owner, partner=partner)
        viewer = UserFactory(role=Role.PARTNER_REP, organization=partner)
    else:
        north = TerritoryFactory()
        opportunity = _deal(owner, territory=north)
        viewer = UserFactory()
        viewer.territories.add(north)
    assert not scope_for(viewer, type(opportunity.account)).filter(pk=opportunity.account_id).exists()
    client.force_login(viewer)

    for body in (_detail(client, opportunity), _panel(client, opportunity)):
        assert "activity-panel-sales-opportunity" in body
        assert ACCOUNT_PHONE not in body and CONTACT_MOBILE not in body
        assert "비공개상사" not in body and "정비밀" not in body

    # Logging from the panel files the activity on the deal only (never on the hidden account or contact).
    url = reverse("activities:quick-log", args=[opportunity.pk])
    form = client.get(url, {"type": "sales.opportunity", "kind": "note"}).context["form"]
    assert "정비밀" not in form.initial["subject"] and form.initial["contact"] is None
    payload = {key: "" if value is None else value for key, value in form.initial.items()}
    payload.update(type="sales.opportunity", kind="note")
    assert client.post(url, payload, HTTP_HX_REQUEST="true").status_code == 200
    note = Activity.objects.get()
    assert (note.regarding, note.account, note.contact) == (opportunity, None, None)


def test_the_detail_page_runs_the_same_queries_with_more_activities_and_lines(client, django_assert_max_num_queries):
    owner = UserFactory()
    opportunity = _deal(owner)
    product = ProductFactory()
    PriceListItemFactory(product=product)
    client.force_login(owner)
    url = reverse("sales:opportunity-detail", args=[opportunity.pk])

    def grow(count):
        for number in range(count):
            add_opportunity_line(actor=owner, opportunity=opportunity, product=product)
            log_activity(
                actor=owner,
                kind=ActivityKind.NOTE,
                subject=f"메모 {number}",
                regarding=opportunity,
                account=opportunity.account,
            )

    grow(1)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    grow(12)
    opportunity.refresh_from_db()
    move_opportunity_to_stage(
        actor=owner,
        opportunity=opportunity,
        stage=Stage.objects.get(code="proposal"),
        expected_version=opportunity.version,
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "메모 11" in client.get(url).content.decode()
