"""Partner service requests: a partner asks headquarters for technical or commercial help, tracked with a status
and an SLA on Korean business hours, visible to both sides (and later joined to the service inbox)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel


class ServiceRequestKind(models.TextChoices):
    TECHNICAL = "technical", _("Technical help")
    COMMERCIAL = "commercial", _("Commercial help (pricing, terms)")
    ORDER = "order", _("Order or delivery")
    WARRANTY = "warranty", _("Warranty")
    MARKETING = "marketing", _("Marketing material")


class ServiceRequestPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ServiceRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_PARTNER = "waiting_partner", _("Waiting for the partner")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class PartnerServiceRequest(BusinessModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    partner = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="service_requests", verbose_name=_("partner")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="partner_service_requests",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceRequestKind.choices)
    priority = models.CharField(
        _("priority"), max_length=8, choices=ServiceRequestPriority.choices, default=ServiceRequestPriority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    product = models.ForeignKey(
        "catalog.Product", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ServiceRequestStatus.choices, default=ServiceRequestStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_partner_requests",
        verbose_name=_("assigned to"),
    )
    # SLA targets on Korean business hours (platform.korea calendar), set when the request is opened.
    respond_by = models.DateTimeField(_("respond by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Set once by the SLA check when a target passed unmet, so a breach is reported (and counted) once.
    response_breached_at = models.DateTimeField(_("response target missed at"), null=True, blank=True)
    resolution_breached_at = models.DateTimeField(_("resolution target missed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner service request")
        verbose_name_plural = _("partner service requests")
        indexes = [models.Index(fields=["status", "resolve_by"]), models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class PartnerServiceComment(models.Model):
    request = models.ForeignKey(
        PartnerServiceRequest, models.CASCADE, related_name="comments", verbose_name=_("request")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("comment"))  # sanitised HTML
    # Headquarters' own notes on a request stay internal; the partner sees the rest of the thread.
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
