"""Two-factor sign-in for internal staff: TOTP authenticator apps (django-otp) with static backup codes.

After the password, an internal user who has a confirmed device must enter a code before any page or
session-authenticated API call is served; a role in `FORGE_TWO_FACTOR_REQUIRED_ROLES` (admins by default) must
enrol first. Partner and customer users are not asked (their organisation manages their accounts). The QR code
is drawn here as SVG (segno): the secret never leaves the server for a QR service. Verifying cycles the session
key, as signing in does. Wrong codes are throttled per device by django-otp (exponential delay).
"""

from base64 import b32encode
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10
SESSION_STATE = "_forge_2fa_state"  # decided at sign-in: "none", "verify" (has a device) or "setup" (must enrol)
EXEMPT_PREFIXES = ("/static/", "/media/", "/i18n/", "/jsi18n/", "/logout/", "/two-factor/")


def required_for(user) -> bool:
    return user.role in getattr(settings, "FORGE_TWO_FACTOR_REQUIRED_ROLES", ["admin"])


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


class TwoFactorMiddleware:
    """Holds a signed-in internal user at the code (or enrolment) page until the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = self._target(request)
        if target is None:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor verification is required for this session.")}, status=403)
        nxt = request.get_full_path()
        return redirect(f"{reverse(target)}?next={nxt}" if request.method == "GET" else reverse(target))

    @staticmethod
    def _target(request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_internal:
            return None
        if user.is_verified() or request.path_info.startswith(EXEMPT_PREFIXES):
            return None
        state = request.session.get(SESSION_STATE)
        if state is None:  # a session signed in before this rule existed
            state = request.session[SESSION_STATE] = state_for(user)
        return {"verify": "two-factor-verify", "setup": "two-factor-setup"}.get(state)


def state_for(user) -> str:
    if not user.is_internal:
        return "none"
    if has_device(user):
        return "verify"
    return "setup" if required_for(user) else "none"


@receiver(user_logged_in, dispatch_uid="forgecrm.two_factor.state")
def _decide_at_sign_in(sender, request, user, **kwargs) -> None:
    """The device lookup happens once, at sign-in, not on every request."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STATE] = state_for(user)


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control", "autofocus": ""}
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).replace("-", "")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("dashboard")


def _internal_only(request: HttpRequest) -> Any:
    """The signed-in internal user (django-otp adds `is_verified` to it), or 404 for anyone else."""
    user: Any = request.user
    if not getattr(user, "is_internal", False):
        raise Http404
    return user


def _qr_svg(device: TOTPDevice) -> str:
    # The SVG is drawn here by segno from the QR matrix only (no text from the user is copied into it).
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))  # nosec B308 B703


def _new_backup_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm one code, receive the backup codes once."""
    user = _internal_only(request)
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if enrolled and not user.is_verified():
        return redirect("two-factor-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST or None)
    codes: list[str] = []
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one app per user
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_backup_codes(user)
            request.session.cycle_key()
            otp_login(request, device)
            request.session[SESSION_STATE] = "verify"
            enrolled = True
        else:
            form.add_error("token", _("That code is not right. Check the time on your phone and try the next code."))
    context = {
        "form": form,
        "enrolled": enrolled,
        "codes": codes,
        "qr": "" if enrolled else _qr_svg(device),
        "secret": "" if enrolled else b32encode(device.bin_key).decode(),
        "required": required_for(user),
    }
    return render(request, "platform/two_factor_setup.html", context, status=200 if not form.errors else 400)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or one backup code (used up)."""
    user = _internal_only(request)
    if user.is_verified():
        return redirect(_safe_next(request))
    if not has_device(user):
        return redirect("two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("That code is not right, or it was already used. Wait for the next code."))
    context = {"form": form, "next": _safe_next(request)}
    return render(request, "platform/two_factor_verify.html", context, status=200 if not form.errors else 400)
