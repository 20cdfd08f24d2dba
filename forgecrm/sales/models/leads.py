import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from forgecrm.customers.models import AccountSize, ConsentPurpose
from forgecrm.customers.normalization import company_name_key, person_name_key
from forgecrm.platform.korea.brn import validate_brn
from forgecrm.platform.models import BusinessModel


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    NURTURING = "nurturing", _("Nurturing")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


# Statuses in which a lead still counts against its owner's capacity (assignment rules).
OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING, LeadStatus.QUALIFIED)


class DisqualifyReason(models.TextChoices):
    NO_NEED = "no_need", _("No need")
    NO_BUDGET = "no_budget", _("No budget")
    NO_AUTHORITY = "no_authority", _("Not a decision maker")
    BAD_TIMING = "bad_timing", _("Bad timing")
    COMPETITOR = "competitor", _("Chose a competitor")
    UNREACHABLE = "unreachable", _("Unreachable")
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam or test")
    OTHER = "other", _("Other")


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    CAMPAIGN = "campaign", _("Campaign")
    PARTNER = "partner", _("Partner")
    REFERRAL = "referral", _("Referral")
    PHONE = "phone", _("Phone")
    TRADE_SHOW = "trade_show", _("Trade show")
    OTHER = "other", _("Other")


class Lead(BusinessModel):
    """An unqualified interest from a form, a campaign, an import or a partner, until it is converted."""

    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    # Folded like Account.name_key / Contact.name_key, so the duplicate check compares like with like.
    company_name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    brn = models.CharField(
        _("business registration number"),
        max_length=10,
        blank=True,
        db_index=True,
        validators=[validate_brn],  # type: ignore[list-item]  # returns the digits; Django ignores the result
    )
    person_name = models.CharField(_("name"), max_length=120)
    person_name_key = models.CharField(max_length=120, db_index=True, editable=False, default="")
    title = models.CharField(_("job title"), max_length=80, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    sido = models.CharField(_("시/도"), max_length=32, blank=True)
    sigungu = models.CharField(_("시/군/구"), max_length=32, blank=True)
    road_address = models.CharField(_("road-name address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=AccountSize.choices, blank=True)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("product line"),
    )
    interest = models.TextField(_("interest"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    disqualify_reason = models.CharField(
        _("disqualification reason"), max_length=16, choices=DisqualifyReason.choices, blank=True
    )
    disqualify_note = models.TextField(_("disqualification note"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices, default=LeadSource.OTHER)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    web_form = models.ForeignKey(
        "sales.WebForm", models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("web form")
    )
    # Null while the lead waits in a queue (its team's or territory's) for assignment.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_leads",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "platform.Team", models.SET_NULL, null=True, blank=True, related_name="leads", verbose_name=_("team")
    )
    territory = models.ForeignKey(
        "platform.Territory",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("territory"),
    )
    # The partner the lead is distributed to (or came from); its users see the lead.
    partner = models.ForeignKey(
        "customers.Account",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_leads",
        limit_choices_to={"kind": "partner"},
        verbose_name=_("partner"),
    )
    # Explainable score: total = fit + engagement (rules); the model's probability and reasons beside it.
    score = models.SmallIntegerField(_("score"), default=0)
    fit_score = models.SmallIntegerField(_("fit score"), default=0)
    engagement_score = models.SmallIntegerField(_("engagement score"), default=0)
    model_probability = models.DecimalField(
        _("model probability"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    # [{"kind": "fit"|"engagement"|"model", "label": str, "points": number}], largest first.
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    converted_account = models.ForeignKey(
        "customers.Account",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_leads",
        verbose_name=_("converted account"),
    )
    converted_contact = models.ForeignKey(
        "customers.Contact",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_leads",
        verbose_name=_("converted contact"),
    )
    converted_opportunity = models.ForeignKey(
        "sales.Opportunity",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_leads",
        verbose_name=_("converted opportunity"),
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("converted by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "status", "-created_at", "-id"], name="lead_owner_status_created"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_created"),
            models.Index(fields=["-created_at", "-id"], name="lead_created"),
            models.Index(fields=["-score", "-id"], name="lead_score"),
            models.Index(fields=["team", "status"], name="lead_team_status"),
            models.Index(fields=["partner", "status"], name="lead_partner_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~models.Q(external_id=""), name="lead_source_external_id"
            ),
            models.CheckConstraint(
                name="lead_disqualified_has_reason",
                condition=~models.Q(status=LeadStatus.DISQUALIFIED) | ~models.Q(disqualify_reason=""),
            ),
            models.CheckConstraint(
                name="lead_converted_has_account",
                condition=~models.Q(status=LeadStatus.CONVERTED)
                | models.Q(converted_account__isnull=False, converted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="lead_model_probability_0_1",
                condition=models.Q(model_probability__isnull=True)
                | models.Q(model_probability__gte=0, model_probability__lte=1),
            ),
        ]

    def __str__(self) -> str:
        return " · ".join(part for part in (self.company_name, self.person_name) if part)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LEAD_STATUSES

    def save(self, *args, **kwargs) -> None:
        # Derived keys for the duplicate check, kept current by every writer (operations, admin, imports).
        self.company_name_key = company_name_key(self.company_name)
        self.person_name_key = person_name_key(self.person_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {"company_name_key"} if "company_name" in update_fields else set()
            extra |= {"person_name_key"} if "person_name" in update_fields else set()
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)


class LeadConsent(models.Model):
    """What the person agreed to when the lead was captured (PIPA: purpose, the text shown, when, from where).

    Written once at capture and never changed; on conversion the lead's consents become customers' `Consent`
    rows of the new contact (`source` names the web form and text version)."""

    lead = models.ForeignKey(Lead, models.CASCADE, related_name="consents", verbose_name=_("lead"))
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"), default=True)
    text_version = models.CharField(_("consent text version"), max_length=32, blank=True)
    recorded_at = models.DateTimeField(_("date"))
    source = models.CharField(_("source"), max_length=64, help_text=_("Where it was given: web form, paper, call…"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("lead consent")
        verbose_name_plural = _("lead consents")
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["lead", "purpose", "-recorded_at"], name="lead_consent_lead_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.recorded_at:%Y-%m-%d}"


class LeadAssignmentRule(BusinessModel):
    """Who gets a new lead: the first active rule (by priority) whose every non-empty criterion matches.

    The target is one user, or a team whose members take turns (round robin from `last_assigned`), skipping
    members at `capacity` open leads."""

    name = models.CharField(_("name"), max_length=120)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100, help_text=_("Lower runs first."))
    is_active = models.BooleanField(_("active"), default=True)
    territory = models.ForeignKey(
        "platform.Territory", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("territory")
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product line"),
    )
    sido = models.CharField(_("시/도"), max_length=32, blank=True)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices, blank=True)
    assign_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to user"),
    )
    assign_to_team = models.ForeignKey(
        "platform.Team", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("assign to team")
    )
    # The round-robin pointer: the member who got the team's last lead (the next one goes to the member after).
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("last assigned to"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Most open leads a user may hold; empty means no limit.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")
        ordering = ["priority", "id"]
        indexes = [models.Index(fields=["is_active", "priority", "id"], name="lead_rule_active_priority")]
        constraints = [
            models.CheckConstraint(
                name="lead_rule_one_target",
                condition=models.Q(assign_to_user__isnull=False, assign_to_team__isnull=True)
                | models.Q(assign_to_user__isnull=True, assign_to_team__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScoreKind(models.TextChoices):
    FIT = "fit", _("Fit")
    ENGAGEMENT = "engagement", _("Engagement")


class ScoreOperator(models.TextChoices):
    EQUALS = "equals", _("equals")
    NOT_EQUALS = "not_equals", _("does not equal")
    IN = "in", _("is one of")
    CONTAINS = "contains", _("contains")
    GTE = "gte", _("at least")
    LTE = "lte", _("at most")
    IS_SET = "is_set", _("is filled in")


class LeadScoringRule(BusinessModel):
    """One explainable scoring rule: when `field` `operator` `value` holds for a lead, add `points` (may be < 0).

    Engagement rules name activity counts (e.g. `activities.demo`) or web events; fit rules name lead fields."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ScoreKind.choices)
    field = models.CharField(_("field"), max_length=64)
    operator = models.CharField(_("operator"), max_length=16, choices=ScoreOperator.choices)
    # Text; for `in` a comma-separated list, for gte/lte a number.
    value = models.CharField(_("value"), max_length=200, blank=True)
    points = models.SmallIntegerField(_("points"))
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead scoring rule")
        verbose_name_plural = _("lead scoring rules")
        ordering = ["kind", "-points", "id"]
        indexes = [models.Index(fields=["is_active", "kind"], name="lead_scoring_rule_active")]

    def __str__(self) -> str:
        return self.name


class LeadScoreModel(BusinessModel):
    """A trained lead-conversion model (logistic regression), stored as numbers, never as a pickle.

    probability = 1 / (1 + exp(-(intercept + Σ coefficient_i · feature_i))); features are named in
    `feature_names` in the order of `coefficients`. One model is active at a time."""

    trained_at = models.DateTimeField(_("trained at"))
    samples = models.PositiveIntegerField(_("training samples"))
    positives = models.PositiveIntegerField(_("converted samples"), default=0)
    # {"auc": .., "accuracy": .., "precision": .., "recall": .., "test_samples": ..}
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    feature_names = models.JSONField(_("feature names"), default=list)
    coefficients = models.JSONField(_("coefficients"), default=list)
    intercept = models.FloatField(_("intercept"), default=0.0)
    # Feature scaling applied before the coefficients: {"mean": [...], "scale": [...]} in feature order.
    scaling = models.JSONField(_("scaling"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("lead score model")
        verbose_name_plural = _("lead score models")
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="lead_model_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.samples})"


def new_public_key() -> str:
    return secrets.token_urlsafe(24)


class WebForm(BusinessModel):
    """A lead-capture form that other sites embed; leads from it carry its product line, owner and consent text."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    # What the embedding page sends; can be rotated without changing the form's address.
    public_key = models.CharField(_("public key"), max_length=64, unique=True, default=new_public_key)
    product_line = models.ForeignKey(
        "catalog.ProductLine",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product line"),
    )
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default owner"),
    )
    default_team = models.ForeignKey(
        "platform.Team", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("default team")
    )
    consent_purposes = models.JSONField(
        _("consent purposes"), default=list, blank=True, help_text=_("The purposes the form asks consent for.")
    )
    consent_text_ko = models.TextField(_("consent text (Korean)"), blank=True)
    consent_text_en = models.TextField(_("consent text (English)"), blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=32, blank=True)
    # Origins (scheme://host[:port]) allowed to embed or post the form; empty means only our own site.
    allowed_origins = models.JSONField(_("allowed embedding origins"), default=list, blank=True)
    success_message = models.CharField(_("success message"), max_length=300, blank=True)
    success_redirect_url = models.URLField(_("redirect after sending"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
