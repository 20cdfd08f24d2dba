"""Who sees which activities and attachments, and who may change them.

Internal users see an activity when they see its owner (themselves, their subtree, record-sharing teammates),
when it is shared with a team they are in, or when they see the account or the contact it regards.
Partner users see activities on accounts in their scope that their own organisation logged, plus those
headquarters explicitly flagged `visible_to_partner`: an internal note never reaches a partner by default.
Customer portal users see none.
"""

import rules
from django.db.models import Q, Subquery

from forgecrm.customers.policies import account_scope
from forgecrm.platform.access import Principal, prefixed, principal_for, register_scope
from forgecrm.platform.access.predicates import is_above, is_admin, is_customer_user, is_partner_admin, owns
from forgecrm.platform.access.registry import NOTHING
from forgecrm.platform.models import User

from .models import Activity, Attachment


def _teammates_of(user_id: int) -> Subquery:
    return Subquery(User.objects.filter(teams__members=user_id).values("pk"))


@register_scope(Activity)
def activity_scope(principal: Principal) -> Q:
    if principal.sees_everything:
        return Q()
    if principal.is_internal:
        return (
            Q(owner_id__in=principal.visible_user_ids)
            | Q(shared_with_team=True, owner_id__in=_teammates_of(principal.user_id))
            | prefixed(account_scope(principal), "account")
            | Q(contact__owner_id__in=principal.visible_user_ids)
        )
    if principal.is_partner and principal.organization_ids:
        regarding = prefixed(account_scope(principal), "account") | Q(account__isnull=True, owner_id=principal.user_id)
        logged_by_us = Q(created_by__organization_id__in=principal.organization_ids)
        return regarding & (logged_by_us | Q(visible_to_partner=True))
    return NOTHING


@register_scope(Attachment)
def attachment_scope(principal: Principal) -> Q:
    return prefixed(activity_scope(principal), "activity")


@rules.predicate
def manages_owner(user, activity) -> bool:
    """The actor is above the owner in the role hierarchy (the owner's path runs through the actor)."""
    return is_above(user, getattr(activity, "owner", None))


@rules.predicate
def owner_in_own_organization(user, activity) -> bool:
    owner = getattr(activity, "owner", None)
    return owner is not None and owner.organization_id in principal_for(user).organization_ids


@rules.predicate
def may_log_activities(user) -> bool:
    return bool(getattr(user, "is_active", False)) and not is_customer_user(user)


may_change_activity = ~is_customer_user & (
    owns | manages_owner | is_admin | (is_partner_admin & owner_in_own_organization)
)

rules.set_perm("activities.add_activity", may_log_activities)
rules.set_perm("activities.change_activity", may_change_activity)
rules.set_perm("activities.complete_activity", may_change_activity)
rules.set_perm("activities.delete_activity", may_change_activity)


@rules.predicate
def uploaded_attachment(user, attachment) -> bool:
    return attachment is not None and attachment.created_by_id == user.pk


@rules.predicate
def may_change_attachment_activity(user, attachment) -> bool:
    return attachment is not None and may_change_activity.test(user, attachment.activity)


rules.set_perm("activities.delete_attachment", uploaded_attachment | may_change_attachment_activity)
