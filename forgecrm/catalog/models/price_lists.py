import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from djmoney.models.validators import MinMoneyValidator
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .products import Product, money_of

# Currencies without a minor unit: a price in them is a whole number.
WHOLE_UNIT_CURRENCIES = frozenset({"KRW", "JPY"})


def currency_amount(value: Any) -> Decimal:
    """The amount with its currency's minor unit: 7200000 for KRW (no minor unit), 6100.50 for USD."""
    money = money_of(value)
    places = 0 if money.currency.code in WHOLE_UNIT_CURRENCIES else 2
    return money.amount.quantize(Decimal(1).scaleb(-places))


def partner_tier_choices() -> list[tuple[str, str]]:
    """The tiers customers defines on Account (catalog and customers are siblings: no import, a lookup)."""
    return list(apps.get_model("customers", "Account")._meta.get_field("tier").choices or [])  # type: ignore[arg-type]  # flat choices


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.CURRENCIES]


class Assignment(models.TextChoices):
    PARTNER = "partner", _("Partner")
    TIER = "tier", _("Partner tier")
    SEGMENT = "segment", _("Customer segment")
    DEFAULT = "default", _("Default")


class PriceList(BusinessModel):
    """Prices in one currency for a validity period, assigned to one partner, one partner tier,
    one customer segment, or to everybody (the default list)."""

    name = models.CharField(_("name"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3, default="KRW", choices=currency_choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty means open-ended."))
    partner = models.ForeignKey(
        "customers.Account",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        limit_choices_to={"kind": "partner"},
        verbose_name=_("partner"),
    )
    partner_tier = models.CharField(_("partner tier"), max_length=16, choices=partner_tier_choices, blank=True)
    segment = models.CharField(_("customer segment"), max_length=64, blank=True)
    is_default = models.BooleanField(_("default list"), default=False)
    description = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["partner", "valid_from"]),
            models.Index(fields=["partner_tier", "valid_from"]),
            models.Index(fields=["is_default", "valid_from"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="price_list_valid_to_after_from",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            ),
            # Exactly one assignment: a partner, a tier, a segment, or the default.
            models.CheckConstraint(
                name="price_list_one_assignment",
                condition=(
                    models.Q(partner__isnull=False, partner_tier="", segment="", is_default=False)
                    | models.Q(partner__isnull=True, segment="", is_default=False) & ~models.Q(partner_tier="")
                    | models.Q(partner__isnull=True, partner_tier="", is_default=False) & ~models.Q(segment="")
                    | models.Q(partner__isnull=True, partner_tier="", segment="", is_default=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def assignment(self) -> str:
        if self.partner_id:
            return Assignment.PARTNER
        if self.partner_tier:
            return Assignment.TIER
        if self.segment:
            return Assignment.SEGMENT
        return Assignment.DEFAULT

    @property
    def assignment_label(self) -> str:
        if self.partner_id:
            return str(self.partner)
        if self.partner_tier:
            return str(self.get_partner_tier_display())
        if self.segment:
            return self.segment
        return str(_("Everybody"))

    @property
    def assignment_display(self) -> str:
        return str(Assignment(self.assignment).label)

    @property
    def is_current(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def clean(self) -> None:
        super().clean()
        chosen = [bool(self.partner_id), bool(self.partner_tier), bool(self.segment), self.is_default]
        if sum(chosen) != 1:
            raise ValidationError(
                _(
                    "Assign the price list to exactly one of: a partner, a partner tier, a customer segment, or everybody."
                )
            )
        if self.partner is not None and self.partner.kind != "partner":
            raise ValidationError({"partner": _("A partner price list needs a partner account.")})
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})


def validate_price_currency(amount: Decimal, currency: str, field: str) -> None:
    if currency in WHOLE_UNIT_CURRENCIES and amount != amount.to_integral_value():
        raise ValidationError(
            {
                field: ValidationError(
                    _("%(currency)s has no minor unit: enter a whole amount."), params={"currency": currency}
                )
            }
        )


class PriceListItem(BusinessModel):
    """A product's unit price in one price list (in the list's currency), for quantities below its first tier."""

    price_list = models.ForeignKey(PriceList, models.CASCADE, related_name="items", verbose_name=_("price list"))
    product = models.ForeignKey(Product, models.CASCADE, related_name="price_list_items", verbose_name=_("product"))
    unit_price = MoneyField(
        _("unit price"), max_digits=18, decimal_places=2, default_currency="KRW", validators=[MinMoneyValidator(0)]
    )

    objects: ClassVar[models.Manager["PriceListItem"]] = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["price_list", "product__sku"]
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_once")]

    def __str__(self) -> str:
        return f"{self.price_list} · {self.product.sku}"

    def clean(self) -> None:
        super().clean()
        if self.price_list_id and self.unit_price is not None:
            price = money_of(self.unit_price)
            if price.currency.code != self.price_list.currency:
                message = _("The price must be in the list's currency (%(currency)s).")
                raise ValidationError(
                    {"unit_price": ValidationError(message, params={"currency": self.price_list.currency})}
                )
            validate_price_currency(price.amount, self.price_list.currency, "unit_price")


class PriceTier(BusinessModel):
    """A volume break: from `min_quantity` units on, each unit costs `unit_price`."""

    item = models.ForeignKey(PriceListItem, models.CASCADE, related_name="tiers", verbose_name=_("price list item"))
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    unit_price = MoneyField(
        _("unit price"), max_digits=18, decimal_places=2, default_currency="KRW", validators=[MinMoneyValidator(0)]
    )

    objects: ClassVar[models.Manager["PriceTier"]] = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volume tier")
        verbose_name_plural = _("volume tiers")
        ordering = ["item", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["item", "min_quantity"], name="price_tier_quantity_once"),
            models.CheckConstraint(name="price_tier_from_two", condition=models.Q(min_quantity__gte=2)),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_quantity}"

    def clean(self) -> None:
        super().clean()
        if self.min_quantity is not None and self.min_quantity < 2:
            raise ValidationError(
                {"min_quantity": _("A volume tier starts at 2 units or more; the item price covers 1.")}
            )
        if self.item_id and self.unit_price is not None:
            currency = self.item.price_list.currency
            price = money_of(self.unit_price)
            if price.currency.code != currency:
                message = _("The price must be in the list's currency (%(currency)s).")
                raise ValidationError({"unit_price": ValidationError(message, params={"currency": currency})})
            validate_price_currency(price.amount, currency, "unit_price")
