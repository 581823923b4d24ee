"""Who may open the vault: adding, removing and re-keying users' slots, and the role authority.

The Vault's user methods (vault.py) check the caller's role and call these. Every new or
re-made slot gets a role grant signed by the authority (grants.py); an administrator's slot also
gets the authority itself. Every passphrase goes through the rules of passphrases.py first.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import Session, select

from desktop_app.vault import database, grants, keyslots, passphrases
from desktop_app.vault.errors import InvalidInput, UnknownUser, WeakPassphrase
from desktop_app.vault.kdf import KdfParams
from desktop_app.vault.keyslots import Doc, Slot
from desktop_app.vault.models import ROLES, User

RECOVERY_USERNAME = "recovery"
ADMINISTRATOR = grants.ADMINISTRATOR


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


def _new_slot(doc: Doc, authority: Ed25519PrivateKey, *, dek: bytes, issued_by: str, kind: str, user_id: str,
              username: str, role: str, secret: str) -> Slot:
    slot, _ = keyslots.add_slot(doc, kind=kind, user_id=user_id, username=username, role=role, secret=secret,
                                params=slot_params(doc), data_keys={doc["generation"]: dek})
    grants.sign(doc, slot, authority, issued_by=issued_by)
    if role == ADMINISTRATOR:
        grants.seal_authority(doc, slot, authority)
    return slot


def add(session: Session, folder: Path, authority: Ed25519PrivateKey, *, dek: bytes, issued_by: str,
        username: str, passphrase: str, role: str, created_at: str) -> str:
    """A new user row and slot; the slot file is saved inside the caller's transaction."""
    check_username(username)
    check_passphrase(passphrase, username=username)
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    doc = keyslots.load(folder)
    if any(s["username"] == username for s in doc["slots"]):
        raise InvalidInput(f"user {username!r} already exists")
    if session.exec(select(User).where(User.username == username)).first() is not None:
        # A removed user's name stays in the audit trail; reuse would blur who did what.
        raise InvalidInput(f"user name {username!r} was used before; choose another")
    user_id = str(uuid.uuid4())
    session.add(User(id=user_id, username=username, role=role, created_at=created_at, active=True))
    _new_slot(doc, authority, dek=dek, issued_by=issued_by, kind="user", user_id=user_id, username=username,
              role=role, secret=passphrase)
    keyslots.save(folder, doc)  # inside the transaction: a failed save adds no user row
    return user_id


def removable_slot(doc: Doc, username: str) -> Slot:
    target = user_slot(doc, username)
    others = [s for s in doc["slots"] if s["kind"] == "user" and s["role"] == ADMINISTRATOR and s is not target]
    if target["role"] == ADMINISTRATOR and not others:
        raise InvalidInput("the last administrator cannot be removed")
    return target


def deactivate(session: Session, user_id: str) -> None:
    user = session.get(User, user_id)
    if user is not None:
        user.active = False
        session.add(user)


def rewrap(folder: Path, username: str, old_passphrase: str, new_passphrase: str) -> None:
    """A passphrase change with the old one: same key pair, so the role grant stays valid."""
    doc = keyslots.load(folder)
    slot = user_slot(doc, username)
    private_key = keyslots.unlock_slot(doc, slot, old_passphrase)
    keyslots.rewrap(doc, slot, private_key, new_passphrase, slot_params(doc))
    keyslots.save(folder, doc)


def reset(folder: Path, authority: Ed25519PrivateKey, *, dek: bytes, issued_by: str, username: str,
          new_passphrase: str) -> None:
    """An administrator's reset without the old passphrase: a new key pair, a new grant."""
    doc = keyslots.load(folder)
    old = user_slot(doc, username)
    doc["slots"].remove(old)
    _new_slot(doc, authority, dek=dek, issued_by=issued_by, kind="user", user_id=old["user_id"],
              username=username, role=old["role"], secret=new_passphrase)
    keyslots.save(folder, doc)


def replace_recovery(folder: Path, authority: Ed25519PrivateKey, *, dek: bytes, issued_by: str, code: str) -> str:
    doc = keyslots.load(folder)
    doc["slots"] = [s for s in doc["slots"] if s["kind"] != "recovery"]
    _new_slot(doc, authority, dek=dek, issued_by=issued_by, kind="recovery", user_id=RECOVERY_USERNAME,
              username=RECOVERY_USERNAME, role=ADMINISTRATOR, secret=code)
    keyslots.save(folder, doc)
    return code


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
