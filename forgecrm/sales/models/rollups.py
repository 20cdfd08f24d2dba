"""Pre-aggregated pipeline figures for the sales dashboard (the reports read the live rows).

One row per (owner, stage, product line, month, currency): how many deals and their amounts. The month is the
closing month: for a won or lost deal the local (Asia/Seoul) month of `closed_at`, for an open deal the month
of its expected `close_date`. `weighted_basis` is Σ amount × probability (divide by 100 for the weighted
amount), kept undivided so that a rollup sum equals the live sum to the won. Rebuilt per owner by
`operations.reports.refresh_sales_rollups` (incremental every few minutes, in full nightly: Celery beat).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesRollup(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("owner"))
    stage = models.ForeignKey("sales.Stage", models.CASCADE, related_name="+", verbose_name=_("stage"))
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("product line")
    )
    month = models.DateField(_("month"))
    currency = models.CharField(_("currency"), max_length=3)
    is_closed = models.BooleanField(_("closed"), default=False)
    count = models.PositiveIntegerField(_("count"), default=0)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2, default=0)
    weighted_basis = models.DecimalField(_("amount × probability"), max_digits=24, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("sales rollup")
        verbose_name_plural = _("sales rollups")
        indexes = [
            models.Index(fields=["owner", "is_closed", "month"], name="sales_rollup_owner_month"),
            models.Index(fields=["is_closed", "month"], name="sales_rollup_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "stage", "product_line", "month", "currency"],
                condition=models.Q(product_line__isnull=False),
                name="sales_rollup_once_with_line",
            ),
            models.UniqueConstraint(
                fields=["owner", "stage", "month", "currency"],
                condition=models.Q(product_line__isnull=True),
                name="sales_rollup_once_without_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} · {self.stage_id} · {self.month:%Y-%m} · {self.currency}"


class SalesRollupState(models.Model):
    """The one row saying when the rollups were last brought up to date (the incremental refresh's mark)."""

    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    full_refreshed_at = models.DateTimeField(_("fully rebuilt at"), null=True, blank=True)
    owners_refreshed = models.PositiveIntegerField(_("owners refreshed last time"), default=0)

    class Meta:
        verbose_name = _("sales rollup state")
        verbose_name_plural = _("sales rollup state")

    def __str__(self) -> str:
        return f"rollups at {self.refreshed_at}"
