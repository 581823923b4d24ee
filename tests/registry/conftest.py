"""Fixtures for the registry tests: the access tests' team vault (one person per role) with the shipped forms."""

from __future__ import annotations

from tests.access.conftest import team, xforms

__all__ = ["team", "xforms"]
