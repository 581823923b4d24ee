"""randomize(): the shuffle ODK Collect does, so a seeded order is the same on every device.

The ODK XForms spec prescribes the Park-Miller "minimal standard" generator and a Fisher-Yates
shuffle that takes each swap position from the generator's next double, so that a seed gives
the same order in JavaRosa (Collect) and in JavaScript (Enketo, Web Forms). This follows
JavaRosa's ParkMiller, FisherYates and RandomizeHelper.toNumericWithLongHash.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

_MODULUS = 2147483647  # 2^31 - 1
_MULTIPLIER = 16807


def park_miller(seed: int) -> Iterator[float]:
    """The doubles of JavaRosa's ParkMiller(seed).nextDouble(), in order."""
    state = math.fmod(float(seed), _MODULUS)  # Java's double % keeps the dividend's sign
    if state <= 0:
        state += _MODULUS - 1
    while True:
        state = math.fmod(state * _MULTIPLIER, _MODULUS)  # exact: below 2^46
        yield (int(state) - 1) / (_MODULUS - 1)


def shuffle(items: list[T], next_double: Callable[[], float]) -> list[T]:
    """JavaRosa's FisherYates.shuffle: input i goes to a position j drawn from [0, i]."""
    out: list[T | None] = [None] * len(items)
    for i, item in enumerate(items):
        j = int(next_double() * (i + 1))
        if j != i:
            out[i] = out[j]
        out[j] = item
    return out  # type: ignore[return-value]  # every slot is filled by the end


def seed_of(number: float, text: str) -> int:
    """The seed a randomize() argument gives (RandomizeHelper.toNumericWithLongHash): its number,
    truncated as Java's Double.longValue does, or, when it is not a number, the first 8 bytes of
    the SHA-256 of its text as a signed long (0 for empty text, as before hashing existed)."""
    if number == number:
        if math.isinf(number):
            return 2**63 - 1 if number > 0 else -(2**63)
        return max(min(math.trunc(number), 2**63 - 1), -(2**63))
    if text == "":
        return 0
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)


def seeded_shuffle(items: list[T], seed: int) -> list[T]:
    return shuffle(items, park_miller(seed).__next__)
