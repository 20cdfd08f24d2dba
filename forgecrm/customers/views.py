"""Pages for accounts and contacts: parse, resolve the actor and the scoped record, call one operation or
query, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from forgecrm.platform.audit import log_personal_data_access
from forgecrm.platform.exports import Column
from forgecrm.platform.korea.brn import format_brn
from forgecrm.platform.korea.phone import display_phone
from forgecrm.platform.models import PersonalDataAccess
from forgecrm.platform.timeline import subject_actions_for
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from . import operations, queries
from .duplicates import find_duplicate_accounts, find_duplicate_contacts
from .forms import (
    AccountFilterForm,
    AccountForm,
    ConsentForm,
    ContactFilterForm,
    ContactForm,
    MergeForm,
)
from .models import Account, Contact


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _require(request: HttpRequest, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


# --- accounts: list ----------------------------------------------------------------------------------------


class AccountListView(ScopedListView):
    title = gettext_lazy("Accounts")
    template_name = "customers/list.html"
    row_template = "customers/account_row.html"
    sorts = {"name": "name", "created": "created_at", "updated": "updated_at"}
    default_sort = "name"
    hidden_on_phone = (2, 3, 4, 5, 6)  # column indexes
    headers = [
        ("name", gettext_lazy("name")),
        ("", gettext_lazy("kind")),
        ("", gettext_lazy("Region")),
        ("", gettext_lazy("owner")),
        ("", gettext_lazy("territory")),
        ("", gettext_lazy("tier")),
        ("updated", gettext_lazy("updated at")),
    ]
    export_name = "accounts"
    export_columns = [
        Column("ID", lambda a: a.pk),
        Column(capfirst(gettext_lazy("name")), lambda a: a.name),
        Column(capfirst(gettext_lazy("kind")), lambda a: a.get_kind_display()),
        Column(capfirst(gettext_lazy("form")), lambda a: a.get_form_display()),
        Column(capfirst(gettext_lazy("business registration number")), lambda a: format_brn(a.brn) if a.brn else ""),
        Column(capfirst(gettext_lazy("corporate registration number")), lambda a: a.corporate_number),
        Column(capfirst(gettext_lazy("industry")), lambda a: a.industry),
        Column(capfirst(gettext_lazy("size")), lambda a: a.get_size_display()),
        Column(capfirst(gettext_lazy("employees")), lambda a: a.employees),
        Column(capfirst(gettext_lazy("phone")), lambda a: display_phone(a.phone)),
        Column(capfirst(gettext_lazy("email")), lambda a: a.email),
        Column(capfirst(gettext_lazy("website")), lambda a: a.website),
        Column(capfirst(gettext_lazy("postal code")), lambda a: a.postal_code),
        Column(capfirst(gettext_lazy("시/도")), lambda a: a.sido),
        Column(capfirst(gettext_lazy("시/군/구")), lambda a: a.sigungu),
        Column(capfirst(gettext_lazy("road-name address")), lambda a: a.road_address),
        Column(capfirst(gettext_lazy("address detail")), lambda a: a.address_detail),
        Column(capfirst(gettext_lazy("owner")), lambda a: str(a.owner)),
        Column(capfirst(gettext_lazy("territory")), lambda a: str(a.territory or "")),
        Column(capfirst(gettext_lazy("tier")), lambda a: a.get_tier_display()),
        Column(capfirst(gettext_lazy("serving partner")), lambda a: str(a.partner or "")),
        Column(capfirst(gettext_lazy("partner type")), lambda a: a.get_partner_type_display()),
        Column(capfirst(gettext_lazy("active")), lambda a: a.is_active),
        Column(capfirst(gettext_lazy("created at")), lambda a: a.created_at),
        Column(capfirst(gettext_lazy("updated at")), lambda a: a.updated_at),
    ]

    def filters(self):
        form = AccountFilterForm(self.request.GET or None, actor=self.request.user)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def query(self, actor, filters):
        return queries.account_list_for(actor, filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["create_url_name"] = "customers:account-create" if user.has_perm("customers.add_account") else ""
        context["import_url"] = _import_url() if user.has_perm("customers.add_account") else ""
        context["hidden_on_phone"] = self.hidden_on_phone
        return context


def _import_url() -> str:
    """The import page, once the import feature has registered its routes."""
    try:
        resolve("/accounts/import/")
    except Resolver404:
        return ""
    return "/accounts/import/"


# --- accounts: 360° and actions --------------------------------------------------------------------------


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = queries.account_360_for(request.user, pk)
    except Http404:
        survivor_id = queries.account_alias_target_for(request.user, pk)
        if survivor_id is None:
            raise
        return redirect("customers:account-detail", survivor_id)
    user, account = request.user, view.account
    # PIPA: the page shows its contacts' emails and phone numbers, so each shown person is logged as viewed.
    log_personal_data_access(
        actor=user,
        model=Contact,
        object_ids=[contact.pk for contact in view.contacts],
        action=PersonalDataAccess.Action.VIEW,
        ip_address=_client_ip(request),
    )
    return render(
        request,
        "customers/account_detail.html",
        {
            "title": account.name,
            "view": view,
            "account": account,
            "can_change": user.has_perm("customers.change_account", account),
            "can_merge": user.has_perm("customers.merge_account", account),
            "can_deactivate": user.has_perm("customers.delete_account", account),
            "subject_actions": subject_actions_for(user, "account", account.pk),
        },
    )


def _render_account_form(request, form, *, account=None, conflict=False, duplicates=None, status=200):
    title = _("Edit %(name)s") % {"name": account.name} if account else _("New account")
    cancel = reverse("customers:account-detail", args=[account.pk]) if account else reverse("customers:account-list")
    return render(
        request,
        "customers/form.html",
        {
            "title": title,
            "form": form,
            "conflict": conflict,
            "duplicates": duplicates,
            "cancel_url": cancel,
            "wide_fields": {"description", "road_address"},
            "duplicate_check": account is None,
        },
        status=status,
    )


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    _require(request, "customers.add_account")
    if request.method != "POST":
        initial = {key: request.GET[key] for key in ("kind", "parent", "partner") if request.GET.get(key)}
        return _render_account_form(request, AccountForm(actor=request.user, initial=initial))
    form = AccountForm(request.POST, actor=request.user)
    if not form.is_valid():
        return _render_account_form(request, form, status=400)
    values = form.values()
    if not request.POST.get("confirm_duplicates"):
        matches = find_duplicate_accounts(
            name=values["name"], brn=values.get("brn", ""), email=values.get("email", ""), phone=values.get("phone", "")
        )
        duplicates = queries.visible_duplicates_for(request.user, Account, matches)
        if duplicates.matches or duplicates.hidden_count:
            return _render_account_form(request, form, duplicates=duplicates)
    try:
        account = operations.create_account(actor=request.user, **values)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_account_form(request, form, status=400)
    messages.success(request, _("Account %(name)s created.") % {"name": account.name})
    return redirect("customers:account-detail", account.pk)


@login_required
def account_update(request: HttpRequest, pk: int) -> HttpResponse:
    account = queries.get_account_for(request.user, pk)
    _require(request, "customers.change_account", account)
    if request.method != "POST":
        return _render_account_form(request, AccountForm(instance=account, actor=request.user), account=account)
    form = AccountForm(request.POST, instance=account, actor=request.user)
    if not form.is_valid():
        return _render_account_form(request, form, account=account, status=400)
    try:
        account = operations.update_account(
            actor=request.user, account=account, expected_version=form.cleaned_data["version"], changes=form.values()
        )
    except ConflictError as conflict:
        current = AccountForm(instance=conflict.current, actor=request.user)
        return _render_account_form(request, current, account=conflict.current, conflict=True, status=409)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_account_form(request, form, account=account, status=400)
    messages.success(request, _("Account %(name)s saved.") % {"name": account.name})
    return redirect("customers:account-detail", account.pk)


@login_required
@require_POST
def account_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    account = queries.get_account_for(request.user, pk)
    _require(request, "customers.delete_account", account)
    operation = operations.reactivate_account if active else operations.deactivate_account
    operation(actor=request.user, account=account)
    text = _("Account %(name)s restored.") if active else _("Account %(name)s deactivated.")
    messages.success(request, text % {"name": account.name})
    return redirect("customers:account-detail", account.pk)


def _merge_page(request, *, survivor, model, autocomplete_url, suggestions, merge, detail_name, name_of):
    _require(request, f"customers.merge_{model._meta.model_name}", survivor)
    data = request.POST if request.method == "POST" else (request.GET if request.GET.get("duplicate") else None)
    form = MergeForm(data, actor=request.user, survivor=survivor, autocomplete_url=autocomplete_url, model=model)
    plan = None
    if form.is_bound and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        if request.method == "POST":
            try:
                merged = merge(
                    actor=request.user,
                    survivor=survivor,
                    duplicate=duplicate,
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError:
                messages.warning(request, _("Someone else changed this record meanwhile; check the preview again."))
                return redirect(f"{request.path}?duplicate={duplicate.pk}")
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(duplicate)s was merged into %(survivor)s.")
                    % {"duplicate": name_of(duplicate), "survivor": name_of(merged)},
                )
                return redirect(detail_name, merged.pk)
        plan = operations.plan_merge(survivor, duplicate)
    return render(
        request,
        "customers/merge.html",
        {
            "title": _("Merge into %(name)s") % {"name": name_of(survivor)},
            "survivor": survivor,
            "form": form,
            "plan": plan,
            "suggestions": suggestions,
            "detail_url": reverse(detail_name, args=[survivor.pk]),
        },
    )


@login_required
def account_merge(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = queries.get_account_for(request.user, pk)
    _require(request, "customers.merge_account", survivor)
    matches = find_duplicate_accounts(
        name=survivor.name, brn=survivor.brn, email=survivor.email, phone=survivor.phone, exclude_id=survivor.pk
    )
    return _merge_page(
        request,
        survivor=survivor,
        model=Account,
        autocomplete_url=reverse("customers:account-autocomplete"),
        suggestions=queries.visible_duplicates_for(request.user, Account, matches).matches,
        merge=operations.merge_accounts,
        detail_name="customers:account-detail",
        name_of=lambda account: account.name,
    )


@login_required
@require_GET
def account_duplicates(request: HttpRequest) -> HttpResponse:
    """HTMX: possible duplicates while the create form is being typed."""
    name = request.GET.get("name", "").strip()[:200]
    keys = {key: request.GET.get(key, "").strip()[:254] for key in ("brn", "email", "phone")}
    duplicates = None
    if len(name) >= 2 or any(keys.values()):
        matches = find_duplicate_accounts(name=name, **keys)
        duplicates = queries.visible_duplicates_for(request.user, Account, matches)
    return render(request, "customers/duplicates.html", {"duplicates": duplicates, "confirm": False})


def _account_results(rows) -> JsonResponse:
    results = []
    for account in rows:
        detail = " · ".join(filter(None, [format_brn(account.brn) if account.brn else "", account.sido]))
        results.append({"id": account.pk, "text": f"{account.name} ({detail})" if detail else account.name})
    return JsonResponse({"results": results})


@login_required
@require_GET
def account_autocomplete(request: HttpRequest, kind: str = "") -> JsonResponse:
    """Tom Select: `{"results": [{"id", "text"}]}`, only accounts the user may see."""
    return _account_results(queries.account_choices_for(request.user, request.GET.get("q", "")[:100], kind=kind))


# --- contacts ----------------------------------------------------------------------------------------------


class ContactListView(ScopedListView):
    title = gettext_lazy("Contacts")
    template_name = "customers/list.html"
    row_template = "customers/contact_row.html"
    sorts = {"name": "full_name", "created": "created_at", "updated": "updated_at"}
    default_sort = "name"
    hidden_on_phone = (2, 3, 5, 6)
    headers = [
        ("name", gettext_lazy("name")),
        ("", gettext_lazy("account")),
        ("", gettext_lazy("job title")),
        ("", gettext_lazy("email")),
        ("", gettext_lazy("phone")),
        ("", gettext_lazy("key-person role")),
        ("updated", gettext_lazy("updated at")),
    ]
    export_name = "contacts"
    export_columns = [
        Column("ID", lambda c: c.pk),
        Column(capfirst(gettext_lazy("name")), lambda c: c.full_name),
        Column(capfirst(gettext_lazy("account")), lambda c: c.account.name),
        Column(capfirst(gettext_lazy("job title")), lambda c: c.title),
        Column(capfirst(gettext_lazy("department")), lambda c: c.department),
        Column(capfirst(gettext_lazy("email")), lambda c: c.email),
        Column(capfirst(gettext_lazy("phone")), lambda c: display_phone(c.phone)),
        Column(capfirst(gettext_lazy("mobile")), lambda c: display_phone(c.mobile)),
        Column(capfirst(gettext_lazy("key-person role")), lambda c: c.get_key_person_role_display()),
        Column(capfirst(gettext_lazy("preferred channel")), lambda c: c.get_preferred_channel_display()),
        Column(capfirst(gettext_lazy("owner")), lambda c: str(c.owner)),
        Column(capfirst(gettext_lazy("active")), lambda c: c.is_active),
        Column(capfirst(gettext_lazy("created at")), lambda c: c.created_at),
        Column(capfirst(gettext_lazy("updated at")), lambda c: c.updated_at),
    ]

    def filters(self):
        form = ContactFilterForm(self.request.GET or None, actor=self.request.user)
        if form.is_bound and form.is_valid():
            return form, {key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])}
        return form, {}

    def query(self, actor, filters):
        return queries.contact_list_for(actor, filters)

    def after_export(self, rows) -> None:
        # PIPA: an export of people's data is logged per person.
        log_personal_data_access(
            actor=self.request.user,
            model=Contact,
            object_ids=[row.pk for row in rows],
            action=PersonalDataAccess.Action.EXPORT,
            ip_address=_client_ip(self.request),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # PIPA: a list page shows emails and phone numbers; every person on the page is logged as viewed.
        log_personal_data_access(
            actor=self.request.user,
            model=Contact,
            object_ids=[row.pk for row in context["page"].rows],
            action=PersonalDataAccess.Action.VIEW,
            ip_address=_client_ip(self.request),
        )
        can_create = self.request.user.has_perm("customers.add_account")
        context["create_url_name"] = "customers:contact-create" if can_create else ""
        context["hidden_on_phone"] = self.hidden_on_phone
        return context


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = queries.contact_360_for(request.user, pk)
    except Http404:
        survivor_id = queries.contact_alias_target_for(request.user, pk)
        if survivor_id is None:
            raise
        return redirect("customers:contact-detail", survivor_id)
    contact = view.contact
    log_personal_data_access(
        actor=request.user,
        model=Contact,
        object_ids=[contact.pk],
        action=PersonalDataAccess.Action.VIEW,
        ip_address=_client_ip(request),
    )
    can_change = request.user.has_perm("customers.change_contact", contact)
    return render(
        request,
        "customers/contact_detail.html",
        {
            "title": contact.full_name,
            "view": view,
            "contact": contact,
            "can_change": can_change,
            "can_merge": request.user.has_perm("customers.merge_contact", contact),
            "can_handle_privacy": request.user.has_perm("customers.erase_personal_data", contact),
            "subject_actions": subject_actions_for(request.user, "contact", contact.pk),
            "consent_form": ConsentForm() if can_change else None,
        },
    )


def _render_contact_form(request, form, *, contact=None, conflict=False, duplicates=None, status=200):
    title = _("Edit %(name)s") % {"name": contact.full_name} if contact else _("New contact")
    cancel = reverse("customers:contact-detail", args=[contact.pk]) if contact else reverse("customers:contact-list")
    return render(
        request,
        "customers/form.html",
        {
            "title": title,
            "form": form,
            "conflict": conflict,
            "duplicates": duplicates,
            "cancel_url": cancel,
            "wide_fields": {"notes"},
            "duplicate_check": False,
        },
        status=status,
    )


def _record_consents(request, form, contact) -> None:
    for purpose, granted in form.consent_changes():
        operations.record_consent(
            actor=request.user,
            contact=contact,
            purpose=purpose,
            granted=granted,
            source=form.cleaned_data["consent_source"],
            recorded_at=form.consent_moment(),
        )


@login_required
def contact_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {}
        if request.GET.get("account"):
            account = queries.get_account_for(request.user, request.GET["account"])
            _require(request, "customers.add_contact", account)
            initial["account"] = account.pk
        return _render_contact_form(request, ContactForm(actor=request.user, initial=initial))
    form = ContactForm(request.POST, actor=request.user)
    if not form.is_valid():
        return _render_contact_form(request, form, status=400)
    values = form.values()
    account = values.pop("account")
    _require(request, "customers.add_contact", account)
    if not request.POST.get("confirm_duplicates"):
        matches = find_duplicate_contacts(
            full_name=values["full_name"],
            email=values.get("email", ""),
            phone=values.get("phone", ""),
            mobile=values.get("mobile", ""),
            account_id=account.pk,
        )
        duplicates = queries.visible_duplicates_for(request.user, Contact, matches)
        if duplicates.matches or duplicates.hidden_count:
            return _render_contact_form(request, form, duplicates=duplicates)
    try:
        contact = operations.create_contact(actor=request.user, account=account, **values)
        _record_consents(request, form, contact)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_contact_form(request, form, status=400)
    messages.success(request, _("Contact %(name)s created.") % {"name": contact.full_name})
    return redirect("customers:contact-detail", contact.pk)


@login_required
def contact_update(request: HttpRequest, pk: int) -> HttpResponse:
    contact = queries.get_contact_for(request.user, pk)
    _require(request, "customers.change_contact", contact)
    if request.method != "POST":
        return _render_contact_form(request, ContactForm(instance=contact, actor=request.user), contact=contact)
    form = ContactForm(request.POST, instance=contact, actor=request.user)
    if not form.is_valid():
        return _render_contact_form(request, form, contact=contact, status=400)
    try:
        contact = operations.update_contact(
            actor=request.user, contact=contact, expected_version=form.cleaned_data["version"], changes=form.values()
        )
        _record_consents(request, form, contact)
    except ConflictError as conflict:
        current = ContactForm(instance=conflict.current, actor=request.user)
        return _render_contact_form(request, current, contact=conflict.current, conflict=True, status=409)
    except ValidationError as error:
        form.apply_errors(error)
        return _render_contact_form(request, form, contact=contact, status=400)
    messages.success(request, _("Contact %(name)s saved.") % {"name": contact.full_name})
    return redirect("customers:contact-detail", contact.pk)


@login_required
@require_POST
def contact_consent(request: HttpRequest, pk: int) -> HttpResponse:
    contact = queries.get_contact_for(request.user, pk)
    _require(request, "customers.change_contact", contact)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            operations.record_consent(
                actor=request.user,
                contact=contact,
                purpose=form.cleaned_data["purpose"],
                granted=form.cleaned_data["granted"],
                source=form.cleaned_data["source"],
                recorded_at=form.moment(),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Consent recorded."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("customers:contact-detail", contact.pk)


@login_required
@require_POST
def contact_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    contact = queries.get_contact_for(request.user, pk)
    _require(request, "customers.delete_contact", contact)
    operation = operations.reactivate_contact if active else operations.deactivate_contact
    operation(actor=request.user, contact=contact)
    text = _("Contact %(name)s restored.") if active else _("Contact %(name)s deactivated.")
    messages.success(request, text % {"name": contact.full_name})
    return redirect("customers:contact-detail", contact.pk)


@login_required
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    survivor = queries.get_contact_for(request.user, pk)
    _require(request, "customers.merge_contact", survivor)
    matches = find_duplicate_contacts(
        full_name=survivor.full_name,
        email=survivor.email,
        phone=survivor.phone,
        mobile=survivor.mobile,
        account_id=survivor.account_id,
        exclude_id=survivor.pk,
    )
    return _merge_page(
        request,
        survivor=survivor,
        model=Contact,
        autocomplete_url=reverse("customers:contact-autocomplete"),
        suggestions=queries.visible_duplicates_for(request.user, Contact, matches).matches,
        merge=operations.merge_contacts,
        detail_name="customers:contact-detail",
        name_of=lambda contact: contact.full_name,
    )


@login_required
@require_GET
def contact_autocomplete(request: HttpRequest) -> JsonResponse:
    rows = queries.contact_choices_for(request.user, request.GET.get("q", "")[:100])
    return JsonResponse(
        {"results": [{"id": contact.pk, "text": f"{contact.full_name} ({contact.account.name})"} for contact in rows]}
    )
