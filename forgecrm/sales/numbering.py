"""Document numbers of quotes and sales orders: `<prefix>-<year>-<5 digits>`, counting up per year.

The next number is read under a lock of the last row of that year and the insert retried on a unique clash,
so two users creating at the same moment never get the same number (the column is unique either way)."""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

QUOTE_PREFIX = "Q"
ORDER_PREFIX = "SO"
ATTEMPTS = 5

T = TypeVar("T")


def next_number(model: type[models.Model], prefix: str, *, field: str = "number") -> str:
    year = timezone.localdate().year
    stem = f"{prefix}-{year}-"
    numbers = model._default_manager.filter(**{f"{field}__startswith": stem}).values_list(field, flat=True)
    highest = 0
    for number in numbers.order_by(f"-{field}")[:20]:
        tail = number[len(stem) :].split("-", 1)[0]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{stem}{highest + 1:05d}"


def create_numbered(model: type[models.Model], prefix: str, create: Callable[[str], T]) -> T:
    """`create(number)` inside a savepoint, with the next free number; retried when another writer took it."""
    for attempt in range(ATTEMPTS):
        number = next_number(model, prefix)
        try:
            with transaction.atomic():
                return create(number)
        except IntegrityError:
            if attempt == ATTEMPTS - 1 or model._default_manager.filter(number=number).count() == 0:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
