"""Every read of leads, their consents, history, duplicates and capture configuration; each starts from the
access scope of the actor."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from forgecrm.customers.duplicates import (
    REASON_LABELS,
    DuplicateMatch,
    find_duplicate_accounts,
    find_duplicate_contacts,
    name_similarity,
)
from forgecrm.customers.models import Account, Contact
from forgecrm.customers.normalization import company_name_key, email_key, person_name_key, phone_key
from forgecrm.customers.queries import visible_duplicates_for
from forgecrm.platform.access import get_for_or_404, principal_for, scope_for
from forgecrm.platform.search import search_queryset

from ..models import (
    DisqualifyReason,
    Lead,
    LeadAssignmentRule,
    LeadConsent,
    LeadScoreModel,
    LeadScoringRule,
    LeadSource,
    LeadStatus,
    WebForm,
)

LEAD_RELATED = ("owner", "team", "territory", "partner", "product_line")
HISTORY_ON_PAGE = 30
MAX_NAME_CANDIDATES = 500


def leads_for(actor) -> QuerySet[Lead]:
    return scope_for(actor, Lead)


def lead_list_for(actor, filters: dict[str, Any] | None = None) -> QuerySet[Lead]:
    """Leads the actor sees, narrowed by: q (search index), status (one or a list; "open" for every open
    status), owner (a user, or "none" for the queue), source, min_score, max_score, product_line, sido."""
    filters = filters or {}
    text = (filters.get("q") or "").strip()
    queryset = search_queryset(actor, "lead", text) if text else leads_for(actor)
    queryset = queryset.select_related(*LEAD_RELATED)
    status = filters.get("status")
    if status == "open":
        queryset = queryset.filter(status__in=[s for s in LeadStatus.values if s not in ("converted", "disqualified")])
    elif isinstance(status, (list, tuple)) and status:
        queryset = queryset.filter(status__in=status)
    elif status:
        queryset = queryset.filter(status=status)
    owner = filters.get("owner")
    if owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif owner:
        queryset = queryset.filter(owner=owner)
    for name in ("source", "product_line", "sido", "team"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})
    if filters.get("min_score") is not None:
        queryset = queryset.filter(score__gte=filters["min_score"])
    if filters.get("max_score") is not None:
        queryset = queryset.filter(score__lte=filters["max_score"])
    return queryset


def get_lead_for(actor, pk: Any) -> Lead:
    return get_for_or_404(actor, Lead, queryset=Lead.objects.select_related(*LEAD_RELATED, "web_form"), pk=pk)


def leads_by_ids_for(actor, ids) -> list[Lead]:
    clean = [int(i) for i in ids if str(i).isdigit()]
    return list(leads_for(actor).filter(pk__in=clean).order_by("pk"))


# --- duplicates ------------------------------------------------------------------------------------------------


@dataclass
class LeadDuplicates:
    leads: list[tuple[DuplicateMatch, Lead]] = field(default_factory=list)
    accounts: list[tuple[DuplicateMatch, Account]] = field(default_factory=list)
    contacts: list[tuple[DuplicateMatch, Contact]] = field(default_factory=list)
    hidden_count: int = 0

    @property
    def any(self) -> bool:
        return bool(self.leads or self.accounts or self.contacts or self.hidden_count)


def find_duplicate_leads(
    *,
    company_name: str = "",
    person_name: str = "",
    brn: str = "",
    email: str = "",
    phone: str = "",
    mobile: str = "",
    exclude_id: int | None = None,
) -> list[DuplicateMatch]:
    """Leads that may be the same interest: exact BRN / email / phone, or a similar company or person name
    (folded like the customers' keys, compared as jamo)."""
    company, person = company_name_key(company_name), person_name_key(person_name)
    keys = {"brn": "".join(ch for ch in brn if ch.isdigit()), "email": email_key(email)}
    numbers = {n for n in (phone_key(phone), phone_key(mobile)) if n}
    condition = Q()
    if keys["brn"]:
        condition |= Q(brn=keys["brn"])
    if keys["email"]:
        condition |= Q(email=keys["email"])
    if numbers:
        condition |= Q(phone__in=numbers) | Q(mobile__in=numbers)
    if company:
        condition |= Q(company_name_key__startswith=company[:2])
    if person and not company:
        condition |= Q(person_name_key=person)
    if not condition:
        return []
    columns = (
        "id",
        "company_name",
        "person_name",
        "company_name_key",
        "person_name_key",
        "brn",
        "email",
        "phone",
        "mobile",
    )
    candidates = Lead.objects.filter(condition)
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    rows = list(candidates.values(*columns)[:MAX_NAME_CANDIDATES])
    matches = []
    for row in rows:
        reasons, scores = [], []
        for kind, score in (("brn", 100), ("email", 92)):
            if keys[kind] and row[kind] == keys[kind]:
                reasons.append(kind)
                scores.append(score)
        if numbers & {row["phone"], row["mobile"]}:
            reasons.append("phone")
            scores.append(88)
        similarity = name_similarity(company, row["company_name_key"]) if company else 0
        if company and similarity >= 85:
            same_person = not person or name_similarity(person, row["person_name_key"]) >= 85
            if same_person or similarity == 100:
                reasons.append("name_exact" if similarity == 100 else "name_similar")
                scores.append(95 if similarity == 100 else similarity)
        elif person and not company and row["person_name_key"] == person:
            reasons.append("name_exact")
            scores.append(70)
        if scores:
            name = " · ".join(part for part in (row["company_name"], row["person_name"]) if part)
            matches.append(
                DuplicateMatch(
                    id=row["id"], name=name, score=min(100, max(scores) + 5 * (len(scores) - 1)), reasons=tuple(reasons)
                )
            )
    matches.sort(key=lambda match: (-match.score, match.id))
    return matches[:20]


def duplicates_for(actor, values: dict[str, Any], *, exclude_id: int | None = None) -> LeadDuplicates:
    """Possible duplicates of lead values among the leads, contacts and accounts the actor sees (others
    counted only)."""
    get = lambda name: str(values.get(name) or "")  # noqa: E731
    result = LeadDuplicates()
    lead_matches = find_duplicate_leads(
        company_name=get("company_name"),
        person_name=get("person_name"),
        brn=get("brn"),
        email=get("email"),
        phone=get("phone"),
        mobile=get("mobile"),
        exclude_id=exclude_id,
    )
    if lead_matches:
        visible = {row.pk: row for row in leads_for(actor).filter(pk__in=[m.id for m in lead_matches])}
        result.leads = [(m, visible[m.id]) for m in lead_matches if m.id in visible]
        result.hidden_count += len(lead_matches) - len(result.leads)
    if get("company_name") or get("brn"):
        accounts = visible_duplicates_for(
            actor,
            Account,
            find_duplicate_accounts(name=get("company_name"), brn=get("brn"), email=get("email"), phone=get("phone")),
        )
        result.accounts, result.hidden_count = accounts.matches, result.hidden_count + accounts.hidden_count
    if get("person_name") and (get("email") or get("phone") or get("mobile")):
        contacts = visible_duplicates_for(
            actor,
            Contact,
            find_duplicate_contacts(
                full_name=get("person_name"), email=get("email"), phone=get("phone"), mobile=get("mobile")
            ),
        )
        result.contacts, result.hidden_count = contacts.matches, result.hidden_count + contacts.hidden_count
    if not principal_for(actor).is_internal:  # portal users: no hint of what they cannot see
        result.hidden_count = 0
    return result


def lead_duplicates_for(actor, lead: Lead) -> LeadDuplicates:
    values = {name: getattr(lead, name) for name in ("company_name", "person_name", "brn", "email", "phone", "mobile")}
    return duplicates_for(actor, values, exclude_id=lead.pk)


def reason_labels(match: DuplicateMatch) -> list[str]:
    return [str(REASON_LABELS.get(reason, reason)) for reason in match.reasons]


# --- the lead page ---------------------------------------------------------------------------------------------


def describe_feature(name: str, value: float = 1.0) -> str:
    """A model feature in plain words (the current language); a yes/no fact that is not met says so."""
    absent = {
        "has_brn": _("No business registration number"),
        "has_email": _("No email address"),
        "has_mobile": _("No phone number"),
        "has_title": _("No job title"),
        "decision_maker": _("The job title does not suggest a decision maker"),
        "consents": _("No marketing consent"),
        "activities": _("No activity logged yet"),
    }
    if not value and name in absent:
        return str(absent[name])
    plain = {
        "has_brn": _("A business registration number is given"),
        "has_email": _("An email address is given"),
        "has_mobile": _("A phone number is given"),
        "has_title": _("A job title is given"),
        "decision_maker": _("The job title suggests a decision maker"),
        "interest_length": _("How much the person wrote about their interest"),
        "activities": _("Activities logged with the lead"),
        "consents": _("Marketing consents given"),
    }
    if name in plain:
        return str(plain[name])
    field_name, _sep, option = name.partition("=")
    if field_name == "source":
        return _("Source: %(value)s") % {"value": dict(LeadSource.choices).get(option, option)}
    if field_name == "size":
        from forgecrm.customers.models import AccountSize

        return _("Size: %(value)s") % {"value": dict(AccountSize.choices).get(option, option)}
    if field_name == "sido":
        return _("Region: %(value)s") % {"value": option}
    if field_name == "industry":
        return _("Industry: %(value)s") % {"value": option}
    if field_name == "product_line":
        from forgecrm.catalog.models import ProductLine

        line = (
            ProductLine.objects.filter(pk=option).values_list("name", flat=True).first() if option.isdigit() else None
        )
        return _("Product line: %(value)s") % {"value": line or option}
    return name


@dataclass
class ScoreReason:
    kind: str  # fit, engagement, model
    text: str
    points: float

    @property
    def raises(self) -> bool:
        return self.points > 0


def score_reasons_of(lead: Lead) -> list[ScoreReason]:
    reasons = []
    for reason in lead.score_reasons or []:
        kind = reason.get("kind", "")
        if kind == "model":
            text = describe_feature(reason.get("feature", ""), reason.get("value", 1.0))
        else:
            text = reason.get("label", "")
        reasons.append(ScoreReason(kind=kind, text=text, points=reason.get("points", 0)))
    return reasons


@dataclass
class HistoryEntry:
    at: Any
    user: str
    reason: str
    owner: str
    status: str


def lead_history_for(actor, lead: Lead, limit: int = HISTORY_ON_PAGE) -> list[HistoryEntry]:
    """The lead's recorded changes (assignments named by rule or by hand), newest first."""
    rows = list(
        Lead.history.filter(id=lead.pk)  # type: ignore[attr-defined]
        .select_related("history_user", "owner")
        .order_by("-history_id")[:limit]
    )
    rules = {}
    rule_ids = {int(r.history_change_reason[5:]) for r in rows if (r.history_change_reason or "").startswith("rule:")}
    if rule_ids:
        rules = dict(LeadAssignmentRule.objects.filter(pk__in=rule_ids).values_list("pk", "name"))
    entries = []
    for row in rows:
        reason = row.history_change_reason or ""
        if reason.startswith("rule:"):
            text = _("Assigned by the rule %(rule)s") % {"rule": rules.get(int(reason[5:]), reason)}
        elif reason == "manual":
            text = _("Assigned by hand")
        elif reason == "bulk":
            text = _("Assigned with others")
        elif reason == "converted":
            text = _("Converted")
        elif reason.startswith("status:"):
            text = _("Status changed")
        elif reason in ("created", "import") or row.history_type == "+":
            text = _("Created")
        else:
            text = _("Changed")
        entries.append(
            HistoryEntry(
                at=row.history_date,
                user=str(row.history_user or _("System")),
                reason=text,
                owner=str(row.owner or _("Unassigned")),
                status=dict(LeadStatus.choices).get(row.status, row.status),
            )
        )
    return entries


@dataclass
class LeadPage:
    lead: Lead
    consents: list[LeadConsent]
    reasons: list[ScoreReason]
    duplicates: LeadDuplicates
    history: list[HistoryEntry]
    converted_account: Account | None = None
    converted_contact: Contact | None = None
    converted_opportunity: Any = None


def lead_page_for(actor, pk: Any) -> LeadPage:
    """Everything the lead page shows, in a fixed number of queries."""
    lead = get_lead_for(actor, pk)
    account = (
        scope_for(actor, Account).filter(pk=lead.converted_account_id).first() if lead.converted_account_id else None
    )
    contact = (
        scope_for(actor, Contact).filter(pk=lead.converted_contact_id).first() if lead.converted_contact_id else None
    )
    opportunity = None
    if lead.converted_opportunity_id:
        from ..models import Opportunity

        opportunity = scope_for(actor, Opportunity).filter(pk=lead.converted_opportunity_id).first()
    return LeadPage(
        lead=lead,
        consents=list(scope_for(actor, LeadConsent).filter(lead_id=lead.pk).order_by("-recorded_at")),
        reasons=score_reasons_of(lead),
        duplicates=lead_duplicates_for(actor, lead) if lead.is_open else LeadDuplicates(),
        history=lead_history_for(actor, lead),
        converted_account=account,
        converted_contact=contact,
        converted_opportunity=opportunity,
    )


# --- configuration ---------------------------------------------------------------------------------------------


def assignment_rules_for(actor) -> QuerySet[LeadAssignmentRule]:
    return (
        scope_for(actor, LeadAssignmentRule)
        .select_related("territory", "product_line", "assign_to_user", "assign_to_team", "last_assigned")
        .order_by("priority", "id")
    )


def scoring_rules_for(actor) -> QuerySet[LeadScoringRule]:
    return scope_for(actor, LeadScoringRule).order_by("kind", "-points", "id")


def active_score_model_for(actor) -> LeadScoreModel | None:
    return scope_for(actor, LeadScoreModel).filter(is_active=True).first()


def model_metrics(model: LeadScoreModel | None) -> list[tuple[str, Any]]:
    """The model's test figures with their names in the current language."""
    if model is None:
        return []
    names = {
        "auc": _("Area under the ROC curve"),
        "accuracy": _("Accuracy"),
        "precision": _("Precision (converted among predicted)"),
        "recall": _("Recall (predicted among converted)"),
        "test_samples": _("Leads held out for the test"),
    }
    return [(str(names.get(key, key)), value) for key, value in (model.metrics or {}).items()]


def web_forms_for(actor) -> QuerySet[WebForm]:
    return (
        scope_for(actor, WebForm).select_related("product_line", "default_owner", "default_team").order_by("name", "id")
    )


def get_web_form_for(actor, pk: Any) -> WebForm:
    return get_for_or_404(actor, WebForm, pk=pk)


def public_web_form(slug: str) -> WebForm | None:
    """The active form a public page serves (no actor: anyone may send it)."""
    return WebForm.objects.filter(slug=slug, is_active=True).select_related("product_line").first()


DISQUALIFY_CHOICES = DisqualifyReason.choices


def get_config_for(actor, model, pk: Any):
    """One configuration row (assignment or scoring rule) inside the actor's scope, or 404."""
    return get_for_or_404(actor, model, pk=pk)
