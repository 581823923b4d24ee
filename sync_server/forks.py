"""A device's numbering that forked: one vault on two machines (a clone), or a vault put back from an older copy.

Sequence numbers are one line per device. A vault copied (a disk image, a backup restored onto a second laptop, a
laptop restored from its own older backup) numbers new ops with seqs the server already holds for other ops: the
push is refused (409 `sequence_reused`, nothing stored) and the server notes the fork on the device row (`forks`,
server migration 0019): `at`, the last seq the batch and the server agree on, and `hwm`, the server's high-water
mark then. The device numbers its unsent ops again after `hwm` (desktop_app/sync/store.py, renumber_reused).

Told apart by what comes next. A vault put back from an older copy is the only copy left: the line it forked from
(`at`+1 .. `hwm`) never pushes again. A clone is two live copies: the other copy comes back holding acknowledgements
of that very line, so its own refusal forks at a seq inside (`at`, `hwm`] of a fork already noted. That copy is
told `device_cloned` (its own refusal, never the server-restore path): it must enrol again as a new device with a
new code, keeping its records and unsent changes (store.save_enrolment, again=True). Nothing of it was stored.

A server restore is something else: there the server holds LESS than the device was told (epochs.py), never other
ops under the same numbers.

After a fork, the ops of the line left behind (`at`+1 .. `hwm`) count as another device's for the merge (push.py,
_others_changed): an op the forked copy made on an older version is merged with them, never written over them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from . import logs
from .db import Database, utcnow
from .errors import ProtocolError
from .tables import Device

REWOUND, CLONED = "rewound", "cloned"
MAX_KEPT = 50  # forks kept per device (a vault put back over and over should not grow the row without end)


@dataclass(frozen=True)
class Fork:
    at: int  # the last seq the device and the server agree on
    hwm: int  # the server's high-water mark when the fork was noticed
    kind: str = REWOUND


class Forked(Exception):
    """A refused push that forked the device's numbering; the fork is noted in its own transaction (the refused
    one stored nothing), then `refusal` answers."""

    def __init__(self, fork: Fork, refusal: ProtocolError) -> None:
        super().__init__(fork.kind)
        self.fork, self.refusal = fork, refusal


def read(value: str | None) -> list[Fork]:
    if not value:
        return []
    return [Fork(int(f["at"]), int(f["hwm"]), str(f["kind"])) for f in json.loads(value)]


def classify(known: Sequence[Fork], at: int, hwm: int) -> Fork:
    """A fork at `at`: a clone when it lies inside the line an earlier fork left behind (another live copy holds
    acknowledgements the forked copy never had), else a vault put back (or the first copy seen to fork)."""
    cloned = any(f.kind == REWOUND and f.at < at <= f.hwm for f in known)
    return Fork(at, hwm, CLONED if cloned else REWOUND)


def left_behind(known: Sequence[Fork], seq: int) -> list[tuple[int, int]]:
    """Seq ranges of the lines this device's numbering left behind before `seq` (first, last)."""
    return [(f.at + 1, f.hwm) for f in known if f.kind == REWOUND and f.hwm < seq and f.at < f.hwm]


def note(db: Database, device_id: str, fork: Fork) -> None:
    """Keep the fork on the device row (once) and log it (ids and numbers only)."""
    with db.write_engine.begin() as conn:
        stored = conn.execute(select(Device.forks).where(Device.id == device_id).with_for_update()).scalar_one()
        known = read(stored)
        if any((f.at, f.hwm, f.kind) == (fork.at, fork.hwm, fork.kind) for f in known):
            return
        rows = [{"at": f.at, "hwm": f.hwm, "kind": f.kind} for f in known]
        rows.append({"at": fork.at, "hwm": fork.hwm, "kind": fork.kind, "noted_at": utcnow().isoformat()})
        conn.execute(update(Device).where(Device.id == device_id).values(forks=json.dumps(rows[-MAX_KEPT:])))
    logs.log_event("device_cloned" if fork.kind == CLONED else "device_rewound", level=logging.WARNING,
                   device_id=device_id, at=fork.at, hwm=fork.hwm)


def cloned_at(value: str | None) -> str:
    """When a second live copy of the device's vault was last found ("" never): the coordinators' Devices screen."""
    found = [str(f.get("noted_at") or "") for f in json.loads(value or "[]") if f.get("kind") == CLONED]
    return max(found, default="")[:19]


def cloned_refusal(fork: Fork, expected_seq: int, epoch: str) -> ProtocolError:
    return ProtocolError(
        409, "device_cloned",
        "this device's vault is also in use on another machine (it was copied): both copies sent changes under "
        "the same device and numbers. Nothing was stored. Enrol this copy again as a new device with a new code "
        "(waypoint enrol --again): its records and unsent changes are kept and sent then",
        expected_seq=expected_seq, epoch=epoch)
