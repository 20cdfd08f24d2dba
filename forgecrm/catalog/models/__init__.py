from .options import Option, OptionGroup, OptionRule, RuleKind
from .price_lists import Assignment, PriceList, PriceListItem, PriceTier
from .products import (
    LifecycleStatus,
    PartnerProductNumber,
    Product,
    ProductLine,
    Unit,
    money_of,
    sanitize_description,
    validate_specs,
)

__all__ = [
    "Assignment",
    "LifecycleStatus",
    "Option",
    "OptionGroup",
    "OptionRule",
    "PartnerProductNumber",
    "PriceList",
    "PriceListItem",
    "PriceTier",
    "Product",
    "ProductLine",
    "RuleKind",
    "Unit",
    "money_of",
    "sanitize_description",
    "validate_specs",
]
