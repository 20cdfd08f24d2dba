"""Deal registration: a partner claims an opportunity; headquarters checks it against the deals and customers it
already knows (channel conflict), approves it with a period of exclusivity, or rejects it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.models import BusinessModel
from forgecrm.sales.models.amounts import money_field


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealRegistration(BusinessModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    partner = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="deal_registrations", verbose_name=_("partner")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="deal_registrations", verbose_name=_("submitted by")
    )
    # The end customer as the partner names it; `account` is the match headquarters confirms.
    customer_name = models.CharField(_("customer"), max_length=200)
    customer_name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    customer_brn = models.CharField(
        _("business registration number"),
        max_length=10,
        blank=True,
        db_index=True,
        validators=[validate_brn],  # type: ignore[list-item]  # returns the digits; Django ignores the result
    )
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True, db_index=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True, db_index=True)
    sido = models.CharField(_("시/도"), max_length=32, blank=True)
    sigungu = models.CharField(_("시/군/구"), max_length=32, blank=True)
    account = models.ForeignKey(
        "customers.Account",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_deals",
        verbose_name=_("matched account"),
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product line")
    )
    description = models.TextField(_("description"), blank=True)
    expected_amount = money_field(_("expected amount"))
    expected_close_date = models.DateField(_("expected close date"))
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decision_note = models.TextField(_("decision note"), blank=True)  # shown to the partner
    exclusive_until = models.DateField(_("exclusive until"), null=True, blank=True)
    # Set once the expiry reminder went out: the beat task never reminds twice.
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    opportunity = models.OneToOneField(
        "sales.Opportunity",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="deal_registration",
        verbose_name=_("opportunity"),
    )

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "exclusive_until"]),  # the expiry reminder sweep
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(exclusive_until__isnull=False),
                name="deal_registration_approved_has_exclusivity",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"]) | models.Q(decided_at__isnull=False),
                name="deal_registration_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer_name}"


class DealRegistrationLine(models.Model):
    registration = models.ForeignKey(
        DealRegistration, models.CASCADE, related_name="lines", verbose_name=_("deal registration")
    )
    product = models.ForeignKey("catalog.Product", models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("registered product")
        verbose_name_plural = _("registered products")


class ConflictKind(models.TextChoices):
    OPPORTUNITY = "opportunity", _("An open opportunity for the same customer")
    REGISTRATION = "registration", _("Another partner's registration")
    DIRECT_ACCOUNT = "direct_account", _("A customer headquarters serves directly")
    REFERRAL = "referral", _("An online inquiry for another dealer's customer")


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED_FOR_PARTNER = "partner", _("Decided for the partner")
    RESOLVED_FOR_OTHER = "other", _("Decided for the other channel")
    DISMISSED = "dismissed", _("Not a conflict")


class ChannelConflict(BusinessModel):
    """Two channels claiming the same customer or deal, for the channel manager to decide (internal only: a
    partner never learns another partner's deals from it)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ConflictKind.choices)
    registration = models.ForeignKey(
        DealRegistration,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("deal registration"),
    )
    offer = models.ForeignKey(
        "partners.LeadOffer",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("referral"),
    )
    other_registration = models.ForeignKey(
        DealRegistration,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("conflicting registration"),
    )
    other_opportunity = models.ForeignKey(
        "sales.Opportunity",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_conflicts",
        verbose_name=_("conflicting opportunity"),
    )
    other_account = models.ForeignKey(
        "customers.Account",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="channel_conflicts",
        verbose_name=_("conflicting account"),
    )
    # What matched: same BRN, similar company name (with its similarity), same contact email or phone.
    match_reasons = models.JSONField(_("what matched"), default=list, blank=True)
    score = models.PositiveSmallIntegerField(_("match score"), default=0)  # 0-100, the surest reason
    status = models.CharField(_("status"), max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("channel conflict")
        verbose_name_plural = _("channel conflicts")
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(registration__isnull=False) | models.Q(offer__isnull=False),
                name="channel_conflict_has_claim",
            )
        ]
