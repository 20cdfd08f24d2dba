"""Market development funds (MDF): a budget per partner and period; the partner requests money for a marketing
activity, headquarters approves it, the partner claims it with proof of performance, finance pays it.

The budget cannot go negative: requests commit against the allocation under a row lock (operations), and the
database refuses an allocation whose committed amount exceeds it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.activities.attachment_storage import attachment_storage, attachment_upload_to
from forgecrm.platform.models import BusinessModel
from forgecrm.sales.models.amounts import currency_field, money_field
from forgecrm.sales.models.planning import PeriodKind


class MdfAllocation(BusinessModel):
    partner = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="mdf_allocations", verbose_name=_("partner")
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period_start = models.DateField(_("period start"))
    currency = currency_field()
    amount = money_field(_("allocated"))
    # Kept by the operations in the same transaction as the request or claim that changes them.
    committed = money_field(_("committed (approved requests)"))
    paid = money_field(_("paid"))
    note = models.TextField(_("note"), blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("MDF allocation")
        verbose_name_plural = _("MDF allocations")
        constraints = [
            models.UniqueConstraint(fields=["partner", "period_kind", "period_start"], name="mdf_allocation_unique"),
            models.CheckConstraint(condition=models.Q(committed__lte=models.F("amount")), name="mdf_within_budget"),
            models.CheckConstraint(
                condition=models.Q(paid__lte=models.F("committed")), name="mdf_paid_within_committed"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_currency=models.F("currency"))
                & models.Q(committed_currency=models.F("currency"))
                & models.Q(paid_currency=models.F("currency")),
                name="mdf_allocation_one_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.period_start:%Y-%m}"


class MdfActivityType(models.TextChoices):
    EVENT = "event", _("Event or seminar")
    EXHIBITION = "exhibition", _("Trade show")
    ADVERTISING = "advertising", _("Advertising")
    DIGITAL = "digital", _("Digital campaign")
    SHOWROOM = "showroom", _("Showroom or display")
    TRAINING = "training", _("Training")
    DIRECT_MAIL = "direct_mail", _("Direct mail")


class MdfRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLAIMED = "claimed", _("Claimed")
    CLAIM_APPROVED = "claim_approved", _("Claim approved")
    CLAIM_REJECTED = "claim_rejected", _("Claim rejected")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class MdfRequest(BusinessModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    allocation = models.ForeignKey(MdfAllocation, models.PROTECT, related_name="requests", verbose_name=_("allocation"))
    partner = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="mdf_requests", verbose_name=_("partner")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="mdf_requests", verbose_name=_("requested by")
    )
    campaign_name = models.CharField(_("activity"), max_length=200)
    activity_type = models.CharField(_("activity type"), max_length=16, choices=MdfActivityType.choices)
    description = models.TextField(_("description"), blank=True)
    planned_start = models.DateField(_("starts"))
    planned_end = models.DateField(_("ends"))
    currency = currency_field()
    planned_cost = money_field(_("planned cost"))
    requested_amount = money_field(_("requested amount"))
    approved_amount = money_field(_("approved amount"))
    expected_leads = models.PositiveIntegerField(_("expected leads"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=MdfRequestStatus.choices, default=MdfRequestStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("MDF request")
        verbose_name_plural = _("MDF requests")
        indexes = [models.Index(fields=["partner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")), name="mdf_request_period"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__lte=models.F("requested_amount")),
                name="mdf_approved_within_requested",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_cost_currency=models.F("currency"))
                & models.Q(requested_amount_currency=models.F("currency"))
                & models.Q(approved_amount_currency=models.F("currency")),
                name="mdf_request_one_currency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.campaign_name}"


class MdfClaim(BusinessModel):
    """The partner's claim after the activity: what it cost, what it brought, with proof attached."""

    request = models.OneToOneField(MdfRequest, models.CASCADE, related_name="claim", verbose_name=_("MDF request"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    currency = currency_field()
    actual_cost = money_field(_("actual cost"))
    claimed_amount = money_field(_("claimed amount"))
    actual_leads = models.PositiveIntegerField(_("leads generated"), default=0)
    note = models.TextField(_("note"), blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("MDF claim")
        verbose_name_plural = _("MDF claims")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actual_cost_currency=models.F("currency"))
                & models.Q(claimed_amount_currency=models.F("currency")),
                name="mdf_claim_one_currency",
            )
        ]


class MdfProof(models.Model):
    """Proof of performance (photos, invoices, attendee lists): private files, downloaded only through a scoped
    view, checked on upload like activity attachments."""

    claim = models.ForeignKey(MdfClaim, models.CASCADE, related_name="proofs", verbose_name=_("MDF claim"))
    file = models.FileField(_("file"), upload_to=attachment_upload_to, storage=attachment_storage, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proof of performance")
        verbose_name_plural = _("proofs of performance")

    def __str__(self) -> str:
        return self.original_name
