"""Who may open the vault: adding, removing and re-keying users' slots, and the role authority.

The Vault's user methods (vault.py) check the caller's role and call these. Every new or
re-made slot gets a role grant signed by the authority (grants.py); an administrator's slot also
gets the authority itself. Every passphrase goes through the rules of passphrases.py first.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlmodel import Session, select

from desktop_app.vault import database, grants, keyslots, passphrases
from desktop_app.vault.errors import InvalidInput, TamperedKeySlots, UnknownUser, WeakPassphrase
from desktop_app.vault.kdf import KdfParams
from desktop_app.vault.keyslots import Doc, Slot
from desktop_app.vault.models import ROLES, User

RECOVERY_USERNAME = "recovery"
ADMINISTRATOR = grants.ADMINISTRATOR
MUST_CHANGE = "must_change_passphrase"  # slot flag: an administrator reset it to a temporary passphrase


def check_username(username: str) -> None:
    if not isinstance(username, str) or not username.strip() or username != username.strip():
        raise InvalidInput("a user name must not be empty or start or end with spaces")
    if username == RECOVERY_USERNAME or len(username) > 64:
        raise InvalidInput(f"{username!r} cannot be used as a user name")


def check_passphrase(passphrase: str, *, username: str) -> None:
    """The same rule for every slot, whatever the KDF profile: see desktop_app/vault/passphrases.py."""
    if not isinstance(passphrase, str):
        raise InvalidInput("the passphrase must be text")
    assessment = passphrases.assess(passphrase, context=(username,))
    if not assessment.acceptable:
        raise WeakPassphrase(assessment)


def slot_params(doc: Doc) -> KdfParams:
    return KdfParams.from_json(doc["kdf"])


def user_slot(doc: Doc, username: str) -> Slot:
    slot: Slot | None = next((s for s in doc["slots"] if s["kind"] == "user" and s["username"] == username), None)
    if slot is None:
        raise UnknownUser(username)
    return slot


def check_roles(roles: Sequence[str]) -> tuple[str, ...]:
    """At least one role, each known, none twice; in the order given (the first is the slot's label)."""
    listed = tuple(dict.fromkeys(roles))
    if not listed:
        raise InvalidInput("give at least one role")
    unknown = [r for r in listed if r not in ROLES]
    if unknown:
        raise InvalidInput(f"unknown role {unknown[0]!r}; one of {', '.join(ROLES)}")
    return listed


def _new_slot(doc: Doc, authority: Ed25519PrivateKey, *, dek: bytes, issued_by: str, kind: str, user_id: str,
              username: str, roles: tuple[str, ...], secret: str, label: str | None = None) -> Slot:
    slot, _ = keyslots.add_slot(doc, kind=kind, user_id=user_id, username=username, role=label or roles[0],
                                secret=secret, params=slot_params(doc), data_keys={doc["generation"]: dek})
    grants.sign(doc, slot, authority, issued_by=issued_by, roles=roles)
    if ADMINISTRATOR in roles:
        grants.seal_authority(doc, slot, authority)
    return slot


def granted_roles(slot: Slot) -> tuple[str, ...]:
    """The roles a slot's grant names (verified at unlock and by verify; here only read for display)."""
    payload = (slot.get("grant") or {}).get("payload") or {}
    roles = payload.get("roles")
    return tuple(str(r) for r in roles) if isinstance(roles, list) else (str(slot["role"]),)


def add(session: Session, folder: Path, authority: Ed25519PrivateKey, *, directory: bytes, dek: bytes,
        issued_by: str, username: str, passphrase: str, roles: Sequence[str], created_at: str) -> str:
    """A new user row, committed, then its slot.

    The row goes first: a process killed between the two leaves an active row without a slot (the name stays
    taken, as after a removal), never a slot that opens for a user the table does not know. A slot that cannot
    be saved (a full disk) takes its row away again."""
    check_username(username)
    check_passphrase(passphrase, username=username)
    listed = check_roles(roles)
    role = listed[0]
    doc = keyslots.load(folder, directory)
    # Compared as sign-in finds them (keyslots.normalise_username): two such names would share one lookup.
    if any(keyslots.normalise_username(s["username"]) == keyslots.normalise_username(username)
           for s in doc["slots"]):
        raise InvalidInput(f"user {username!r} already exists")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        # A removed user's name stays in the audit trail; reuse would blur who did what.
        raise InvalidInput(f"user name {username!r} was used before; choose another")
    user_id = str(uuid.uuid4())
    session.add(User(id=user_id, username=username, role=role, created_at=created_at, active=True))
    session.commit()
    try:
        _new_slot(doc, authority, dek=dek, issued_by=issued_by, kind="user", user_id=user_id, username=username,
                  roles=listed, secret=passphrase)
        keyslots.save(folder, doc)
    except BaseException:
        row = session.get(User, user_id)
        if row is not None:
            session.delete(row)
            session.commit()
        raise
    return user_id


def set_roles(session: Session, folder: Path, authority: Ed25519PrivateKey, *, directory: bytes, issued_by: str,
              username: str, roles: Sequence[str], signed_in: str) -> tuple[str, ...]:
    """A new grant for the user's slot naming `roles`; the slot keeps its key pair, label and passphrase.

    An administrator slot gets the role authority sealed to it, one that loses the role loses it. The last
    administrator keeps the role, and nobody takes it from themselves (they would lock themselves out of this)."""
    listed = check_roles(roles)
    doc = keyslots.load(folder, directory)
    slot = user_slot(doc, username)
    if ADMINISTRATOR not in listed and ADMINISTRATOR in granted_roles(slot):
        if username == signed_in:
            raise InvalidInput("you cannot take the administrator role from yourself")
        if not any(ADMINISTRATOR in granted_roles(s) for s in doc["slots"] if s["kind"] == "user" and s is not slot):
            raise InvalidInput("the last administrator keeps the administrator role")
    grants.sign(doc, slot, authority, issued_by=issued_by, roles=listed)
    if ADMINISTRATOR in listed:
        grants.seal_authority(doc, slot, authority)
    else:
        slot.pop("authority", None)
    user = session.get(User, slot["user_id"])
    if user is not None:  # the user table names a role the grant holds (verify checks it)
        user.role = slot["role"] if slot["role"] in listed else listed[0]
        session.add(user)
    keyslots.save(folder, doc)  # inside the caller's transaction: a failed save changes no row
    return listed


def removable_slot(doc: Doc, username: str) -> Slot:
    target = user_slot(doc, username)
    others = [s for s in doc["slots"]
              if s["kind"] == "user" and ADMINISTRATOR in granted_roles(s) and s is not target]
    if ADMINISTRATOR in granted_roles(target) and not others:
        raise InvalidInput("the last administrator cannot be removed")
    return target


def deactivate(session: Session, user_id: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.active = False
        session.add(user)


def rewrap(folder: Path, directory: bytes, username: str, old_passphrase: str, new_passphrase: str) -> None:
    """A passphrase change with the old one: same key pair, so the role grant stays valid."""
    doc = keyslots.load(folder, directory)
    slot = user_slot(doc, username)
    private_key = keyslots.unlock_slot(doc, slot, old_passphrase, username=username)
    keyslots.rewrap(doc, slot, private_key, new_passphrase, slot_params(doc))
    slot.pop(MUST_CHANGE, None)
    keyslots.save(folder, doc)


def rewrap_signed_in(folder: Path, directory: bytes, slot: Slot, private_key: X25519PrivateKey,
                     new_passphrase: str) -> None:
    """The signed-in person's new passphrase: their session already holds the slot's private key (they proved
    the old passphrase at sign-in), so it is rewrapped without asking for it again. Clears the reset flag."""
    doc = keyslots.load(folder, directory)
    current = next((s for s in doc["slots"] if s["slot_id"] == slot["slot_id"]), None)
    if current is None or current["public_key"] != slot["public_key"]:
        raise InvalidInput("your key slot changed since you signed in; sign in again")
    keyslots.rewrap(doc, current, private_key, new_passphrase, slot_params(doc))
    current.pop(MUST_CHANGE, None)
    keyslots.save(folder, doc)


def reset(folder: Path, authority: Ed25519PrivateKey, *, directory: bytes, dek: bytes, issued_by: str,
          username: str, new_passphrase: str, must_change: bool) -> Slot:
    """An administrator's reset without the old passphrase: a new key pair, a new grant with the same roles.

    `must_change`: the passphrase is a temporary one the administrator gave; the person must choose their own at
    the next sign-in (the flag is not signed: removing it only keeps a passphrase the administrator knows)."""
    doc = keyslots.load(folder, directory)
    old = user_slot(doc, username)
    doc["slots"].remove(old)
    slot = _new_slot(doc, authority, dek=dek, issued_by=issued_by, kind="user", user_id=old["user_id"],
                     username=username, roles=granted_roles(old), secret=new_passphrase, label=old["role"])
    if must_change:
        slot[MUST_CHANGE] = True
    keyslots.save(folder, doc)
    return slot


def replace_recovery(folder: Path, authority: Ed25519PrivateKey, *, directory: bytes, dek: bytes, issued_by: str,
                     code: str) -> tuple[Slot, Slot | None]:
    """The new recovery slot (and the old one, whose field keys the caller hands over before forgetting it)."""
    doc = keyslots.load(folder, directory)
    old = next((s for s in doc["slots"] if s["kind"] == "recovery"), None)
    doc["slots"] = [s for s in doc["slots"] if s["kind"] != "recovery"]
    slot = _new_slot(doc, authority, dek=dek, issued_by=issued_by, kind="recovery", user_id=RECOVERY_USERNAME,
                     username=RECOVERY_USERNAME, roles=(ADMINISTRATOR,), secret=code)
    keyslots.save(folder, doc)
    return slot, old


def role_authority(conn: database.Connection, folder: Path, doc: Doc, *, issued_by: str) -> Ed25519PublicKey:
    """The public half of the vault's role authority, from inside the database.

    A vault made before grants has none yet: one is made now from the roles in the `user` table
    (grants.establish), the slot file saved first and the public key stored second, so a crash in
    between only means doing it again at the next unlock.
    """
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (grants.AUTHORITY_META_KEY,)).fetchone()
    if row is not None:
        return grants.public_from_text(str(row[0]))
    db_roles = {str(uid): str(role) for uid, role in conn.execute("SELECT id, role FROM user WHERE active = 1")}
    authority = grants.establish(doc, db_roles, issued_by=issued_by)
    keyslots.save(folder, doc)
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                 (grants.AUTHORITY_META_KEY, grants.public_text(authority)))
    return authority.public_key()


def open_directory(conn: database.Connection, doc: Doc, slot: Slot, *, username: str | None,
                   wrap_key: bytes) -> bytes:
    """At sign-in, the database open: the key of the slots' entries (meta), every entry opened, and the signed-in
    slot's entry checked to name the person who typed the name (keyslots.py). A format-1 vault has none yet: the
    one a sign-in stored before being killed, or a new one (stored and used by keyslots.upgrade)."""
    key = stored_directory_key(conn)
    if doc["format"] == keyslots.FORMAT_V1:
        return key if key is not None and len(key) == 32 else os.urandom(32)
    if key is None:
        raise TamperedKeySlots("the database holds no key for the key slots' entries")
    keyslots.open_entries(doc, key)
    if slot["kind"] == "user" and (username is None or keyslots.normalise_username(slot["username"])
                                   != keyslots.normalise_username(username)):
        raise TamperedKeySlots("the key slot found for this name belongs to someone else")
    if slot.get(keyslots.LEGACY_WRAP):
        keyslots.check_legacy_identity(doc, slot, wrap_key)
    return key


def stored_directory_key(conn: database.Connection, name: str = keyslots.DIRECTORY_META_KEY) -> bytes | None:
    """The key of the slots' entries the database holds (`name`: or the one a rotation keeps until the file is
    rewritten, rotation.py), or None."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
    return keyslots.b64d(str(row[0])) if row is not None else None


def store_directory_key(conn: database.Connection, key: bytes, name: str = keyslots.DIRECTORY_META_KEY) -> None:
    """Before a slot file is rewritten with its entries sealed under `key` (the upgrade from format 1, a
    rotation): the database holds the key first, so whichever file a crash leaves, the database opens it."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (name, keyslots.b64e(key)))
