"""Accepting a quote wins its opportunity (won stage, stage history, OpportunityWon) in the same transaction;
declining leaves the deal as it is."""

import pytest
from django.db import IntegrityError

from forgecrm.platform.models import OutboxEvent
from forgecrm.sales.models import QuoteStatus, SalesOrder, Stage, StageHistory
from forgecrm.sales.operations import opportunities as opportunity_operations
from forgecrm.sales.operations.opportunities import move_opportunity_to_stage
from forgecrm.sales.operations.quoting import accept_quote, create_quote, decline_quote, send_quote

from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_quoting_world()
    world.opportunity = move_opportunity_to_stage(
        actor=world.rep,
        opportunity=world.opportunity,
        stage=Stage.objects.get(code="negotiation"),
        expected_version=world.opportunity.version,
    )
    return world


def sent_quote(world):
    return send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))


def won_events(world):
    return OutboxEvent.objects.filter(event_type="OpportunityWon", payload__opportunity_id=world.opportunity.pk)


def test_accepting_wins_the_open_deal_with_its_stage_history_and_event(world):
    accept_quote(actor=world.rep, quote=sent_quote(world))
    world.opportunity.refresh_from_db()
    assert world.opportunity.stage.is_won and world.opportunity.closed_at is not None
    assert world.opportunity.forecast_category == world.opportunity.stage.default_forecast_category
    stays = list(StageHistory.objects.filter(opportunity=world.opportunity).order_by("entered_at", "id"))
    assert [stay.stage.code for stay in stays[-2:]] == ["negotiation", world.opportunity.stage.code]
    assert stays[-2].left_at is not None and stays[-1].left_at is None and stays[-1].changed_by == world.rep
    assert StageHistory.objects.filter(opportunity=world.opportunity, left_at__isnull=True).count() == 1
    assert won_events(world).count() == 1
    assert OutboxEvent.objects.filter(event_type="OpportunityStageChanged", payload__to_stage="won").count() == 1


def test_accepting_again_or_a_second_quote_of_a_won_deal_wins_nothing_more(world):
    quote = sent_quote(world)
    accept_quote(actor=world.rep, quote=quote)
    accept_quote(actor=world.rep, quote=quote)
    accept_quote(actor=world.rep, quote=sent_quote(world))
    assert won_events(world).count() == 1
    assert (
        StageHistory.objects.filter(opportunity=world.opportunity).count() == 2
    )  # negotiation, won (the factory opened no stay)


def test_declining_leaves_the_deal_open(world):
    decline_quote(actor=world.rep, quote=sent_quote(world), reason="예산 삭감")
    world.opportunity.refresh_from_db()
    assert world.opportunity.stage.code == "negotiation" and world.opportunity.closed_at is None
    assert not won_events(world).exists()


def test_a_lost_deal_stays_lost_when_a_late_quote_is_accepted(world):
    quote = sent_quote(world)
    world.opportunity = move_opportunity_to_stage(
        actor=world.rep,
        opportunity=world.opportunity,
        stage=Stage.objects.get(code="lost"),
        expected_version=world.opportunity.version,
        win_loss_reason="price",
    )
    accept_quote(actor=world.rep, quote=quote)
    world.opportunity.refresh_from_db()
    assert world.opportunity.stage.code == "lost" and not won_events(world).exists()


def test_a_failing_win_rolls_the_acceptance_back(world, monkeypatch):
    quote = sent_quote(world)

    def broken(*args, **kwargs):
        raise IntegrityError("stage history clash")

    monkeypatch.setattr(opportunity_operations, "_open_stay", broken)
    with pytest.raises(IntegrityError):
        accept_quote(actor=world.rep, quote=quote)
    quote.refresh_from_db()
    world.opportunity.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and not SalesOrder.objects.filter(quote=quote).exists()
    assert world.opportunity.stage.code == "negotiation" and not won_events(world).exists()
