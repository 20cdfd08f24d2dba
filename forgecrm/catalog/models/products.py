from typing import Any, ClassVar, cast

import nh3
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField
from djmoney.models.validators import MinMoneyValidator
from djmoney.money import Money
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

# What a product description may contain: formatting, lists, tables and links; never scripts, styles,
# event handlers or frames (a description is shown to partners and customers).
DESCRIPTION_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li", "h3", "h4", "h5", "blockquote"}
    | {"table", "thead", "tbody", "tr", "th", "td", "caption", "a", "img", "hr", "span", "code", "pre"}
)
DESCRIPTION_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "th": {"scope"}}


def money_of(value: Any) -> Money:
    """A MoneyField's value as Money (django-stubs sees a MoneyField as a plain DecimalField)."""
    return cast(Money, value)


def sanitize_description(html: str) -> str:
    """Rich text from an editor, reduced to the tags a product page may show (nh3, html5ever based)."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(DESCRIPTION_TAGS),
        attributes={tag: set(names) for tag, names in DESCRIPTION_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def validate_specs(value: Any) -> None:
    """Specs are an ordered list of {"key", "value"} pairs (a list, because jsonb does not keep key order)."""
    if not isinstance(value, list):
        raise ValidationError(_("Specifications must be a list of key/value pairs."), code="specs_shape")
    seen: set[str] = set()
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"key", "value"}:
            raise ValidationError(
                _("Specification %(n)s must have exactly a key and a value."),
                code="specs_shape",
                params={"n": position},
            )
        key, val = entry["key"], entry["value"]
        if not isinstance(key, str) or not key.strip() or len(key) > 80:
            raise ValidationError(
                _("Specification %(n)s needs a name of 1 to 80 characters."), code="specs_key", params={"n": position}
            )
        if not isinstance(val, (str, int, float)) or isinstance(val, bool) or len(str(val)) > 200:
            raise ValidationError(
                _("The value of “%(key)s” must be text or a number of at most 200 characters."),
                code="specs_value",
                params={"key": key},
            )
        if key.strip().casefold() in seen:
            raise ValidationError(
                _("The specification “%(key)s” appears twice."), code="specs_duplicate", params={"key": key}
            )
        seen.add(key.strip().casefold())


class Unit(models.TextChoices):
    EACH = "EA", _("Each (EA)")
    SET = "SET", _("Set (SET)")
    METRE = "M", _("Metre (M)")
    KILOGRAM = "KG", _("Kilogram (KG)")
    LITRE = "L", _("Litre (L)")
    BOX = "BOX", _("Box (BOX)")
    ROLL = "ROLL", _("Roll (ROLL)")
    HOUR = "HR", _("Hour (HR)")


class LifecycleStatus(models.TextChoices):
    # "Planned" and "Active" mean other things elsewhere (activity status, active records): own context.
    PLANNED = "planned", pgettext_lazy("product lifecycle", "Planned")
    ACTIVE = "active", pgettext_lazy("product lifecycle", "Active")
    PHASE_OUT = "phase_out", _("Phase-out")
    DISCONTINUED = "discontinued", _("Discontinued")


class ProductLine(BusinessModel):
    """A family of products the manufacturer makes (시스템 에어컨, 공기청정기…)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Product(BusinessModel):
    """What the manufacturer sells, by SKU. `standard_cost` is internal: it never leaves for partners or customers."""

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    product_line = models.ForeignKey(
        ProductLine, models.PROTECT, related_name="products", verbose_name=_("product line")
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.EACH)
    status = models.CharField(
        _("lifecycle status"), max_length=16, choices=LifecycleStatus.choices, default=LifecycleStatus.PLANNED
    )
    specs = models.JSONField(_("specifications"), default=list, blank=True, validators=[validate_specs])
    description = models.TextField(_("description"), blank=True)
    list_price = MoneyField(
        _("list price"),
        max_digits=18,
        decimal_places=0,
        default_currency="KRW",
        currency_choices=[("KRW", "KRW")],
        validators=[MinMoneyValidator(0)],
    )
    standard_cost = MoneyField(
        _("standard cost"),
        max_digits=18,
        decimal_places=0,
        default_currency="KRW",
        currency_choices=[("KRW", "KRW")],
        null=True,
        blank=True,
        validators=[MinMoneyValidator(0)],
        help_text=_("Internal only: never shown to partners or customers."),
    )
    source = models.CharField(_("source"), max_length=32, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    # Declared so type checkers know it: djmoney wraps the default manager of models with money fields.
    objects: ClassVar[models.Manager["Product"]] = models.Manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["product_line", "sku"]),
            models.Index(fields=["status", "sku"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="product_source_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        for name in ("list_price", "standard_cost"):
            money = money_of(getattr(self, name))
            if money is not None and money.currency.code != "KRW":
                errors[name] = _("Product prices and costs are in KRW.")
            elif money is not None and money.amount != money.amount.to_integral_value():
                errors[name] = _("KRW has no minor unit: enter a whole amount.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        # Sanitised on every save, whoever writes (operations, admin, import), so stored HTML is always safe.
        self.description = sanitize_description(self.description)
        super().save(*args, **kwargs)

    @property
    def description_html(self) -> str:
        """The description cleaned again as it is shown (a bulk `update()` skips `save`)."""
        return mark_safe(sanitize_description(self.description))  # nosec B308, B703  # the description is sanitised by nh3 on this line

    @property
    def is_sellable(self) -> bool:
        return self.status in {LifecycleStatus.ACTIVE, LifecycleStatus.PHASE_OUT}


class PartnerProductNumber(BusinessModel):
    """A partner's own number and name for one of our products (what appears on its purchase orders)."""

    partner = models.ForeignKey(
        "customers.Account",
        models.CASCADE,
        related_name="partner_product_numbers",
        limit_choices_to={"kind": "partner"},
        verbose_name=_("partner"),
    )
    product = models.ForeignKey(Product, models.CASCADE, related_name="partner_numbers", verbose_name=_("product"))
    partner_sku = models.CharField(_("partner SKU"), max_length=60)
    partner_name = models.CharField(_("partner product name"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner product number")
        verbose_name_plural = _("partner product numbers")
        ordering = ["partner_sku"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "product"], name="partner_product_number_once"),
            models.UniqueConstraint(fields=["partner", "partner_sku"], name="partner_sku_unique_per_partner"),
        ]

    def __str__(self) -> str:
        return self.partner_sku

    def clean(self) -> None:
        super().clean()
        if self.partner_id is not None and self.partner.kind != "partner":  # no partner: the form says "required"
            raise ValidationError({"partner": _("Partner product numbers belong to partner accounts only.")})
