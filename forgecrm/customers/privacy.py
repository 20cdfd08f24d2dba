"""Personal data under PIPA: who may answer a data subject's requests, and who may be sent marketing.

`contacts_reachable_for(purpose)` is the consent check every marketing send must go through: a contact is
reachable for a purpose only when their latest consent record for that purpose grants it, they are active, and
they have the address the purpose needs. (The send path itself arrives with the marketing app.)
"""

import rules
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from forgecrm.platform.models import Role

from .models import Consent, ConsentPurpose, Contact

# The address a purpose needs: no email, no email marketing.
_ADDRESS_FOR_PURPOSE: dict[str, Q] = {
    ConsentPurpose.MARKETING_EMAIL: ~Q(email=""),
    ConsentPurpose.MARKETING_SMS: ~Q(mobile=""),
    ConsentPurpose.MARKETING_PHONE: ~Q(mobile="") | ~Q(phone=""),
}


def latest_consent_granted(purpose: str):
    """An expression: is the contact's latest consent record for `purpose` a grant? (None when there is none.)"""
    latest = Consent.objects.filter(contact_id=OuterRef("pk"), purpose=purpose).order_by("-recorded_at", "-pk")
    return Subquery(latest.values("granted")[:1])


def contacts_reachable_for(purpose: str) -> QuerySet[Contact]:
    """Active contacts whose latest consent for `purpose` is granted (a withdrawal after a grant wins)."""
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown consent purpose: {purpose!r}")
    queryset = Contact.objects.filter(is_active=True).alias(consent=latest_consent_granted(purpose))
    return queryset.filter(Q(consent=True) & _ADDRESS_FOR_PURPOSE.get(purpose, Q()))


def currently_consents_to_anything():
    """An expression: does the contact's latest record for at least one purpose grant it?"""
    later = Consent.objects.filter(contact_id=OuterRef("contact_id"), purpose=OuterRef("purpose")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at")) | Q(recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
    )
    return Exists(Consent.objects.filter(contact_id=OuterRef("pk"), granted=True).exclude(Exists(later)))


@rules.predicate
def is_privacy_officer(user) -> bool:
    """Administrators and members of the PRIVACY_OFFICER_GROUP (개인정보 보호책임자) answer data subject requests."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    group = getattr(settings, "PRIVACY_OFFICER_GROUP", "privacy_officer")
    return user.groups.filter(name=group).exists()


rules.add_perm("customers.export_personal_data", is_privacy_officer)
rules.add_perm("customers.erase_personal_data", is_privacy_officer)
