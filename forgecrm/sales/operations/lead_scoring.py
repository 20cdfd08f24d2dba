"""The explainable lead score: rules on fit and engagement, plus a logistic regression trained on history.

score = fit + engagement, the sums of the points of the active rules a lead meets. Beside it,
`model_probability` is the active LeadScoreModel's estimate that the lead converts; the model is trained with
scikit-learn on converted (1) vs disqualified (0) leads when there are enough of both, and stored as plain
numbers (feature names, coefficients, intercept, scaling), so scoring needs neither scikit-learn nor a pickle.

`score_reasons` keeps the largest rule hits and the model's largest feature contributions (coefficient ×
scaled feature value, in log-odds), so the lead page can say in plain words why the score is what it is.
"""

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from forgecrm.activities.models import Activity

from ..models import Lead, LeadScoreModel, LeadScoringRule, LeadStatus, ScoreKind, ScoreOperator

SCORE_LIMIT = 32767
REASONS_KEPT = 6
# Training needs at least this many decided leads, and this many of each class.
MIN_TRAINING_ROWS = 40
MIN_CLASS_ROWS = 10
DECISION_TITLE_WORDS = (
    "대표",
    "사장",
    "이사",
    "상무",
    "전무",
    "본부장",
    "부장",
    "팀장",
    "ceo",
    "director",
    "head",
    "manager",
)
NUMERIC_FEATURES = (
    "has_brn",
    "has_email",
    "has_mobile",
    "has_title",
    "decision_maker",
    "interest_length",
    "activities",
    "consents",
)


# --- facts about a lead ----------------------------------------------------------------------------------------


def activity_counts(lead_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Activities regarding each lead, by kind (and "total"): the engagement facts."""
    counts: dict[int, dict[str, int]] = {lead_id: {"total": 0} for lead_id in lead_ids}
    if not lead_ids:
        return counts
    content_type = ContentType.objects.get_for_model(Lead)
    rows = (
        Activity.objects.filter(regarding_type=content_type, regarding_id__in=list(lead_ids))
        .values("regarding_id", "kind")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        entry = counts.setdefault(row["regarding_id"] or 0, {"total": 0})
        entry[row["kind"]] = row["n"]
        entry["total"] += row["n"]
    return counts


def consent_counts(lead_ids: Sequence[int]) -> dict[int, int]:
    from ..models import LeadConsent

    rows = (
        LeadConsent.objects.filter(lead_id__in=list(lead_ids), granted=True)
        .values("lead_id")
        .annotate(n=Count("pk"))
        .values_list("lead_id", "n")
    )
    return dict(rows)


def field_value(lead: Lead, field: str, activities: dict[str, int], consents: int) -> Any:
    """What a rule's `field` names: a lead field, `activities.<kind>` / `activities.total`, `consents`,
    `email_domain`, or `product_line` (its code)."""
    if field.startswith("activities."):
        return activities.get(field.split(".", 1)[1], 0)
    if field == "consents":
        return consents
    if field == "email_domain":
        return lead.email.rsplit("@", 1)[-1] if "@" in lead.email else ""
    if field == "product_line":
        return lead.product_line.code if lead.product_line_id and lead.product_line else ""
    value = getattr(lead, field, None)
    return "" if value is None else value


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def rule_holds(rule: LeadScoringRule, value: Any) -> bool:
    text = str(value).strip().lower()
    target = (rule.value or "").strip().lower()
    operator = rule.operator
    if operator == ScoreOperator.IS_SET:
        return bool(value) and text not in ("", "0")
    if operator == ScoreOperator.EQUALS:
        return text == target
    if operator == ScoreOperator.NOT_EQUALS:
        return text != target
    if operator == ScoreOperator.IN:
        return text in {part.strip() for part in target.split(",") if part.strip()}
    if operator == ScoreOperator.CONTAINS:
        return bool(target) and target in text
    number, bound = _number(value), _number(rule.value)
    if number is None or bound is None:
        return False
    return number >= bound if operator == ScoreOperator.GTE else number <= bound


# --- the model's features --------------------------------------------------------------------------------------


def base_facts(lead: Lead, activities: dict[str, int], consents: int) -> dict[str, float]:
    title = (lead.title or "").lower()
    return {
        "has_brn": float(bool(lead.brn)),
        "has_email": float(bool(lead.email)),
        "has_mobile": float(bool(lead.mobile or lead.phone)),
        "has_title": float(bool(lead.title)),
        "decision_maker": float(any(word in title for word in DECISION_TITLE_WORDS)),
        "interest_length": min(len(lead.interest or ""), 2000) / 100.0,
        "activities": float(activities.get("total", 0)),
        "consents": float(consents),
    }


def feature_vector(lead: Lead, names: Sequence[str], activities: dict[str, int], consents: int) -> list[float]:
    """A lead as the model's features, in `names` order: numeric facts, and `field=value` indicators."""
    facts = base_facts(lead, activities, consents)
    vector = []
    for name in names:
        if "=" in name:
            field, value = name.split("=", 1)
            current = lead.product_line_id if field == "product_line" else getattr(lead, field, "")
            vector.append(float(str(current or "").strip().lower() == value))
        else:
            vector.append(facts.get(name, 0.0))
    return vector


def feature_names_for(leads: Sequence[Lead]) -> list[str]:
    """The features a training set supports: the numeric facts, and one indicator per size, source, 시/도,
    industry and product line value seen at least five times."""
    names = list(NUMERIC_FEATURES)
    for field in ("size", "source", "sido", "industry", "product_line"):
        seen: dict[str, int] = {}
        for lead in leads:
            raw = lead.product_line_id if field == "product_line" else getattr(lead, field, "")
            value = str(raw or "").strip().lower()
            if value:
                seen[value] = seen.get(value, 0) + 1
        names += [f"{field}={value}" for value, n in sorted(seen.items()) if n >= 5]
    return names


def model_contributions(model: LeadScoreModel, vector: Sequence[float]) -> tuple[float, list[tuple[str, float]]]:
    """(probability, [(feature, contribution in log-odds)]) under the stored model."""
    means = model.scaling.get("mean") or [0.0] * len(vector)
    scales = model.scaling.get("scale") or [1.0] * len(vector)
    contributions = []
    total = model.intercept
    for name, x, coefficient, mean, scale in zip(
        model.feature_names, vector, model.coefficients, means, scales, strict=False
    ):
        part = coefficient * ((x - mean) / (scale or 1.0))
        total += part
        contributions.append((name, part))
    probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total))))
    return probability, contributions


# --- scoring ---------------------------------------------------------------------------------------------------


def score_leads(*, leads: Sequence[Lead], rules: Iterable[LeadScoringRule] | None = None, model=None) -> list[Lead]:
    """Re-score leads (a fixed number of queries for any number): rules, then the active model."""
    leads = list(leads)
    if not leads:
        return leads
    active_rules = list(rules if rules is not None else LeadScoringRule.objects.filter(is_active=True))
    if model is None:
        model = LeadScoreModel.objects.filter(is_active=True).first()
    ids = [lead.pk for lead in leads]
    activities = activity_counts(ids)
    consents = consent_counts(ids)
    now = timezone.now()
    for lead in leads:
        acts, n_consents = activities.get(lead.pk, {"total": 0}), consents.get(lead.pk, 0)
        fit = engagement = 0
        reasons: list[dict[str, Any]] = []
        for rule in active_rules:
            if rule_holds(rule, field_value(lead, rule.field, acts, n_consents)):
                if rule.kind == ScoreKind.FIT:
                    fit += rule.points
                else:
                    engagement += rule.points
                reasons.append({"kind": rule.kind, "label": rule.name, "points": rule.points})
        reasons.sort(key=lambda reason: -abs(reason["points"]))
        reasons = reasons[:REASONS_KEPT]
        probability = None
        if model is not None and model.feature_names:
            vector = feature_vector(lead, model.feature_names, acts, n_consents)
            value, parts = model_contributions(model, vector)
            probability = Decimal(str(round(value, 4)))
            facts = dict(zip(model.feature_names, vector, strict=False))
            # A `field=value` indicator explains only when it holds ("size: large"), not by its absence.
            telling = [(name, part) for name, part in parts if "=" not in name or facts.get(name)]
            telling.sort(key=lambda part: -abs(part[1]))
            reasons += [
                {"kind": "model", "feature": name, "value": facts.get(name, 0), "label": name, "points": round(part, 2)}
                for name, part in telling[:3]
                if abs(part) >= 0.05
            ]
        lead.fit_score = max(-SCORE_LIMIT, min(SCORE_LIMIT, fit))
        lead.engagement_score = max(-SCORE_LIMIT, min(SCORE_LIMIT, engagement))
        lead.score = max(-SCORE_LIMIT, min(SCORE_LIMIT, fit + engagement))
        lead.model_probability = probability
        lead.score_reasons = reasons
        lead.scored_at = now
    fields = ["score", "fit_score", "engagement_score", "model_probability", "score_reasons", "scored_at"]
    # Derived numbers, not an edit: no version bump, no history row.
    Lead.objects.bulk_update(leads, fields, batch_size=500)
    return leads


def score_lead(*, lead: Lead) -> Lead:
    return score_leads(leads=[lead])[0]


# --- training --------------------------------------------------------------------------------------------------


def training_rows() -> list[Lead]:
    return list(
        Lead.objects.filter(status__in=[LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED])
        .exclude(disqualify_reason__in=["spam", "duplicate"])
        .order_by("id")
    )


def train_lead_score_model(*, actor=None, min_rows: int = MIN_TRAINING_ROWS, seed: int = 7) -> LeadScoreModel | None:
    """Fit a logistic regression on converted vs disqualified leads and make it the active model; None (and the
    current model kept) while there are too few decided leads of either kind."""
    leads = training_rows()
    labels = [1 if lead.status == LeadStatus.CONVERTED else 0 for lead in leads]
    positives = sum(labels)
    if len(leads) < min_rows or positives < MIN_CLASS_ROWS or len(leads) - positives < MIN_CLASS_ROWS:
        return None
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, precision_score, recall_score, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    names = feature_names_for(leads)
    ids = [lead.pk for lead in leads]
    activities, consents = activity_counts(ids), consent_counts(ids)
    matrix = np.array(
        [feature_vector(lead, names, activities.get(lead.pk, {}), consents.get(lead.pk, 0)) for lead in leads]
    )
    target = np.array(labels)
    train_x, test_x, train_y, test_y = train_test_split(
        matrix, target, test_size=0.25, random_state=seed, stratify=target
    )
    scaler = StandardScaler().fit(train_x)
    scale = [float(s) if s else 1.0 for s in scaler.scale_]
    classifier = LogisticRegression(max_iter=1000, C=1.0).fit(scaler.transform(train_x), train_y)
    predicted = classifier.predict(scaler.transform(test_x))
    probabilities = classifier.predict_proba(scaler.transform(test_x))[:, 1]
    metrics = {
        "accuracy": round(float(accuracy_score(test_y, predicted)), 4),
        "precision": round(float(precision_score(test_y, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(test_y, predicted, zero_division=0)), 4),
        "auc": round(float(roc_auc_score(test_y, probabilities)), 4) if len(set(test_y)) > 1 else None,
        "test_samples": len(test_y),
    }
    with transaction.atomic():
        LeadScoreModel.objects.filter(is_active=True).update(is_active=False)
        model = LeadScoreModel.objects.create(
            trained_at=timezone.now(),
            samples=len(leads),
            positives=positives,
            metrics=metrics,
            feature_names=names,
            coefficients=[float(c) for c in classifier.coef_[0]],
            intercept=float(classifier.intercept_[0]),
            scaling={"mean": [float(m) for m in scaler.mean_], "scale": scale},
            is_active=True,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    return model
