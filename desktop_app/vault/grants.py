"""Roles an administrator granted: an Ed25519 signature over each slot's identity, checked at unlock.

A slot's `role` is only a label, and like its name it is sealed in the slot's entry in slots.json
(keyslots.py), which anyone signed in can open and seal again. What they cannot make is the slot's
`grant` (in the same entry), signed with the vault's role authority (an Ed25519 key). Its private half is HPKE-sealed
to the administrator slots only (and the recovery slot); its public half lives inside the
encrypted database (meta `role_authority_public_key`), where editing slots.json cannot reach it.

Unlock refuses a slot whose grant is missing, signed by another key, or made for another slot
(the payload names the vault, slot, kind, user, name and the slot's public key) with
`RoleNotGranted`, before any migration or write. An administrator's unlock also opens the sealed
authority and checks that its public half is the one in the database, so a database-level swap
of the authority (which needs the data key and code of one's own) is caught at the next
administrator or recovery unlock.

The payload carries `roles` (a list: a person may be, say, field staff and case worker) and `scope` (an
object; empty = the laptop's own place), and `role_label`, the slot's label when the grant was made: an
administrator changes roles by signing a new grant that still names the old label, and an edited label is
refused all the same. A vault made before
grants existed gets its authority at the first unlock: each slot is signed with the role the
`user` table (inside the encrypted database) gives it, and a slot whose label disagrees is left
unsigned, so it is refused.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from desktop_app.vault.errors import RoleNotGranted, TamperedKeySlots
from desktop_app.vault.keyslots import ENVELOPE_FORMAT, SUITE, Doc, Slot, b64d, b64e, canonical
from waypoint_core.access.policy import ROLES

GRANT_FORMAT = "waypoint-role-grant/1"
AUTHORITY_META_KEY = "role_authority_public_key"
ADMINISTRATOR = "administrator"
RECOVERY_KIND = "recovery"
_DOMAIN = b"waypoint role grant v1\n"
_IDENTITY = ("slot_id", "kind", "user_id", "username", "public_key")


@dataclass(frozen=True)
class Grant:
    roles: tuple[str, ...]
    scope: dict[str, Any] = field(default_factory=dict)

    @property
    def is_administrator(self) -> bool:
        return ADMINISTRATOR in self.roles


def new_authority() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return b64e(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_from_text(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(b64d(text))
    except (ValueError, TamperedKeySlots) as exc:
        raise RoleNotGranted("the database's role authority key is malformed") from exc


def sign(doc: Doc, slot: Slot, authority: Ed25519PrivateKey, *, issued_by: str,
         roles: tuple[str, ...] | None = None, scope: dict[str, Any] | None = None) -> None:
    """Grant `slot` its role (or `roles`), signed by the authority; stored in the slot as `grant`."""
    payload = {
        "format": GRANT_FORMAT,
        "vault_id": doc["vault_id"],
        **{k: slot[k] for k in _IDENTITY},
        "roles": list(roles or (slot["role"],)),
        # Naming the slot's label here lets an administrator change the roles while an edited label is refused.
        "role_label": slot["role"],
        "scope": scope or {},
        "issued_by": issued_by,
        "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    slot["grant"] = {"payload": payload, "signature": b64e(authority.sign(_DOMAIN + canonical(payload)))}


def check(doc: Doc, slot: Slot, authority: Ed25519PublicKey) -> Grant:
    """The slot's grant, if the authority signed it for exactly this slot; RoleNotGranted otherwise."""
    who = f"user {slot.get('username')!r}"
    grant = slot.get("grant")
    if not isinstance(grant, dict) or not isinstance(grant.get("payload"), dict):
        raise RoleNotGranted(f"{who} has no role granted by an administrator")
    payload = grant["payload"]
    try:
        authority.verify(b64d(str(grant.get("signature", ""))), _DOMAIN + canonical(payload))
    except (InvalidSignature, TamperedKeySlots) as exc:
        raise RoleNotGranted(f"{who}: the role grant is not signed by this vault's administrators") from exc
    if payload.get("format") != GRANT_FORMAT or payload.get("vault_id") != doc["vault_id"] or any(
        payload.get(k) != slot.get(k) for k in _IDENTITY
    ):
        raise RoleNotGranted(f"{who}: the role grant was made for another slot")
    roles = payload.get("roles")
    scope = payload.get("scope")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles) or not isinstance(scope, dict):
        raise RoleNotGranted(f"{who}: the role grant is malformed")
    label = payload.get("role_label")
    if (slot.get("role") != label) if label is not None else (slot.get("role") not in roles):
        raise RoleNotGranted(f"{who} claims the role {slot.get('role')!r}, granted {', '.join(roles)}")
    if not roles or not all(r in ROLES for r in roles):
        raise RoleNotGranted(f"{who}: the role grant names no role, or one Waypoint does not know")
    if slot["kind"] == RECOVERY_KIND and ADMINISTRATOR not in roles:
        raise RoleNotGranted("the recovery slot's grant is not an administrator's")
    return Grant(tuple(roles), scope)


def _authority_info(doc: Doc, slot: Slot) -> bytes:
    return canonical({"format": ENVELOPE_FORMAT, "purpose": "role-authority", "vault_id": doc["vault_id"],
                      **{k: slot[k] for k in ("slot_id", "user_id", "public_key")}})


def seal_authority(doc: Doc, slot: Slot, authority: Ed25519PrivateKey) -> None:
    """Give an administrator slot the authority's private key (HPKE to the slot's public key)."""
    public = X25519PublicKey.from_public_bytes(b64d(slot["public_key"]))
    raw = authority.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    slot["authority"] = b64e(SUITE.encrypt(raw, public, info=_authority_info(doc, slot)))


def open_authority(doc: Doc, slot: Slot, private_key: X25519PrivateKey, expected: Ed25519PublicKey) -> Ed25519PrivateKey:
    """The authority an administrator slot holds; it must be the one whose public half the database has."""
    sealed = slot.get("authority")
    if not isinstance(sealed, str):
        raise RoleNotGranted(f"administrator {slot.get('username')!r} holds no role authority")
    try:
        raw = SUITE.decrypt(b64d(sealed), private_key, info=_authority_info(doc, slot))
        authority = Ed25519PrivateKey.from_private_bytes(raw)
    except (InvalidTag, ValueError) as exc:
        raise TamperedKeySlots("a sealed role authority does not open") from exc
    if not hmac.compare_digest(public_text(authority), public_text(expected)):
        raise RoleNotGranted("the database's role authority is not the one the administrators hold")
    return authority


def establish(doc: Doc, db_roles: dict[str, str], *, issued_by: str) -> Ed25519PrivateKey:
    """A first authority for a vault made before grants: sign each slot whose role the database agrees with.

    `db_roles` maps user ids to the role in the `user` table (active users). The recovery slot is
    an administrator by construction. Slots whose label disagrees stay unsigned (refused at unlock).
    """
    authority = new_authority()
    recovery = [s for s in doc["slots"] if s["kind"] == RECOVERY_KIND]
    # Exactly one recovery slot, with its own fixed identity: anything else was edited in.
    trusted_recovery = recovery[0] if len(recovery) == 1 and recovery[0]["user_id"] == RECOVERY_KIND else None
    for slot in doc["slots"]:
        slot.pop("grant", None)
        slot.pop("authority", None)
        if slot["kind"] == RECOVERY_KIND:
            role = ADMINISTRATOR if slot is trusted_recovery else None
        else:
            role = db_roles.get(slot["user_id"])
        if role is None or role != slot["role"]:
            continue
        sign(doc, slot, authority, issued_by=issued_by)
        if role == ADMINISTRATOR:
            seal_authority(doc, slot, authority)
    return authority
