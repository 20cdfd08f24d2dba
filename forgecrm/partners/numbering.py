"""Document numbers of MDF requests and partner service requests (`MDF-2026-00001`, `PSR-2026-00001`): the sales
numbering (next number, insert in a savepoint, retry on a clash), given more rounds because partners submit in
bursts (a portal batch, an import) and each round lets only one of the racing writers through."""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models

from forgecrm.sales.numbering import create_numbered

ROUNDS = 8
T = TypeVar("T")


def create_partner_document(model: type[models.Model], prefix: str, create: Callable[[str], T]) -> T:
    for round_number in range(ROUNDS):
        try:
            return create_numbered(model, prefix, create)
        except IntegrityError:
            if round_number == ROUNDS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
