"""Sell-through and channel inventory: what partners report they sold to whom, and what they hold in stock, per
product and period (from the portal form, a CSV upload or the API)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel
from forgecrm.sales.models.amounts import currency_field, money_field


class ReportSource(models.TextChoices):
    PORTAL = "portal", _("Portal form")
    UPLOAD = "upload", _("CSV upload")
    API = "api", _("API")


class SellThroughReport(BusinessModel):
    """One partner's report for one month; resubmitting the month replaces its lines (idempotent)."""

    partner = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="sell_through_reports", verbose_name=_("partner")
    )
    period_start = models.DateField(_("month"))
    source = models.CharField(_("source"), max_length=8, choices=ReportSource.choices, default=ReportSource.PORTAL)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    currency = currency_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sell-through report")
        verbose_name_plural = _("sell-through reports")
        constraints = [models.UniqueConstraint(fields=["partner", "period_start"], name="sell_through_one_per_month")]

    def __str__(self) -> str:
        return f"{self.partner} {self.period_start:%Y-%m}"


class SellThroughLine(models.Model):
    report = models.ForeignKey(SellThroughReport, models.CASCADE, related_name="lines", verbose_name=_("report"))
    product = models.ForeignKey("catalog.Product", models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.IntegerField(_("quantity"))  # returns are negative
    amount = money_field(_("amount"), signed=True)
    end_customer = models.ForeignKey(
        "customers.Account", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("end customer")
    )
    end_customer_name = models.CharField(_("end customer name"), max_length=200, blank=True)
    sido = models.CharField(_("시/도"), max_length=32, blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy

    class Meta:
        verbose_name = _("sell-through line")
        verbose_name_plural = _("sell-through lines")
        indexes = [models.Index(fields=["product", "report"])]


class ChannelInventory(models.Model):
    """Stock a partner holds of a product on a date (one row per partner, product and date)."""

    partner = models.ForeignKey(
        "customers.Account", models.CASCADE, related_name="channel_inventory", verbose_name=_("partner")
    )
    product = models.ForeignKey("catalog.Product", models.PROTECT, related_name="+", verbose_name=_("product"))
    as_of = models.DateField(_("as of"))
    on_hand = models.IntegerField(_("on hand"))
    in_transit = models.IntegerField(_("in transit"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=ReportSource.choices, default=ReportSource.PORTAL)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("reported by")
    )

    class Meta:
        verbose_name = _("channel inventory")
        verbose_name_plural = _("channel inventory")
        constraints = [models.UniqueConstraint(fields=["partner", "product", "as_of"], name="channel_inventory_unique")]
        indexes = [models.Index(fields=["product", "as_of"])]


class PartnerScorecard(models.Model):
    """A partner's measured performance for a period, recomputed by a task from offers, deals and sell-through."""

    partner = models.ForeignKey(
        "customers.Account", models.CASCADE, related_name="scorecards", verbose_name=_("partner")
    )
    period_start = models.DateField(_("period start"))
    leads_offered = models.PositiveIntegerField(_("leads offered"), default=0)
    leads_accepted = models.PositiveIntegerField(_("leads accepted"), default=0)
    leads_converted = models.PositiveIntegerField(_("leads converted"), default=0)
    median_response_hours = models.DecimalField(
        _("median hours to answer"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    deals_won = models.PositiveIntegerField(_("deals won"), default=0)
    currency = currency_field()
    won_amount = money_field(_("won amount"))
    sell_through_amount = money_field(_("sell-through"))
    # MDF return: paid MDF of the partner's activities in the twelve months to the period's end, and the won
    # business of the opportunities from their leads (partners.attribution).
    mdf_paid = money_field(_("MDF paid"))
    mdf_won_amount = money_field(_("won from MDF activities"))
    mdf_return = models.DecimalField(_("MDF return (×)"), max_digits=12, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("computed at"))

    objects = models.Manager()  # djmoney wraps it; declared for mypy

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["partner", "period_start"], name="scorecard_one_per_period")]
