"""Every write on accounts, contacts and consents. Keyword-only, `actor` first; each checks its own policy."""

from .accounts import create_account, deactivate_account, reactivate_account, update_account
from .contacts import (
    create_contact,
    deactivate_contact,
    reactivate_contact,
    record_consent,
    update_contact,
)
from .merge import MergePlan, merge_accounts, merge_contacts, plan_merge
from .privacy import erase_personal_data, export_personal_data, purge_expired_personal_data

__all__ = [
    "MergePlan",
    "create_account",
    "create_contact",
    "deactivate_account",
    "deactivate_contact",
    "erase_personal_data",
    "export_personal_data",
    "merge_accounts",
    "merge_contacts",
    "plan_merge",
    "purge_expired_personal_data",
    "reactivate_account",
    "reactivate_contact",
    "record_consent",
    "update_account",
    "update_contact",
]
