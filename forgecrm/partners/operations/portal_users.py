"""A partner's own portal users: a partner admin invites colleagues, changes their role between partner admin and
partner rep, and deactivates them (rule `partners.manage_portal_users`).

A partner admin acts on exactly its own organisation's users (never a dealer's, never a sibling's, never an
internal user) and gives only partner roles; a channel manager may do the same for any partner organisation.
An invitation creates an inactive user and mails a link with a signed, expiring token (Django's password-reset
token: it stops working once the password is set, so a link works once); accepting it sets the password,
records the accepted terms (an outbox event) and activates the user.
"""

from typing import cast

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template import loader
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from forgecrm.customers.models import Account, AccountKind
from forgecrm.platform import events
from forgecrm.platform.access import principal_for
from forgecrm.platform.models import Role, User
from forgecrm.platform.operations.identity import create_user, update_user

PORTAL_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_REP})
TERMS_VERSION = "2026-12"


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The password-reset token with its own salt: a reset link is no invitation and the other way round."""

    key_salt = "forgecrm.partners.portal_invitation"

    def _make_hash_value(self, user, timestamp):  # type: ignore[no-untyped-def]  # Django's signature
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


invitation_tokens = InvitationTokenGenerator()


def _organization_for(actor: User, organization: Account | None) -> Account:
    principal = principal_for(actor)
    if principal.is_partner:
        if organization is not None and organization.pk != principal.organization_id:
            raise PermissionDenied(_("You manage your own organisation's users only."))
        return Account.objects.get(pk=cast(int, principal.organization_id))
    if organization is None or organization.kind != AccountKind.PARTNER:
        raise ValidationError({"organization": _("Choose a partner organisation.")})
    return organization


def _require(actor: User, user: User | None = None) -> None:
    if not actor.has_perm("partners.manage_portal_users"):
        raise PermissionDenied(_("You cannot manage portal users."))
    if user is None:
        return
    principal = principal_for(actor)
    if user.role not in PORTAL_ROLES:
        raise PermissionDenied(_("You manage partner portal users only."))
    if principal.is_partner and user.organization_id != principal.organization_id:
        raise PermissionDenied(_("You manage your own organisation's users only."))


def _role(role: str) -> str:
    if role not in PORTAL_ROLES:
        raise ValidationError({"role": _("Choose partner admin or partner rep.")})
    return role


def invitation_link(user: User) -> str:
    """The path of the accept page for `user` (uid and token in the URL)."""
    from django.urls import reverse

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "partner_portal:invitation-accept", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)}
    )


def _send_invitation(user: User, organization: Account, inviter: User, base_url: str) -> None:
    from forgecrm.platform.tasks import send_email_task

    with translation.override(user.language or "ko"):
        context = {
            "user": user,
            "organization": organization,
            "inviter": inviter,
            "link": f"{base_url.rstrip('/')}{invitation_link(user)}",
        }
        subject = "".join(loader.render_to_string("partners/email/invitation_subject.txt", context).splitlines())
        body = loader.render_to_string("partners/email/invitation.txt", context)
    transaction.on_commit(lambda: send_email_task.delay(subject, body, [user.email]), robust=True)


def invite_portal_user(
    *,
    actor: User,
    email: str,
    full_name: str,
    role: str = Role.PARTNER_REP,
    language: str = "ko",
    organization: Account | None = None,
    base_url: str = "",
) -> User:
    """Create an inactive portal user of the actor's organisation and mail them the invitation link."""
    _require(actor)
    organization = _organization_for(actor, organization)
    email = User.objects.normalize_email((email or "").strip()).lower()
    if User.objects.filter(email__iexact=email).exists():  # access-layer: exempt (a unique address, says nothing else)
        raise ValidationError({"email": _("This address already has an account.")})
    with transaction.atomic():
        user = create_user(
            actor=None,
            email=email,
            full_name=(full_name or "").strip(),
            role=_role(role),
            organization_id=organization.pk,
            language=language if language in {"ko", "en"} else "ko",
        )
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        events.emit(
            "PortalUserInvited",
            {"user_id": user.pk, "organization_id": organization.pk, "role": role, "actor_id": actor.pk},
        )
        _send_invitation(user, organization, actor, base_url)
    return user


def invited_user_for(uidb64: str, token: str) -> User | None:
    """The invited (still inactive) portal user the link names, if its token is valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=False, role__in=PORTAL_ROLES).first()
    if user is None or not invitation_tokens.check_token(user, token):
        return None
    return user


def accept_portal_invitation(*, uidb64: str, token: str, password: str, accept_terms: bool) -> User:
    """Set the invited user's password, record the accepted terms and activate the account (the link's one use)."""
    user = invited_user_for(uidb64, token)
    if user is None:
        raise ValidationError(
            _("This invitation link is invalid or has expired. Ask your administrator for a new one.")
        )
    errors: dict[str, list] = {}
    if not accept_terms:
        errors["accept_terms"] = [ValidationError(_("Accept the terms of use to continue."), code="required")]
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.error_list)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        events.emit(
            "PortalTermsAccepted",
            {"user_id": user.pk, "terms_version": TERMS_VERSION, "accepted_at": timezone.now().isoformat()},
        )
    return user


def change_portal_user_role(*, actor: User, user: User, role: str) -> User:
    """Make a colleague a partner admin or a partner rep (never an internal role; never oneself)."""
    _require(actor, user)
    role = _role(role)
    if user.pk == actor.pk:
        raise ValidationError({"role": _("You cannot change your own role.")})
    if user.role == role:
        return user
    with transaction.atomic():
        updated = update_user(actor=None, user=user, role=role)  # type: ignore[arg-type]  # checked above
        events.emit("PortalUserRoleChanged", {"user_id": user.pk, "role": role, "actor_id": actor.pk})
    return updated


def deactivate_portal_user(*, actor: User, user: User) -> User:
    """Sign a colleague out for good (an inactive user's sessions stop authenticating on the next request)."""
    _require(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if not user.is_active:
        return user
    with transaction.atomic():
        updated = update_user(actor=None, user=user, is_active=False)  # type: ignore[arg-type]  # checked above
        events.emit("PortalUserDeactivated", {"user_id": user.pk, "actor_id": actor.pk})
    return updated
