"""Opportunity pages: list, board, detail, create/edit, stage moves from the board, stage settings, budgets."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import PartnerFactory, PriceListItemFactory, ProductFactory
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Opportunity, Stage, StageHistory, StageProbability
from forgecrm.sales.operations.opportunities import (
    create_opportunity,
    move_opportunity_to_stage,
    update_opportunity,
)
from forgecrm.sales.operations.opportunity_competitors import add_opportunity_competitor
from forgecrm.sales.operations.opportunity_lines import add_opportunity_line

pytestmark = pytest.mark.django_db


def krw(value) -> Money:
    return Money(value, "KRW")


@pytest.fixture
def rep(client):
    user = UserFactory()
    client.force_login(user)
    return user


def deal(owner, name="냉동기 교체", **kwargs):
    kwargs.setdefault("close_date", timezone.localdate() + dt.timedelta(days=20))
    return create_opportunity(
        actor=owner, account=kwargs.pop("account", None) or AccountFactory(owner=owner), name=name, **kwargs
    )


def stage(code):
    return Stage.objects.get(code=code)


def test_list_filters_sorts_and_exports(client, rep):
    first = deal(rep, "가 냉동기", amount=krw(10_000_000))
    second = deal(rep, "나 공조기", amount=krw(20_000_000), stage=stage("proposal"))
    hidden = deal(UserFactory(), "남의 딜")

    response = client.get(reverse("sales:opportunity-list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert first.name in body and second.name in body and hidden.name not in body

    response = client.get(reverse("sales:opportunity-list"), {"stage": stage("proposal").pk})
    assert first.name not in response.content.decode() and second.name in response.content.decode()

    response = client.get(reverse("sales:opportunity-list"), {"sort": "-amount", "export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.index("나 공조기") < text.index("가 냉동기")
    assert "남의 딜" not in text
    assert client.get(reverse("sales:opportunity-list"), {"export": "xlsx"}).status_code == 200


def test_list_bad_filters_show_everything_with_an_error(client, rep):
    deal(rep, "가 냉동기")
    response = client.get(reverse("sales:opportunity-list"), {"close_from": "2026-13-40", "owner": "abc"})
    assert response.status_code == 200
    assert "가 냉동기" in response.content.decode()


def test_list_keyset_pages(client, rep):
    account = AccountFactory(owner=rep)
    for number in range(55):
        deal(rep, f"딜 {number:02d}", account=account)
    response = client.get(reverse("sales:opportunity-list"), {"sort": "name"})
    page = response.context["page"]
    assert len(page.rows) == 50 and page.has_next
    response = client.get(reverse("sales:opportunity-list"), {"sort": "name", "cursor": page.next_cursor})
    assert [row.name for row in response.context["page"].rows] == [f"딜 {n}" for n in range(50, 55)]


def test_stale_and_next_step_flags(client, rep):
    fresh = deal(rep, "새 딜", next_step="현장 실사", next_step_date=timezone.localdate() + dt.timedelta(days=2))
    old = deal(rep, "오래된 딜", next_step="견적")
    Opportunity.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - dt.timedelta(days=90))
    overdue = deal(rep, "지난 딜", close_date=timezone.localdate() - dt.timedelta(days=1))

    rows = {row.name: row for row in client.get(reverse("sales:opportunity-list")).context["page"].rows}
    assert (rows[fresh.name].is_stale, rows[fresh.name].needs_next_step) == (False, False)
    assert rows[old.name].is_stale and not rows[old.name].needs_next_step
    assert rows[overdue.name].is_stale and rows[overdue.name].needs_next_step

    stale_only = client.get(reverse("sales:opportunity-list"), {"stale": "on"}).context["page"].rows
    assert {row.name for row in stale_only} == {old.name, overdue.name}


def test_board_columns_count_and_sum_per_currency(client, rep):
    deal(rep, "A", amount=krw(10_000_000))
    deal(rep, "B", amount=krw(5_000_000))
    deal(rep, "C", amount=Money(1000, "USD"), stage=stage("proposal"))
    deal(UserFactory(), "숨은 딜", amount=krw(99_000_000))

    response = client.get(reverse("sales:pipeline"))
    columns = {column.stage.code: column for column in response.context["board"].columns}
    assert columns["prospecting"].count == 2
    assert columns["prospecting"].amounts == {"KRW": 15_000_000}
    assert columns["proposal"].amounts == {"USD": 1000}
    body = response.content.decode()
    assert "숨은 딜" not in body
    assert "data-move-url" in body and "sortable.min.js" in body


def test_a_drag_moves_the_card_and_redraws_the_headers(client, rep):
    opportunity = deal(rep)
    response = client.post(
        reverse("sales:opportunity-move", args=[opportunity.pk]),
        {"stage": stage("proposal").pk, "version": opportunity.version, "drag": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="opp-card-{opportunity.pk}"' in body
    assert f'data-version="{opportunity.version + 1}"' in body
    assert body.count('hx-swap-oob="true"') == 2
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "proposal"


def test_a_stale_card_is_a_conflict_and_nothing_moves(client, rep):
    opportunity = deal(rep)
    update_opportunity(actor=rep, opportunity=opportunity, expected_version=opportunity.version, next_step="전화")
    response = client.post(
        reverse("sales:opportunity-move", args=[opportunity.pk]),
        {"stage": stage("proposal").pk, "version": opportunity.version, "drag": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert StageHistory.objects.filter(opportunity=opportunity).count() == 1


def test_lost_without_a_reason_is_refused_and_with_one_moves(client, rep):
    opportunity = deal(rep)
    url = reverse("sales:opportunity-move", args=[opportunity.pk])
    response = client.post(
        url, {"stage": stage("lost").pk, "version": opportunity.version, "drag": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "reason" in response.content.decode()

    response = client.post(
        url,
        {"stage": stage("lost").pk, "version": opportunity.version, "win_loss_reason": "price"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    opportunity.refresh_from_db()
    assert opportunity.win_loss_reason == "price"


def test_the_detail_pages_move_form_redirects_with_a_message(client, rep):
    opportunity = deal(rep)
    response = client.post(
        reverse("sales:opportunity-move", args=[opportunity.pk]),
        {"stage": stage("qualification").pk, "version": opportunity.version},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("sales:opportunity-detail", args=[opportunity.pk])
    assert "qualification" in str(Opportunity.objects.get(pk=opportunity.pk).stage.code)


def test_someone_elses_deal_is_a_404(client, rep):
    other = deal(UserFactory())
    assert client.get(reverse("sales:opportunity-detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("sales:opportunity-move", args=[other.pk]), {"stage": stage("won").pk})
    assert response.status_code == 404


def test_detail_shows_lines_competitors_and_history(client, rep):
    opportunity = deal(rep)
    product = ProductFactory()
    PriceListItemFactory(product=product, unit_price=krw(9_000_000))
    add_opportunity_line(actor=rep, opportunity=opportunity, product=product, quantity=2)
    add_opportunity_competitor(actor=rep, opportunity=opportunity, competitor_name="대성공조")

    body = client.get(reverse("sales:opportunity-detail", args=[opportunity.pk])).content.decode()
    assert product.name in body
    assert "18,000,000" in body
    assert "대성공조" in body
    assert "{# activity panel #}" not in body


def test_partners_see_their_deal_but_never_its_competitors(client):
    partner = PartnerFactory()
    owner = UserFactory()
    opportunity = deal(owner, partner=partner)
    add_opportunity_competitor(actor=owner, opportunity=opportunity, competitor_name="비밀경쟁사")
    client.force_login(UserFactory(organization=partner, role=Role.PARTNER_REP))

    response = client.get(reverse("sales:opportunity-detail", args=[opportunity.pk]))
    assert response.status_code == 200
    assert "비밀경쟁사" not in response.content.decode()
    assert client.get(reverse("sales:opportunity-competitor-create", args=[opportunity.pk])).status_code == 403


def test_create_and_edit_through_the_forms(client, rep):
    account = AccountFactory(owner=rep)
    response = client.post(
        reverse("sales:opportunity-create"),
        {
            "name": "신규 딜",
            "account": account.pk,
            "close_date": "2026-12-31",
            "amount_0": "5000000",
            "amount_1": "KRW",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    opportunity = Opportunity.objects.get(name="신규 딜")
    assert opportunity.owner == rep and opportunity.amount == krw(5_000_000)

    url = reverse("sales:opportunity-update", args=[opportunity.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "신규 딜 2",
            "account": account.pk,
            "close_date": "2026-12-31",
            "amount_0": "6000000",
            "amount_1": "KRW",
            "next_step": "데모",
            "version": opportunity.version,
        },
    )
    assert response.status_code == 302
    response = client.post(url, {"name": "x", "account": account.pk, "close_date": "2026-12-31", "version": 0})
    assert response.status_code == 409


def test_create_bad_input_shows_field_errors(client, rep):
    response = client.post(reverse("sales:opportunity-create"), {"name": "", "close_date": "nope"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "account", "close_date"}


def test_stage_settings_for_sales_managers_only(client, rep):
    assert client.get(reverse("sales:stage-settings")).status_code == 403
    manager = UserFactory(role=Role.SALES_MANAGER)
    client.force_login(manager)
    assert client.get(reverse("sales:stage-settings")).status_code == 200
    proposal = stage("proposal")

    response = client.post(
        reverse("sales:stage-update", args=[proposal.pk]),
        {
            "name": "제안서",
            "name_en": "Proposal",
            "order": proposal.order,
            "default_probability": 45,
            "default_forecast_category": "best_case",
            "is_active": "on",
            "version": proposal.version,
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.name, proposal.default_probability) == ("제안서", 45)

    from forgecrm.catalog.tests.factories import ProductLineFactory

    line = ProductLineFactory()
    response = client.post(
        reverse("sales:stage-probability-set"), {"stage": proposal.pk, "product_line": line.pk, "probability": 30}
    )
    assert response.status_code == 302
    assert StageProbability.objects.get(stage=proposal, product_line=line).probability == 30

    client.post(reverse("sales:stage-down", args=[stage("prospecting").pk]))
    assert list(Stage.objects.order_by("order").values_list("code", flat=True))[:2] == ["qualification", "prospecting"]


def _many(rep, count):
    account = AccountFactory(owner=rep)
    for number in range(count):
        deal(rep, f"딜 {number}", account=account, next_step="x")


@pytest.mark.parametrize("route", ["sales:opportunity-list", "sales:pipeline"])
def test_list_and_board_queries_do_not_grow_with_rows(client, rep, django_assert_max_num_queries, route):
    _many(rep, 3)
    client.get(reverse(route))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse(route))
    _many(rep, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(route))


def test_detail_queries_do_not_grow_with_lines_and_history(client, rep, django_assert_max_num_queries):
    opportunity = deal(rep)
    product = ProductFactory()
    PriceListItemFactory(product=product)
    add_opportunity_line(actor=rep, opportunity=opportunity, product=product)
    url = reverse("sales:opportunity-detail", args=[opportunity.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(5):
        add_opportunity_line(actor=rep, opportunity=opportunity, product=product)
        add_opportunity_competitor(actor=rep, opportunity=opportunity, competitor_name="경쟁")
    opportunity.refresh_from_db()
    for code in ("qualification", "proposal", "negotiation"):
        opportunity = move_opportunity_to_stage(
            actor=rep, opportunity=opportunity, stage=stage(code), expected_version=opportunity.version
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
