"""What an activity about one record of any app starts from: its account, contact, phone numbers and name.

Activities sits below the apps whose records it is about (sales leads and opportunities, later service
tickets), so it cannot name their models. It reads the record by duck typing instead, in this order:

- the record itself when it is a customers `Account` or `Contact` (the activity then uses the explicit FKs);
- otherwise `account` / `converted_account`, and `primary_contact` / `contact` / `converted_contact`;
- phone numbers: the record's own `mobile` and `phone` (a lead), then its contact's, then its account's;
- the name in subjects: the contact's, else the record's `person_name` (a lead), else `str(record)`.

An app may override any of it with a method `activity_context()` on the model returning a dict with some of
the keys `account`, `contact`, `phones` (list of (label, E.164) pairs) and `name`. Reading these attributes
costs no query when the record page loaded them with `select_related` (the lead and opportunity pages do);
otherwise one query each, never one per activity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from forgecrm.customers.models import Account, Contact
from forgecrm.platform.access import registered_models, scope_for
from forgecrm.platform.korea.phone import display_phone

ACCOUNT_ATTRIBUTES = ("account", "converted_account")
CONTACT_ATTRIBUTES = ("primary_contact", "contact", "converted_contact")


@dataclass(frozen=True)
class Phone:
    label: str
    number: str  # E.164, as stored
    contact_id: int | None = None

    @property
    def display(self) -> str:
        return display_phone(self.number)

    @property
    def tel(self) -> str:
        return "tel:" + "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


@dataclass
class RegardingContext:
    """One record as the activity panel and the quick-log form see it."""

    record: models.Model
    type_label: str  # "sales.opportunity": the panel's routes carry it as ?type=
    account: Account | None
    contact: Contact | None
    name: str
    phones: list[Phone] = field(default_factory=list)

    @property
    def is_account(self) -> bool:
        return isinstance(self.record, Account)

    @property
    def is_contact(self) -> bool:
        return isinstance(self.record, Contact)

    @property
    def uses_generic_link(self) -> bool:
        """Accounts and contacts are the activity's own FKs; any other record is the `regarding` link."""
        return not (self.is_account or self.is_contact)

    def log_fields(self) -> dict[str, Any]:
        """The regarding keywords of `log_activity` for an activity about this record."""
        fields: dict[str, Any] = {"account": self.account, "contact": self.contact}
        if self.uses_generic_link:
            fields["regarding"] = self.record
        return fields


def type_label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def model_for_label(label: str) -> type[models.Model] | None:
    """The scoped model named "app_label.model", or None (unknown, or without an access scope)."""
    app_label, _dot, model_name = (label or "").partition(".")
    if not app_label or not model_name:
        return None
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        return None
    return model if model in registered_models() else None


def _first(record: models.Model, names: tuple[str, ...], model: type[models.Model]) -> Any:
    for name in names:
        value = getattr(record, name, None)
        if isinstance(value, model):
            return value
    return None


def _phones_of(owner: Any, label_prefix: str, contact_id: int | None = None) -> list[Phone]:
    phones = []
    for attribute, label in (("mobile", _("mobile")), ("phone", _("phone"))):
        number = getattr(owner, attribute, "") or ""
        if number:
            phones.append(Phone(label=f"{label_prefix}{label}", number=number, contact_id=contact_id))
    return phones


def _visible(viewer: Any, record: models.Model, related: Any, flag: str) -> bool:
    known = getattr(record, flag, None)
    if known is not None:
        return bool(known)
    return scope_for(viewer, type(related)).filter(pk=related.pk).exists()


def context_for(record: models.Model, viewer: Any = None) -> RegardingContext:
    """The account, contact, phone numbers and name an activity about `record` starts from (no query beyond
    the record's already-loaded relations).

    With `viewer`, an account or contact of a higher app's record that the viewer does not see is left out
    (its name, its numbers, and the activity is not filed on it): a rep may see a territory deal, a partner
    user their opportunity, without its account. The record may carry the answers as `account_visible` /
    `contact_visible` (annotated by its page); otherwise one query each."""
    hook = getattr(record, "activity_context", None)
    given: dict[str, Any] = hook() if callable(hook) else {}
    account: Account | None
    contact: Contact | None
    if isinstance(record, Account):
        account, contact = record, None
    elif isinstance(record, Contact):
        account, contact = record.account, record
    else:
        account = given.get("account", _first(record, ACCOUNT_ATTRIBUTES, Account))
        contact = given.get("contact", _first(record, CONTACT_ATTRIBUTES, Contact))
    if contact is not None and account is None:
        account = contact.account
    if viewer is not None and not isinstance(record, (Account, Contact)):
        if contact is not None and not _visible(viewer, record, contact, "contact_visible"):
            contact = None
        if account is not None and not _visible(viewer, record, account, "account_visible"):
            account = None
    if "phones" in given:
        phones = [Phone(label=str(label), number=number) for label, number in given["phones"]]
    else:
        phones = []
        if not isinstance(record, (Account, Contact)):
            phones += _phones_of(record, "")
        if contact is not None:
            phones += _phones_of(contact, f"{contact.full_name} · ", contact.pk)
        if account is not None and account.phone:
            phones.append(Phone(label=f"{account.name} · {_('phone')}", number=account.phone))
        unique: dict[str, Phone] = {}
        for phone in phones:
            unique.setdefault(phone.number, phone)
        phones = list(unique.values())
    person: str = contact.full_name if contact is not None else str(getattr(record, "person_name", None) or "")
    name = str(given.get("name") or person or record)
    return RegardingContext(
        record=record,
        type_label=type_label(type(record)),
        account=account,
        contact=contact,
        name=name,
        phones=phones,
    )
