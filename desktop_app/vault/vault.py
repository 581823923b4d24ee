"""The Vault: an unlocked vault (vault/core.py) and what people may do with it.

Managing who may open it (users.py: add, roles, remove with a rotation of the data key, passphrases, the recovery
code), who holds the field keys P3 answers are sealed to (fieldkeys.py: handed over at every change of who may read
them), the organisation's policy, and the emergency erase (erase.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import select

from desktop_app.vault import audit, fieldkeys, grants, keyslots, rotation, users
from desktop_app.vault.core import (
    ADMINISTRATOR,
    POLICIES,
    POLICY_ANY_USER_MAY_ERASE,
    POLICY_SHARE_DRAFTS,
    RECOVERY_USERNAME,
    VAULT_FORMAT,
    UserInfo,
    VaultCore,
    new_recovery_code,
    normalise_recovery_code,
    probe_writable,
    utc_now,
)
from desktop_app.vault.erase import ErasedFiles, erase_folder
from desktop_app.vault.errors import InvalidInput, PermissionDenied, RoleNotGranted
from desktop_app.vault.models import Meta
from desktop_app.vault.sql import Db
from waypoint_core.access import audit as chain


class Vault(VaultCore):
    """An unlocked vault: the data key and the signed-in slot's keys in memory until close()."""

    # --- users (desktop_app/vault/users.py) ------------------------------------------------

    def list_users(self) -> list[UserInfo]:
        """The people who can open the vault, with the roles their grants (verified here) give them."""
        doc = self._slots()
        authority = self._authority_public()
        found = []
        for s in doc["slots"]:
            if s["kind"] != "user":
                continue
            try:
                roles = grants.check(doc, s, authority).roles
            except RoleNotGranted:
                roles = ()
            found.append(UserInfo(s["user_id"], s["username"], s["role"], roles, bool(s.get(users.MUST_CHANGE))))
        return sorted(found, key=lambda u: u.username.lower())

    @property
    def roles(self) -> tuple[str, ...]:
        """The signed-in person's roles, as an administrator granted them (checked at unlock)."""
        return self.grant.roles

    def add_user(self, username: str, passphrase: str, role: str | Sequence[str]) -> UserInfo:
        """A new person with one role or several (the first is the slot's label)."""
        authority = self._require_admin()
        roles = (role,) if isinstance(role, str) else tuple(role)
        with self.session() as session:
            user_id = users.add(session, self.path, authority, directory=self._directory_key, dek=self._require_open(),
                                issued_by=self.user.id,
                                username=username, passphrase=passphrase, roles=roles, created_at=utc_now())
        self._settle_field_keys(new_reader=fieldkeys.reads_sensitive(roles))
        audit.append(self, chain.USER_ADDED, detail=f"{username.strip()}: {' '.join(roles)}")
        return UserInfo(user_id, username, roles[0], users.check_roles(roles))

    def set_roles(self, username: str, roles: Sequence[str]) -> tuple[str, ...]:
        """Grant `username` exactly these roles (administrators). Gaining a role that reads P3 answers brings the
        field keys as soon as a holder can hand them over; losing it drops them and renews the current key."""
        authority = self._require_admin()
        doc = self._slots()
        before = users.granted_roles(users.user_slot(doc, username))
        with self.session() as session:
            listed = users.set_roles(session, self.path, authority, directory=self._directory_key,
                                     issued_by=self.user.id, username=username,
                                     roles=roles, signed_in=self.user.username)
        was, now = fieldkeys.reads_sensitive(before), fieldkeys.reads_sensitive(listed)
        self._settle_field_keys(new_reader=now and not was, reader_left=was and not now)
        audit.append(self, chain.ROLES_CHANGED, detail=f"{username}: {' '.join(before)} -> {' '.join(listed)}")
        return listed

    def remove_user(self, username: str) -> None:
        """Remove the user's slot and rotate the data key and the slots' directory key (desktop_app.vault.rotation)."""
        self._require_admin()
        if username == self.user.username:
            raise InvalidInput("you cannot remove the user you are signed in as")
        doc = self._slots()
        target = users.removable_slot(doc, username)
        self._dispose_engines()
        try:
            self._dek = rotation.remove_and_rotate(self.path, doc, target, old_dek=self._require_open())
            self._directory_key = keyslots.directory_key(doc) or self._directory_key  # rotated with the data key
        finally:
            self._open_engines()
        # After the slot is gone: killed in between, the row stays active without a slot (harmless:
        # the name stays taken); the other order would leave a slot that opens for a removed user.
        with self.session() as session:
            users.deactivate(session, target["user_id"])
        self._settle_field_keys(reader_left=fieldkeys.reads_sensitive(users.granted_roles(target)))
        audit.append(self, chain.USER_REMOVED, detail=username)

    def change_passphrase(self, username: str, old_passphrase: str | None, new_passphrase: str, *,
                          must_change: bool = False) -> None:
        """Rewrap one slot. The user gives the old passphrase; an administrator may reset another
        user's passphrase without it (the slot gets a new key pair sealed with the current data key), and
        `must_change` makes that person choose their own at the next sign-in."""
        dek = self._require_open()
        users.check_passphrase(new_passphrase, username=username)
        if old_passphrase is not None:
            if username != self.user.username and not self.grant.is_administrator:
                raise PermissionDenied("you can only change your own passphrase")
            users.rewrap(self.path, self._directory_key, username, old_passphrase, new_passphrase)
            if username == self.user.username:
                self.must_change_passphrase = False
        else:
            users.reset(self.path, self._require_admin(), directory=self._directory_key, dek=dek,
                        issued_by=self.user.id, username=username, new_passphrase=new_passphrase,
                        must_change=must_change)
            self._settle_field_keys()
            audit.append(self, chain.PASSPHRASE_RESET, detail=username)

    def change_own_passphrase(self, new_passphrase: str) -> None:
        """The signed-in person chooses a new passphrase (after a reset, or any time): no old one is asked, the
        session already proved it. The recovery slot's code is replaced with replace_recovery_code instead."""
        if self.is_recovery:
            raise InvalidInput("the recovery code is replaced, not changed")
        users.check_passphrase(new_passphrase, username=self.user.username)
        users.rewrap_signed_in(self.path, self._directory_key, self._slot, self._require_private(), new_passphrase)
        self.must_change_passphrase = False

    def replace_recovery_code(self) -> str:
        """A new recovery code (shown once); the old one stops working.

        The recovery slot keeps the organisation's copy of the field keys: when it holds a key nobody else here
        holds and this session cannot hand it over, replacing it would lose that key, so it is refused."""
        authority = self._require_admin()
        doc = self._slots()
        old = next((s for s in doc["slots"] if s["kind"] == grants.RECOVERY_KIND), None)
        unused: list[str] = []
        if old is not None and not self.field_keys():
            with self.session(readonly=True) as session:
                db = Db.of(session)
                only_there = fieldkeys.held_only_by(db, old["public_key"])
                if any(fieldkeys.in_use(db, key_id) for key_id in only_there):
                    raise InvalidInput("the recovery code keeps restricted answers' keys that no one else on this "
                                       "laptop holds: sign in with the current recovery code to replace it")
                unused = only_there
        code = new_recovery_code()
        users.replace_recovery(self.path, authority, directory=self._directory_key, dek=self._require_open(),
                               issued_by=self.user.id, code=code)
        if unused:
            with self.session() as session:
                fieldkeys.drop_keys(Db.of(session), unused)
        self._settle_field_keys()
        return code

    # --- field keys: who holds them (desktop_app/vault/fieldkeys.py) --------------------------

    def _after_open(self) -> None:
        self._settle_field_keys()
        failed, last = self.failed_before
        if failed:
            when = datetime.fromtimestamp(last, UTC).isoformat(timespec="seconds")
            audit.append(self, chain.SIGN_IN_FAILED, outcome="failed", actor="?",
                         detail=f"{failed} wrong passphrase(s) before this sign-in, the last at {when}")
        audit.append(self, chain.SIGN_IN, detail="recovery code" if self.is_recovery else "")

    def close(self) -> None:
        """Lock (written to the audit log first when the vault is still there and open)."""
        if self.is_open and not getattr(self, "_erasing", False):
            try:
                audit.append(self, chain.LOCK)
            except Exception:  # a full disk or a damaged file must never stop a lock
                pass
        super().close()

    def _settle_field_keys(self, *, new_reader: bool = False, reader_left: bool = False) -> None:
        """After unlock and after every change of who may read P3: make the first key if there is none, hand
        the keys this session holds to eligible slots lacking them, drop wraps of slots no longer eligible, and
        make a new current key when a reader left or a new reader has nobody here to receive keys from."""
        doc = self._slots()
        authority = self._authority_public()
        self._field_keys = None
        held = self.field_keys()
        with self.session() as session:
            db = Db.of(session)
            renew = fieldkeys.sealing_key(db) is None or reader_left
            if new_reader and not held and not fieldkeys.someone_holds(db, doc):
                renew = True
            fieldkeys.hand_over(db, doc, authority, held)
            if renew:
                fieldkeys.renew(db, doc, authority)
        self._field_keys = None


    # --- organisation policy and the emergency erase ----------------------------------------

    def policies(self) -> dict[str, bool]:
        with self.session(readonly=True) as session:
            rows = {m.key: m.value for m in session.exec(select(Meta).where(Meta.key.in_(POLICIES)))}  # type: ignore[attr-defined]
        return {key: rows.get(key) == "1" for key in POLICIES}

    def set_policy(self, key: str, value: bool) -> None:
        self._require_admin()
        if key not in POLICIES:
            raise InvalidInput(f"unknown policy {key!r}; one of {', '.join(POLICIES)}")
        with self.session() as session:
            session.merge(Meta(key=key, value="1" if value else "0"))

    def may_erase(self) -> bool:
        self._require_open()
        return self.grant.is_administrator or self.policies()[POLICY_ANY_USER_MAY_ERASE]

    def erase_by_order(self, order_id: str) -> ErasedFiles:
        """Crypto-erase because the organisation ordered it (a lost laptop, desktop_app/sync/orders.py): whoever is
        signed in, the server's signed order is the authority."""
        self._require_open()
        audit.append(self, chain.WIPE, detail=f"remote order {order_id}")
        self._erasing = True
        self.close()
        return erase_folder(self.path)

    def erase(self) -> ErasedFiles:
        """Crypto-erase: lock, then destroy the key slots and delete every file of the vault.

        Administrators may always; other users only where the organisation's policy allows it.
        After this no passphrase or recovery code opens anything (erase.py says how).
        """
        if not self.may_erase():
            raise PermissionDenied("only an administrator may erase this vault (the organisation's policy)")
        audit.append(self, chain.WIPE)  # destroyed with the rest; the server hears of a remote wipe itself
        self._erasing = True
        self.close()
        return erase_folder(self.path)


__all__ = ["Vault", "UserInfo", "utc_now", "new_recovery_code", "normalise_recovery_code", "probe_writable",
           "ADMINISTRATOR", "POLICIES", "POLICY_ANY_USER_MAY_ERASE", "POLICY_SHARE_DRAFTS", "RECOVERY_USERNAME",
           "VAULT_FORMAT"]
