"""Quote pages: the list, the builder (lines with option pickers, discounts, live totals; HTMX), the approval
panel, revisions, the PDF, sending and acceptance. Each view parses, resolves the scoped record, calls one
operation or query and renders; refusals of the operations become messages on the quote."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from forgecrm.catalog.models import Product
from forgecrm.platform.access import get_for_or_404, principal_for
from forgecrm.platform.models import User
from forgecrm.platform.pdf import pdf_response
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.quotes import (
    AcceptForm,
    AddLineForm,
    CommentForm,
    LineForm,
    QuoteCreateForm,
    QuoteFilterForm,
    QuoteHeaderForm,
    SendForm,
)
from ..models import Quote, QuoteStatus, SalesOrder
from ..operations import quote_approvals, quote_lines, quoting
from ..operations.quote_approvals import required_approvals
from ..queries import quotes as queries
from ..queries.quotes import sees_margins
from ..quote_documents import quote_pdf_filename, render_quote_pdf
from .document_exports import quote_columns


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


class QuoteListView(ScopedListView):
    title = cast(str, gettext_lazy("Quotes"))
    template_name = "sales/list.html"
    hidden_on_phone = (1, 4, 5)  # account (shown under the number), date, owner / ERP number
    row_template = "sales/quotes/row.html"
    filter_form_class = QuoteFilterForm
    sorts = {"number": "number", "created": "created_at", "valid": "valid_until"}
    default_sort = "-created"
    create_url_name = "sales:quote-create"
    headers = [
        ("number", cast(str, gettext_lazy("Number"))),
        ("", cast(str, gettext_lazy("Account"))),
        ("", cast(str, gettext_lazy("Status"))),
        ("", cast(str, gettext_lazy("Total"))),
        ("valid", cast(str, gettext_lazy("Valid until"))),
        ("", cast(str, gettext_lazy("Owner"))),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_on_phone"] = self.hidden_on_phone
        return context

    export_name = "quotes"
    export_columns = quote_columns(internal=False)

    def get(self, request, *args, **kwargs):
        self.internal = sees_margins(request.user)
        self.export_columns = quote_columns(internal=self.internal)
        return super().get(request, *args, **kwargs)

    def query(self, actor, filters):
        queryset = queries.quote_list_for(actor, filters)
        if self.internal and self.request.GET.get("export"):
            queryset = queries.with_costs(queryset, quote="pk")
        return queryset


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _back(quote_id: int) -> HttpResponse:
    return redirect("sales:quote-detail", quote_id)


def _builder_context(request: HttpRequest, pk: int, **extra) -> dict:
    view = queries.quote_detail_for(request.user, pk)
    quote, user = view.quote, request.user
    can_change = user.has_perm("sales.change_quote", quote)
    editable = can_change and quote.status in quote_lines.CHANGEABLE_STATUSES
    context = {
        "title": quote.number,
        "view": view,
        "quote": quote,
        "can_change": can_change,
        "editable": editable,
        "can_send": user.has_perm("sales.send_quote", quote) and quote.status in quoting.SENDABLE_STATUSES,
        "can_accept": user.has_perm("sales.accept_quote", quote) and quote.status in quoting.ACCEPTABLE_STATUSES,
        "can_approve": view.internal
        and quote.status == QuoteStatus.PENDING_APPROVAL
        and user.has_perm("sales.approve_quote", quote),
        "can_revise": can_change
        and quote.status in quoting.REVISABLE_STATUSES
        and view.revisions
        and view.revisions[0].pk == quote.pk,
        "can_submit": can_change and quote.status in (QuoteStatus.DRAFT, QuoteStatus.REJECTED),
        "needed": required_approvals(quote) if view.internal else [],
        "add_form": AddLineForm(actor=user, initial={"version": quote.version}),
        "send_form": SendForm(initial={"version": quote.version, "to": quote.contact.email if quote.contact else ""}),
        "accept_form": AcceptForm(),
        "comment_form": CommentForm(initial={"version": quote.version}),
    }
    context.update(extra)
    return context


@login_required
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "sales/quotes/detail.html", _builder_context(request, pk))


def _builder(request: HttpRequest, pk: int, *, errors: list[str] | None = None) -> HttpResponse:
    """After a builder change: the lines and totals fragment for HTMX, else back to the page."""
    if getattr(request, "htmx", False):
        return render(request, "sales/quotes/_builder.html", _builder_context(request, pk, builder_errors=errors or []))
    for text in errors or []:
        messages.error(request, text)
    return _back(pk)


@login_required
def quote_create(request: HttpRequest) -> HttpResponse:
    principal = principal_for(request.user)
    if not (principal.is_internal or principal.is_partner):
        raise PermissionDenied  # customers never make quotes (the opportunity's rule decides for the others)
    data = request.POST if request.method == "POST" else None
    form = QuoteCreateForm(data, actor=_actor(request), initial={"opportunity": request.GET.get("opportunity")})
    if form.is_bound and form.is_valid():
        try:
            quote = quoting.create_quote(actor=_actor(request), **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("Quote %(number)s created.") % {"number": quote.number})
            return _back(quote.pk)
    status = 400 if form.is_bound else 200
    context = {"title": _("New quote"), "form": form, "cancel_url": reverse("sales:quote-list")}
    return render(request, "platform/form.html", context, status=status)


@login_required
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quote = queries.get_quote_for(request.user, pk)
    if not request.user.has_perm("sales.change_quote", quote):
        raise PermissionDenied
    form = QuoteHeaderForm(request.POST or None, actor=_actor(request), quote=quote)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            quote_lines.update_quote(
                actor=_actor(request),
                quote=quote,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except ConflictError as stale:
            conflict = True
            form = QuoteHeaderForm(actor=_actor(request), quote=stale.current)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, texts in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, texts)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("Quote %(number)s saved.") % {"number": quote.number})
            return _back(quote.pk)
    context = {
        "title": _("Edit %(number)s") % {"number": quote.number},
        "form": form,
        "conflict": conflict,
        "wide_fields": {"terms", "internal_note"},
        "cancel_url": reverse("sales:quote-detail", args=[quote.pk]),
    }
    return render(request, "platform/form.html", context, status=409 if conflict else (400 if form.errors else 200))


@login_required
@require_GET
def quote_line_options(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the option pickers of the product chosen in the add-line form, and the rule errors of a choice."""
    quote = queries.get_quote_for(request.user, pk)
    raw = request.GET.get("product", "")
    product = get_for_or_404(request.user, Product, pk=int(raw)) if raw.isdigit() and len(raw) < 19 else None
    groups = queries.option_groups_for(request.user, product) if product is not None else []
    chosen = [int(value) for value in request.GET.getlist("options")[:100] if value.isdigit() and len(value) < 19]
    errors = (
        queries.configuration_errors_for(request.user, quote, product, chosen)
        if product is not None and "check" in request.GET
        else []
    )
    context = {"quote": quote, "product": product, "groups": groups, "chosen": chosen, "errors": errors}
    return render(request, "sales/quotes/_option_pickers.html", context)


@login_required
@require_POST
def quote_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    quote = queries.get_quote_for(request.user, pk)
    if not request.user.has_perm("sales.change_quote", quote):
        raise PermissionDenied
    form = AddLineForm(request.POST, actor=_actor(request))
    if not form.is_valid():
        return _builder(
            request,
            pk,
            errors=[f"{form[name].label}: {' '.join(map(str, errs))}" for name, errs in form.errors.items()],
        )
    try:
        quote_lines.add_quote_line(
            actor=_actor(request),
            quote=quote,
            product=form.cleaned_data["product"],
            quantity=form.cleaned_data["quantity"],
            discount_percent=form.cleaned_data["discount_percent"] or 0,
            option_ids=[value for value in request.POST.getlist("options") if value.isdigit()],
        )
    except ConflictError:
        return _builder(request, pk, errors=[_("Someone else changed this quote meanwhile; check it and try again.")])
    except ValidationError as error:
        return _builder(request, pk, errors=error.messages)
    return _builder(request, pk)


@login_required
@require_POST
def quote_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = queries.get_quote_line_for(request.user, pk)
    if not request.user.has_perm("sales.change_quote", line.quote):
        raise PermissionDenied
    form = LineForm(request.POST)
    if not form.is_valid():
        return _builder(request, line.quote_id, errors=[" ".join(map(str, errs)) for errs in form.errors.values()])
    try:
        quote_lines.update_quote_line(
            actor=_actor(request),
            line=line,
            expected_version=form.cleaned_data["version"],
            quantity=form.cleaned_data["quantity"],
            discount_percent=form.cleaned_data["discount_percent"],
        )
    except ConflictError:
        return _builder(request, line.quote_id, errors=[_("Someone else changed this line meanwhile; check it again.")])
    except ValidationError as error:
        return _builder(request, line.quote_id, errors=error.messages)
    return _builder(request, line.quote_id)


@login_required
@require_POST
def quote_line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = queries.get_quote_line_for(request.user, pk)
    if not request.user.has_perm("sales.change_quote", line.quote):
        raise PermissionDenied
    try:
        quote_lines.remove_quote_line(actor=_actor(request), line=line, expected_version=_version(request))
    except ConflictError:
        return _builder(request, line.quote_id, errors=[_("Someone else changed this line meanwhile; check it again.")])
    except ValidationError as error:
        return _builder(request, line.quote_id, errors=error.messages)
    return _builder(request, line.quote_id)


def _act(request: HttpRequest, pk: int, permission: str, run, done: str) -> HttpResponse:
    quote = queries.get_quote_for(request.user, pk)
    if not request.user.has_perm(permission, quote):
        raise PermissionDenied
    try:
        result = run(quote)
    except ConflictError:
        messages.warning(request, _("Someone else changed this quote meanwhile; check it and try again."))
        return _back(pk)
    except ValidationError as error:
        _errors(request, error)
        return _back(pk)
    messages.success(request, done)
    if isinstance(result, SalesOrder):
        return redirect("sales:order-detail", result.pk)
    return _back(result.pk if isinstance(result, Quote) else pk)


@login_required
@require_POST
def quote_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "sales.change_quote",
        lambda quote: quote_approvals.submit_quote_for_approval(
            actor=_actor(request), quote=quote, expected_version=_version(request)
        ),
        _("Submitted."),
    )


@login_required
@require_POST
def quote_approve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:2000]
    return _act(
        request,
        pk,
        "sales.approve_quote",
        lambda quote: quote_approvals.approve_quote(
            actor=_actor(request), quote=quote, expected_version=_version(request), comment=comment
        ),
        _("Approved."),
    )


@login_required
@require_POST
def quote_reject(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:2000]
    return _act(
        request,
        pk,
        "sales.approve_quote",
        lambda quote: quote_approvals.reject_quote(
            actor=_actor(request), quote=quote, expected_version=_version(request), comment=comment
        ),
        _("Rejected; the quote is back with its owner."),
    )


@login_required
@require_POST
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    form = SendForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})

    def run(quote):
        updated = quoting.send_quote(
            actor=_actor(request),
            quote=quote,
            expected_version=_version(request),
            to=data.get("to", ""),
            message=data.get("message", ""),
            base_url=request.build_absolute_uri("/"),
        )
        if updated.status == QuoteStatus.PENDING_APPROVAL:
            messages.info(request, _("The discount needs approval first: the quote was submitted instead of sent."))
        return updated

    return _act(request, pk, "sales.send_quote", run, _("Done."))


@login_required
@require_POST
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    form = AcceptForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return _act(
        request,
        pk,
        "sales.accept_quote",
        lambda quote: quoting.accept_quote(
            actor=_actor(request),
            quote=quote,
            customer_reference=data.get("customer_reference", ""),
            requested_delivery_date=data.get("requested_delivery_date"),
        ),
        _("Accepted: the sales order is created."),
    )


@login_required
@require_POST
def quote_decline(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("comment", "")[:2000]
    return _act(
        request,
        pk,
        "sales.accept_quote",
        lambda quote: quoting.decline_quote(
            actor=_actor(request), quote=quote, expected_version=_version(request), reason=reason
        ),
        _("Declined."),
    )


@login_required
@require_POST
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "sales.change_quote",
        lambda quote: quoting.new_quote_revision(
            actor=_actor(request), quote=quote, expected_version=_version(request)
        ),
        _("New revision created."),
    )


@login_required
@require_GET
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = queries.get_quote_for(request.user, pk)
    pdf = render_quote_pdf(quote, base_url=request.build_absolute_uri("/"))
    return pdf_response(pdf, quote_pdf_filename(quote), inline=request.GET.get("inline") == "1")
