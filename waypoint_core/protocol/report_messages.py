"""Indicators asked of the server (issue 12 point 3): the answer of `GET /v2/indicators` and the scopes a device may
ask (`GET /v2/indicators/scopes`). Own module; signed and bound to their request like every /v2 exchange.

- `GET /v2/indicators?from=DATE&to=DATE[&scope=centre:ID|region:NAME]` -> IndicatorAnswer: each indicator's
  published total and one-way tables as shown (a count rounded down to a multiple of 5, "<10"/"<11" for a small
  cell, "x" for its complement), the notes in English, and what was withheld by rule and the mass-media reach
  (3.3) as data, so a device can say them in its own language;
- `GET /v2/indicators/scopes` -> IndicatorScopes: the centres whose indicators the device's people may ask, its own
  first, each with its region (a coordinator's device: every centre of its region; others: their own).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import ConfigDict, Field

from .enrolment_messages import CentreInfo
from .messages import Message

# What a published cell may show: a count, a small cell ("<10", "<11") or its complement ("x").
SHOWN = re.compile(r"^(?:[0-9]{1,12}|<[0-9]{1,3}|x)$")
Shown = Annotated[str, Field(pattern=SHOWN.pattern, max_length=16)]


class IndicatorTable(Message):
    cells: dict[str, Shown]  # category -> shown
    total: Shown


class IndicatorEntry(Message):
    code: str
    title: str
    total: Shown
    tables: dict[str, IndicatorTable]  # dimension -> its one-way table, in the report's order
    estimated_reach: int = 0  # 3.3: the mass-media audience, rounded, a figure apart (0: none)


class IndicatorAnswer(Message):
    protocol_version: int
    centre_id: str | None  # the centre counted; None for a region or all
    scope: str  # as counted: centre:ID, region:NAME or all
    # "from" is a Python keyword: the wire names stay from/to
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    unlinked: int
    notes: list[str]
    indicators: list[IndicatorEntry]
    rounding: int = 5
    withheld: list[tuple[str, str]] = []  # (reason, indicator code): left out by rule (exports.Report.withheld)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class IndicatorScopes(Message):
    protocol_version: int
    centres: list[CentreInfo]  # the device's own centre first
