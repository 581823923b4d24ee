"""Passphrase key derivation for key slots: Argon2id parameters, the floor, calibration.

The floor is RFC 9106's second recommended option (m = 64 MiB, t = 3, p = 4). A vault made with
the explicit "test" profile records that in its slot file (bound into every slot's authenticated
data) and only opens where WAYPOINT_ALLOW_TEST_KDF=1 is set, so a production vault can never be
opened through, or silently rewritten to, weaker settings.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from desktop_app.vault.errors import TamperedKeySlots, WeakKdfParameters

PRODUCTION = "production"
TEST = "test"
KDF_PROFILES = (PRODUCTION, TEST)
TEST_PROFILE_ENV = "WAYPOINT_ALLOW_TEST_KDF"

FLOOR_MEMORY_KIB = 64 * 1024
FLOOR_ITERATIONS = 3
FLOOR_LANES = 4
# Refuse absurd parameters in a slot file rather than exhaust the machine trying them.
CEILING_MEMORY_KIB = 4 * 1024 * 1024
CEILING_ITERATIONS = 64
CALIBRATION_TARGET_S = (0.5, 1.0)
CALIBRATION_MAX_MEMORY_KIB = 1024 * 1024

DERIVED_LENGTH = 64  # 32 bytes wrap the slot's private key, 32 bytes make the passphrase check


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int

    def as_json(self) -> dict[str, Any]:
        return {"alg": "argon2id", "m": self.memory_kib, "t": self.iterations, "p": self.lanes}

    @classmethod
    def from_json(cls, data: Any) -> KdfParams:
        if not isinstance(data, dict) or data.get("alg") != "argon2id":
            raise TamperedKeySlots("unknown key derivation")
        try:
            params = cls(int(data["m"]), int(data["t"]), int(data["p"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise TamperedKeySlots("bad key derivation parameters") from exc
        if not (8 * params.lanes <= params.memory_kib <= CEILING_MEMORY_KIB) or not (
            1 <= params.iterations <= CEILING_ITERATIONS and 1 <= params.lanes <= 255
        ):
            raise TamperedKeySlots("key derivation parameters out of range")
        return params

    def meets_floor(self) -> bool:
        return (
            self.memory_kib >= FLOOR_MEMORY_KIB
            and self.iterations >= FLOOR_ITERATIONS
            and self.lanes >= FLOOR_LANES
        )


FLOOR = KdfParams(FLOOR_MEMORY_KIB, FLOOR_ITERATIONS, FLOOR_LANES)
# Fast settings for the test suite only; see the module docstring for how they are fenced off.
TEST_PARAMS = KdfParams(1024, 1, 1)


def test_profile_allowed() -> bool:
    return os.environ.get(TEST_PROFILE_ENV) == "1"


def check_profile_allowed(profile: str) -> None:
    if profile not in KDF_PROFILES:
        raise TamperedKeySlots(f"unknown KDF profile {profile!r}")
    if profile == TEST and not test_profile_allowed():
        raise WeakKdfParameters(f"test-profile vault; set {TEST_PROFILE_ENV}=1 only in test runs")


def check_floor(params: KdfParams, *, profile: str) -> None:
    """Refuse a slot below the floor unless the whole vault is a (permitted) test-profile vault."""
    check_profile_allowed(profile)
    if profile == PRODUCTION and not params.meets_floor():
        raise WeakKdfParameters(
            f"m={params.memory_kib} KiB, t={params.iterations}, p={params.lanes}; "
            f"floor is m={FLOOR_MEMORY_KIB} KiB, t={FLOOR_ITERATIONS}, p={FLOOR_LANES}"
        )


def derive(secret: bytes, salt: bytes, params: KdfParams, *, length: int = DERIVED_LENGTH) -> bytes:
    return Argon2id(
        salt=salt,
        length=length,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(secret)


def calibrate(*, clock: Callable[[], float] = time.perf_counter) -> tuple[KdfParams, float]:
    """Find parameters taking about 0.5–1 s here, never below the floor: grow memory, then passes."""
    params = FLOOR
    salt = os.urandom(16)
    while True:
        start = clock()
        derive(b"calibration", salt, params)
        elapsed = clock() - start
        if elapsed >= CALIBRATION_TARGET_S[0]:
            return params, elapsed
        if params.memory_kib * 2 <= CALIBRATION_MAX_MEMORY_KIB and elapsed * 2 <= CALIBRATION_TARGET_S[1]:
            params = KdfParams(params.memory_kib * 2, params.iterations, params.lanes)
        elif params.iterations < CEILING_ITERATIONS:
            # Memory at its cap (or doubling would overshoot): add passes in proportion.
            factor = max(CALIBRATION_TARGET_S[0] / max(elapsed, 1e-3), 1.1)
            more = max(params.iterations + 1, int(params.iterations * factor + 0.999))
            params = KdfParams(params.memory_kib, min(more, CEILING_ITERATIONS), params.lanes)
        else:
            return params, elapsed
