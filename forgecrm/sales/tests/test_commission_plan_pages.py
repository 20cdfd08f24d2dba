"""Commission plan create/edit pages: rate table by product line, tiers ascending, field errors, conflicts, rules."""

from decimal import Decimal

import pytest
from django.urls import reverse

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import CommissionPlan

pytestmark = pytest.mark.django_db


def payload(line, **extra):
    data = {
        "name": "2027 영업 수당",
        "period_kind": "month",
        "base_rate_percent": "2",
        "valid_from": "2027-01-01",
        "is_active": "on",
        "table": "1",
        f"rate_{line.pk}": "3.5",
        "tier_from_0": "100",
        "tier_multiplier_0": "1.5",
        "tier_from_1": "120",
        "tier_multiplier_1": "2",
    }
    return {**data, **extra}


def test_a_sales_manager_creates_and_edits_a_plan(client):
    line = ProductLineFactory(name="시스템 에어컨")
    client.force_login(UserFactory(role=Role.SALES_MANAGER))
    assert client.get(reverse("sales:commission-plan-create")).status_code == 200
    response = client.post(reverse("sales:commission-plan-create"), payload(line))
    plan = CommissionPlan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/commissions/plans/{plan.pk}/")
    assert [(r.product_line, r.rate_percent) for r in plan.rates.all()] == [(line, Decimal("3.50"))]
    assert [(t.attainment_from_percent, t.multiplier) for t in plan.tiers.all()] == [
        (Decimal("100.00"), Decimal("1.50")),
        (Decimal("120.00"), Decimal("2.00")),
    ]
    edit = reverse("sales:commission-plan-edit", args=[plan.pk])
    form = client.get(edit).context["form"]
    assert form.initial[f"rate_{line.pk}"] == Decimal("3.50") and form.initial["tier_from_1"] == Decimal("120.00")
    data = payload(line, version=str(plan.version), tier_from_1="", tier_multiplier_1="", name="개정")
    assert client.post(edit, data).status_code == 302
    plan.refresh_from_db()
    assert plan.name == "개정" and plan.tiers.count() == 1


def test_descending_tiers_and_negative_rates_are_field_errors_and_nothing_is_written(client):
    line = ProductLineFactory()
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.post(
        reverse("sales:commission-plan-create"), payload(line, tier_from_1="90", **{f"rate_{line.pk}": "-1"})
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "tier_from_1" in errors and f"rate_{line.pk}" in errors
    assert not CommissionPlan.objects.exists()


def test_a_stale_edit_is_a_conflict(client):
    line = ProductLineFactory()
    client.force_login(UserFactory(role=Role.ADMIN))
    client.post(reverse("sales:commission-plan-create"), payload(line))
    plan = CommissionPlan.objects.get()
    edit = reverse("sales:commission-plan-edit", args=[plan.pk])
    assert client.post(edit, payload(line, version=str(plan.version), name="먼저")).status_code == 302
    response = client.post(edit, payload(line, version=str(plan.version), name="나중"))
    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.name == "먼저"


def test_reps_cannot_create_or_edit_plans(client):
    line = ProductLineFactory()
    client.force_login(UserFactory(role=Role.SALES_REP))
    assert client.post(reverse("sales:commission-plan-create"), payload(line)).status_code == 403
    assert not CommissionPlan.objects.exists()
