"""A partner's channel profile and what it may sell where: profile, coverage, authorisations, certifications; and
the channel manager's reminder of certifications about to expire. Channel managers (`partners.manage_partner`)."""

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forgecrm.activities.models import Activity, ActivityKind, ActivityStatus
from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform.versioning import save_versioned

from ..models import PartnerAuthorization, PartnerCertification, PartnerCoverage, PartnerProfile

PROFILE_FIELDS = (
    "channel_manager",
    "joined_on",
    "accepts_leads",
    "lead_capacity",
    "response_hours",
    "internal_note",
)
REMIND_DAYS = 30


def _require(actor, obj=None) -> None:
    if actor is not None and not actor.has_perm("partners.manage_partner", obj):
        raise PermissionDenied("partners.manage_partner")


def _partner(account: Account) -> Account:
    if account.kind != AccountKind.PARTNER:
        raise ValidationError({"partner": _("Choose a partner account.")}, code="not_partner")
    return account


def ensure_partner_profile(*, actor, partner: Account) -> PartnerProfile:
    """The partner's profile, created with the defaults the first time it is needed."""
    _require(actor)
    _partner(partner)
    profile = PartnerProfile.objects.filter(account=partner).first()
    if profile is None:
        with transaction.atomic():
            profile, _created = PartnerProfile.objects.get_or_create(
                account=partner, defaults={"created_by": actor, "updated_by": actor}
            )
    return profile


def update_partner_profile(
    *, actor, profile: PartnerProfile, expected_version: int | None, changes: dict[str, Any]
) -> PartnerProfile:
    """Change the channel profile (channel manager, capacity, hours to accept, internal note...).

    A stale `expected_version` raises ConflictError (someone else saved it since)."""
    _require(actor, profile)
    changes = {name: value for name, value in changes.items() if name in PROFILE_FIELDS}
    manager = changes.get("channel_manager")
    if manager is not None and not manager.is_internal:
        raise ValidationError({"channel_manager": _("Choose a headquarters user.")}, code="not_internal")
    return save_versioned(profile, actor=actor, expected_version=expected_version, changes=changes)


def add_coverage(*, actor, partner: Account, sido: str, sigungu: str = "") -> PartnerCoverage:
    """The partner covers a whole 시/도 (`sigungu` empty) or one 시/군/구 of it."""
    _require(actor)
    _partner(partner)
    sido, sigungu = (sido or "").strip(), (sigungu or "").strip()
    if not sido:
        raise ValidationError({"sido": _("Choose a 시/도.")}, code="required")
    try:
        with transaction.atomic():
            return PartnerCoverage.objects.create(partner=partner, sido=sido, sigungu=sigungu)
    except IntegrityError as error:
        raise ValidationError({"sigungu": _("The partner already covers this area.")}, code="duplicate") from error


def remove_coverage(*, actor, coverage: PartnerCoverage) -> None:
    _require(actor)
    coverage.delete()


def add_authorization(
    *,
    actor,
    partner: Account,
    product_line,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    can_service: bool = False,
) -> PartnerAuthorization:
    """Authorise the partner for a product line over a period (open-ended when `valid_to` is empty)."""
    _require(actor)
    _partner(partner)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("The end is before the start.")}, code="period")
    try:
        with transaction.atomic():
            return PartnerAuthorization.objects.create(
                partner=partner,
                product_line=product_line,
                valid_from=valid_from,
                valid_to=valid_to,
                can_service=can_service,
                created_by=actor,
                updated_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"valid_from": _("This authorisation already starts on that day.")}, code="duplicate"
        ) from error


def end_authorization(*, actor, authorization: PartnerAuthorization, on: dt.date | None = None) -> PartnerAuthorization:
    """The authorisation ends (today by default); it stays in the history."""
    _require(actor)
    end = on or timezone.localdate()
    end = max(end, authorization.valid_from)
    return save_versioned(authorization, actor=actor, expected_version=None, changes={"valid_to": end})


def add_certification(*, actor, partner: Account, values: dict[str, Any]) -> PartnerCertification:
    _require(actor)
    _partner(partner)
    issued, expires = values.get("issued_on"), values.get("expires_on")
    if issued and expires and expires < issued:
        raise ValidationError({"expires_on": _("It expires before it was issued.")}, code="period")
    with transaction.atomic():
        certification = PartnerCertification(
            partner=partner,
            name=values["name"],
            product_line=values.get("product_line"),
            holder=values.get("holder"),
            number=values.get("number", ""),
            issued_on=issued,  # type: ignore[misc]  # required by the form; full_clean names it when missing
            expires_on=expires,
            created_by=actor,
            updated_by=actor,
        )
        certification.full_clean()
        certification.save()
        return certification


def remove_certification(*, actor, certification: PartnerCertification) -> None:
    _require(actor)
    certification.delete()


def remind_expiring_certifications(*, today: dt.date | None = None, days: int = REMIND_DAYS) -> int:
    """A task for the channel manager of each partner whose certification expires within `days` (the beat's work).

    Idempotent: a certification that already has a reminder task (open or done) gets no second one, so the beat
    may run daily, twice, or after a pause. Partners without a channel manager are skipped (nobody to remind).
    Returns the number of reminders written, in a fixed number of statements.
    """
    today = today or timezone.localdate()
    kind = ContentType.objects.get_for_model(PartnerCertification)
    due = list(
        PartnerCertification.objects.filter(
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=days),
            partner__partner_profile__channel_manager__isnull=False,
            partner__partner_profile__channel_manager__is_active=True,
        )
        .select_related("partner", "partner__partner_profile")
        .order_by("expires_on", "pk")
    )
    if not due:
        return 0
    reminded = set(
        Activity.objects.filter(regarding_type=kind, regarding_id__in=[c.pk for c in due]).values_list(
            "regarding_id", flat=True
        )
    )
    now = timezone.now()
    tasks = []
    for certification in due:
        if certification.pk in reminded:
            continue
        expires = certification.expires_on or today
        due_at = timezone.make_aware(dt.datetime.combine(expires - dt.timedelta(days=7), dt.time(9)))
        manager = certification.partner.partner_profile.channel_manager
        tasks.append(
            Activity(
                kind=ActivityKind.TASK,
                subject=_("Certification %(name)s of %(partner)s expires on %(date)s")
                % {"name": certification.name, "partner": certification.partner.name, "date": expires.isoformat()},
                account=certification.partner,
                regarding_type=kind,
                regarding_id=certification.pk,
                owner=manager,
                status=ActivityStatus.PLANNED,
                due_at=max(due_at, now),
                timeline_at=max(due_at, now),
            )
        )
    with transaction.atomic():
        Activity.objects.bulk_create(tasks)
    return len(tasks)
