"""Leads in the global search and the type-ahead: found by company, person, BRN or e-mail, inside the lead scope."""

import pytest
from django.urls import reverse

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.operations.leads import create_lead

pytestmark = pytest.mark.django_db


def test_a_rep_finds_their_lead_and_never_another_reps(client):
    rep, other = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    mine = create_lead(actor=rep, person_name="한지민", company_name="대한정밀냉동", email="jimin@daehan.example")
    theirs = create_lead(actor=other, person_name="오세훈", company_name="대한정밀기계")
    client.force_login(rep)

    body = client.get(reverse("search"), {"q": "대한정밀"}).content.decode()
    assert reverse("sales:lead-detail", args=[mine.pk]) in body
    assert reverse("sales:lead-detail", args=[theirs.pk]) not in body and "오세훈" not in body
    typeahead = client.get(reverse("search-typeahead"), {"q": "jimin@daehan"}).content.decode()
    assert reverse("sales:lead-detail", args=[mine.pk]) in typeahead

    client.force_login(UserFactory(role=Role.MARKETING))  # org-wide: both
    body = client.get(reverse("search"), {"q": "대한정밀"}).content.decode()
    assert reverse("sales:lead-detail", args=[theirs.pk]) in body
