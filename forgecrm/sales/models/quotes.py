from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.platform.models import BusinessModel

from .amounts import check_amount_currencies, currency_field, money_field, percent_between, same_currency

QUOTE_AMOUNTS = ["subtotal", "discount", "net", "vat", "total"]
LINE_AMOUNTS = ["list_unit_price", "tier_unit_price", "net_unit_price", "line_total", "unit_cost", "partner_unit_price"]
DEFAULT_VAT_RATE = Decimal("10.00")  # 부가가치세 10 %


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


# A quote's content (lines, prices, discounts) changes only in these statuses; later ones are a record of what
# was offered, and a change makes a new revision.
EDITABLE_QUOTE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.REJECTED)


class QuoteLanguage(models.TextChoices):
    KO = "ko", "한국어"
    EN = "en", "English"


class Quote(BusinessModel):
    """A priced, configured offer to an account for an opportunity, in revisions of one family.

    Amounts: subtotal = Σ line totals; discount = subtotal × header discount; net = subtotal − discount;
    vat = net × vat rate; total = net + vat; all in the quote's currency."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    # Revisions share the family (the first revision's number) and count up; `revision` is not `version`,
    # which is the optimistic lock of every business record.
    family = models.CharField(_("quote family"), max_length=32)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous_revision = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next_revision",
        verbose_name=_("previous revision"),
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity", models.PROTECT, related_name="quotes", verbose_name=_("opportunity")
    )
    account = models.ForeignKey("customers.Account", models.PROTECT, related_name="quotes", verbose_name=_("account"))
    contact = models.ForeignKey(
        "customers.Contact", models.SET_NULL, null=True, blank=True, related_name="quotes", verbose_name=_("contact")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_quotes", verbose_name=_("owner")
    )
    # Set on a partner's quote to its own customer: the partner prices on its own price list and buys from us at
    # that price when it places the order (see operations/partner_quotes.py). Empty on headquarters' quotes.
    partner = models.ForeignKey(
        "customers.Account",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_quotes",
        limit_choices_to={"kind": "partner"},
        verbose_name=_("quoting partner"),
    )
    status = models.CharField(_("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    price_list = models.ForeignKey(
        "catalog.PriceList", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("price list")
    )
    currency = currency_field()
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=QuoteLanguage.choices, default=QuoteLanguage.KO)
    header_discount_percent = models.DecimalField(_("header discount (%)"), max_digits=6, decimal_places=2, default=0)
    subtotal = money_field(_("subtotal"))
    discount = money_field(_("discount"))
    net = money_field(_("net amount"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=DEFAULT_VAT_RATE)
    vat = money_field(_("VAT"))
    total = money_field(_("total"))
    # Sanitised HTML (nh3), shown on the PDF.
    terms = models.TextField(_("terms"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [
            models.Index(fields=["opportunity", "-revision"], name="quote_opp_revision"),
            models.Index(fields=["account", "-created_at"], name="quote_account_created"),
            models.Index(fields=["owner", "status", "-created_at"], name="quote_owner_status_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="quote_status_created"),
            models.Index(fields=["-created_at", "-id"], name="quote_created"),
            models.Index(fields=["valid_until"], name="quote_valid_until"),
            models.Index(fields=["partner", "-created_at", "-id"], name="quote_partner_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["family", "revision"], name="quote_family_revision_once"),
            percent_between("header_discount_percent", "quote_header_discount_0_100"),
            percent_between("vat_rate", "quote_vat_rate_0_100"),
            same_currency(QUOTE_AMOUNTS, "quote_amounts_in_currency"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_QUOTE_STATUSES

    def clean(self) -> None:
        super().clean()
        check_amount_currencies(self, QUOTE_AMOUNTS, self.currency)


class QuoteLine(BusinessModel):
    """A product on a quote: list price, the volume-tier price for the quantity, the line discount, and the
    resulting net unit price and total. `unit_cost` is a snapshot for margin: internal, never for partners.

    On a partner's quote, `list_unit_price` is the list price of one configured unit (options included),
    `partner_unit_price` the partner's own purchase price for the quantity (its price list, options included),
    `net_unit_price` the partner's selling price to its customer, and `partner_product_number` the partner's own
    number for the product when it has one."""

    quote = models.ForeignKey(Quote, models.CASCADE, related_name="lines", verbose_name=_("quote"))
    position = models.PositiveSmallIntegerField(_("position"))
    product = models.ForeignKey("catalog.Product", models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    list_unit_price = money_field(_("list unit price"))
    tier_unit_price = money_field(_("volume-tier unit price"), null=True)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=6, decimal_places=2, default=0)
    net_unit_price = money_field(_("net unit price"))
    line_total = money_field(_("line total"))
    unit_cost = money_field(_("unit cost"), null=True)
    partner_unit_price = money_field(_("partner's own unit price"), null=True)
    partner_product_number = models.CharField(_("partner product number"), max_length=60, blank=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="quote_line_position_once"),
            models.CheckConstraint(name="quote_line_quantity_positive", condition=models.Q(quantity__gte=1)),
            percent_between("discount_percent", "quote_line_discount_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.quote} #{self.position}"

    def clean(self) -> None:
        super().clean()
        if self.quote_id:
            check_amount_currencies(self, LINE_AMOUNTS, self.quote.currency)


class QuoteLineOption(models.Model):
    """A configured option on a quote line, with the price difference it added per unit.

    The SKU and name are a snapshot: a quote is a record of what was offered, and the catalog may delete an
    option later (the link then goes empty; the quote still reads the same)."""

    line = models.ForeignKey(QuoteLine, models.CASCADE, related_name="options", verbose_name=_("quote line"))
    option = models.ForeignKey(
        "catalog.Option", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("option")
    )
    option_sku = models.CharField(_("SKU"), max_length=40, blank=True)
    option_name = models.CharField(_("name"), max_length=200, blank=True)
    price_delta = money_field(_("price difference"), signed=True)

    objects = models.Manager()  # djmoney wraps it; declared for mypy

    class Meta:
        verbose_name = _("quote line option")
        verbose_name_plural = _("quote line options")
        constraints = [models.UniqueConstraint(fields=["line", "option"], name="quote_line_option_once")]

    def __str__(self) -> str:
        return self.option_name or str(self.option)


class ApprovalLevel(models.TextChoices):
    MANAGER = "manager", _("Manager")
    DIRECTOR = "director", _("Director")


class DiscountApprovalThreshold(BusinessModel):
    """From which discount a quote waits for a level's approval (manager first, then director).

    A row with a product line applies to that line's products; the row without one is the default."""

    level = models.CharField(_("level"), max_length=16, choices=ApprovalLevel.choices)
    from_discount_percent = models.DecimalField(_("from discount (%)"), max_digits=6, decimal_places=2)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product line"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("discount approval threshold")
        verbose_name_plural = _("discount approval thresholds")
        ordering = ["product_line", "from_discount_percent", "id"]
        constraints = [
            percent_between("from_discount_percent", "discount_threshold_0_100"),
            models.UniqueConstraint(
                fields=["level", "product_line"],
                condition=models.Q(product_line__isnull=False),
                name="discount_threshold_level_per_line",
            ),
            models.UniqueConstraint(
                fields=["level"], condition=models.Q(product_line__isnull=True), name="discount_threshold_level_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.from_discount_percent} %"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class QuoteApproval(BusinessModel):
    """One level's decision on a quote's discount: who was asked, why, and what they decided."""

    quote = models.ForeignKey(Quote, models.CASCADE, related_name="approvals", verbose_name=_("quote"))
    level = models.CharField(_("level"), max_length=16, choices=ApprovalLevel.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="quote_approvals",
        verbose_name=_("approver"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    # Why approval is needed, in words ("Line 2: discount 18 % ≥ manager threshold 15 %").
    reason = models.TextField(_("reason"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quote approval")
        verbose_name_plural = _("quote approvals")
        ordering = ["quote", "created_at", "id"]
        indexes = [
            models.Index(fields=["approver", "status", "created_at"], name="quote_approval_inbox"),
            models.Index(fields=["quote", "level"], name="quote_approval_quote_level"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "level"],
                condition=models.Q(status="pending"),
                name="quote_approval_one_pending_per_level",
            ),
            models.CheckConstraint(
                name="quote_approval_decided_has_time",
                condition=models.Q(status="pending") | models.Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote} · {self.get_level_display()}"
