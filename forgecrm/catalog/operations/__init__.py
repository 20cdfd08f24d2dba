"""Every write to the catalog. Each operation checks that the actor may edit the catalog
(administrators and sales managers), runs in one transaction and keeps search and the outbox in step."""

from .options import (
    create_option,
    create_option_group,
    create_option_rule,
    delete_option,
    delete_option_group,
    delete_option_rule,
    update_option,
    update_option_group,
    update_option_rule,
)
from .price_lists import (
    create_price_list,
    create_price_list_item,
    create_price_tier,
    delete_price_list_item,
    delete_price_tier,
    update_price_list,
    update_price_list_item,
    update_price_tier,
)
from .products import (
    create_partner_product_number,
    create_product,
    create_product_line,
    delete_partner_product_number,
    update_partner_product_number,
    update_product,
    update_product_line,
)

__all__ = [
    "create_option",
    "create_option_group",
    "create_option_rule",
    "create_partner_product_number",
    "create_price_list",
    "create_price_list_item",
    "create_price_tier",
    "create_product",
    "create_product_line",
    "delete_option",
    "delete_option_group",
    "delete_option_rule",
    "delete_partner_product_number",
    "delete_price_list_item",
    "delete_price_tier",
    "update_option",
    "update_option_group",
    "update_option_rule",
    "update_partner_product_number",
    "update_price_list",
    "update_price_list_item",
    "update_price_tier",
    "update_product",
    "update_product_line",
]
