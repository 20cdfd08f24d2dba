from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .amounts import money_field, percent_between
from .planning import PeriodKind, validate_period_start


def _valid_to_after_from(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=name, condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from"))
    )


class CommissionPlan(BusinessModel):
    """How reps earn commission: a base rate, rates per product line, and multipliers above quota attainment."""

    name = models.CharField(_("name"), max_length=120)
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    base_rate_percent = models.DecimalField(_("base rate (%)"), max_digits=6, decimal_places=2, default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty means open-ended."))
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        ordering = ["name", "id"]
        constraints = [
            percent_between("base_rate_percent", "commission_plan_rate_0_100"),
            _valid_to_after_from("commission_plan_valid_to_after_from"),
        ]

    def __str__(self) -> str:
        return self.name


class CommissionRate(BusinessModel):
    """The rate for one product line in a plan (the plan's base rate applies to the others)."""

    plan = models.ForeignKey(CommissionPlan, models.CASCADE, related_name="rates", verbose_name=_("commission plan"))
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("product line")
    )
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        ordering = ["plan", "product_line", "id"]
        constraints = [
            percent_between("rate_percent", "commission_rate_0_100"),
            models.UniqueConstraint(
                fields=["plan", "product_line"],
                condition=models.Q(product_line__isnull=False),
                name="commission_rate_once_per_line",
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(product_line__isnull=True), name="commission_rate_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.product_line or '—'}: {self.rate_percent} %"


class CommissionTier(BusinessModel):
    """From `attainment_from_percent` of quota on, commission is multiplied (an accelerator above 100 %)."""

    plan = models.ForeignKey(CommissionPlan, models.CASCADE, related_name="tiers", verbose_name=_("commission plan"))
    attainment_from_percent = models.DecimalField(_("from attainment (%)"), max_digits=7, decimal_places=2)
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2, default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        ordering = ["plan", "attainment_from_percent"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "attainment_from_percent"], name="commission_tier_once"),
            models.CheckConstraint(
                name="commission_tier_non_negative",
                condition=models.Q(attainment_from_percent__gte=0, multiplier__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.attainment_from_percent} % × {self.multiplier}"


class CommissionPlanAssignment(BusinessModel):
    """Which plan a rep is on, from when to when (a rep has one plan at a time)."""

    plan = models.ForeignKey(
        CommissionPlan, models.PROTECT, related_name="assignments", verbose_name=_("commission plan")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="commission_plan_assignments", verbose_name=_("rep")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commission plan assignment")
        verbose_name_plural = _("commission plan assignments")
        ordering = ["user", "-valid_from"]
        indexes = [models.Index(fields=["user", "valid_from"], name="commission_assignment_user")]
        constraints = [_valid_to_after_from("commission_assignment_valid_to_after_from")]

    def __str__(self) -> str:
        return f"{self.user} · {self.plan}"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class CommissionStatement(BusinessModel):
    """A rep's commission for one period under one plan, computed from closed-won sales orders."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="commission_statements", verbose_name=_("rep")
    )
    plan = models.ForeignKey(
        CommissionPlan, models.PROTECT, related_name="statements", verbose_name=_("commission plan")
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    status = models.CharField(
        _("status"), max_length=16, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    quota = money_field(_("quota"))
    attained = money_field(_("attained"))
    attainment_percent = models.DecimalField(_("attainment (%)"), max_digits=7, decimal_places=2, default=0)
    total = money_field(_("commission"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["-period_start", "user", "id"]
        indexes = [
            models.Index(fields=["period_kind", "period_start", "status"], name="statement_period_status"),
            models.Index(fields=["user", "-period_start"], name="statement_user_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "plan", "period_kind", "period_start"], name="statement_once_per_period"
            ),
            models.CheckConstraint(
                name="statement_approved_has_approver",
                condition=~models.Q(status__in=["approved", "paid"]) | models.Q(approved_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.period_start:%Y-%m}"

    def clean(self) -> None:
        super().clean()
        validate_period_start(self.period_kind, self.period_start)
        if self.approved_by_id and self.approved_by_id == self.user_id:
            raise ValidationError({"approved_by": _("A statement is approved by someone other than its rep.")})


class CommissionStatementLine(models.Model):
    """One sales order's (and product line's) contribution at one multiplier: commission = base × rate × multiplier.

    An order line that crosses a tier threshold is split in two lines, one per multiplier (the marginal
    accelerator: see `sales/commission_calculation.py`)."""

    statement = models.ForeignKey(
        CommissionStatement, models.CASCADE, related_name="lines", verbose_name=_("commission statement")
    )
    sales_order = models.ForeignKey(
        "sales.SalesOrder", models.PROTECT, related_name="commission_lines", verbose_name=_("sales order")
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product line")
    )
    base = money_field(_("base"))
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=2)
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2, default=1)
    commission = money_field(_("commission"), signed=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy

    class Meta:
        verbose_name = _("commission statement line")
        verbose_name_plural = _("commission statement lines")
        ordering = ["statement", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "sales_order", "product_line", "multiplier"],
                name="statement_line_once_per_order_line_tier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement} · {self.sales_order}"
