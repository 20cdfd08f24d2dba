"""Who sees and manages webhooks: administrators only (they configure integrations; PRODUCT.md "Who uses it").

Everyone else sees no endpoint and no delivery (pages and API answer 403 before any lookup, so an id says
nothing), including partner and customer users.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from forgecrm.platform.access import Principal, principal_for, register_scope
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.models import Role

from .models import WebhookDelivery, WebhookEndpoint


def _is_administrator(principal: Principal) -> bool:
    return principal.is_active and principal.is_internal and principal.role == Role.ADMIN


@register_scope(WebhookEndpoint)
def webhook_endpoint_scope(principal: Principal) -> Q:
    return Q() if _is_administrator(principal) else NOTHING


@register_scope(WebhookDelivery)
def webhook_delivery_scope(principal: Principal) -> Q:
    return Q() if _is_administrator(principal) else NOTHING


@rules.predicate
def can_manage_webhooks(user) -> bool:
    return _is_administrator(principal_for(user))


rules.set_rule("integrations.manage_webhooks", can_manage_webhooks)


def ensure_can_manage_webhooks(actor) -> None:
    """Operations call this first."""
    if not can_manage_webhooks(actor):
        raise PermissionDenied(_("Only administrators manage webhooks."))
