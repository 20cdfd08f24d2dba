"""Lead distribution (the 3Com loop): headquarters offers a lead to a partner, which accepts or rejects it before
a deadline; a lead not accepted in time is recalled and offered to the next partner. Every step is an offer row,
so the lead's distribution history is the list of its offers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.customers.models import Tier
from forgecrm.platform.models import BusinessModel


class LeadRoutingRule(BusinessModel):
    """Which leads go to the channel and how partners are chosen for them (lower priority runs first)."""

    name = models.CharField(_("name"), max_length=120)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Criteria on the lead (empty = any).
    product_line = models.ForeignKey(
        "catalog.ProductLine", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("product line")
    )
    sido = models.CharField(_("시/도"), max_length=32, blank=True)
    lead_source = models.CharField(_("lead source"), max_length=16, blank=True)
    # How partners are chosen: covering the lead's area, authorised for its product line, at least this tier,
    # with free capacity; ranked by tier priority and performance score.
    min_tier = models.CharField(_("minimum tier"), max_length=16, choices=Tier.choices, blank=True)
    require_coverage = models.BooleanField(_("partner must cover the area"), default=True)
    require_authorization = models.BooleanField(_("partner must be authorised for the product line"), default=True)
    # Distributors re-route to their dealers; a rule may offer to dealers directly.
    offer_to_distributors = models.BooleanField(_("offer to distributors (who re-route to dealers)"), default=False)
    response_hours = models.PositiveSmallIntegerField(
        _("hours to accept"), null=True, blank=True, help_text=_("Empty: the partner's own setting.")
    )
    max_offers = models.PositiveSmallIntegerField(
        _("partners to try"), default=3, help_text=_("After this many recalls the lead returns to headquarters.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead routing rule")
        verbose_name_plural = _("lead routing rules")
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    RECALLED = "recalled", _("Recalled (not accepted in time)")
    WITHDRAWN = "withdrawn", _("Withdrawn by headquarters")
    CLOSED = "closed", _("Closed with a result")


class OfferRejectReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity")
    OUT_OF_AREA = "out_of_area", _("Outside our area")
    NOT_OUR_PRODUCT = "not_our_product", _("Product we do not sell")
    BAD_LEAD = "bad_lead", _("Not a real inquiry")
    EXISTING_CUSTOMER = "existing_customer", _("Already our customer")
    OTHER = "other", _("Other")


class OfferKind(models.TextChoices):
    ROUTED = "routed", _("Routed by rule")
    MANUAL = "manual", _("Offered by a channel manager")
    REROUTED = "rerouted", _("Re-routed by the distributor")
    REFERRAL = "referral", _("Online referral")


class LeadOffer(BusinessModel):
    lead = models.ForeignKey("sales.Lead", models.CASCADE, related_name="offers", verbose_name=_("lead"))
    partner = models.ForeignKey(
        "customers.Account", models.CASCADE, related_name="lead_offers", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OfferKind.choices, default=OfferKind.ROUTED)
    rule = models.ForeignKey(
        LeadRoutingRule, models.SET_NULL, null=True, blank=True, related_name="offers", verbose_name=_("rule")
    )
    # A distributor's re-routing to its dealer points at the distributor's own offer.
    parent_offer = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="rerouted_offers", verbose_name=_("re-routed from")
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OFFERED)
    offered_at = models.DateTimeField(_("offered at"))
    respond_by = models.DateTimeField(_("accept by"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    reject_reason = models.CharField(
        _("rejection reason"), max_length=24, choices=OfferRejectReason.choices, blank=True
    )
    reject_note = models.TextField(_("rejection note"), blank=True)
    # Why this partner was chosen, for the lead's history: coverage, authorisation, tier, capacity, score.
    match_reasons = models.JSONField(_("why this partner"), default=list, blank=True)
    # An online referral credited to the dealer keeps the sale with the dealer (PRODUCT part 3).
    credited = models.BooleanField(_("credited to the partner"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead offer")
        verbose_name_plural = _("lead offers")
        indexes = [
            models.Index(fields=["status", "respond_by"]),  # the recall task's sweep
            models.Index(fields=["partner", "status"]),  # capacity: a partner's open offers
        ]
        constraints = [
            # A lead is with at most one partner at a time; a distributor that re-routes it keeps its accepted
            # offer (it stays answerable for the lead) and its dealer holds at most one open offer under it.
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(status__in=["offered", "accepted"], parent_offer__isnull=True),
                name="lead_offer_one_open",
            ),
            models.UniqueConstraint(
                fields=["parent_offer"],
                condition=models.Q(status__in=["offered", "accepted"], parent_offer__isnull=False),
                name="lead_offer_one_open_rerouted",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reject_reason=""),
                name="lead_offer_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(respond_by__gte=models.F("offered_at")), name="lead_offer_deadline_after_offer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} → {self.partner}"
