"""Lead pages: list (filters, keyset pages, CSV/XLSX), detail, create/edit, status, assign, convert, import."""

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
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise
from djmoney.money import Money

from forgecrm.platform.exports import Column
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.korea.brn import format_brn
from forgecrm.platform.korea.phone import display_phone
from forgecrm.platform.models import User
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.leads import (
    BulkAssignForm,
    ConvertForm,
    LeadAssignForm,
    LeadFilterForm,
    LeadForm,
    LeadStatusForm,
)
from ..imports.leads import KIND_KEY as LEADS_KIND
from ..operations import lead_assignment, lead_conversion, leads
from ..policies import is_assigner
from ..queries import leads as queries


def _header(text: StrOrPromise) -> str:
    """A translatable column header: stays lazy (the user's language at export time), typed as text."""
    return cast(str, capfirst(text))


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _require(request: HttpRequest, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


class LeadListView(ScopedListView):
    title = _header(gettext_lazy("Leads"))
    template_name = "sales/leads/list.html"
    row_template = "sales/leads/row.html"
    sorts = {"created": "created_at", "score": "score", "updated": "updated_at"}
    default_sort = "-created"
    hidden_on_phone = (2, 3, 4, 5)
    headers = [
        ("", _header(gettext_lazy("Lead"))),
        ("", _header(gettext_lazy("status"))),
        ("score", _header(gettext_lazy("score"))),
        ("", _header(gettext_lazy("owner"))),
        ("", _header(gettext_lazy("source"))),
        ("created", _header(gettext_lazy("created at"))),
    ]
    export_name = "leads"
    export_columns = [
        Column("ID", lambda lead: lead.pk),
        Column(_header(gettext_lazy("company name")), lambda lead: lead.company_name),
        Column(
            _header(gettext_lazy("business registration number")),
            lambda lead: format_brn(lead.brn) if lead.brn else "",
        ),
        Column(_header(gettext_lazy("name")), lambda lead: lead.person_name),
        Column(_header(gettext_lazy("job title")), lambda lead: lead.title),
        Column(_header(gettext_lazy("email")), lambda lead: lead.email),
        Column(_header(gettext_lazy("mobile")), lambda lead: display_phone(lead.mobile)),
        Column(_header(gettext_lazy("phone")), lambda lead: display_phone(lead.phone)),
        Column(_header(gettext_lazy("시/도")), lambda lead: lead.sido),
        Column(_header(gettext_lazy("industry")), lambda lead: lead.industry),
        Column(_header(gettext_lazy("product line")), lambda lead: str(lead.product_line or "")),
        Column(_header(gettext_lazy("status")), lambda lead: lead.get_status_display()),
        Column(_header(gettext_lazy("disqualification reason")), lambda lead: lead.get_disqualify_reason_display()),
        Column(_header(gettext_lazy("source")), lambda lead: lead.get_source_display()),
        Column(_header(gettext_lazy("source detail")), lambda lead: lead.source_detail),
        Column(_header(gettext_lazy("score")), lambda lead: lead.score),
        Column(_header(gettext_lazy("model probability")), lambda lead: lead.model_probability),
        Column(_header(gettext_lazy("owner")), lambda lead: str(lead.owner or "")),
        Column(_header(gettext_lazy("team")), lambda lead: str(lead.team or "")),
        Column(_header(gettext_lazy("created at")), lambda lead: lead.created_at),
    ]

    def filters(self):
        form = LeadFilterForm(self.request.GET or None, actor=self.request.user)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def query(self, actor, filters):
        return queries.lead_list_for(actor, filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_add = user.has_perm("sales.add_lead")
        context.update(
            create_url_name="sales:lead-create" if can_add else "",
            import_url=reverse("sales:lead-import") if can_add and _user(self.request).is_internal else "",
            hidden_on_phone=self.hidden_on_phone,
            can_bulk_assign=bool(is_assigner(user)),
            bulk_form=BulkAssignForm(actor=user) if is_assigner(user) else None,
        )
        return context


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = queries.lead_page_for(request.user, pk)
    user, lead = request.user, page.lead
    return render(
        request,
        "sales/leads/detail.html",
        {
            "title": str(lead),
            "page": page,
            "lead": lead,
            "can_change": lead.status != "converted" and user.has_perm("sales.change_lead", lead),
            "can_convert": user.has_perm("sales.convert_lead", lead),
            "can_assign": lead.is_open and user.has_perm("sales.assign_lead", lead),
            "status_form": LeadStatusForm(initial={"status": lead.status, "version": lead.version}),
        },
    )


def _render_form(request, form, *, lead=None, conflict=False, duplicates=None, status=200):
    title = _("Edit lead %(name)s") % {"name": lead} if lead else _("New lead")
    cancel = reverse("sales:lead-detail", args=[lead.pk]) if lead else reverse("sales:lead-list")
    return render(
        request,
        "sales/leads/form.html",
        {
            "title": title,
            "form": form,
            "conflict": conflict,
            "duplicates": duplicates,
            "cancel_url": cancel,
            "wide_fields": {"interest", "road_address"},
            "duplicate_check": lead is None,
        },
        status=status,
    )


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    _require(request, "sales.add_lead")
    if request.method != "POST":
        return _render_form(request, LeadForm(actor=_user(request)))
    form = LeadForm(request.POST, actor=_user(request))
    if not form.is_valid():
        return _render_form(request, form, status=400)
    values = form.values()
    if not request.POST.get("confirm_duplicates"):
        duplicates = queries.duplicates_for(request.user, values)
        if duplicates.any:
            return _render_form(request, form, duplicates=duplicates)
    try:
        lead = leads.create_lead(actor=_user(request), **values)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, status=400)
    messages.success(request, _("Lead %(name)s created.") % {"name": lead})
    return redirect("sales:lead-detail", lead.pk)


@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead_for(request.user, pk)
    _require(request, "sales.change_lead", lead)
    if request.method != "POST":
        return _render_form(request, LeadForm(instance=lead, actor=_user(request)), lead=lead)
    form = LeadForm(request.POST, instance=lead, actor=_user(request))
    if not form.is_valid():
        return _render_form(request, form, lead=lead, status=400)
    try:
        lead = leads.update_lead(
            actor=_user(request), lead=lead, expected_version=form.cleaned_data["version"], changes=form.values()
        )
    except ConflictError as conflict:
        current = LeadForm(instance=conflict.current, actor=_user(request))
        return _render_form(request, current, lead=conflict.current, conflict=True, status=409)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_form(request, form, lead=lead, status=400)
    messages.success(request, _("Lead %(name)s saved.") % {"name": lead})
    return redirect("sales:lead-detail", lead.pk)


@login_required
@require_POST
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead_for(request.user, pk)
    _require(request, "sales.change_lead", lead)
    form = LeadStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("sales:lead-detail", lead.pk)
    data = form.cleaned_data
    try:
        leads.change_lead_status(
            actor=_user(request),
            lead=lead,
            status=data["status"],
            reason=data.get("reason") or "",
            note=data.get("note") or "",
            expected_version=data.get("version"),
        )
    except ConflictError:
        messages.warning(request, _("Someone else changed this lead meanwhile; check it and try again."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Status changed."))
    return redirect("sales:lead-detail", lead.pk)


@login_required
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead_for(request.user, pk)
    _require(request, "sales.assign_lead", lead)
    form = LeadAssignForm(request.POST or None, actor=_user(request), initial={"version": lead.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = lead_assignment.assign_lead(
                actor=_user(request),
                lead=lead,
                owner=data.get("owner"),
                team=data.get("team"),
                use_rules=data.get("use_rules", False),
                expected_version=data.get("version"),
            )
        except ConflictError:
            messages.warning(request, _("Someone else changed this lead meanwhile; check it and try again."))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Lead assigned to %(owner)s.") % {"owner": lead.owner or lead.team})
            return redirect("sales:lead-detail", lead.pk)
    return render(
        request,
        "sales/leads/assign.html",
        {"title": _("Assign %(name)s") % {"name": lead}, "form": form, "lead": lead},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def lead_bulk_assign(request: HttpRequest) -> HttpResponse:
    if not is_assigner(request.user):
        raise PermissionDenied
    form = BulkAssignForm(request.POST, actor=_user(request))
    ids = request.POST.getlist("lead")
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick the leads and choose whom to give them to."))
        return redirect("sales:lead-list")
    rows = queries.leads_by_ids_for(request.user, ids)
    try:
        count = lead_assignment.bulk_assign_leads(actor=_user(request), leads=rows, owner=form.cleaned_data["owner"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, str(error) or _("You cannot assign one of these leads."))
    else:
        messages.success(request, _("%(count)d leads assigned.") % {"count": count})
    return redirect("sales:lead-list")


@login_required
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = queries.get_lead_for(request.user, pk)
    _require(request, "sales.convert_lead", lead)
    duplicates = queries.lead_duplicates_for(request.user, lead)
    account_ids = [record.pk for _match, record in duplicates.accounts]
    contact_ids = [record.pk for _match, record in duplicates.contacts]
    initial = {
        "version": lead.version,
        "account_name": lead.company_name or lead.person_name,
        "opportunity_name": lead_conversion.default_opportunity_name(lead),
        "create_opportunity": True,
        "account": account_ids[0] if account_ids else None,
    }
    form = ConvertForm(
        request.POST or None, actor=_user(request), account_ids=account_ids, contact_ids=contact_ids, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = lead_conversion.convert_lead(
                actor=_user(request),
                lead=lead,
                expected_version=data.get("version"),
                account=data.get("account"),
                account_name=data.get("account_name") or "",
                contact=data.get("contact"),
                create_opportunity=data.get("create_opportunity", False),
                opportunity_name=data.get("opportunity_name") or "",
                close_date=data.get("close_date"),
                amount=Money(data["amount"], "KRW") if data.get("amount") is not None else None,
            )
        except ConflictError:
            form.add_error(None, _("Someone else changed this lead meanwhile; check it and convert again."))
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Lead converted: account %(account)s, contact %(contact)s.")
                % {"account": result.account.name, "contact": result.contact.full_name},
            )
            if result.opportunity is not None:
                return redirect(reverse("sales:opportunity-detail", args=[result.opportunity.pk]))
            return redirect("customers:account-detail", result.account.pk)
    return render(
        request,
        "sales/leads/convert.html",
        {"title": _("Convert %(name)s") % {"name": lead}, "form": form, "lead": lead, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def lead_duplicates(request: HttpRequest) -> HttpResponse:
    """HTMX: possible duplicates while the create form is being typed."""
    keys = ("company_name", "person_name", "brn", "email", "phone", "mobile")
    values = {key: request.GET.get(key, "").strip()[:200] for key in keys}
    duplicates = None
    if len(values["company_name"]) >= 2 or any(values[k] for k in ("brn", "email", "phone", "mobile")):
        duplicates = queries.duplicates_for(request.user, values)
    return render(request, "sales/leads/duplicates.html", {"duplicates": duplicates, "confirm": False})


@login_required
def lead_import(request: HttpRequest) -> HttpResponse:
    """Leads import through the import framework (mapping, preview, job with progress, report), kind preselected."""
    _require(request, "sales.add_lead")
    if not _user(request).is_internal:
        raise PermissionDenied
    return redirect(f"{reverse('customers:account-import')}?target={LEADS_KIND}")
