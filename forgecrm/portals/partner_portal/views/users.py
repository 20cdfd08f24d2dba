"""The organisation's own portal users (partner admins only): list, invite, change role, deactivate; and the
invitation's accept page (anonymous: the signed link is the credential)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forgecrm.partners.operations import portal_users
from forgecrm.partners.queries import portal as queries
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.security import rate_limited

from ..access import actor, portal_context, portal_view
from ..forms.users import AcceptInvitationForm, ChangeRoleForm, InviteUserForm


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("partners.manage_portal_users"):
        raise PermissionDenied


def _page(request: HttpRequest, form=None, status=200) -> HttpResponse:
    return render(
        request,
        "partner_portal/users/list.html",
        {
            **portal_context(request),
            "title": _("Our users"),
            "users": list(queries.portal_users_for(request.user).order_by("-is_active", "full_name", "pk")),
            "form": form or InviteUserForm(initial={"language": request.LANGUAGE_CODE}),
            "role_form": ChangeRoleForm(),
            "nav": "users",
        },
        status=status,
    )


@portal_view
def user_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _page(request)


@require_POST
@portal_view
def user_invite(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = InviteUserForm(request.POST)
    if form.is_valid():
        try:
            user = portal_users.invite_portal_user(
                actor=actor(request), base_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("partner_portal:user-list")
    return _page(request, form, status=400)


@require_POST
@portal_view
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    user = queries.get_portal_user_for(request.user, pk)
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose partner admin or partner rep."))
        return redirect("partner_portal:user-list")
    try:
        portal_users.change_portal_user_role(actor=actor(request), user=user, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Role changed for %(name)s.") % {"name": user.full_name})
    return redirect("partner_portal:user-list")


@require_POST
@portal_view
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    user = queries.get_portal_user_for(request.user, pk)
    try:
        portal_users.deactivate_portal_user(actor=actor(request), user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": user.full_name})
    return redirect("partner_portal:user-list")


@rate_limited("portal-invitation", per_address=30, per_ip=30, window_seconds=3600)
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    invited = portal_users.invited_user_for(uidb64, token)
    if invited is None:
        return render(request, "partner_portal/invitation/invalid.html", {"title": _("Invitation")}, status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_users.accept_portal_invitation(
                uidb64=uidb64,
                token=token,
                password=form.cleaned_data["password"],
                accept_terms=form.cleaned_data["accept_terms"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Welcome! Sign in with your email address and the new password."))
            return redirect("login")
    return render(
        request,
        "partner_portal/invitation/accept.html",
        {"title": _("Invitation"), "form": form, "invited": invited, "manufacturer": queries.manufacturer_name()},
    )
