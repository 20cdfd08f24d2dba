"""Headquarters' partner directory and a partner's page: profile, coverage, authorisations, certifications,
portal users, dealers, offers, scorecard; and deactivating a partner. Parse, call one query or operation, render."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.access import get_for_or_404
from forgecrm.platform.exports import Column
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.directory import (
    AuthorizationForm,
    CertificationForm,
    CoverageForm,
    DeactivationForm,
    PartnerFilterForm,
    PartnerProfileForm,
)
from ..models import PartnerAuthorization, PartnerCertification, PartnerCoverage
from ..operations import directory as deactivation
from ..operations import profiles as operations
from ..queries import directory as queries


def _header(text) -> str:
    return cast(str, capfirst(text))


def _internal(request: HttpRequest) -> None:
    if not getattr(request.user, "is_internal", False):
        raise PermissionDenied


def _manage(request: HttpRequest, obj=None) -> None:
    if not request.user.has_perm("partners.manage_partner", obj):
        raise PermissionDenied


def _coverage(profile) -> str:
    return ", ".join(str(area) for area in profile.account.coverage.all())


class PartnerListView(ScopedListView):
    title = _header(gettext_lazy("Partners"))
    template_name = "partners/directory/list.html"
    row_template = "partners/directory/row.html"
    sorts = {"name": "account__name", "score": "performance_score", "capacity": "lead_capacity"}
    default_sort = "name"
    headers = [
        ("name", _header(gettext_lazy("partner"))),
        ("", _header(gettext_lazy("partner type"))),
        ("", _header(gettext_lazy("coverage"))),
        ("", _header(gettext_lazy("channel manager"))),
        ("capacity", _header(gettext_lazy("open leads / capacity"))),
        ("score", _header(gettext_lazy("score"))),
    ]
    export_name = "partners"
    export_columns = [
        Column("ID", lambda row: row.account_id),
        Column(_header(gettext_lazy("partner")), lambda row: row.account.name),
        Column(_header(gettext_lazy("partner type")), lambda row: row.account.get_partner_type_display()),
        Column(_header(gettext_lazy("tier")), lambda row: row.account.get_tier_display()),
        Column(_header(gettext_lazy("distributor")), lambda row: str(row.account.channel_parent or "")),
        Column(_header(gettext_lazy("coverage")), _coverage),
        Column(_header(gettext_lazy("channel manager")), lambda row: str(row.channel_manager or "")),
        Column(_header(gettext_lazy("open leads")), lambda row: row.open_offers),
        Column(_header(gettext_lazy("lead capacity")), lambda row: row.lead_capacity),
        Column(_header(gettext_lazy("performance score")), lambda row: row.performance_score),
        Column(_header(gettext_lazy("accepts leads")), lambda row: row.accepts_leads),
    ]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _internal(request)
        return super().dispatch(request, *args, **kwargs)

    def filters(self):
        form = PartnerFilterForm(self.request.GET or None, actor=self.request.user)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [], False)}
        return form, {}

    def query(self, actor, filters):
        return queries.partner_list_for(actor, filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_on_phone"] = (1, 2, 3)
        context["can_manage"] = self.request.user.has_perm("partners.manage_partner")
        return context


def _page_context(request, page, **extra):
    user = request.user
    return {
        "title": page.partner.name,
        "page": page,
        "profile": page.profile,
        "can_manage": user.has_perm("partners.manage_partner", page.profile),
        "coverage_form": extra.pop("coverage_form", None) or CoverageForm(),
        "authorization_form": extra.pop("authorization_form", None) or AuthorizationForm(actor=user),
        "certification_form": extra.pop("certification_form", None) or CertificationForm(actor=user),
        **extra,
    }


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    page = queries.partner_page_for(request.user, pk)
    return render(request, "partners/directory/detail.html", _page_context(request, page))


def _rerender(request, pk, status=400, **forms):
    page = queries.partner_page_for(request.user, pk)
    return render(request, "partners/directory/detail.html", _page_context(request, page, **forms), status=status)


@login_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    profile = queries.get_partner_profile_for(request.user, pk)
    _manage(request, profile)
    context = {
        "title": _("Edit partner %(name)s") % {"name": profile.account.name},
        "cancel_url": reverse("partners:partner-detail", args=[pk]),
        "wide_fields": {"internal_note"},
    }
    if request.method != "POST":
        return render(
            request, "platform/form.html", {**context, "form": PartnerProfileForm(instance=profile, actor=request.user)}
        )
    form = PartnerProfileForm(request.POST, instance=profile, actor=request.user)
    if not form.is_valid():
        return render(request, "platform/form.html", {**context, "form": form}, status=400)
    try:
        operations.update_partner_profile(
            actor=request.user, profile=profile, expected_version=form.cleaned_data["version"], changes=form.values()
        )
    except ConflictError as conflict:
        current = PartnerProfileForm(instance=conflict.current, actor=request.user)
        return render(request, "platform/form.html", {**context, "form": current, "conflict": True}, status=409)
    except ValidationError as error:
        add_validation_error(form, error)
        return render(request, "platform/form.html", {**context, "form": form}, status=400)
    messages.success(request, _("Partner profile saved."))
    return redirect("partners:partner-detail", pk)


@login_required
@require_POST
def coverage_add(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    profile = queries.get_partner_profile_for(request.user, pk)
    _manage(request, profile)
    form = CoverageForm(request.POST)
    if form.is_valid():
        try:
            operations.add_coverage(actor=request.user, partner=profile.account, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
    if form.errors:
        return _rerender(request, pk, coverage_form=form)
    return redirect(reverse("partners:partner-detail", args=[pk]) + "#coverage")


@login_required
@require_POST
def coverage_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    coverage = get_for_or_404(request.user, PartnerCoverage, pk=pk)
    _manage(request, coverage)
    profile_pk = coverage.partner.partner_profile.pk
    operations.remove_coverage(actor=request.user, coverage=coverage)
    return redirect(reverse("partners:partner-detail", args=[profile_pk]) + "#coverage")


@login_required
@require_POST
def authorization_add(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    profile = queries.get_partner_profile_for(request.user, pk)
    _manage(request, profile)
    form = AuthorizationForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            operations.add_authorization(actor=request.user, partner=profile.account, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
    if form.errors:
        return _rerender(request, pk, authorization_form=form)
    return redirect(reverse("partners:partner-detail", args=[pk]) + "#authorizations")


@login_required
@require_POST
def authorization_end(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    authorization = get_for_or_404(request.user, PartnerAuthorization, pk=pk)
    _manage(request, authorization)
    operations.end_authorization(actor=request.user, authorization=authorization)
    return redirect(
        reverse("partners:partner-detail", args=[authorization.partner.partner_profile.pk]) + "#authorizations"
    )


@login_required
@require_POST
def certification_add(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    profile = queries.get_partner_profile_for(request.user, pk)
    _manage(request, profile)
    form = CertificationForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            operations.add_certification(actor=request.user, partner=profile.account, values=form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
    if form.errors:
        return _rerender(request, pk, certification_form=form)
    return redirect(reverse("partners:partner-detail", args=[pk]) + "#certifications")


@login_required
@require_POST
def certification_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _internal(request)
    certification = get_for_or_404(request.user, PartnerCertification, pk=pk)
    _manage(request, certification)
    profile_pk = certification.partner.partner_profile.pk
    operations.remove_certification(actor=request.user, certification=certification)
    return redirect(reverse("partners:partner-detail", args=[profile_pk]) + "#certifications")


@login_required
def partner_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page (what would move) and the one audited action."""
    _internal(request)
    profile = queries.get_partner_profile_for(request.user, pk)
    _manage(request, profile)
    partner = profile.account
    form = DeactivationForm(request.POST or None, actor=request.user, partner=partner)
    if request.method == "POST" and form.is_valid():
        try:
            moved = deactivation.deactivate_partner(
                actor=request.user, partner=partner, successor=form.cleaned_data["successor"]
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is deactivated: %(leads)d leads and %(deals)d opportunities handed over.")
                % {"name": partner.name, "leads": moved.leads, "deals": moved.opportunities},
            )
            return redirect("partners:partner-detail", pk)
    return render(
        request,
        "partners/directory/deactivate.html",
        {
            "title": _("Deactivate %(name)s") % {"name": partner.name},
            "profile": profile,
            "form": form,
            "counts": deactivation.deactivation_counts(partner),
        },
        status=400 if request.method == "POST" else 200,
    )
