import factory

from forgecrm.platform.models import OutboxEvent

from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ..webhooks.signing import new_secret


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """An endpoint at a public address literal (no DNS needed); tests that send point `url` at their receiver."""

    class Meta:
        model = WebhookEndpoint

    url = factory.Sequence(lambda n: f"https://93.184.216.34/forge/{n}")
    description = factory.Sequence(lambda n: f"ERP 연동 {n}")
    event_types = factory.LazyFunction(lambda: ["AccountCreated"])
    secret = factory.LazyFunction(new_secret)


class OutboxEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    event_type = "AccountCreated"
    payload = factory.Sequence(lambda n: {"account_id": n})


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(OutboxEventFactory)
    event_type = factory.LazyAttribute(lambda delivery: delivery.event.event_type)
    status = DeliveryStatus.PENDING
