"""The organisation's quotes to its own customers (견적): the list, a new quote for one of its deals, lines by our
product or its own product number with the catalog's option rules, its selling prices and margins, and placing
the order with headquarters.

Lines show the list price, the partner's own price, its selling price and its margin; never our cost or margin
(the reads in sales.queries.partner_quotes never select them)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.catalog.models import Product
from forgecrm.platform.access import get_for_or_404
from forgecrm.platform.forms import add_validation_error
from forgecrm.platform.ui.lists import keyset_page
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import QuoteStatus
from forgecrm.sales.operations import partner_quotes as operations
from forgecrm.sales.operations import quote_lines
from forgecrm.sales.queries import partner_quotes as queries
from forgecrm.sales.queries.quotes import configuration_errors_for, option_groups_for

from ..access import actor, portal_context, portal_view
from ..forms.quotes import LineAddForm, LineEditForm, PlaceOrderForm, QuoteCreateForm
from ..forms.registrations import VersionForm

S = QuoteStatus
TABS = [
    ("open", gettext_lazy("Open")),
    ("ordered", gettext_lazy("Ordered")),
    ("closed", gettext_lazy("Closed")),
    ("", gettext_lazy("All")),
]
TAB_STATUSES = {
    "open": (S.DRAFT, S.REJECTED, S.PENDING_APPROVAL, S.APPROVED, S.SENT),
    "ordered": (S.ACCEPTED,),
    "closed": (S.DECLINED, S.EXPIRED, S.SUPERSEDED),
}
CONFLICT = gettext_lazy("Someone else changed this quote meanwhile; check it and try again.")


@portal_view
def quote_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "open")
    if tab not in {key for key, _label in TABS}:
        tab = "open"
    q = request.GET.get("q", "").strip()[:100]
    rows = queries.partner_quote_list_for(request.user, {"q": q})
    if tab:
        rows = rows.filter(status__in=TAB_STATUSES[tab])
    page = keyset_page(
        rows, sort="-number", allowed={"number": "number"}, cursor=request.GET.get("cursor", ""), size=25
    )
    return render(
        request,
        "partner_portal/quotes/list.html",
        {
            **portal_context(request),
            "title": _("Quotes"),
            "page": page,
            "tab": tab,
            "q": q,
            "tabs": [(key, str(label)) for key, label in TABS],
            "nav": "quotes",
        },
    )


@portal_view
def quote_create(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = QuoteCreateForm(request.POST or None, actor=user, initial={"opportunity": request.GET.get("opportunity")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                quote = operations.create_partner_quote(
                    actor=user,
                    opportunity=form.cleaned_data["opportunity"],
                    valid_until=form.cleaned_data.get("valid_until"),
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Quote created with the deal's products, priced on your price list."))
                return redirect("partner_portal:quote-detail", quote.pk)
    return render(
        request,
        "partner_portal/quotes/form.html",
        {**portal_context(request), "title": _("New quote"), "form": form, "nav": "quotes"},
        status=status,
    )


def _detail_page(request: HttpRequest, pk: int, *, add_form=None, order_form=None, status: int = 200):
    user = actor(request)
    detail = queries.partner_quote_detail_for(user, pk)
    quote = detail.quote
    may_change = quote.is_editable and user.has_perm("sales.change_quote", quote)
    return render(
        request,
        "partner_portal/quotes/detail.html",
        {
            **portal_context(request),
            "title": quote.number,
            "quote": quote,
            "detail": detail,
            "may_change": may_change,
            "may_order": detail.order is None
            and quote.status in operations.PLACEABLE_STATUSES
            and user.has_perm("sales.accept_quote", quote),
            "add_form": add_form or LineAddForm(actor=user, initial={"version": quote.version}),
            "order_form": order_form or PlaceOrderForm(initial={"version": quote.version}),
            "nav": "quotes",
        },
        status=status,
    )


@portal_view
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk)


def _changeable(request: HttpRequest, pk: int):
    quote = queries.get_partner_quote_for(request.user, pk)
    if not request.user.has_perm("sales.change_quote", quote):
        raise PermissionDenied
    return quote


@portal_view
def quote_line_options(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the option pickers of the product chosen (or named by the partner's number), and the rule errors."""
    user = actor(request)
    quote = queries.get_partner_quote_for(user, pk)
    raw = request.GET.get("product", "")
    product = get_for_or_404(user, Product, pk=int(raw)) if raw.isdigit() and len(raw) < 19 else None
    number = request.GET.get("partner_product_number", "").strip()[:60]
    if product is None and number:
        try:
            product = operations.product_for_partner_number(quote, number)
        except ValidationError:
            product = None
    groups = option_groups_for(user, product) if product is not None else []
    chosen = [int(value) for value in request.GET.getlist("options")[:100] if value.isdigit() and len(value) < 19]
    errors = configuration_errors_for(user, quote, product, chosen) if product and "check" in request.GET else []
    context = {"quote": quote, "product": product, "groups": groups, "chosen": chosen, "errors": errors}
    return render(request, "partner_portal/quotes/_option_pickers.html", context)


@require_POST
@portal_view
def quote_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    quote = _changeable(request, pk)
    form = LineAddForm(request.POST, actor=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            operations.add_partner_quote_line(
                actor=user,
                quote=quote,
                product=data.get("product"),
                partner_product_number=data.get("partner_product_number") or "",
                quantity=data["quantity"],
                option_ids=[value for value in request.POST.getlist("options")[:100] if value.isdigit()],
                selling_unit_price=data.get("selling_unit_price") or None,
                expected_version=data.get("version"),
            )
        except ConflictError:
            messages.warning(request, CONFLICT)
            return redirect("partner_portal:quote-detail", quote.pk)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("Line added."))
            return redirect("partner_portal:quote-detail", quote.pk)
    return _detail_page(request, quote.pk, add_form=form, status=400)


def _line_for_change(request: HttpRequest, pk: int):
    line = queries.get_partner_quote_line_for(request.user, pk)
    if not request.user.has_perm("sales.change_quote", line.quote):
        raise PermissionDenied
    return line


@require_POST
@portal_view
def quote_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line_for_change(request, pk)
    form = LineEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("partner_portal:quote-detail", line.quote_id)
    try:
        quote_lines.update_quote_line(
            actor=actor(request),
            line=line,
            expected_version=form.cleaned_data.get("version"),
            quantity=form.cleaned_data["quantity"],
            selling_unit_price=form.cleaned_data["selling_unit_price"],
        )
    except ConflictError:
        messages.warning(request, CONFLICT)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Line saved."))
    return redirect("partner_portal:quote-detail", line.quote_id)


@require_POST
@portal_view
def quote_line_remove(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line_for_change(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        quote_lines.remove_quote_line(actor=actor(request), line=line, expected_version=version)
    except ConflictError:
        messages.warning(request, CONFLICT)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Line removed."))
    return redirect("partner_portal:quote-detail", line.quote_id)


@require_POST
@portal_view
def quote_place_order(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    quote = queries.get_partner_quote_for(user, pk)
    if not user.has_perm("sales.accept_quote", quote):
        raise PermissionDenied
    form = PlaceOrderForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = operations.place_partner_order(
                actor=user,
                quote=quote,
                expected_version=data.get("version"),
                customer_reference=data.get("customer_reference") or "",
                requested_delivery_date=data.get("requested_delivery_date"),
            )
        except ConflictError:
            messages.warning(request, CONFLICT)
            return redirect("partner_portal:quote-detail", quote.pk)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(
                request, _("Order %(number)s placed with headquarters at your prices.") % {"number": order.number}
            )
            return redirect("partner_portal:quote-detail", quote.pk)
    return _detail_page(request, quote.pk, order_form=form, status=400)
