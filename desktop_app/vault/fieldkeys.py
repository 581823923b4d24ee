"""Field keys: the keys P3 answers are sealed to, and who on this laptop holds them.

A field key is an X25519 key pair (waypoint_core.access.sealed). Its public half (table `field_key`) lets anyone
seal an answer; its private half exists here only wrapped (HPKE) for a recipient: the key slot of each person whose
administrator-signed grant names a role that may read P3 (policy.SENSITIVE_READERS: case workers), and the recovery
slot, which is the organisation's escrow (table `field_key_wrap`, recipient = the slot's public key). Field staff,
coordinators and administrators hold no wrap, so their passphrase opens the database but not one P3 answer.

Who makes and hands over keys:
- `create` makes the vault's first key, wrapped for the recovery slot only, so field staff can seal from day one;
- a holder (case worker, or the recovery code) hands every key they hold to each eligible slot that lacks it, at
  every unlock (`hand_over`): an administrator who adds a case worker cannot give a key they do not hold, so the
  new case worker receives it when a holder next signs in here, or from another laptop through the server;
- when no person on this laptop holds a key yet, adding a case worker makes a new current key for every eligible
  slot (`renew`), and so does removing a case worker or their role (what they might have copied stays old).
The newest key is the one new answers are sealed to; older ones stay for reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from desktop_app.vault import grants
from desktop_app.vault.errors import RoleNotGranted
from desktop_app.vault.keyslots import Doc, Slot, b64d
from desktop_app.vault.sql import Db
from waypoint_core.access import policy, sealed

LOCAL, SERVER = "local", "server"


@dataclass(frozen=True)
class FieldKeyInfo:
    key_id: str
    public_key: str  # base64
    created_at: str
    origin: str  # "local" (made on this laptop) | "server" (received through sync)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def reads_sensitive(roles: Iterable[str]) -> bool:
    return policy.may_read(policy.Actor.of("", roles))


def eligible_slots(doc: Doc, authority: Ed25519PublicKey) -> list[Slot]:
    """The slots that may hold field keys: the recovery slot, and each user slot whose verified grant names a
    role allowed to read P3. A slot whose grant does not verify is never eligible."""
    out = []
    for slot in doc["slots"]:
        try:
            grant = grants.check(doc, slot, authority)
        except RoleNotGranted:
            continue
        if slot["kind"] == grants.RECOVERY_KIND or reads_sensitive(grant.roles):
            out.append(slot)
    return out


def keys(db: Db) -> list[FieldKeyInfo]:
    """Every field key this vault knows, oldest first."""
    return [FieldKeyInfo(r.key_id, r.public_key, r.created_at, r.origin) for r in db.execute(
        "SELECT key_id, public_key, created_at, origin FROM field_key ORDER BY created_at, key_id").all()]


def sealing_key(db: Db) -> sealed.SealingKey | None:
    """The key new answers are sealed to: the newest one."""
    row = db.execute("SELECT public_key FROM field_key ORDER BY created_at DESC, key_id DESC LIMIT 1").first()
    return sealed.SealingKey.from_text(row.public_key) if row is not None else None


def opened(db: Db, slot: Slot, private_key: X25519PrivateKey) -> dict[str, X25519PrivateKey]:
    """The field keys wrapped for this slot, opened with its private key (key id -> private half)."""
    out = {}
    for row in db.execute("SELECT key_id, wrapped FROM field_key_wrap WHERE recipient = :r",
                          {"r": slot["public_key"]}).all():
        out[row.key_id] = sealed.unwrap_key(row.wrapped, private_key, key_id=row.key_id)
    return out


def add_key(db: Db, private: X25519PrivateKey, recipients: Iterable[Slot], *, origin: str = LOCAL,
            created_at: str | None = None) -> str:
    """Store a new key's public half and wrap its private half for each recipient; the caller forgets it."""
    key_id = sealed.key_id_of(private)
    db.execute("INSERT INTO field_key (key_id, public_key, created_at, origin) VALUES (:k, :p, :c, :o)",
               {"k": key_id, "p": sealed.b64e(sealed.public_raw(private)), "c": created_at or _now(), "o": origin})
    wrap(db, {key_id: private}, recipients)
    return key_id


def renew(db: Db, doc: Doc, authority: Ed25519PublicKey) -> str:
    """A new current key for every eligible slot (after a reader left, or when no one here holds one)."""
    return add_key(db, sealed.new_key(), eligible_slots(doc, authority))


def wrap(db: Db, held: dict[str, X25519PrivateKey], recipients: Iterable[Slot]) -> int:
    """Wrap each held key for each recipient that lacks it; how many wraps were written."""
    written = 0
    for slot in recipients:
        have = {r.key_id for r in db.execute("SELECT key_id FROM field_key_wrap WHERE recipient = :r",
                                              {"r": slot["public_key"]}).all()}
        public = X25519PublicKey.from_public_bytes(b64d(slot["public_key"]))
        rows = [{"k": key_id, "r": slot["public_key"], "w": sealed.wrap_key(private, public)}
                for key_id, private in held.items() if key_id not in have]
        if rows:
            db.execute("INSERT INTO field_key_wrap (key_id, recipient, wrapped) VALUES (:k, :r, :w)", rows)
            written += len(rows)
    return written


def hand_over(db: Db, doc: Doc, authority: Ed25519PublicKey, held: dict[str, X25519PrivateKey]) -> int:
    """Give every key the signed-in holder has to every eligible slot lacking it, and drop the wraps of slots
    that are gone or whose verified grant no longer names a reader. A slot whose grant does not verify keeps
    what it has: a damaged grant must never destroy the only copy of a key."""
    present = {s["public_key"] for s in doc["slots"]}
    withdrawn = set()
    for slot in doc["slots"]:
        try:
            grant = grants.check(doc, slot, authority)
        except RoleNotGranted:
            continue
        if slot["kind"] != grants.RECOVERY_KIND and not reads_sensitive(grant.roles):
            withdrawn.add(slot["public_key"])
    stale = [r.recipient for r in db.execute("SELECT DISTINCT recipient FROM field_key_wrap").all()
             if r.recipient not in present or r.recipient in withdrawn]
    if stale:
        db.execute("DELETE FROM field_key_wrap WHERE recipient = :r", [{"r": r} for r in stale])
    return wrap(db, held, eligible_slots(doc, authority)) if held else 0


def held_only_by(db: Db, recipient: str) -> list[str]:
    """The keys wrapped for `recipient` and for no one else (replacing that slot would lose them)."""
    return [r.key_id for r in db.execute(
        "SELECT key_id FROM field_key_wrap w WHERE w.recipient = :r AND NOT EXISTS (SELECT 1 FROM field_key_wrap o "
        "WHERE o.key_id = w.key_id AND o.recipient != :r)", {"r": recipient}).all()]


def in_use(db: Db, key_id: str) -> bool:
    """Whether some stored answer is sealed to this key (a scan of the records: for rare administrative steps)."""
    pattern = f"%{sealed.PREFIX}{key_id}:%"
    return any(db.execute(f"SELECT 1 FROM {table} WHERE content LIKE :p LIMIT 1", {"p": pattern}).first()
               for table in ("registration", "registration_version"))


def drop_keys(db: Db, key_ids: list[str]) -> None:
    """Forget keys nothing was sealed to (their only holder is being replaced): writers move to a new one."""
    for key_id in key_ids:
        db.execute("DELETE FROM field_key_wrap WHERE key_id = :k", {"k": key_id})
        db.execute("DELETE FROM field_key WHERE key_id = :k", {"k": key_id})


def someone_holds(db: Db, doc: Doc) -> bool:
    """Whether a person's slot (not the recovery slot) on this laptop holds a field key."""
    people = [s["public_key"] for s in doc["slots"] if s["kind"] == "user"]
    if not people:
        return False
    marks = ", ".join(f":r{n}" for n in range(len(people)))
    return db.execute(f"SELECT 1 FROM field_key_wrap WHERE recipient IN ({marks}) LIMIT 1",
                      {f"r{n}": r for n, r in enumerate(people)}).first() is not None
