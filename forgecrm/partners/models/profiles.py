"""A partner organisation's channel profile: what it may sell, where, how much, and with which certificates.

The organisation itself is a customers `Account` of kind partner (its type, tier and parent distributor live
there, as the customer master holds them); the profile adds what only channel management needs.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.customers.models import AccountKind, Tier
from forgecrm.platform.models import BusinessModel

PARTNER_ACCOUNT = {"kind": AccountKind.PARTNER}


class PartnerProfile(BusinessModel):
    account = models.OneToOneField(
        "customers.Account",
        models.CASCADE,
        related_name="partner_profile",
        limit_choices_to=PARTNER_ACCOUNT,
        verbose_name=_("partner"),
    )
    channel_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_partners",
        verbose_name=_("channel manager"),
    )
    joined_on = models.DateField(_("partner since"), null=True, blank=True)
    accepts_leads = models.BooleanField(_("accepts leads"), default=True)
    # How many open (offered or accepted, not yet closed) leads the partner can work at once.
    lead_capacity = models.PositiveIntegerField(_("lead capacity"), default=20)
    # Hours a partner has to accept an offered lead before it is recalled and offered to the next one.
    response_hours = models.PositiveSmallIntegerField(_("hours to accept a lead"), default=48)
    # 0-100, recomputed from outcomes (acceptance, conversion, response time) by the scorecard task.
    performance_score = models.DecimalField(
        _("performance score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    internal_note = models.TextField(_("internal note"), blank=True)  # headquarters only, never the partner's

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(performance_score__gte=0, performance_score__lte=100),
                name="partner_profile_score_0_100",
            )
        ]

    def __str__(self) -> str:
        return str(self.account)


class TierRule(BusinessModel):
    """What a tier asks of a partner; the scorecard task proposes promotions and demotions from these."""

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the highest tier."))
    min_annual_sell_through = models.DecimalField(
        _("minimum yearly sell-through (KRW)"), max_digits=18, decimal_places=0, default=0
    )
    min_certified_people = models.PositiveSmallIntegerField(_("minimum certified people"), default=0)
    min_performance_score = models.DecimalField(
        _("minimum performance score"), max_digits=5, decimal_places=2, default=0
    )
    lead_priority = models.PositiveSmallIntegerField(
        _("lead routing priority"), default=100, help_text=_("Lower is offered leads first.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.get_tier_display()


class PartnerCoverage(models.Model):
    """An area a partner covers: a whole 시/도, or one 시/군/구 of it."""

    partner = models.ForeignKey("customers.Account", models.CASCADE, related_name="coverage", verbose_name=_("partner"))
    sido = models.CharField(_("시/도"), max_length=32)
    sigungu = models.CharField(_("시/군/구"), max_length=32, blank=True, help_text=_("Empty: the whole 시/도."))

    class Meta:
        verbose_name = _("coverage area")
        verbose_name_plural = _("coverage areas")
        constraints = [models.UniqueConstraint(fields=["partner", "sido", "sigungu"], name="partner_coverage_unique")]
        indexes = [models.Index(fields=["sido", "sigungu"])]

    def __str__(self) -> str:
        return f"{self.sido} {self.sigungu}".strip()


class PartnerAuthorization(BusinessModel):
    """A product line the partner is authorised to sell (and service), for a period."""

    partner = models.ForeignKey(
        "customers.Account", models.CASCADE, related_name="authorizations", verbose_name=_("partner")
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.CASCADE, related_name="partner_authorizations", verbose_name=_("product line")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    can_service = models.BooleanField(_("may install and repair"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product authorisation")
        verbose_name_plural = _("product authorisations")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "product_line", "valid_from"], name="partner_authorization_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="partner_authorization_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.product_line}"


class PartnerCertification(BusinessModel):
    """A certificate held by the partner or one of its people; expiring ones are flagged to the channel manager."""

    partner = models.ForeignKey(
        "customers.Account", models.CASCADE, related_name="certifications", verbose_name=_("partner")
    )
    name = models.CharField(_("certification"), max_length=120)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product line"),
    )
    holder = models.ForeignKey(
        "customers.Contact",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_certifications",
        verbose_name=_("holder"),
    )
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [models.Index(fields=["expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("issued_on")),
                name="partner_certification_period",
            )
        ]

    def __str__(self) -> str:
        return self.name
