"""The regarding panel: a record's activities, two-click logging, click-to-call, inline completion.

Activities may not import the apps above it, so an account and a catalog product stand in for a lead or an
opportunity here (any model with an access scope works the same way); forgecrm/sales/tests/test_activities*.py
renders the panel for real leads and opportunities."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from forgecrm.activities.models import Activity, ActivityKind, ActivityStatus, CallOutcome, Direction
from forgecrm.activities.operations import log_activity
from forgecrm.catalog.tests.factories import ProductFactory
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def client(rep):
    client = Client()
    client.force_login(rep)
    return client


@pytest.fixture
def account(rep):
    return AccountFactory(owner=rep, phone="+8221234567")


@pytest.fixture
def contact(account):
    return ContactFactory(account=account, mobile="+821012345678", full_name="이서연")


def _panel_url(record, label):
    return f"{reverse('activities:regarding-panel', args=[record.pk])}?type={label}"


def _log_url(record, label, **query):
    return f"{reverse('activities:quick-log', args=[record.pk])}?{urlencode({'type': label, **query})}"


def _render_tag(user, record) -> str:
    request = RequestFactory().get("/somewhere/")
    request.user = user
    request.htmx = False
    template = Template('{% include "activities/regarding_panel.html" with record=record %}')
    return template.render(Context({"request": request, "record": record}))


def test_the_include_lists_open_items_first_then_history(rep, account):
    done = log_activity(actor=rep, kind=ActivityKind.CALL, subject="지난 통화", account=account, status="done")
    planned = log_activity(
        actor=rep,
        kind=ActivityKind.MEETING,
        subject="다음 미팅",
        account=account,
        starts_at=timezone.now() + dt.timedelta(days=2),
    )
    html = _render_tag(rep, account)
    assert html.index(planned.subject) < html.index(done.subject)
    assert 'data-quick-log="call"' in html and 'data-quick-log="demo"' in html
    assert 'href="tel:+8221234567"' in html
    assert f"panel-activity-{planned.pk}" in html


def test_two_clicks_log_a_call_the_form_comes_prefilled_and_saving_is_enough(client, rep, account, contact):
    # Click 1: the kind.
    response = client.get(_log_url(account, "customers.account", kind="call"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    form = response.context["form"]
    initial = form.initial
    assert initial["kind"] == "call" and initial["status"] == ActivityStatus.DONE
    assert initial["direction"] == Direction.OUTBOUND
    assert initial["subject"] == f"Call with {account.name}"
    assert abs((initial["starts_at"] - timezone.now()).total_seconds()) < 120
    # Click 2: save, posting back exactly what the form shows.
    payload = {name: "" if value is None else value for name, value in initial.items()}
    payload.update(type="customers.account", starts_at=initial["starts_at"].strftime("%Y-%m-%dT%H:%M"))
    payload["shared_with_team"] = "on"
    response = client.post(reverse("activities:quick-log", args=[account.pk]), payload, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content
    activity = Activity.objects.get()
    assert (activity.kind, activity.account, activity.owner, activity.status) == ("call", account, rep, "done")
    assert activity.phone_number == "+8221234567"  # the account's number, the only one without a contact
    assert response["HX-Trigger"] == "activityLogged"
    assert activity.subject in response.content.decode()  # the refreshed panel lists it


@pytest.mark.parametrize("kind", ["meeting", "demo"])
def test_a_meeting_or_demo_is_planned_at_the_next_full_hour_for_an_hour(client, account, kind):
    initial = (
        client.get(_log_url(account, "customers.account", kind=kind), HTTP_HX_REQUEST="true").context["form"].initial
    )
    start = initial["starts_at"]
    assert start.minute == 0 and start > timezone.now()
    assert initial["duration_minutes"] == 60 and initial["status"] == ActivityStatus.PLANNED


def test_correspondence_is_outbound_and_done_now(client, account):
    initial = client.get(_log_url(account, "customers.account", kind="correspondence")).context["form"].initial
    assert initial["direction"] == Direction.OUTBOUND and initial["status"] == ActivityStatus.DONE


def test_click_to_call_prefills_number_contact_and_start(client, rep, account, contact):
    html = _render_tag(rep, contact)  # a contact's page: its mobile, then the account's phone
    assert 'href="tel:+821012345678"' in html and "data-call-log=" in html
    assert html.index("tel:+821012345678") < html.index("tel:+8221234567")
    url = _log_url(contact, "customers.contact", kind="call", phone=contact.mobile, contact=contact.pk)
    response = client.get(url, HTTP_HX_REQUEST="true")
    initial = response.context["form"].initial
    assert initial["phone_number"] == "+821012345678"
    assert initial["contact"] == contact.pk
    assert initial["subject"] == "Call with 이서연"
    assert "data-call-timer" in response.content.decode()
    payload = {
        "type": "customers.contact",
        "kind": "call",
        "subject": initial["subject"],
        "starts_at": initial["starts_at"].strftime("%Y-%m-%dT%H:%M"),
        "phone_number": initial["phone_number"],
        "contact": contact.pk,
        "direction": "outbound",
        "status": "done",
        "outcome_code": CallOutcome.LEFT_MESSAGE,
        "duration_minutes": "3",
        "outcome": "음성사서함에 회신 요청",
    }
    response = client.post(reverse("activities:quick-log", args=[contact.pk]), payload, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    call = Activity.objects.get()
    assert (call.contact, call.account, call.outcome_code, call.duration_minutes) == (
        contact,
        account,
        "left_message",
        3,
    )
    assert call.phone_number == "+821012345678"


def test_a_foreign_contact_in_the_call_link_is_ignored(client, account):
    foreign = ContactFactory(account=AccountFactory(owner=UserFactory()))
    initial = (
        client.get(_log_url(account, "customers.account", kind="call", contact=foreign.pk)).context["form"].initial
    )
    assert initial["contact"] is None


def test_a_generic_record_is_the_regarding_link(client, rep, account):
    product = ProductFactory()
    payload = {"type": "catalog.product", "kind": "note", "subject": "제품 메모", "status": "done"}
    response = client.post(reverse("activities:quick-log", args=[product.pk]), payload)
    assert response.status_code == 302
    note = Activity.objects.get()
    assert note.regarding == product and note.account is None
    assert "제품 메모" in client.get(_panel_url(product, "catalog.product")).content.decode()


def test_invalid_input_gets_field_errors_and_saves_nothing(client, account):
    payload = {"type": "customers.account", "kind": "meeting", "subject": " ", "status": "planned"}
    response = client.post(reverse("activities:quick-log", args=[account.pk]), payload, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Reswap"] == "innerHTML"
    assert response.context["form"].errors
    assert not Activity.objects.exists()
    response = client.post(reverse("activities:quick-log", args=[account.pk]), payload)
    assert response.status_code == 400


def test_a_bad_phone_number_is_a_field_error(client, account):
    payload = {"type": "customers.account", "kind": "call", "subject": "통화", "status": "done", "phone_number": "12"}
    response = client.post(reverse("activities:quick-log", args=[account.pk]), payload)
    assert response.status_code == 400 and "phone_number" in response.context["form"].errors


def test_a_record_outside_the_scope_or_an_unknown_type_is_not_found(client):
    foreign = AccountFactory(owner=UserFactory())
    assert client.get(_panel_url(foreign, "customers.account")).status_code == 404
    assert client.get(_log_url(foreign, "customers.account", kind="call")).status_code == 404
    assert (
        client.post(reverse("activities:quick-log", args=[foreign.pk]), {"type": "customers.account"}).status_code
        == 404
    )
    assert client.get(_panel_url(foreign, "activities.activity")).status_code == 404  # no access scope of its own? 404
    assert client.get(_panel_url(foreign, "nonsense")).status_code == 404


def test_completing_a_task_inline_in_the_panel(client, rep, account):
    task = log_activity(
        actor=rep,
        kind=ActivityKind.TASK,
        subject="견적 회신",
        account=account,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    response = client.post(
        reverse("activities:complete", args=[task.pk]),
        {"version": task.version, "target": "panel-row"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="panel-activity-{task.pk}"' in response.content.decode()
    task.refresh_from_db()
    assert task.status == ActivityStatus.DONE


def test_the_panel_query_count_does_not_grow_with_activities(client, rep, account, django_assert_max_num_queries):
    def add(count):
        for i in range(count):
            contact = ContactFactory(account=account)
            log_activity(actor=rep, kind=ActivityKind.CALL, subject=f"통화 {i}", contact=contact, status="done")
            log_activity(
                actor=rep, kind=ActivityKind.TASK, subject=f"할 일 {i}", account=account, due_at=timezone.now()
            )

    add(2)
    url = _panel_url(account, "customers.account")
    client.get(url)
    with django_assert_max_num_queries(9) as few:
        client.get(url)
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('id="panel-activity-') == 10 + 10
