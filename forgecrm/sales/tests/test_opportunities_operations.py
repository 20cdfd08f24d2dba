"""Opportunity writes: create, update, stage moves with their history, assignment, conflicts and bad input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from djmoney.money import Money

from forgecrm.catalog.tests.factories import ProductLineFactory
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import ForecastCategory, Stage, StageHistory
from forgecrm.sales.operations.opportunities import (
    assign_opportunity,
    create_opportunity,
    move_opportunity_to_stage,
    update_opportunity,
)

from . import factories as f

pytestmark = pytest.mark.django_db


def krw(value) -> Money:
    return Money(value, "KRW")


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def account(rep):
    return AccountFactory(owner=rep)


def new_deal(rep, account, **kwargs):
    defaults = {"name": "본사 냉동기 교체", "close_date": timezone.localdate() + dt.timedelta(days=30)}
    return create_opportunity(actor=rep, account=account, **{**defaults, **kwargs})


def test_create_defaults_owner_first_open_stage_probability_category_and_opens_the_history(rep, account):
    deal = new_deal(rep, account, amount=krw(120_000_000))

    assert deal.owner == rep
    assert deal.stage.code == "prospecting"
    assert deal.probability == 10
    assert deal.forecast_category == ForecastCategory.PIPELINE
    assert deal.amount == krw(120_000_000)
    stay = StageHistory.objects.get(opportunity=deal)
    assert stay.left_at is None
    assert stay.entered_at == deal.stage_entered_at
    assert stay.changed_by == rep
    assert stay.amount == krw(120_000_000)
    assert OutboxEvent.objects.filter(event_type="OpportunityCreated", payload__opportunity_id=deal.pk).exists()


def test_create_without_amount_is_zero_krw(rep, account):
    assert new_deal(rep, account).amount == krw(0)


def test_create_takes_the_product_lines_probability_and_the_given_forecast_category(rep, account):
    chillers = ProductLineFactory()
    f.StageProbabilityFactory(stage=stage("proposal"), product_line=chillers, probability=35)

    deal = new_deal(rep, account, stage=stage("proposal"), product_line=chillers, forecast_category="commit")

    assert deal.probability == 35
    assert deal.forecast_category == "commit"


def test_only_internal_users_create_and_only_assigners_give_deals_away(rep, account):
    partner_user = UserFactory(organization=PartnerAccountFactory(), role=Role.PARTNER_REP)
    with pytest.raises(PermissionDenied):
        new_deal(partner_user, account)
    with pytest.raises(ValidationError) as error:
        new_deal(rep, account, owner=UserFactory())
    assert "owner" in error.value.message_dict

    manager = UserFactory(role=Role.SALES_MANAGER)
    assert new_deal(manager, AccountFactory(owner=manager), owner=rep).owner == rep


def test_create_refuses_bad_input_by_field(rep, account):
    other_contact = ContactFactory()
    with pytest.raises(ValidationError) as error:
        create_opportunity(
            actor=rep,
            account=account,
            name=" ",
            close_date=None,
            amount=krw(-1),
            primary_contact=other_contact,
            partner=AccountFactory(),
            forecast_category="maybe",
        )
    assert set(error.value.message_dict) >= {
        "name",
        "close_date",
        "amount",
        "primary_contact",
        "partner",
        "forecast_category",
    }


def test_create_refuses_an_account_the_actor_does_not_see(rep):
    with pytest.raises(ValidationError) as error:
        new_deal(rep, AccountFactory())
    assert "account" in error.value.message_dict


def test_a_new_deal_cannot_start_lost(rep, account):
    with pytest.raises(ValidationError) as error:
        new_deal(rep, account, stage=stage("lost"))
    assert "stage" in error.value.message_dict


def test_moves_keep_one_open_stay_with_seconds_in_stage(rep, account):
    deal = new_deal(rep, account)
    first = StageHistory.objects.get(opportunity=deal)
    StageHistory.objects.filter(pk=first.pk).update(entered_at=first.entered_at - dt.timedelta(hours=2))

    deal = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("qualification"), expected_version=deal.version
    )
    deal = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("proposal"), expected_version=deal.version
    )

    rows = list(StageHistory.objects.filter(opportunity=deal).order_by("entered_at", "id"))
    assert [row.stage.code for row in rows] == ["prospecting", "qualification", "proposal"]
    assert [row.left_at is None for row in rows] == [False, False, True]
    assert 7190 <= rows[0].seconds_in_stage <= 7300
    assert rows[1].seconds_in_stage is not None
    assert rows[0].left_at == rows[1].entered_at
    assert rows[2].entered_at == deal.stage_entered_at
    assert deal.probability == 50
    assert deal.forecast_category == "best_case"
    assert deal.version == 3


def test_move_uses_the_product_lines_probability(rep, account):
    fans = ProductLineFactory()
    f.StageProbabilityFactory(stage=stage("negotiation"), product_line=fans, probability=60)
    deal = new_deal(rep, account, product_line=fans)

    deal = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("negotiation"), expected_version=deal.version
    )

    assert deal.probability == 60
    assert StageHistory.objects.get(opportunity=deal, left_at__isnull=True).probability == 60


def test_a_stale_move_is_a_conflict_and_changes_nothing(rep, account):
    deal = new_deal(rep, account)
    read_version = deal.version
    update_opportunity(actor=rep, opportunity=deal, expected_version=read_version, next_step="현장 실사")

    with pytest.raises(ConflictError):
        move_opportunity_to_stage(actor=rep, opportunity=deal, stage=stage("proposal"), expected_version=read_version)

    assert StageHistory.objects.filter(opportunity=deal).count() == 1
    deal.refresh_from_db()
    assert deal.stage.code == "prospecting"


def test_a_stale_update_is_a_conflict(rep, account):
    deal = new_deal(rep, account)
    update_opportunity(actor=rep, opportunity=deal, expected_version=deal.version, name="냉동기 2대")
    with pytest.raises(ConflictError):
        update_opportunity(actor=rep, opportunity=deal, expected_version=deal.version, name="냉동기 3대")


def test_won_sets_closed_at_and_emits_won(rep, account):
    deal = new_deal(rep, account, amount=krw(50_000_000))
    deal = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("won"), expected_version=deal.version, win_loss_reason="price"
    )

    assert deal.closed_at is not None
    assert deal.probability == 100
    assert deal.forecast_category == "closed"
    event = OutboxEvent.objects.get(event_type="OpportunityWon")
    assert event.payload["opportunity_id"] == deal.pk
    assert event.payload["amount"] == "50000000.00"


def test_lost_needs_a_reason_and_emits_lost(rep, account):
    deal = new_deal(rep, account)
    with pytest.raises(ValidationError) as error:
        move_opportunity_to_stage(actor=rep, opportunity=deal, stage=stage("lost"), expected_version=deal.version)
    assert "win_loss_reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        move_opportunity_to_stage(
            actor=rep, opportunity=deal, stage=stage("lost"), expected_version=deal.version, win_loss_reason="nope"
        )

    deal = move_opportunity_to_stage(
        actor=rep,
        opportunity=deal,
        stage=stage("lost"),
        expected_version=deal.version,
        win_loss_reason="competitor",
        win_loss_note="경쟁사 단가 15% 낮음",
    )

    assert deal.closed_at is not None
    assert deal.win_loss_reason == "competitor"
    assert OutboxEvent.objects.filter(event_type="OpportunityLost", payload__opportunity_id=deal.pk).exists()


def test_reopening_clears_closed_at_and_the_reason(rep, account):
    deal = new_deal(rep, account)
    deal = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("lost"), expected_version=deal.version, win_loss_reason="budget"
    )
    deal = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("negotiation"), expected_version=deal.version
    )
    assert deal.closed_at is None
    assert deal.win_loss_reason == ""


def test_moving_to_the_same_stage_writes_nothing(rep, account):
    deal = new_deal(rep, account)
    same = move_opportunity_to_stage(
        actor=rep, opportunity=deal, stage=stage("prospecting"), expected_version=deal.version
    )
    assert same.version == deal.version
    assert StageHistory.objects.filter(opportunity=deal).count() == 1


def test_an_inactive_stage_is_refused(rep, account):
    deal = new_deal(rep, account)
    retired = f.StageFactory(is_active=False)
    with pytest.raises(ValidationError):
        move_opportunity_to_stage(actor=rep, opportunity=deal, stage=retired, expected_version=deal.version)


def test_someone_who_does_not_see_the_deal_cannot_move_or_change_it(rep, account):
    deal = new_deal(rep, account)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        move_opportunity_to_stage(actor=stranger, opportunity=deal, stage=stage("proposal"), expected_version=None)
    with pytest.raises(PermissionDenied):
        update_opportunity(actor=stranger, opportunity=deal, expected_version=None, name="x")


def test_update_changes_fields_and_reads_the_new_lines_probability(rep, account):
    deal = new_deal(rep, account)
    pumps = ProductLineFactory()
    f.StageProbabilityFactory(stage=stage("prospecting"), product_line=pumps, probability=15)
    when = timezone.localdate() + dt.timedelta(days=3)

    deal = update_opportunity(
        actor=rep,
        opportunity=deal,
        expected_version=deal.version,
        product_line=pumps,
        next_step="견적 발송",
        next_step_date=when,
        amount=krw(9_000_000),
    )

    assert deal.probability == 15
    assert (deal.next_step, deal.next_step_date) == ("견적 발송", when)
    assert deal.amount == krw(9_000_000)
    assert OutboxEvent.objects.filter(event_type="OpportunityUpdated", payload__opportunity_id=deal.pk).exists()


def test_update_refuses_the_stage_unknown_fields_and_the_amount_of_a_deal_with_lines(rep, account):
    deal = new_deal(rep, account)
    with pytest.raises(ValidationError) as error:
        update_opportunity(actor=rep, opportunity=deal, expected_version=None, stage=stage("won"), version=9)
    assert set(error.value.message_dict) == {"stage", "version"}

    f.OpportunityLineFactory(opportunity=deal)
    with pytest.raises(ValidationError) as error:
        update_opportunity(actor=rep, opportunity=deal, expected_version=None, amount=krw(1))
    assert "amount" in error.value.message_dict


def test_a_reason_only_on_a_closed_deal(rep, account):
    deal = new_deal(rep, account)
    with pytest.raises(ValidationError):
        update_opportunity(actor=rep, opportunity=deal, expected_version=None, win_loss_reason="price")


def test_a_rep_cannot_change_the_owner_but_a_manager_assigns(rep, account):
    deal = new_deal(rep, account)
    other = UserFactory()
    with pytest.raises(ValidationError) as error:
        update_opportunity(actor=rep, opportunity=deal, expected_version=None, owner=other)
    assert "owner" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        assign_opportunity(actor=rep, opportunity=deal, expected_version=None, owner=other)

    deal = assign_opportunity(
        actor=UserFactory(role=Role.ADMIN), opportunity=deal, expected_version=deal.version, owner=other
    )
    assert deal.owner == other


def test_assign_refuses_a_partner_user_as_owner(rep, account):
    deal = new_deal(rep, account)
    partner_user = UserFactory(organization=PartnerAccountFactory(), role=Role.PARTNER_REP)
    with pytest.raises(ValidationError) as error:
        assign_opportunity(
            actor=UserFactory(role=Role.ADMIN), opportunity=deal, expected_version=None, owner=partner_user
        )
    assert "owner" in error.value.message_dict


def test_the_system_creates_with_a_named_owner(rep, account):
    with pytest.raises(ValidationError):
        create_opportunity(actor=None, account=account, name="x", close_date=timezone.localdate())
    deal = create_opportunity(
        actor=None,
        account=account,
        name="x",
        close_date=timezone.localdate(),
        owner=rep,
        source="import",
        external_id="M-1",
    )
    assert deal.created_by is None
