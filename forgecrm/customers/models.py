from django.conf import settings
from django.db import models
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from simple_history.models import HistoricalRecords

from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.models import BusinessModel

from .normalization import company_name_key, person_name_key


class AccountKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    PARTNER = "partner", _("Partner")
    COMPETITOR = "competitor", _("Competitor")


class AccountForm(models.TextChoices):
    COMPANY = "company", _("Company")
    HOUSEHOLD = "household", _("Individual / household")


class AccountSize(models.TextChoices):
    SMALL = "small", _("Small (under 50)")
    MEDIUM = "medium", _("Medium (50-299)")
    LARGE = "large", _("Large (300-999)")
    ENTERPRISE = "enterprise", _("Enterprise (1,000+)")


class PartnerType(models.TextChoices):
    DISTRIBUTOR = "distributor", _("Distributor")
    DEALER = "dealer", _("Dealer")
    AGENCY = "agency", _("Agency")
    RESELLER = "reseller", _("Reseller")
    SERVICE_CENTRE = "service_centre", _("Service centre")


class Tier(models.TextChoices):
    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    BRONZE = "bronze", _("Bronze")


class Account(BusinessModel):
    """A company or household we deal with: customer, prospect, partner or competitor."""

    name = models.CharField(_("name"), max_length=200)
    # Name folded for duplicate matching: corporate forms ((주), 주식회사, Co., Ltd.) removed, spaces and case folded.
    name_key = models.CharField(max_length=200, editable=False, default="")
    # Duplicate candidates are read by three indexed blocks of the folded name: letters 1-2, 1+3 and 2-3. A
    # one-letter typo in the first three letters ("한빛공조" / "한빗공조") leaves at least one block equal, and
    # every lookup is an indexed equality, never a scan of every name. Computed by the database, so bulk
    # writers need not fill them.
    name_block = models.GeneratedField(
        expression=Substr("name_key", 1, 2),
        output_field=models.CharField(max_length=2),
        db_persist=True,
        db_index=True,
    )
    name_block_gap = models.GeneratedField(
        expression=Concat(Substr("name_key", 1, 1), Substr("name_key", 3, 1)),
        output_field=models.CharField(max_length=2),
        db_persist=True,
        db_index=True,
    )
    name_block_tail = models.GeneratedField(
        expression=Substr("name_key", 2, 2),
        output_field=models.CharField(max_length=2),
        db_persist=True,
        db_index=True,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices, default=AccountKind.PROSPECT)
    form = models.CharField(_("form"), max_length=16, choices=AccountForm.choices, default=AccountForm.COMPANY)
    parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidiaries",
        verbose_name=_("parent account"),
    )
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=AccountSize.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = MoneyField(
        _("annual revenue"), max_digits=18, decimal_places=0, default_currency="KRW", null=True, blank=True
    )
    brn = models.CharField(
        _("business registration number"),
        max_length=10,
        blank=True,
        validators=[validate_brn],  # type: ignore[list-item]  # returns the digits; Django ignores the result
    )
    corporate_number = models.CharField(_("corporate registration number"), max_length=13, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # 도로명주소, with 시/도 and 시/군/구 kept apart for territory rules.
    road_address = models.CharField(_("road-name address"), max_length=200, blank=True)
    address_detail = models.CharField(_("address detail"), max_length=120, blank=True)
    sido = models.CharField(_("시/도"), max_length=32, blank=True)
    sigungu = models.CharField(_("시/군/구"), max_length=32, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_accounts", verbose_name=_("owner")
    )
    territory = models.ForeignKey(
        "platform.Territory",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("territory"),
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    # The partner that serves this account (its dealer or distributor), which partner users see it through.
    partner = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_accounts",
        limit_choices_to={"kind": AccountKind.PARTNER},
        verbose_name=_("serving partner"),
    )
    partner_type = models.CharField(_("partner type"), max_length=16, choices=PartnerType.choices, blank=True)
    # Multi-tier channel: a dealer sits under its distributor.
    channel_parent = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="channel_children",
        limit_choices_to={"kind": AccountKind.PARTNER},
        verbose_name=_("parent partner"),
    )
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=32, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # Declared so type checkers know it; djmoney wraps it at class preparation to understand Money lookups.
    objects = models.Manager()
    history = HistoricalRecords(excluded_fields=["name_block", "name_block_gap", "name_block_tail"])

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        # Equality lookups (duplicate matching, imports) declared here rather than with db_index=True, which on
        # PostgreSQL also builds a varchar_pattern_ops twin per column that no query uses (searches go through the
        # trigram index). One index per sort the list offers, so a page is read from an index, never sorted.
        indexes = [
            models.Index(fields=["owner", "name", "id"]),
            models.Index(fields=["name", "id"]),
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["partner"]),
            models.Index(fields=["updated_at", "id"], name="account_updated_id"),
            models.Index(fields=["created_at", "id"], name="account_created_id"),
            models.Index(fields=["name_key"], name="account_name_key"),
            models.Index(fields=["brn"], name="account_brn"),
            models.Index(fields=["phone"], name="account_phone"),
            models.Index(fields=["email"], name="account_email"),
            models.Index(fields=["sido"], name="account_sido"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="account_source_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Derived, so that every writer (operations, admin, imports) keeps the duplicate-matching key current.
        self.name_key = company_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class AccountAlias(models.Model):
    """A merged account's old id, so old links and external references still find the survivor."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="aliases", verbose_name=_("account"))
    merged_id = models.PositiveBigIntegerField(_("merged id"), unique=True)
    merged_name = models.CharField(_("merged name"), max_length=200)
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("merged by")
    )

    class Meta:
        verbose_name = _("account alias")
        verbose_name_plural = _("account aliases")


class KeyPersonRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS / KakaoTalk")
    VISIT = "visit", _("Visit")
    POST = "post", _("Post")


class Contact(BusinessModel):
    """A person at an account (담당자), or a consumer (고객) in a household account."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="contacts", verbose_name=_("account"))
    full_name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(max_length=120, editable=False, default="")
    title = models.CharField(_("job title"), max_length=80, blank=True)
    department = models.CharField(_("department"), max_length=80, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    key_person_role = models.CharField(_("key-person role"), max_length=16, choices=KeyPersonRole.choices, blank=True)
    preferred_channel = models.CharField(_("preferred channel"), max_length=8, choices=Channel.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_contacts", verbose_name=_("owner")
    )
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=32, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [  # see Account.Meta: equality lookups declared here, one index per sort of the list
            models.Index(fields=["owner", "full_name", "id"]),
            models.Index(fields=["full_name", "id"]),
            models.Index(fields=["account", "full_name"]),
            models.Index(fields=["updated_at", "id"], name="contact_updated_id"),
            models.Index(fields=["created_at", "id"], name="contact_created_id"),
            models.Index(fields=["name_key"], name="contact_name_key"),
            models.Index(fields=["email"], name="contact_email"),
            models.Index(fields=["phone"], name="contact_phone"),
            models.Index(fields=["mobile"], name="contact_mobile"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="contact_source_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.name_key = person_name_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class ContactAlias(models.Model):
    """A merged contact's old id, so old links still find the surviving contact."""

    contact = models.ForeignKey(Contact, models.CASCADE, related_name="aliases", verbose_name=_("contact"))
    merged_id = models.PositiveBigIntegerField(_("merged id"), unique=True)
    merged_name = models.CharField(_("merged name"), max_length=120)
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("merged by")
    )

    class Meta:
        verbose_name = _("contact alias")
        verbose_name_plural = _("contact aliases")


class ConsentPurpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", _("Marketing by email")
    MARKETING_SMS = "marketing_sms", _("Marketing by SMS")
    MARKETING_PHONE = "marketing_phone", _("Marketing by phone")
    THIRD_PARTY = "third_party", _("Sharing with partners")
    PROFILING = "profiling", _("Personalised recommendations")


class Consent(models.Model):
    """A purpose-bound marketing consent under PIPA: given or withdrawn, when, and from where."""

    contact = models.ForeignKey(Contact, models.CASCADE, related_name="consents", verbose_name=_("contact"))
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"), default=True)
    recorded_at = models.DateTimeField(_("date"))
    source = models.CharField(_("source"), max_length=64, help_text=_("Where it was given: web form, paper, call…"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["contact", "purpose", "-recorded_at"])]
