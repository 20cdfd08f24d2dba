"""Scopes of the identity records the API exposes read-only."""

from django.db.models import Q

from .access import Principal, register_scope
from .access.registry import NOTHING
from .models import Job, Team, Territory, User


@register_scope(User)
def user_scope(principal: Principal) -> Q:
    if principal.is_internal:
        return Q()
    if principal.is_partner:
        return Q(organization_id__in=principal.organization_ids)
    return Q(pk=principal.user_id)


@register_scope(Team)
def team_scope(principal: Principal) -> Q:
    return Q() if principal.is_internal else NOTHING


@register_scope(Territory)
def territory_scope(principal: Principal) -> Q:
    return Q() if principal.is_internal else NOTHING


@register_scope(Job)
def job_scope(principal: Principal) -> Q:
    return Q(created_by_id=principal.user_id)
