"""Helpers for the XForm engine's conformance tests: forms written as XLSForm markdown (the
format pyxform's own tests use), converted by the real pyxform, run by the real engine."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from waypoint_core.xform import FormDefinition, FormSession
from waypoint_core.xlsform import convert_xlsform

FIXED_NOW = dt.datetime(2024, 3, 15, 10, 30, 0, tzinfo=dt.UTC)


def md_form(markdown: str) -> FormDefinition:
    """An XLSForm in markdown → FormDefinition (through pyxform)."""
    xml = convert_xlsform(textwrap.dedent(markdown).strip().encode(), file_type=".md").xform
    return FormDefinition.from_xml(xml)


def new_session(definition: FormDefinition, **kwargs) -> FormSession:
    ids = iter(f"00000000-0000-4000-8000-{i:012d}" for i in range(1, 10_000))
    kwargs.setdefault("clock", lambda: FIXED_NOW)
    kwargs.setdefault("uuid_factory", lambda: next(ids))
    return FormSession(definition, **kwargs)


@pytest.fixture
def form():
    """form(markdown) -> a new FormSession on that XLSForm."""
    def make(markdown: str, **kwargs) -> FormSession:
        return new_session(md_form(markdown), **kwargs)
    return make
