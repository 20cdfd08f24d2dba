from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .amounts import check_amount_currencies, currency_field, money_field, percent_between, same_currency

ORDER_AMOUNTS = ["net", "vat", "total"]


class SalesOrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PRODUCTION = "in_production", _("In production")
    SHIPPED = "shipped", _("Shipped")
    INVOICED = "invoiced", _("Invoiced")
    CANCELLED = "cancelled", _("Cancelled")


class SalesOrder(BusinessModel):
    """An accepted quote handed to ERP (수주); its status comes back from ERP afterwards."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    # Null only for orders that arrive from ERP or an import without a quote here.
    quote = models.OneToOneField(
        "sales.Quote", models.PROTECT, null=True, blank=True, related_name="sales_order", verbose_name=_("quote")
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_orders",
        verbose_name=_("opportunity"),
    )
    account = models.ForeignKey(
        "customers.Account", models.PROTECT, related_name="sales_orders", verbose_name=_("account")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_sales_orders", verbose_name=_("owner")
    )
    # The partner that placed the order with us for its customer (`account`): the channel it was sold through,
    # invoiced at the partner's own prices. Empty for direct orders.
    sold_through = models.ForeignKey(
        "customers.Account",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sold_through_orders",
        limit_choices_to={"kind": "partner"},
        verbose_name=_("sold through"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SalesOrderStatus.choices, default=SalesOrderStatus.SUBMITTED
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    currency = currency_field()
    net = money_field(_("net amount"))
    vat = money_field(_("VAT"))
    total = money_field(_("total"))
    customer_reference = models.CharField(_("customer PO number"), max_length=64, blank=True)
    requested_delivery_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    erp_number = models.CharField(_("ERP number"), max_length=64, blank=True)
    erp_synced_at = models.DateTimeField(_("synced with ERP at"), null=True, blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [
            models.Index(fields=["account", "-ordered_at"], name="order_account_ordered"),
            models.Index(fields=["owner", "-ordered_at"], name="order_owner_ordered"),
            models.Index(fields=["status", "-ordered_at", "-id"], name="order_status_ordered"),
            models.Index(fields=["-ordered_at", "-id"], name="order_ordered"),
            models.Index(fields=["sold_through", "-ordered_at", "-id"], name="order_sold_through_ordered"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["erp_number"], condition=~models.Q(erp_number=""), name="order_erp_number_once"
            ),
            same_currency(ORDER_AMOUNTS, "order_amounts_in_currency"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        super().clean()
        check_amount_currencies(self, ORDER_AMOUNTS, self.currency)


class SalesOrderLine(BusinessModel):
    """A product line of a sales order, copied from the accepted quote's line."""

    order = models.ForeignKey(SalesOrder, models.CASCADE, related_name="lines", verbose_name=_("sales order"))
    position = models.PositiveSmallIntegerField(_("position"))
    quote_line = models.ForeignKey(
        "sales.QuoteLine", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("quote line")
    )
    product = models.ForeignKey("catalog.Product", models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = money_field(_("net unit price"))
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=6, decimal_places=2, default=0)
    line_total = money_field(_("line total"))

    objects = models.Manager()  # djmoney wraps it; declared for mypy

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ["order", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position_once"),
            models.CheckConstraint(name="order_line_quantity_positive", condition=models.Q(quantity__gte=1)),
            percent_between("discount_percent", "order_line_discount_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.position}"


class StatusChangeSource(models.TextChoices):
    USER = "user", _("User")
    ERP = "erp", _("ERP")


class SalesOrderStatusChange(models.Model):
    """Each status a sales order went through, from a user or from ERP (append-only)."""

    order = models.ForeignKey(SalesOrder, models.CASCADE, related_name="status_changes", verbose_name=_("sales order"))
    status = models.CharField(_("status"), max_length=16, choices=SalesOrderStatus.choices)
    at = models.DateTimeField(_("at"))
    source = models.CharField(_("source"), max_length=8, choices=StatusChangeSource.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sales order status change")
        verbose_name_plural = _("sales order status changes")
        ordering = ["order", "at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="order_status_change_order_at")]

    def __str__(self) -> str:
        return f"{self.order} → {self.get_status_display()}"
