"""Keyset pagination of HTML lists, over the users table (a real, ordered table of the kernel)."""

import pytest

from forgecrm.platform.models import User
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.ui.lists import decode_cursor, encode_cursor, keyset_page, resolve_sort

pytestmark = pytest.mark.django_db

SORTS = {"name": "full_name", "joined": "date_joined", "manager": "manager__full_name", "phone": "phone"}


def _walk(sort: str, size: int) -> list[int]:
    seen: list[int] = []
    cursor = ""
    for _ in range(100):
        page = keyset_page(User.objects.all(), sort=sort, allowed=SORTS, cursor=cursor, size=size)
        seen.extend(row.pk for row in page.rows)
        if not page.has_next:
            return seen
        cursor = page.next_cursor
    raise AssertionError("pagination did not end")


@pytest.fixture
def users():
    # Repeated sort values: four names shared by 23 users, some with and some without a manager and phone.
    boss = UserFactory(full_name="가 대표")
    rows = [boss]
    for index in range(22):
        rows.append(
            UserFactory(
                full_name=["김민준", "이서연", "박지후", "최하윤"][index % 4],
                manager=boss if index % 3 == 0 else None,
                phone="" if index % 2 else f"+8210{index:08d}",
            )
        )
    return rows


@pytest.mark.parametrize("sort", ["name", "-name", "joined", "-joined", "id", "-id", "phone", "-phone"])
@pytest.mark.parametrize("size", [1, 4, 7, 50])
def test_every_row_once_in_order_across_pages(users, sort, size):
    seen = _walk(sort, size)
    assert len(seen) == len(set(seen)) == len(users)
    field = {"id": "pk", **SORTS}[sort.lstrip("-")]
    expected = list(
        User.objects.order_by(
            f"-{field}" if sort.startswith("-") else field, "-pk" if sort.startswith("-") else "pk"
        ).values_list("pk", flat=True)
    )
    assert seen == expected


@pytest.mark.parametrize("sort", ["manager", "-manager"])
def test_nullable_sort_through_a_relation_puts_empty_values_last(users, sort):
    seen = _walk(sort, 3)
    assert len(seen) == len(set(seen)) == len(users)
    with_manager = set(User.objects.filter(manager__isnull=False).values_list("pk", flat=True))
    assert set(seen[: len(with_manager)]) == with_manager


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!!",
        encode_cursor(["x"]),
        encode_cursor([{"a": 1}, 5]),
        encode_cursor(["name", "7 OR 1=1"]),
        encode_cursor(["name", True]),
        "eyJhIjogMX0",  # {"a": 1}
    ],
)
def test_a_tampered_cursor_is_ignored_and_shows_the_first_page(users, cursor):
    first = keyset_page(User.objects.all(), sort="name", allowed=SORTS, size=5)
    page = keyset_page(User.objects.all(), sort="name", allowed=SORTS, cursor=cursor, size=5)
    assert [row.pk for row in page.rows] == [row.pk for row in first.rows]


def test_a_cursor_value_that_does_not_fit_the_field_is_ignored(users):
    first = keyset_page(User.objects.all(), sort="joined", allowed=SORTS, size=5)
    page = keyset_page(User.objects.all(), sort="joined", allowed=SORTS, cursor=encode_cursor(["yesterday", 3]), size=5)
    assert [row.pk for row in page.rows] == [row.pk for row in first.rows]


def test_cursor_round_trip_and_sort_resolution():
    assert decode_cursor(encode_cursor(["김민준", 42])) == ["김민준", 42]
    assert decode_cursor("") is None
    assert resolve_sort("-name", SORTS, "-id") == "-name"
    assert resolve_sort("--name", SORTS, "-id") == "-id"
    assert resolve_sort("password", SORTS, "-id") == "-id"
    assert resolve_sort("", SORTS, "name") == "name"


def test_pages_use_no_offset(users):
    page = keyset_page(User.objects.all(), sort="name", allowed=SORTS, size=5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        keyset_page(User.objects.all(), sort="name", allowed=SORTS, cursor=page.next_cursor, size=5)
    assert len(queries) == 1
    assert "OFFSET" not in queries[0]["sql"].upper()
