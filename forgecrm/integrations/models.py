"""Outbound webhooks: the endpoints administrators register and the deliveries of outbox events to them."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel


def validate_event_type_list(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValidationError(_("Events must be a list of event names."), code="event_types_shape")


class WebhookEndpoint(BusinessModel):
    """A URL outside that receives signed POSTs for the outbox events it subscribes to."""

    url = models.CharField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200)
    event_types = models.JSONField(_("events"), default=list, validators=[validate_event_type_list])
    # Needed in clear to sign; shown once (on creation and rotation), never in lists, the API or the history.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=500, blank=True)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=["secret", "consecutive_failures", "last_success_at", "last_failure_at"]
    )

    class Meta:
        ordering = ["description", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Dead (gave up)")


class WebhookDelivery(BusinessModel):
    """One outbox event for one endpoint, tried until it succeeds or the attempts run out (then dead).

    Each attempt is one history row (status, response code, excerpt, duration): the delivery's attempt log.
    """

    # Sent as X-Forge-Delivery, the same on every retry: receivers use it to drop duplicates.
    uuid = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, models.CASCADE, related_name="deliveries", verbose_name=_("webhook endpoint")
    )
    event = models.ForeignKey("platform.OutboxEvent", models.CASCADE, related_name="+", verbose_name=_("event"))
    event_type = models.CharField(_("event type"), max_length=80)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    # The attempt in flight: set by the claim (a conditional UPDATE), cleared when its result is recorded.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["claim_token", "claimed_until"])

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"

    @property
    def error_note(self) -> str:
        """The error, unless it only repeats the response code shown beside it."""
        return "" if self.last_error == f"HTTP {self.response_code}" else self.last_error
