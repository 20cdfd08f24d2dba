"""Sales order statuses from users and from ERP (idempotent on ERP number and status), and the account timeline."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forgecrm.platform.models import OutboxEvent, Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.timeline import timeline_for
from forgecrm.platform.versioning import ConflictError
from forgecrm.sales.models import SalesOrderStatus
from forgecrm.sales.operations.orders import change_sales_order_status, next_statuses, record_erp_order_status
from forgecrm.sales.operations.quoting import accept_quote, create_quote, send_quote

from .quoting_world import build_quoting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_quoting_world()


@pytest.fixture
def order(world):
    quote = send_quote(actor=world.rep, quote=create_quote(actor=world.rep, opportunity=world.opportunity))
    return accept_quote(actor=world.rep, quote=quote)


def test_users_move_the_order_step_by_step(world, order):
    assert next_statuses(order) == ["confirmed", "cancelled"]
    order = change_sales_order_status(actor=world.rep, order=order, status="confirmed", expected_version=order.version)
    with pytest.raises(ValidationError):
        change_sales_order_status(actor=world.rep, order=order, status="invoiced")
    with pytest.raises(ConflictError):
        change_sales_order_status(actor=world.rep, order=order, status="in_production", expected_version=1)
    assert list(order.status_changes.values_list("status", flat=True)) == ["submitted", "confirmed"]


def test_cancelling_needs_the_cancel_rule(world, order):
    with pytest.raises(PermissionDenied):
        change_sales_order_status(actor=world.rep, order=order, status="cancelled")
    order = change_sales_order_status(actor=world.manager, order=order, status="cancelled", note="고객 요청")
    assert order.status == SalesOrderStatus.CANCELLED and next_statuses(order) == []


def test_erp_status_reports_are_idempotent_on_erp_number_and_status(world, order):
    erp = UserFactory(role=Role.ADMIN, full_name="ERP 연동")
    updated, changed = record_erp_order_status(actor=erp, order=order, erp_number="ERP-55001", status="confirmed")
    assert changed and updated.erp_number == "ERP-55001" and updated.erp_synced_at is not None
    again, changed_again = record_erp_order_status(actor=erp, erp_number="ERP-55001", status="confirmed")
    assert not changed_again and again.version == updated.version
    shipped, _ = record_erp_order_status(actor=erp, erp_number="ERP-55001", status="shipped", note="택배 1234")
    assert shipped.status == SalesOrderStatus.SHIPPED  # ERP may skip steps
    sources = list(order.status_changes.values_list("status", "source"))
    assert sources == [("submitted", "user"), ("confirmed", "erp"), ("shipped", "erp")]
    assert OutboxEvent.objects.filter(event_type="SalesOrderStatusChanged").count() == 2


def test_erp_reports_with_unknown_numbers_or_statuses_are_field_errors(world, order):
    for kwargs, field in [
        ({"erp_number": "ERP-404", "status": "shipped"}, "erp_number"),
        ({"erp_number": "ERP-1", "status": "lost", "order": order}, "status"),
        ({"erp_number": "", "status": "shipped", "order": order}, "erp_number"),
    ]:
        with pytest.raises(ValidationError) as error:
            record_erp_order_status(actor=world.admin, **kwargs)
        assert field in error.value.message_dict


def test_orders_and_their_statuses_are_in_the_account_timeline(world, order):
    record_erp_order_status(actor=world.admin, order=order, erp_number="ERP-9", status="confirmed")
    titles = [entry.title for entry in timeline_for(world.rep, "account", world.account.pk)]
    assert any(order.number in title and "ERP" not in title for title in titles)
    assert sum(order.number in title for title in titles) >= 2
    assert [e for e in timeline_for(world.outsider, "account", world.account.pk) if order.number in e.title] == []
