import datetime as dt

import pytest
from django.utils import timezone

from forgecrm.customers.queries import Account360
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.timeline import TimelineEntry

pytestmark = pytest.mark.django_db


def _entry(days_from_now: int) -> TimelineEntry:
    return TimelineEntry(at=timezone.now() + dt.timedelta(days=days_from_now), kind="activity.call", title="x")


def test_last_touched_ignores_planned_future_work():
    account = AccountFactory()
    view = Account360(
        account=account, parent=None, partner=None, channel_parent=None, contacts=[], key_people=[], contact_count=0,
        subsidiaries=[], subsidiary_count=0, served_count=0, dealer_count=0, aliases=[],
        timeline=[_entry(20), _entry(3), _entry(-2), _entry(-40)],
    )  # fmt: skip
    assert view.last_touched.date() == (timezone.now() - dt.timedelta(days=2)).date()


def test_last_touched_is_empty_when_only_future_work_exists():
    view = Account360(
        account=AccountFactory(), parent=None, partner=None, channel_parent=None, contacts=[], key_people=[],
        contact_count=0, subsidiaries=[], subsidiary_count=0, served_count=0, dealer_count=0, aliases=[],
        timeline=[_entry(5)],
    )  # fmt: skip
    assert view.last_touched is None
