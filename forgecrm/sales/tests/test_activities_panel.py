"""Activities in sales: the regarding panel on a lead and an opportunity (two-click logging, click-to-call)."""

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from forgecrm.activities.models import Activity, ActivityKind
from forgecrm.activities.operations import log_activity
from forgecrm.activities.queries import activities_regarding_for
from forgecrm.customers.tests.factories import ContactFactory
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead, Opportunity
from forgecrm.sales.tests.factories import LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def client(rep):
    client = Client()
    client.force_login(rep)
    return client


def _render(user, record) -> str:
    request = RequestFactory().get("/sales/somewhere/")
    request.user = user
    request.htmx = False
    template = Template('{% include "activities/regarding_panel.html" with record=record %}')
    return template.render(Context({"request": request, "record": record}))


def test_an_opportunity_panel_logs_a_call_on_the_deal_its_account_and_contact(client, rep):
    opportunity = OpportunityFactory(owner=rep)
    contact = ContactFactory(account=opportunity.account, mobile="+821099998888", full_name="박지훈")
    opportunity.primary_contact = contact
    opportunity.save()
    opportunity = Opportunity.objects.select_related("account", "primary_contact").get(pk=opportunity.pk)
    html = _render(rep, opportunity)
    assert 'href="tel:+821099998888"' in html and 'data-quick-log="call"' in html

    url = reverse("activities:quick-log", args=[opportunity.pk])
    initial = (
        client.get(url, {"type": "sales.opportunity", "kind": "call", "phone": contact.mobile}).context["form"].initial
    )
    assert initial["subject"] == "Call with 박지훈" and initial["contact"] == contact.pk
    payload = {key: "" if value is None else value for key, value in initial.items()}
    payload.update(type="sales.opportunity", starts_at=initial["starts_at"].strftime("%Y-%m-%dT%H:%M"))
    payload.update(outcome_code="connected", duration_minutes="7")
    response = client.post(url, payload, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content
    call = Activity.objects.get()
    assert call.regarding == opportunity
    assert (call.account, call.contact, call.phone_number) == (opportunity.account, contact, "+821099998888")
    assert list(activities_regarding_for(rep, opportunity)) == [call]


def test_a_lead_panel_offers_the_leads_own_numbers_and_logs_a_demo(client, rep):
    lead = LeadFactory(owner=rep, mobile="+821055554444", person_name="최유나")
    html = _render(rep, lead)
    assert 'href="tel:+821055554444"' in html and 'href="tel:+8221234567"' in html
    url = reverse("activities:quick-log", args=[lead.pk])
    initial = client.get(url, {"type": "sales.lead", "kind": "demo"}).context["form"].initial
    assert initial["subject"] == "Demo for 최유나"
    payload = {key: "" if value is None else value for key, value in initial.items()}
    payload.update(type="sales.lead", starts_at=initial["starts_at"].strftime("%Y-%m-%dT%H:%M"))
    assert client.post(url, payload, HTTP_HX_REQUEST="true").status_code == 200
    demo = Activity.objects.get()
    assert (demo.kind, demo.regarding, demo.account, demo.status) == ("demo", lead, None, "planned")
    assert demo.duration_minutes == 60


def test_another_reps_lead_is_not_found(client):
    lead = LeadFactory(owner=UserFactory())
    url = reverse("activities:quick-log", args=[lead.pk])
    assert client.get(url, {"type": "sales.lead", "kind": "call"}).status_code == 404
    assert _render(UserFactory(), lead).count('id="panel-activity-') == 0


def test_the_opportunity_panel_query_count_is_constant(client, rep, django_assert_max_num_queries):
    opportunity = OpportunityFactory(owner=rep)
    url = reverse("activities:regarding-panel", args=[opportunity.pk]) + "?type=sales.opportunity"

    def add(count):
        for i in range(count):
            log_activity(
                actor=rep,
                kind=ActivityKind.NOTE,
                subject=f"메모 {i}",
                regarding=opportunity,
                account=opportunity.account,
            )

    add(1)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    add(9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    assert Lead.objects.count() == 0
