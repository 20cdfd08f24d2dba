"""Periods, quotas and forecasts. A period is a kind (month, quarter, year) and its first day; the Korean
fiscal year is the calendar year, so quarters start in January, April, July and October."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .amounts import money_field


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def period_start_for(kind: str, day: dt.date) -> dt.date:
    """The first day of the period of `kind` that contains `day`."""
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    if kind == PeriodKind.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if kind == PeriodKind.YEAR:
        return dt.date(day.year, 1, 1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_end(kind: str, start: dt.date) -> dt.date:
    """The first day after the period (exclusive bound: `start <= day < end`)."""
    months = start.month - 1 + _MONTHS[PeriodKind(kind)]
    return dt.date(start.year + months // 12, months % 12 + 1, 1)


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, first day after) of the period of `kind` containing `day`."""
    start = period_start_for(kind, day)
    return start, period_end(kind, start)


def periods_in(kind: str, outer_kind: str, outer_start: dt.date) -> list[dt.date]:
    """The starts of the `kind` periods inside one `outer_kind` period (the months of a quarter, ...)."""
    end, starts, current = period_end(outer_kind, outer_start), [], outer_start
    while current < end:
        starts.append(current)
        current = period_end(kind, current)
    return starts


def validate_period_start(kind: str, start: dt.date | None, field: str = "period_start") -> None:
    if start is not None and kind in PeriodKind.values and period_start_for(kind, start) != start:
        raise ValidationError({field: _("A period starts on its first day (a month's 1st, a quarter's first month).")})


class Quota(BusinessModel):
    """The target for one rep, team or territory in one period, optionally for one product line."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="quotas", verbose_name=_("rep")
    )
    team = models.ForeignKey(
        "platform.Team", models.CASCADE, null=True, blank=True, related_name="quotas", verbose_name=_("team")
    )
    territory = models.ForeignKey(
        "platform.Territory",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="quotas",
        verbose_name=_("territory"),
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    amount = money_field(_("amount"))
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="quotas",
        verbose_name=_("product line"),
    )

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["-period_start", "id"]
        indexes = [
            models.Index(fields=["period_kind", "period_start"], name="quota_period"),
            models.Index(fields=["user", "period_kind", "period_start"], name="quota_user_period"),
        ]
        constraints = [
            models.CheckConstraint(
                name="quota_exactly_one_target",
                condition=models.Q(user__isnull=False, team__isnull=True, territory__isnull=True)
                | models.Q(user__isnull=True, team__isnull=False, territory__isnull=True)
                | models.Q(user__isnull=True, team__isnull=True, territory__isnull=False),
            ),
            # One quota per target, period and product line (and one without a product line): nulls are
            # distinct in a plain unique constraint, so each case has its own partial one.
            *[
                models.UniqueConstraint(
                    fields=[target, "period_kind", "period_start", *(["product_line"] if with_line else [])],
                    condition=models.Q(**{f"{target}__isnull": False, "product_line__isnull": not with_line}),
                    name=f"quota_{target}_period{'_line' if with_line else ''}_once",
                )
                for target in ("user", "team", "territory")
                for with_line in (False, True)
            ],
        ]

    def __str__(self) -> str:
        target = self.user or self.team or self.territory
        return f"{target} · {self.period_start:%Y-%m} ({self.get_period_kind_display()})"

    @property
    def period_end(self) -> dt.date:
        return period_end(self.period_kind, self.period_start)

    def clean(self) -> None:
        super().clean()
        if sum(1 for target in (self.user_id, self.team_id, self.territory_id) if target) != 1:
            raise ValidationError(_("A quota is for exactly one of: a rep, a team or a territory."))
        validate_period_start(self.period_kind, self.period_start)


class ForecastStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class ForecastSubmission(BusinessModel):
    """A rep's forecast for one period: their own numbers per category, as submitted (managers adjust apart)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="forecast_submissions", verbose_name=_("owner")
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    pipeline = money_field(_("pipeline"))
    best_case = money_field(_("best case"))
    commit = money_field(_("commit"))
    closed = money_field(_("closed"))
    status = models.CharField(_("status"), max_length=16, choices=ForecastStatus.choices, default=ForecastStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forecast submission")
        verbose_name_plural = _("forecast submissions")
        ordering = ["-period_start", "owner", "id"]
        indexes = [models.Index(fields=["period_kind", "period_start", "status"], name="forecast_period_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "period_kind", "period_start"], name="forecast_submission_once_per_period"
            ),
            models.CheckConstraint(
                name="forecast_submitted_has_time",
                condition=~models.Q(status="submitted") | models.Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.period_start:%Y-%m} ({self.get_period_kind_display()})"

    def clean(self) -> None:
        super().clean()
        validate_period_start(self.period_kind, self.period_start)


class ForecastAdjustment(BusinessModel):
    """A manager's own view of a rep's submission: kept beside the rep's numbers, never over them."""

    submission = models.ForeignKey(
        ForecastSubmission, models.CASCADE, related_name="adjustments", verbose_name=_("forecast submission")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="forecast_adjustments", verbose_name=_("manager")
    )
    best_case = money_field(_("adjusted best case"))
    commit = money_field(_("adjusted commit"))
    note = models.TextField(_("note"), blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        ordering = ["submission", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "manager"], name="forecast_adjustment_once_per_manager")
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.manager}"
