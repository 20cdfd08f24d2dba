"""Korean people: names drawn by real surname frequencies, and e-mail local parts from their romanisation."""

import itertools
import random
from dataclasses import dataclass

from ..vocabulary import GIVEN_NAMES, SURNAMES
from .draws import between, pick, weighted

_SURNAME_WEIGHTS = list(itertools.accumulate(weight for _, _, weight in SURNAMES))


@dataclass(frozen=True, slots=True)
class Person:
    surname: str
    given: str
    surname_roman: str
    given_roman: str

    @property
    def full_name(self) -> str:
        return self.surname + self.given  # Korean names are written without a space


def person(rng: random.Random) -> Person:
    surname, surname_roman, _ = weighted(rng, SURNAMES, _SURNAME_WEIGHTS)
    given, given_roman = pick(rng, GIVEN_NAMES)
    return Person(surname, given, surname_roman, given_roman)


def email_local_part(rng: random.Random, who: Person) -> str:
    """How Korean office workers spell their address: minjun.kim, kimmj, mjkim82."""
    letters = initials(who.given)
    style = int(rng.random() * 4)
    if style == 0:
        return f"{who.given_roman}.{who.surname_roman}"
    if style == 1:
        return f"{who.surname_roman}{letters}"
    if style == 2:
        return f"{letters}{who.surname_roman}{between(rng, 70, 99)}"
    return f"{who.surname_roman}.{who.given_roman}"


# Romanised first letters of the 19 initial consonants of a Hangul syllable; ㅇ (silent) takes its vowel's letter.
_LEADS = "kkndtrmbpssojjcktph"
_VOWELS = "aayyeeyyowwoyuwwwyeui"


def initials(hangul: str) -> str:
    """Romanised initials of a Hangul given name: 민준 -> "mj", 영희 -> "yh", 은정 -> "ej"."""
    letters = []
    for char in hangul:
        offset = ord(char) - 0xAC00
        if not 0 <= offset < 11172:
            continue
        lead, vowel = offset // 588, (offset % 588) // 28
        letters.append(_VOWELS[vowel] if lead == 11 else _LEADS[lead])
    return "".join(letters)


def unique(candidate: str, taken: set[str]) -> str:
    """`candidate`, or `candidate` with the smallest number suffix not yet taken; remembers the answer."""
    value = candidate
    for number in itertools.count(2):
        if value not in taken:
            break
        value = f"{candidate}{number}"
    taken.add(value)
    return value
