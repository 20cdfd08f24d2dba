import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.platform.events import registered_event_types
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError

from .. import operations
from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/forge"


def _create(actor, **overrides):
    fields = {"url": PUBLIC, "description": " ERP 수주 연동 ", "event_types": ["AccountCreated"], **overrides}
    return operations.create_webhook_endpoint(actor=actor, **fields)


def test_a_new_endpoint_gets_a_random_secret_kept_out_of_the_history(admin_user):
    first, second = _create(admin_user), _create(admin_user)
    assert first.secret.startswith("whsec_") and len(first.secret) > 40 and first.secret != second.secret
    assert first.description == "ERP 수주 연동" and first.created_by == admin_user and first.version == 1
    record = first.history.get()
    assert not hasattr(record, "secret") and record.history_user == admin_user


@pytest.mark.parametrize(
    "url,code",
    [
        ("http://93.184.216.34/", "https_required"),
        ("https://127.0.0.1/", "internal_address"),
        ("https://admin:pw@93.184.216.34/", "credentials"),
        ("ftp://93.184.216.34/", "scheme"),
        ("", "required"),
    ],
)
def test_a_refused_url_is_a_field_error_and_nothing_is_written(admin_user, url, code):
    with pytest.raises(ValidationError) as refused:
        _create(admin_user, url=url)
    assert refused.value.error_dict["url"][0].code == code
    assert not WebhookEndpoint.objects.exists()


def test_events_must_be_registered_outbox_event_types(admin_user):
    assert {"AccountCreated", "ProductUpdated", "ActivityLogged"} <= set(registered_event_types())
    with pytest.raises(ValidationError) as unknown:
        _create(admin_user, event_types=["AccountCreated", "AccountExploded"])
    assert "AccountExploded" in str(unknown.value.error_dict["event_types"][0])
    with pytest.raises(ValidationError):
        _create(admin_user, event_types=[])
    made = _create(admin_user, event_types=["ProductUpdated", "AccountCreated", "AccountCreated"])
    assert made.event_types == ["AccountCreated", "ProductUpdated"]


@pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.SERVICE_MANAGER, Role.CHANNEL_MANAGER, Role.PARTNER_ADMIN])
def test_only_administrators_manage_webhooks(role, admin_user):
    from forgecrm.customers.tests.factories import PartnerAccountFactory

    extra = {"organization": PartnerAccountFactory()} if role == Role.PARTNER_ADMIN else {}
    someone = UserFactory(role=role, **extra)
    endpoint = WebhookEndpointFactory()
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status=DeliveryStatus.DEAD)
    with pytest.raises(PermissionDenied):
        _create(someone)
    with pytest.raises(PermissionDenied):
        operations.update_webhook_endpoint(actor=someone, endpoint=endpoint, expected_version=1, changes={})
    with pytest.raises(PermissionDenied):
        operations.rotate_webhook_secret(actor=someone, endpoint=endpoint, expected_version=1)
    with pytest.raises(PermissionDenied):
        operations.redeliver_webhook_delivery(actor=someone, delivery=delivery, expected_version=1)
    assert WebhookEndpoint.objects.count() == 1
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.version == 1 and delivery.status == DeliveryStatus.DEAD


def test_a_changed_url_is_vetted_and_an_unchanged_one_is_not_resolved_again(admin_user, monkeypatch):
    import socket

    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
    monkeypatch.setattr("socket.getaddrinfo", lambda *args, **kwargs: public)
    endpoint = _create(admin_user, url="https://erp.example.kr/hooks")
    with pytest.raises(ValidationError) as refused:
        operations.update_webhook_endpoint(
            actor=admin_user, endpoint=endpoint, expected_version=1, changes={"url": "https://[::1]/"}
        )
    assert refused.value.error_dict["url"][0].code == "internal_address"

    def no_dns(*args, **kwargs):
        raise AssertionError("an unchanged URL was resolved again")

    monkeypatch.setattr("socket.getaddrinfo", no_dns)
    saved = operations.update_webhook_endpoint(
        actor=admin_user,
        endpoint=endpoint,
        expected_version=1,
        changes={"url": "https://erp.example.kr/hooks", "description": "새 이름"},
    )
    assert saved.version == 2 and saved.description == "새 이름"


def test_a_url_changed_in_memory_by_a_form_is_still_vetted(admin_user):
    """The guard compares with the stored row, not with an instance a form may have written into."""
    endpoint = _create(admin_user)
    endpoint.url = "https://169.254.169.254/latest/meta-data/"
    with pytest.raises(ValidationError):
        operations.update_webhook_endpoint(
            actor=admin_user, endpoint=endpoint, expected_version=1, changes={"url": endpoint.url}
        )
    assert WebhookEndpoint.objects.get().url == PUBLIC


def test_a_stale_edit_is_a_conflict(admin_user):
    endpoint = _create(admin_user)
    operations.update_webhook_endpoint(
        actor=admin_user, endpoint=endpoint, expected_version=1, changes={"description": "A"}
    )
    with pytest.raises(ConflictError):
        operations.update_webhook_endpoint(
            actor=admin_user, endpoint=endpoint, expected_version=1, changes={"description": "B"}
        )
    assert WebhookEndpoint.objects.get().description == "A"


def test_rotating_the_secret_bumps_the_version_and_keeps_the_secret_out_of_the_history(admin_user):
    endpoint = _create(admin_user)
    old = endpoint.secret
    rotated = operations.rotate_webhook_secret(actor=admin_user, endpoint=endpoint, expected_version=1)
    assert rotated.secret != old and rotated.version == 2
    assert endpoint.history.count() == 2
    with pytest.raises(ConflictError):
        operations.rotate_webhook_secret(actor=admin_user, endpoint=endpoint, expected_version=1)


@pytest.mark.parametrize("status", [DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SUCCEEDED])
def test_only_a_dead_delivery_can_be_sent_again(admin_user, status):
    delivery = WebhookDeliveryFactory(status=status, attempts=3)
    with pytest.raises(ValidationError):
        operations.redeliver_webhook_delivery(actor=admin_user, delivery=delivery, expected_version=None)
    delivery.refresh_from_db()
    assert delivery.status == status and delivery.attempts == 3


def test_a_dead_delivery_of_a_switched_off_endpoint_waits_for_the_endpoint(admin_user):
    delivery = WebhookDeliveryFactory(status=DeliveryStatus.DEAD, endpoint=WebhookEndpointFactory(is_active=False))
    with pytest.raises(ValidationError):
        operations.redeliver_webhook_delivery(actor=admin_user, delivery=delivery, expected_version=None)


def test_redelivery_resets_the_attempts_and_is_version_checked(admin_user):
    delivery = WebhookDeliveryFactory(status=DeliveryStatus.DEAD, attempts=10)
    with pytest.raises(ConflictError):
        operations.redeliver_webhook_delivery(actor=admin_user, delivery=delivery, expected_version=7)
    saved = operations.redeliver_webhook_delivery(actor=admin_user, delivery=delivery, expected_version=1)
    assert saved.status == DeliveryStatus.PENDING and saved.attempts == 0 and saved.next_attempt_at is not None
    assert WebhookDelivery.objects.get().version == 2
