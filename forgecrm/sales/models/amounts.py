"""Money and percentage columns as the sales records use them, the catalog's way (djmoney, KRW default)."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from djmoney.models.validators import MinMoneyValidator

from forgecrm.catalog.models import money_of

HUNDRED = Decimal(100)


def currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.CURRENCIES]


def currency_field(**kwargs: Any) -> models.CharField:
    return models.CharField(_("currency"), max_length=3, default="KRW", choices=currency_choices, **kwargs)


def money_field(verbose_name: Any, *, null: bool = False, signed: bool = False, **kwargs: Any) -> MoneyField:
    """An amount with its currency column (`<name>_currency`); 18 digits hold any KRW figure we meet."""
    validators = [] if signed else [MinMoneyValidator(0)]
    extra: dict[str, Any] = {"null": True, "blank": True} if null else {"default": 0}
    return MoneyField(
        verbose_name,
        max_digits=18,
        decimal_places=2,
        default_currency="KRW",
        validators=validators,
        **extra,
        **kwargs,
    )


def percent_field(verbose_name: Any, *, default: Any = Decimal(0), maximum: int = 100, **kwargs: Any):
    """A percentage 0..maximum with two decimals (12.50 means 12.5 %)."""
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=2,
        default=default,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(maximum))],
        **kwargs,
    )


def percent_between(field: str, name: str, maximum: int = 100) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=name, condition=models.Q(**{f"{field}__gte": 0}) & models.Q(**{f"{field}__lte": maximum})
    )


def same_currency(fields: list[str], name: str, currency_field_name: str = "currency") -> models.CheckConstraint:
    """Every amount of a document is in the document's currency (the DB keeps djmoney's currency columns honest)."""
    condition = models.Q()
    for field in fields:
        condition &= models.Q(**{f"{field}_currency": models.F(currency_field_name)})
    return models.CheckConstraint(name=name, condition=condition)


def check_amount_currencies(instance: models.Model, fields: list[str], currency: str) -> None:
    """Field errors for amounts in another currency than the document's (for `clean()`)."""
    errors = {}
    for field in fields:
        value = getattr(instance, field, None)
        if value is not None and money_of(value).currency.code != currency:
            errors[field] = ValidationError(
                _("The amount must be in the document's currency (%(currency)s)."), params={"currency": currency}
            )
    if errors:
        raise ValidationError(errors)
