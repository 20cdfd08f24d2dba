from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .products import Product, money_of


class OptionGroup(BusinessModel):
    """A choice to make when configuring a product (설치 키트, 배관 길이…), with how many options to pick."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="option_groups", verbose_name=_("product"))
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    min_selections = models.PositiveSmallIntegerField(_("minimum selections"), default=0)
    max_selections = models.PositiveSmallIntegerField(
        _("maximum selections"), null=True, blank=True, help_text=_("Empty means no upper limit.")
    )
    required = models.BooleanField(_("required"), default=False, help_text=_("At least one option must be chosen."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="option_group_name_per_product"),
            models.CheckConstraint(
                name="option_group_max_not_below_min",
                condition=models.Q(max_selections__isnull=True)
                | models.Q(max_selections__gte=models.F("min_selections")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_min(self) -> int:
        return max(self.min_selections, 1 if self.required else 0)

    def clean(self) -> None:
        super().clean()
        if self.max_selections is not None:
            if self.max_selections < self.min_selections:
                message = _("The maximum cannot be lower than the minimum (%(min)s).")
                raise ValidationError({"max_selections": ValidationError(message, params={"min": self.min_selections})})
            if self.required and self.max_selections == 0:
                raise ValidationError({"max_selections": _("A required group must allow at least one option.")})


class Option(BusinessModel):
    """One choice inside a group, with its own SKU and what it adds to (or takes off) the list price."""

    group = models.ForeignKey(OptionGroup, models.CASCADE, related_name="options", verbose_name=_("option group"))
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    price_delta = MoneyField(
        _("price difference"),
        max_digits=18,
        decimal_places=0,
        default=0,
        default_currency="KRW",
        currency_choices=[("KRW", "KRW")],
        help_text=_("Added to the list price when chosen; negative for a reduction."),
    )
    is_default = models.BooleanField(_("chosen by default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects: ClassVar[models.Manager["Option"]] = models.Manager()  # djmoney wraps it; declared for type checkers
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["group", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "sku"], name="option_sku_per_group")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.price_delta is not None and money_of(self.price_delta).currency.code != "KRW":
            raise ValidationError({"price_delta": _("Option prices are differences in KRW against the list price.")})


class RuleKind(models.TextChoices):
    REQUIRES = "requires", _("requires")
    EXCLUDES = "excludes", _("excludes")


class OptionRule(BusinessModel):
    """When `option` is chosen (or always, when it is empty) the configuration of `product`
    requires or excludes `target_option` (of the same product) or `target_product` (in the same quote)."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="option_rules", verbose_name=_("product"))
    option = models.ForeignKey(
        Option,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("when option"),
        help_text=_("Empty: the rule applies to the product itself."),
    )
    kind = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices)
    target_option = models.ForeignKey(
        Option, models.CASCADE, null=True, blank=True, related_name="targeted_by", verbose_name=_("target option")
    )
    target_product = models.ForeignKey(
        Product,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="targeted_by_rules",
        verbose_name=_("target product"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("option rule")
        verbose_name_plural = _("option rules")
        ordering = ["product", "id"]
        constraints = [
            models.CheckConstraint(
                name="option_rule_one_target",
                condition=models.Q(target_option__isnull=False, target_product__isnull=True)
                | models.Q(target_option__isnull=True, target_product__isnull=False),
            )
        ]

    def __str__(self) -> str:
        source = self.option.name if self.option is not None else self.product.name
        target = self.target_option or self.target_product
        return f"{source} {self.get_kind_display()} {target.name if target is not None else ''}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if bool(self.target_option_id) == bool(self.target_product_id):
            errors["target_option"] = _("Choose either a target option or a target product.")
        if self.option is not None and self.product_id and self.option.group.product_id != self.product_id:
            errors["option"] = _("The option must belong to this product.")
        target = self.target_option
        if target is not None and self.product_id and target.group.product_id != self.product_id:
            errors["target_option"] = _("The target option must belong to this product.")
        if self.target_option_id and self.target_option_id == self.option_id:
            errors["target_option"] = _("An option cannot require or exclude itself.")
        if self.target_product_id and self.target_product_id == self.product_id:
            errors["target_product"] = _("A product cannot require or exclude itself.")
        if not self.option_id and self.target_option_id:
            errors["option"] = _("A rule on one of the product's own options needs the option that triggers it.")
        if errors:
            raise ValidationError(errors)
