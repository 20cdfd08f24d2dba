"""The activity-based performance view: exact figures on a small data set, for a manager and for a rep."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from forgecrm.activities.models import ActivityKind, ActivityStatus, CallOutcome
from forgecrm.activities.queries import performance_for
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
MARCH_FROM, MARCH_TO = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SEOUL)


@pytest.fixture
def team():
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="가 매니저")
    rep1 = UserFactory(manager=manager, full_name="나 영업1")
    rep2 = UserFactory(manager=manager, full_name="다 영업2")
    outsider = UserFactory(full_name="라 외부")
    opportunity = ContentType.objects.get_by_natural_key("sales", "opportunity")

    def act(owner, kind, day, *, status=ActivityStatus.DONE, outcome="", minutes=None, deal=None, month=3):
        return ActivityFactory(
            owner=owner,
            account=AccountFactory(owner=owner),
            kind=kind,
            status=status,
            starts_at=at(day, month=month),
            outcome_code=outcome,
            duration_minutes=minutes,
            regarding_type=opportunity if deal else None,
            regarding_id=deal,
        )

    call = ActivityKind.CALL
    act(rep1, call, 2, outcome=CallOutcome.CONNECTED, minutes=5, deal=101)
    act(rep1, call, 3, outcome=CallOutcome.CONNECTED, minutes=10, deal=101)
    act(rep1, call, 4, outcome=CallOutcome.NO_ANSWER, minutes=1)
    act(rep1, call, 5, outcome=CallOutcome.LEFT_MESSAGE)
    act(rep1, call, 30, status=ActivityStatus.PLANNED)
    act(rep1, call, 6, status=ActivityStatus.CANCELLED)  # never counts
    act(rep1, call, 28, month=2, outcome=CallOutcome.CONNECTED, minutes=50)  # outside the period
    act(rep1, ActivityKind.MEETING, 9, deal=101)
    act(rep1, ActivityKind.MEETING, 31, status=ActivityStatus.PLANNED)
    act(rep1, ActivityKind.DEMO, 12, deal=102)
    act(rep1, ActivityKind.NOTE, 12)  # counted in no column but "per opportunity" (none here)
    act(rep2, call, 16, outcome=CallOutcome.CONNECTED, minutes=3)
    act(rep2, ActivityKind.VISIT, 17, deal=102)
    for day in (2, 3, 4):
        act(outsider, call, day, outcome=CallOutcome.CONNECTED, minutes=9)
    return manager, rep1, rep2, outsider


def _by_name(report):
    return {person.name: person for person in report.people}


def test_a_manager_gets_exact_figures_per_person_of_the_subtree(team):
    manager, rep1, rep2, outsider = team
    report = performance_for(manager, date_from=MARCH_FROM, date_to=MARCH_TO)
    people = _by_name(report)
    assert list(people) == ["가 매니저", "나 영업1", "다 영업2"]  # the outsider is not in the subtree

    one = people["나 영업1"]
    assert (one.calls_logged, one.calls_done, one.connected_calls) == (5, 4, 2)
    assert one.connected_rate == Decimal("0.5000") and one.connected_percent == Decimal("50.0")
    assert one.average_call_minutes == Decimal("5.3")  # (5 + 10 + 1) / 3 calls with a duration
    assert (one.meetings_logged, one.meetings_done, one.demos_logged, one.demos_done) == (2, 1, 1, 1)
    assert (one.visits_logged, one.visits_done) == (0, 0)
    assert (one.opportunity_activities, one.opportunities) == (4, 2)
    assert one.activities_per_opportunity == Decimal("2.00")

    two = people["다 영업2"]
    assert (two.calls_done, two.connected_rate, two.average_call_minutes) == (1, Decimal("1.0000"), Decimal("3.0"))
    assert (two.visits_done, two.activities_per_opportunity) == (1, Decimal("1.00"))

    boss = people["가 매니저"]
    assert boss.calls_logged == 0 and boss.connected_rate is None and boss.average_call_minutes is None

    total = report.total
    assert (total.calls_logged, total.calls_done, total.connected_calls) == (6, 5, 3)
    assert total.connected_rate == Decimal("0.6000")
    assert total.average_call_minutes == Decimal("4.8")  # 19 minutes / 4 calls = 4.75, half up
    assert (total.opportunity_activities, total.opportunities) == (5, 2)  # deal 102 counted once
    assert total.activities_per_opportunity == Decimal("2.50")


def test_a_rep_sees_only_themselves(team):
    _manager, rep1, _rep2, _outsider = team
    report = performance_for(rep1, date_from=MARCH_FROM, date_to=MARCH_TO)
    assert [person.name for person in report.people] == ["나 영업1"]
    assert report.total.calls_done == 4


def test_narrowing_to_one_persons_subtree_and_not_beyond_the_own(team):
    manager, rep1, _rep2, outsider = team
    report = performance_for(manager, date_from=MARCH_FROM, date_to=MARCH_TO, under=rep1.pk)
    assert [person.name for person in report.people] == ["나 영업1"]
    # Someone outside the subtree is ignored: the manager keeps their own subtree.
    report = performance_for(manager, date_from=MARCH_FROM, date_to=MARCH_TO, under=outsider.pk)
    assert "라 외부" not in _by_name(report)


def test_an_administrator_sees_every_sales_person():
    admin = UserFactory(role=Role.ADMIN)
    rep = UserFactory()
    service = UserFactory(role=Role.SERVICE_AGENT)
    names = {person.name for person in performance_for(admin, date_from=MARCH_FROM, date_to=MARCH_TO).people}
    assert str(rep) in names and str(service) not in names


def test_the_page_shows_the_chart_and_the_same_numbers(team):
    manager, rep1, *_ = team
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("activities:performance"), {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-chart=" in html and "나 영업1" in html and "라 외부" not in html
    assert "50.0%" in html and "5.3" in html and "2.00" in html
    client.force_login(rep1)
    html = client.get(reverse("activities:performance"), {"date_from": "2026-03-01", "date_to": "2026-03-31"}).content
    assert "다 영업2" not in html.decode()


def test_a_bad_period_is_a_field_error(team):
    manager, *_ = team
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("activities:performance"), {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert response.status_code == 200 and "The end is before the start." in response.content.decode()


def test_the_api_returns_the_same_figures(team):
    manager, *_ = team
    client = Client()
    client.force_login(manager)
    response = client.get("/api/v1/activities/performance/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200, response.content
    data = response.json()
    one = next(person for person in data["people"] if person["name"] == "나 영업1")
    assert one["connected_rate"] == "0.5000" and one["average_call_minutes"] == "5.3"
    assert one["activities_per_opportunity"] == "2.00"
    assert data["total"]["calls_done"] == 5 and data["total"]["activities_per_opportunity"] == "2.50"
    bad = client.get("/api/v1/activities/performance/", {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert bad.status_code == 400


def test_portal_users_get_no_performance():
    from forgecrm.customers.tests.factories import AccountFactory as Accounts

    customer = UserFactory(role=Role.CUSTOMER_USER, organization=Accounts())
    client = Client()
    client.force_login(customer)
    assert client.get(reverse("activities:performance")).status_code == 403
    assert client.get("/api/v1/activities/performance/").status_code == 403


def test_the_page_query_count_does_not_grow(team, django_assert_max_num_queries):
    manager, rep1, *_ = team
    client = Client()
    client.force_login(manager)
    url = reverse("activities:performance")
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    client.get(url, query)
    with django_assert_max_num_queries(12) as few:
        client.get(url, query)
    for index in range(6):
        rep = UserFactory(manager=manager)
        ActivityFactory(owner=rep, account=AccountFactory(owner=rep), starts_at=at(10 + index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, query).status_code == 200
