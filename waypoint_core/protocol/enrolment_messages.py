"""Enrolment codes and alarms from a coordinator's laptop (issue 11 points 1 and 3): the centres a laptop's people
may manage devices for, the open one-time codes of those centres, a new code, a revocation, and the bulk-deletion
alarms of those centres with their undo. Own module; every request is signed by the device and every answer by the
server like any /v2 exchange:

- `GET /v2/enrolment-codes` -> EnrolmentCodeList; `POST /v2/enrolment-codes` (NewCodeRequest) -> NewCode;
  `POST /v2/enrolment-codes/revoke` (RevokeCodeRequest) -> EnrolmentCodeList;
- `GET /v2/alarms` -> AlarmList; `POST /v2/alarms/undo` (UndoAlarmRequest) -> AlarmList.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .messages import Message, Name, Uuid

MIN_CODE_HOURS = 1
MAX_CODE_HOURS = 7 * 24


class CentreInfo(Message):
    centre_id: str
    name: str
    region: str = ""


class EnrolmentCodeInfo(Message):
    """An open code (neither used, expired nor revoked). The code itself is shown once, when it is made: the server
    keeps only its hash."""

    code_id: str
    centre_id: str
    centre_name: str
    roles: list[str]  # empty: the device it enrols is unrestricted (a code made on the server's command line)
    created_at: str
    expires_at: str
    created_by: str = ""


class EnrolmentCodeList(Message):
    protocol_version: int
    centres: list[CentreInfo]  # the centres this laptop's people may make codes for
    codes: list[EnrolmentCodeInfo]


class NewCodeRequest(Message):
    protocol_version: int
    centre_id: Uuid
    roles: Annotated[list[Name], Field(min_length=1, max_length=4)]
    hours: Annotated[int, Field(ge=MIN_CODE_HOURS, le=MAX_CODE_HOURS)]
    by: Name  # the signed-in coordinator's name, for the server's audit chain


class NewCode(Message):
    protocol_version: int
    code: str
    info: EnrolmentCodeInfo


class RevokeCodeRequest(Message):
    protocol_version: int
    code_id: Uuid
    by: Name


class AlarmInfo(Message):
    alarm_id: str
    device_id: str
    device_name: str
    centre_id: str
    centre_name: str
    raised_at: str
    count: int
    undone_at: str = ""
    undone_by: str = ""


class AlarmList(Message):
    protocol_version: int
    alarms: list[AlarmInfo]


class UndoAlarmRequest(Message):
    protocol_version: int
    alarm_id: Uuid
    by: Name


class UndoneAlarm(Message):
    protocol_version: int
    restored: int
    alarms: list[AlarmInfo]
