"""The audit log's chain, the same on the device and on the server: what an entry is, how it is hashed, how a
chain is verified and where it breaks.

An entry says who did what, when, to which record, and whether it was allowed. Entries of one chain are numbered
1, 2, 3, … without gaps; each one's hash covers the chain's name, its number, its content and the hash of the
entry before it (SHA-256 over a domain tag and canonical JSON). So:

- changing one entry changes its hash: the entry itself no longer matches ("altered");
- removing one leaves a gap in the numbers, or, if the rest were renumbered, an entry whose `prev` is not the
  hash before it ("does not follow");
- reordering puts an entry where its number or `prev` does not fit;
- removing the last entries is seen against a head kept elsewhere (the device's meta row, the server's copy of
  what the device uploaded): `verify(..., head=...)`.

Entries hold ids, user names, event names and short details: never a name, date of birth or answer of a
registered person (they travel to the server and are exported for review).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

DOMAIN: Final = b"waypoint-audit-v1\x00"
OUTCOMES: Final = ("allowed", "refused", "done", "failed")

# What is recorded. Rights checks use their use-case names (record.view, record.edit, records.export, ...);
# the events below are recorded by the use cases themselves.
SIGN_IN: Final = "session.sign_in"
SIGN_IN_FAILED: Final = "session.sign_in_failed"
LOCK: Final = "session.lock"
WIPE: Final = "vault.wipe"
SYNC: Final = "sync.run"
ROLES_CHANGED: Final = "users.roles"
USER_ADDED: Final = "users.add"
USER_REMOVED: Final = "users.remove"
PASSPHRASE_RESET: Final = "users.reset"
RECORD_PRINT: Final = "record.print"
AUDIT_EXPORT: Final = "audit.export"
# The server found this log going on from an older entry than the last it holds (the vault was put back from an
# older copy): it keeps both branches; the laptop records that it learnt so (docs/access.md, "After a restore").
AUDIT_FORKED: Final = "audit.forked"
# The server held other ops under this laptop's unsent ops' sequence numbers (its vault was put back from an older
# copy after later ops had reached the server): the laptop numbered them again after the server's high-water mark.
SYNC_RENUMBERED: Final = "sync.renumbered"
# consent (waypoint_core/access/consent.py): a withdrawal or a consent given again, and a use the consent stopped
CONSENT_WITHDRAWN: Final = "record.consent_withdrawn"
CONSENT_GIVEN: Final = "record.consent_given"
CONSENT_REFUSED: Final = "record.consent_refused"
CONSENT_EXCEPTION: Final = "record.consent_exception"
# A conflict opened on this device's op, closed because a reviewer's decision reached it by sync (the actor is the
# deciding device: "device <id>").
CONFLICT_DECIDED: Final = "conflict.decided_elsewhere"
# This laptop's place set or changed (services/places.py): the country/centre codes before and after, no person.
PLACE_SET: Final = "devices.place_set"


@dataclass(frozen=True)
class Entry:
    """One link of a chain."""

    seq: int
    at: str  # ISO 8601, UTC
    actor: str  # a user name on the device; "server" or an operator name on the server
    event: str
    outcome: str  # allowed | refused | done | failed
    record_id: str | None = None
    detail: str = ""
    prev: str = ""
    hash: str = ""

    def content(self) -> list[object]:
        return [self.seq, self.at, self.actor, self.event, self.outcome, self.record_id, self.detail]

    def as_json(self) -> dict[str, object]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "event": self.event, "outcome": self.outcome,
                "record_id": self.record_id, "detail": self.detail, "prev": self.prev, "hash": self.hash}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Entry:
        record_id = data.get("record_id")
        return cls(seq=int(str(data["seq"])), at=str(data["at"]), actor=str(data["actor"]), event=str(data["event"]),
                   outcome=str(data["outcome"]), record_id=None if record_id is None else str(record_id),
                   detail=str(data.get("detail") or ""), prev=str(data["prev"]), hash=str(data["hash"]))


def genesis(chain_id: str) -> str:
    """The `prev` of entry 1: bound to the chain's name, so a chain cannot be passed off as another's."""
    return hashlib.sha256(DOMAIN + b"genesis\x00" + chain_id.encode("utf-8")).hexdigest()


def entry_hash(chain_id: str, entry: Entry, prev: str) -> str:
    body = json.dumps([chain_id, prev, *entry.content()], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(DOMAIN + body.encode("utf-8")).hexdigest()


def link(chain_id: str, previous: Entry | None, *, at: str, actor: str, event: str, outcome: str,
         record_id: str | None = None, detail: str = "") -> Entry:
    """The next entry after `previous` (None: the first), hashed."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    seq = 1 if previous is None else previous.seq + 1
    prev = genesis(chain_id) if previous is None else previous.hash
    draft = Entry(seq, at, actor, event, outcome, record_id, detail[:500], prev)
    return Entry(seq, at, actor, event, outcome, record_id, draft.detail, prev, entry_hash(chain_id, draft, prev))


@dataclass(frozen=True)
class Break:
    """Where a chain stops being provable, in words and by entry number."""

    seq: int  # the first entry that does not fit (or the expected number when entries are missing)
    problem: str  # altered | missing | out_of_order | does_not_follow | truncated
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Verified:
    count: int
    head: str  # the last entry's hash (genesis for an empty chain)
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(chain_id: str, entries: Iterable[Entry], *, start: Entry | None = None,
           head: tuple[int, str] | None = None) -> Verified:
    """Walk `entries` (in the order they are stored) and say where the chain breaks, if it does.

    `start`: the verified entry just before the first one given (to check a continuation, as the server does with
    an upload). `head`: (seq, hash) of the last entry as kept elsewhere; fewer entries, or another last hash,
    means the end was cut or replaced."""
    expected_seq = 1 if start is None else start.seq + 1
    prev = genesis(chain_id) if start is None else start.hash
    count = 0
    for entry in entries:
        if entry.seq != expected_seq:
            problem = "missing" if entry.seq > expected_seq else "out_of_order"
            words = (f"entry {expected_seq} is missing (found entry {entry.seq} next)" if problem == "missing"
                     else f"entry {entry.seq} is out of order (entry {expected_seq} was expected)")
            return Verified(count, prev, Break(expected_seq, problem, words))
        if entry_hash(chain_id, entry, entry.prev) != entry.hash:
            return Verified(count, prev, Break(entry.seq, "altered",
                                               f"entry {entry.seq} was altered (its hash does not match its content)"))
        if entry.prev != prev:
            return Verified(count, prev, Break(entry.seq, "does_not_follow",
                                               f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                                               "(an entry before it was removed, replaced or moved)"))
        prev = entry.hash
        expected_seq += 1
        count += 1
    last_seq = expected_seq - 1
    if head is not None and (head[0] != last_seq or head[1] != prev):
        if head[0] > last_seq:
            message = f"entries {last_seq + 1} to {head[0]} are missing at the end"
        elif head[0] == last_seq:
            message = f"entry {last_seq} is not the last entry that was recorded (the end was replaced)"
        else:
            message = f"the log ends at entry {last_seq}, but entry {head[0]} was recorded as the last one"
        return Verified(count, prev, Break(min(head[0], last_seq + 1), "truncated", message))
    return Verified(count, prev)
