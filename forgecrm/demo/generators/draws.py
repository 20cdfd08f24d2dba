"""Cheap random draws for million-row generators.

`random.Random.randint`, `choice` and `choices` cost about a microsecond each in pure Python; one `random()`
call and a little arithmetic cost a third of that, which is most of the generator's time at benchmark size.
Same seed, same draws (the streams differ from `randint`'s, not their quality).
"""

import itertools
import random
from bisect import bisect
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


def weighted(rng: random.Random, items: Sequence[T], cum_weights: Sequence[float]) -> T:
    """One of `items`, drawn by the cumulative weights (as from `cumulative`)."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1])]
