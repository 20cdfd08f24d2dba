import pytest
from rest_framework.test import APIClient

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

BODY = {"url": "https://93.184.216.34/forge", "description": "ERP", "event_types": ["AccountCreated"]}


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_create_answers_the_secret_once_and_reads_never_do(api):
    created = api.post("/api/v1/webhooks/", BODY, format="json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert secret == endpoint.secret and created["ETag"] == f'"webhookendpoint-{endpoint.pk}-v1"'
    assert "secret" not in api.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert secret not in api.get("/api/v1/webhooks/").content.decode()


@pytest.mark.parametrize(
    "url",
    ["https://2130706433/", "https://[::ffff:127.0.0.1]/", "https://localhost./", "https://[fd00:ec2::254]/"],
)
def test_a_refused_url_is_a_400_naming_the_field(api, url):
    response = api.post("/api/v1/webhooks/", {**BODY, "url": url}, format="json")
    assert response.status_code == 400 and "public internet addresses" in response.json()["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_unknown_events_are_a_400(api):
    response = api.post("/api/v1/webhooks/", {**BODY, "event_types": ["NoSuchEvent"]}, format="json")
    assert response.status_code == 400 and "NoSuchEvent" in response.json()["event_types"][0]


def test_update_needs_the_version_and_read_only_fields_are_ignored(api):
    endpoint = WebhookEndpointFactory()
    url = f"/api/v1/webhooks/{endpoint.pk}/"
    assert api.patch(url, {"description": "x"}, format="json").status_code == 428
    response = api.patch(
        url,
        {"description": "새 설명", "consecutive_failures": 99, "secret": "mine", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.description == "새 설명" and endpoint.consecutive_failures == 0 and endpoint.secret != "mine"
    stale = api.patch(url, {"description": "y"}, format="json", HTTP_IF_MATCH=f'"webhookendpoint-{endpoint.pk}-v1"')
    assert stale.status_code == 412
    assert api.delete(url, HTTP_IF_MATCH="*").status_code == 405


def test_rotate_secret_answers_the_new_secret(api):
    endpoint = WebhookEndpointFactory()
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/", HTTP_IF_MATCH="*")
    endpoint.refresh_from_db()
    assert response.status_code == 200 and response.json()["secret"] == endpoint.secret and endpoint.version == 2
    assert api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 428


def test_the_delivery_log_filters_and_redelivers(api):
    dead = WebhookDeliveryFactory(status=DeliveryStatus.DEAD)
    WebhookDeliveryFactory(status=DeliveryStatus.SUCCEEDED)
    rows = api.get("/api/v1/webhook-deliveries/", {"status": "dead"}).json()["results"]
    assert [row["id"] for row in rows] == [dead.pk] and rows[0]["uuid"] == str(dead.uuid)
    assert api.get("/api/v1/webhook-deliveries/", {"endpoint": "1e308"}).status_code == 400
    response = api.post(f"/api/v1/webhook-deliveries/{dead.pk}/redeliver/", HTTP_IF_MATCH="*")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    again = api.post(f"/api/v1/webhook-deliveries/{dead.pk}/redeliver/", HTTP_IF_MATCH="*")
    assert again.status_code == 400
    assert api.post("/api/v1/webhook-deliveries/", {}, format="json").status_code == 405


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.SERVICE_AGENT, Role.CHANNEL_MANAGER])
def test_everyone_else_gets_403_and_nothing_changes(role):
    endpoint = WebhookEndpointFactory()
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status=DeliveryStatus.DEAD)
    client = APIClient()
    client.force_authenticate(UserFactory(role=role))
    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert client.post("/api/v1/webhooks/", BODY, format="json").status_code == 403
    assert (
        client.patch(
            f"/api/v1/webhooks/{endpoint.pk}/", {"description": "x"}, format="json", HTTP_IF_MATCH="*"
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/", HTTP_IF_MATCH="*").status_code == 403
    assert client.get("/api/v1/webhook-deliveries/").status_code == 403
    assert client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/redeliver/", HTTP_IF_MATCH="*").status_code == 403
    assert WebhookEndpoint.objects.get().version == 1 and WebhookDelivery.objects.get().status == DeliveryStatus.DEAD
    assert APIClient().get("/api/v1/webhooks/").status_code in {401, 403}


def test_the_schema_documents_the_webhook_api(api):
    schema = api.get("/api/schema/?format=json").json()
    assert {
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/",
        "/api/v1/webhooks/{id}/rotate-secret/",
        "/api/v1/webhook-deliveries/",
        "/api/v1/webhook-deliveries/{id}/",
        "/api/v1/webhook-deliveries/{id}/redeliver/",
    } <= set(schema["paths"])
