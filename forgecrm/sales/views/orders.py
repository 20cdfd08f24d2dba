"""Sales order pages: the list, the detail with its status timeline and ERP number, and the status moves."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from forgecrm.platform.models import User
from forgecrm.platform.ui.listing import ScopedListView
from forgecrm.platform.versioning import ConflictError

from ..forms.quotes import OrderFilterForm, OrderStatusForm
from ..models import SalesOrderStatus
from ..operations.orders import change_sales_order_status, next_statuses
from ..queries import quotes as queries
from ..queries.quotes import sees_margins
from .document_exports import order_columns


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


class SalesOrderListView(ScopedListView):
    title = cast(str, gettext_lazy("Sales orders"))
    template_name = "sales/list.html"
    hidden_on_phone = (1, 4, 5)  # account (shown under the number), date, owner / ERP number
    row_template = "sales/orders/row.html"
    filter_form_class = OrderFilterForm
    sorts = {"number": "number", "ordered": "ordered_at"}
    default_sort = "-ordered"
    headers = [
        ("number", cast(str, gettext_lazy("Number"))),
        ("", cast(str, gettext_lazy("Account"))),
        ("", cast(str, gettext_lazy("Status"))),
        ("", cast(str, gettext_lazy("Total"))),
        ("ordered", cast(str, gettext_lazy("Ordered at"))),
        ("", cast(str, gettext_lazy("ERP number"))),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_on_phone"] = self.hidden_on_phone
        return context

    export_name = "sales-orders"
    export_columns = order_columns(internal=False)

    def get(self, request, *args, **kwargs):
        self.internal = sees_margins(request.user)
        self.export_columns = order_columns(internal=self.internal)
        return super().get(request, *args, **kwargs)

    def query(self, actor, filters):
        queryset = queries.sales_order_list_for(actor, filters)
        if self.internal and self.request.GET.get("export"):
            queryset = queries.with_costs(queryset, quote="quote_id")
        return queryset


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    view = queries.sales_order_detail_for(request.user, pk)
    order, user = view.order, request.user
    moves = [status for status in next_statuses(order) if status != SalesOrderStatus.CANCELLED]
    context = {
        "title": order.number,
        "view": view,
        "order": order,
        "moves": [(status, SalesOrderStatus(status).label) for status in moves]
        if user.has_perm("sales.change_salesorder", order)
        else [],
        "can_cancel": SalesOrderStatus.CANCELLED in next_statuses(order)
        and user.has_perm("sales.cancel_salesorder", order),
        "quote_visible": (order.quote_id is not None and user.has_perm("sales.change_quote", order.quote))
        or bool(order.quote_id and queries.quote_list_for(user).filter(pk=order.quote_id).exists()),
    }
    return render(request, "sales/orders/detail.html", context)


def _move(request: HttpRequest, pk: int, permission: str, status: str | None) -> HttpResponse:
    order = queries.get_sales_order_for(request.user, pk)
    if not request.user.has_perm(permission, order):
        raise PermissionDenied
    form = OrderStatusForm(request.POST if status is None else {**request.POST.dict(), "status": status})
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("sales:order-detail", pk)
    try:
        change_sales_order_status(
            actor=_actor(request),
            order=order,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except ConflictError:
        messages.warning(request, _("Someone else changed this sales order meanwhile; check it and try again."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Sales order %(number)s updated.") % {"number": order.number})
    return redirect("sales:order-detail", pk)


@login_required
@require_POST
def order_status(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("status") == SalesOrderStatus.CANCELLED:
        return _move(request, pk, "sales.cancel_salesorder", None)
    return _move(request, pk, "sales.change_salesorder", None)


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, "sales.cancel_salesorder", SalesOrderStatus.CANCELLED)
