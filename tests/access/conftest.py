"""Fixtures for the access tests: a team vault (one person per role) with the shipped forms."""

from __future__ import annotations

import pytest

from tests.access.team import make_team, shipped_xforms


@pytest.fixture(scope="session")
def xforms() -> dict[str, str]:
    return shipped_xforms()


@pytest.fixture
def team(isolated_home, xforms):
    return make_team(isolated_home / "waypoint" / "data" / "vault", xforms)
