import re

import pytest
from django.urls import reverse

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from ..models import DeliveryStatus, WebhookEndpoint
from .factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    return {
        "url": "https://93.184.216.34/forge",
        "description": "ERP",
        "event_types": ["AccountCreated"],
        "is_active": "on",
        **overrides,
    }


def test_creating_an_endpoint_shows_the_secret_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("integrations:webhook-create"), _form())
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert endpoint.secret in response.content.decode()
    detail = client.get(reverse("integrations:webhook-detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in detail and "ERP" in detail
    listing = client.get(reverse("integrations:webhook-list")).content.decode()
    assert endpoint.secret not in listing


@pytest.mark.parametrize(
    "url,message",
    [
        ("https://0177.0.0.1/hook", "is 127.0.0.1 written another way, a loopback address"),
        ("https://169.254.169.254/latest/meta-data/", "link-local address"),
        ("http://93.184.216.34/", "Use https://"),
    ],
)
def test_a_refused_url_is_shown_on_the_field_and_the_input_is_kept(client, admin_user, url, message):
    client.force_login(admin_user)
    response = client.post(reverse("integrations:webhook-create"), _form(url=url, description="보존될 설명"))
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert "보존될 설명" in body
    assert re.search(r'<input[^>]*value="AccountCreated"[^>]*checked', body)
    assert not WebhookEndpoint.objects.exists()


def test_editing_keeps_the_version_and_a_stale_form_is_a_conflict(client, admin_user):
    endpoint = WebhookEndpointFactory(description="before")
    client.force_login(admin_user)
    url = reverse("integrations:webhook-edit", args=[endpoint.pk])
    assert "before" in client.get(url).content.decode()
    response = client.post(url, _form(url=endpoint.url, description="after", version=1))
    assert response.status_code == 302
    stale = client.post(url, _form(url=endpoint.url, description="later", version=1))
    assert stale.status_code == 409 and "Someone else saved this record" in stale.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.description == "after" and endpoint.version == 2


def test_rotating_shows_the_new_secret_once(client, admin_user):
    endpoint = WebhookEndpointFactory()
    client.force_login(admin_user)
    response = client.post(reverse("integrations:webhook-rotate-secret", args=[endpoint.pk]), {"version": 1})
    endpoint.refresh_from_db()
    assert response.status_code == 200 and endpoint.secret in response.content.decode() and endpoint.version == 2
    assert client.get(reverse("integrations:webhook-rotate-secret", args=[endpoint.pk])).status_code == 405


@pytest.mark.parametrize("rows", [3, 25])
def test_lists_and_details_keep_a_constant_query_budget(client, admin_user, rows, django_assert_max_num_queries):
    endpoints = [WebhookEndpointFactory() for _ in range(rows)]
    deliveries = [WebhookDeliveryFactory(endpoint=endpoints[n % rows]) for n in range(rows)]
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("integrations:webhook-list")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("integrations:webhook-delivery-list")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("integrations:webhook-detail", args=[endpoints[0].pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("integrations:webhook-delivery-detail", args=[deliveries[0].pk])).status_code == 200


def test_the_delivery_log_filters_by_status_endpoint_and_event(client, admin_user):
    first, second = WebhookEndpointFactory(description="ZQ-first"), WebhookEndpointFactory(description="ZQ-second")
    dead = WebhookDeliveryFactory(endpoint=first, status=DeliveryStatus.DEAD)
    done = WebhookDeliveryFactory(endpoint=second, status=DeliveryStatus.SUCCEEDED)
    client.force_login(admin_user)
    url = reverse("integrations:webhook-delivery-list")

    def shown(query):
        body = client.get(url, query).content.decode()
        return {d.pk for d in (dead, done) if reverse("integrations:webhook-delivery-detail", args=[d.pk]) in body}

    assert shown({}) == {dead.pk, done.pk}
    assert shown({"status": "dead"}) == {dead.pk}
    assert shown({"endpoint": second.pk}) == {done.pk}
    assert shown({"event_type": "ProductCreated"}) == set()
    assert shown({"status": "nonsense", "endpoint": "x"}) == {dead.pk, done.pk}  # an invalid filter shows all


def test_the_delivery_page_escapes_the_response_and_offers_redelivery_when_dead(client, admin_user):
    delivery = WebhookDeliveryFactory(status=DeliveryStatus.DEAD, response_excerpt="<script>alert(1)</script>")
    client.force_login(admin_user)
    page = client.get(reverse("integrations:webhook-delivery-detail", args=[delivery.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert str(delivery.uuid) in page and "Send again" in page
    response = client.post(reverse("integrations:webhook-delivery-redeliver", args=[delivery.pk]), {"version": 1})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING


def test_redelivering_what_is_not_dead_says_why(client, admin_user):
    delivery = WebhookDeliveryFactory(status=DeliveryStatus.SUCCEEDED)
    client.force_login(admin_user)
    response = client.post(
        reverse("integrations:webhook-delivery-redeliver", args=[delivery.pk]), {"version": 1}, follow=True
    )
    assert "Only a dead delivery can be sent again" in response.content.decode()


def test_a_switched_off_endpoint_shows_why(client, admin_user):
    endpoint = WebhookEndpointFactory(is_active=False, disabled_reason="Switched off after 20 failed attempts")
    client.force_login(admin_user)
    page = client.get(reverse("integrations:webhook-detail", args=[endpoint.pk])).content.decode()
    assert "switched off automatically" in page and "Switched off after 20 failed attempts" in page


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.SERVICE_MANAGER, Role.MARKETING])
def test_other_users_are_refused_every_page(client, role):
    endpoint = WebhookEndpointFactory()
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status=DeliveryStatus.DEAD)
    client.force_login(UserFactory(role=role))
    for name, args in [
        ("integrations:webhook-list", []),
        ("integrations:webhook-create", []),
        ("integrations:webhook-detail", [endpoint.pk]),
        ("integrations:webhook-edit", [endpoint.pk]),
        ("integrations:webhook-delivery-list", []),
        ("integrations:webhook-delivery-detail", [delivery.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("integrations:webhook-rotate-secret", args=[endpoint.pk])).status_code == 403
    assert client.post(reverse("integrations:webhook-delivery-redeliver", args=[delivery.pk])).status_code == 403
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.version == 1 and delivery.status == DeliveryStatus.DEAD


def test_the_menu_shows_webhooks_to_administrators_only(client, admin_user):
    client.force_login(admin_user)
    assert reverse("integrations:webhook-list") in client.get(reverse("dashboard")).content.decode()
    client.force_login(UserFactory(role=Role.SALES_MANAGER))
    assert reverse("integrations:webhook-list") not in client.get(reverse("dashboard")).content.decode()
