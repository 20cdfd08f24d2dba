from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .amounts import money_field


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed")
    OMITTED = "omitted", _("Omitted")


class Stage(BusinessModel):
    """A step of the pipeline with its default probability and forecast category; won and lost close a deal."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    default_probability = models.PositiveSmallIntegerField(_("default probability (%)"), default=0)
    default_forecast_category = models.CharField(
        _("default forecast category"),
        max_length=16,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(name="stage_not_won_and_lost", condition=~models.Q(is_won=True, is_lost=True)),
            models.CheckConstraint(name="stage_probability_0_100", condition=models.Q(default_probability__lte=100)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class StageProbability(BusinessModel):
    """A product line's own default probability for a stage (a chiller deal at "proposal" is not a fan's)."""

    stage = models.ForeignKey(Stage, models.CASCADE, related_name="probabilities", verbose_name=_("stage"))
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.CASCADE, related_name="stage_probabilities", verbose_name=_("product line")
    )
    probability = models.PositiveSmallIntegerField(_("probability (%)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stage probability")
        verbose_name_plural = _("stage probabilities")
        constraints = [
            models.UniqueConstraint(fields=["stage", "product_line"], name="stage_probability_once"),
            models.CheckConstraint(name="stage_probability_override_0_100", condition=models.Q(probability__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.product_line}: {self.probability} %"


class WinLossReason(models.TextChoices):
    PRICE = "price", _("Price")
    PRODUCT_FIT = "product_fit", _("Product fit")
    RELATIONSHIP = "relationship", _("Relationship")
    DELIVERY = "delivery", _("Delivery time")
    SERVICE = "service", _("Service and support")
    COMPETITOR = "competitor", _("Competitor")
    NO_DECISION = "no_decision", _("No decision")
    BUDGET = "budget", _("Budget")
    TIMING = "timing", _("Timing")
    OTHER = "other", _("Other")


class Opportunity(BusinessModel):
    """A qualified deal being worked: an account, an amount, a stage and a close date."""

    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="opportunities", verbose_name=_("account")
    )
    primary_contact = models.ForeignKey(
        "customers.Contact",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("primary contact"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_opportunities", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        "platform.Team", models.SET_NULL, null=True, blank=True, related_name="opportunities", verbose_name=_("team")
    )
    territory = models.ForeignKey(
        "platform.Territory",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("territory"),
    )
    # The partner working (or registered for) the deal; its users see it, its quotes and its orders.
    partner = models.ForeignKey(
        "customers.Account",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_opportunities",
        limit_choices_to={"kind": "partner"},
        verbose_name=_("partner"),
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("product line"),
    )
    stage = models.ForeignKey(Stage, models.PROTECT, related_name="opportunities", verbose_name=_("stage"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    amount = money_field(_("amount"))
    forecast_category = models.CharField(
        _("forecast category"), max_length=16, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    close_date = models.DateField(_("close date"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source_lead = models.ForeignKey(
        "sales.Lead",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name=_("source lead"),
    )
    win_loss_reason = models.CharField(_("win/loss reason"), max_length=16, choices=WinLossReason.choices, blank=True)
    win_loss_note = models.TextField(_("win/loss note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    source = models.CharField(_("source"), max_length=32, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            # the kanban (column per stage, by close date), the owner's list, the subtree's forecast by period
            models.Index(fields=["stage", "close_date", "id"], name="opp_stage_close"),
            models.Index(fields=["owner", "close_date", "id"], name="opp_owner_close"),
            models.Index(fields=["owner", "stage"], name="opp_owner_stage"),
            models.Index(fields=["close_date", "id"], name="opp_close"),
            models.Index(fields=["account", "-close_date"], name="opp_account_close"),
            models.Index(fields=["-updated_at", "-id"], name="opp_updated"),
            models.Index(fields=["next_step_date"], name="opp_next_step_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~models.Q(external_id=""), name="opp_source_external_id"
            ),
            models.CheckConstraint(name="opp_probability_0_100", condition=models.Q(probability__lte=100)),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityLine(BusinessModel):
    """A catalog product on an opportunity, priced from a price list: amount = qty × unit price × (1 − discount)."""

    opportunity = models.ForeignKey(Opportunity, models.CASCADE, related_name="lines", verbose_name=_("opportunity"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product = models.ForeignKey("catalog.Product", models.PROTECT, related_name="+", verbose_name=_("product"))
    selected_options = models.ManyToManyField(
        "catalog.Option", blank=True, related_name="+", verbose_name=_("selected options")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    price_list = models.ForeignKey(
        "catalog.PriceList", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("price list")
    )
    unit_price = money_field(_("unit price"))
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=6, decimal_places=2, default=0)
    amount = money_field(_("amount"))

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")
        ordering = ["opportunity", "position", "id"]
        constraints = [
            models.CheckConstraint(name="opp_line_quantity_positive", condition=models.Q(quantity__gte=1)),
            models.CheckConstraint(
                name="opp_line_discount_0_100", condition=models.Q(discount_percent__gte=0, discount_percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.product}"


class OpportunityCompetitor(BusinessModel):
    """Who else is bidding (internal only: never shown to partners)."""

    opportunity = models.ForeignKey(
        Opportunity, models.CASCADE, related_name="competitors", verbose_name=_("opportunity")
    )
    competitor = models.ForeignKey(
        "customers.Account",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="competing_in",
        limit_choices_to={"kind": "competitor"},
        verbose_name=_("competitor"),
    )
    competitor_name = models.CharField(_("competitor name"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    won_by = models.BooleanField(_("won the deal"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["opportunity", "id"]
        constraints = [
            models.CheckConstraint(
                name="opp_competitor_named",
                condition=models.Q(competitor__isnull=False) | ~models.Q(competitor_name=""),
            ),
            models.UniqueConstraint(
                fields=["opportunity"], condition=models.Q(won_by=True), name="opp_competitor_one_winner"
            ),
        ]

    def __str__(self) -> str:
        return self.competitor_name or str(self.competitor)


class StageHistory(models.Model):
    """One stay of an opportunity in a stage; the open row (no `left_at`) is the current stage."""

    opportunity = models.ForeignKey(
        Opportunity, models.CASCADE, related_name="stage_history", verbose_name=_("opportunity")
    )
    stage = models.ForeignKey(Stage, models.PROTECT, related_name="+", verbose_name=_("stage"))
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    seconds_in_stage = models.PositiveBigIntegerField(_("seconds in stage"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    amount = money_field(_("amount"))
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)

    objects = models.Manager()  # djmoney wraps it; declared for mypy

    class Meta:
        verbose_name = _("stage history")
        verbose_name_plural = _("stage history")
        ordering = ["opportunity", "entered_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "entered_at"], name="stage_history_opp_entered"),
            models.Index(fields=["stage", "entered_at"], name="stage_history_stage_entered"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity"], condition=models.Q(left_at__isnull=True), name="stage_history_one_open"
            ),
            models.CheckConstraint(
                name="stage_history_left_after_entered",
                condition=models.Q(left_at__isnull=True) | models.Q(left_at__gte=models.F("entered_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} · {self.stage}"
