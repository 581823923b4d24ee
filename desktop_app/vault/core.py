"""The vault's core: create, unlock and lock the encrypted local store, sessions, checks.

A vault object is an unlocked vault: it holds the data key in memory until `close()`. Files in the
vault folder: `waypoint.db` (+ `-wal`, `-shm`; SQLCipher), `slots.json` (key slots), `lockout.json`
(wrong-passphrase counter), `backups/` (encrypted copies made before migrations).

Unlocking checks, in this order and before anything is written: the key slot file, the database
file (not empty, this vault's salt), the passphrase, then inside the database the vault identity
and the role an administrator granted the slot (desktop_app/vault/grants.py); only then does it
migrate, and then `_after_open` runs (the Vault class in vault.py hands field keys over there).
What people may do with it (users, roles, policy, erase) is the Vault class in vault.py.
"""

from __future__ import annotations

import base64
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from desktop_app.vault import checks, database, fieldkeys, grants, keyslots, lockout, rotation, users
from desktop_app.vault.errors import (
    InvalidInput,
    PermissionDenied,
    RoleNotGranted,
    TamperedKeySlots,
    UnknownUser,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from desktop_app.vault.kdf import PRODUCTION, TEST, TEST_PARAMS, calibrate, check_profile_allowed
from desktop_app.vault.keyslots import Doc, Slot
from desktop_app.vault.models import Meta
from desktop_app.vault.sql import Db
from waypoint_core.access import sealed

VAULT_FORMAT = "1"
RECOVERY_USERNAME = "recovery"
ADMINISTRATOR = grants.ADMINISTRATOR
# Organisation policy (meta rows, set by an administrator): may any signed-in user erase the vault? May drafts
# travel to the server (else they stay on the laptop that made them; desktop_app/vault/writer)?
POLICY_ANY_USER_MAY_ERASE = "policy.any_user_may_erase"
POLICY_SHARE_DRAFTS = "policy.share_drafts"
POLICIES = (POLICY_ANY_USER_MAY_ERASE, POLICY_SHARE_DRAFTS)


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    role: str  # the slot's label: the role it was made with
    roles: tuple[str, ...] = ()  # what its administrator-signed grant says (the rights); () if it does not verify
    must_change_passphrase: bool = False  # reset by an administrator: chooses a new one at the next sign-in


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_recovery_code() -> str:
    """160 random bits as 32 base32 characters in groups of four, e.g. ABCD-EFGH-…"""
    text = base64.b32encode(os.urandom(20)).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_recovery_code(code: str) -> str:
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    text = text.translate(str.maketrans("018", "OIB"))
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def probe_writable(folder: Path) -> None:
    """Really try to create a file: permission bits lie to root and say nothing of read-only mounts."""
    probe = folder / f".write-probe-{uuid.uuid4().hex}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise keyslots.map_os_error(exc) from exc


def _mapped(exc: Exception) -> BaseException:
    """The vault's own error for a driver error, or `exc` itself."""
    return database.wrap_sa_error(exc)


class VaultCore:
    """An unlocked vault: opening, sessions, keys in memory, checks. The app uses its subclass Vault (vault.py)."""

    def __init__(self, *, path: Path, doc: Doc, slot: Slot, private_key: X25519PrivateKey, dek: bytes,
                 device_id: str, grant: grants.Grant, authority: Ed25519PrivateKey | None) -> None:
        self.path = path
        directory = keyslots.directory_key(doc)
        if directory is None:
            raise TamperedKeySlots("the key slots' entries were not opened")
        self._directory_key: bytes = directory  # opens the names, roles and grants in slots.json
        self.device_id = device_id
        self.must_change_passphrase = bool(slot.get(users.MUST_CHANGE))
        self.user = UserInfo(slot["user_id"], slot["username"], slot["role"], grant.roles,
                             self.must_change_passphrase)
        self.grant = grant
        self.is_recovery = slot["kind"] == grants.RECOVERY_KIND
        self._slot_id: str = slot["slot_id"]
        self._slot: Slot = slot
        self._private_key: X25519PrivateKey | None = private_key
        self._field_keys: dict[str, X25519PrivateKey] | None = None
        # (record id, position) -> (token, answer): P3 answers this session sealed itself, so the person who typed
        # them can keep editing them until the lock even if they may not read P3 (desktop_app/records/sensitive.py)
        self.sealed_memo: dict[tuple[str, str], tuple[str, str]] = {}
        # (wrong passphrases in a row before this sign-in, when the last one was): written to the audit log
        self.failed_before: tuple[int, float] = (0, 0.0)
        self._authority = authority  # only administrators (and recovery) hold it
        self._dek: bytes | None = dek
        self._kdf_profile: str = doc["kdf_profile"]
        self._page_size = keyslots.cipher_page_size(doc)
        self._read_engine: Engine | None = None
        self._write_engine: Engine | None = None
        self._reading: tuple[int, Session] | None = None  # (thread, session) of reading(), while one is open
        self._open_engines()

    # --- opening and closing --------------------------------------------------------------

    @staticmethod
    def exists(path: Path) -> bool:
        return (Path(path) / keyslots.SLOTS_FILE).is_file()

    @classmethod
    def create(
        cls, path: Path, *, admin_username: str, admin_passphrase: str, kdf_profile: str = PRODUCTION,
    ) -> tuple[Self, str]:
        path = Path(path)
        users.check_username(admin_username)
        users.check_passphrase(admin_passphrase, username=admin_username)
        if kdf_profile not in (PRODUCTION, TEST):
            raise InvalidInput(f"unknown KDF profile {kdf_profile!r}")
        check_profile_allowed(kdf_profile)
        if path.exists() and not path.is_dir():
            raise InvalidInput(f"{path} is a file, not a folder")
        if (path / keyslots.SLOTS_FILE).exists():
            raise VaultExists(str(path))
        if (path / database.DB_FILE).exists():
            raise VaultExists(f"{path}: a database without a key file is there; move it away first")
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise keyslots.map_os_error(exc) from exc
        probe_writable(path)
        params, calibrated_s = (TEST_PARAMS, None) if kdf_profile == TEST else calibrate()
        dek = os.urandom(32)
        authority = grants.new_authority()
        vault_id, device_id, admin_id = (str(uuid.uuid4()) for _ in range(3))
        db_path = path / database.DB_FILE
        doc = keyslots.new_document(
            vault_id=vault_id, kdf_profile=kdf_profile, params=params, calibrated_s=calibrated_s,
            cipher_page_size=database.NEW_VAULT_PAGE_SIZE,
        )
        directory = keyslots.directory_key(doc)
        assert directory is not None
        try:
            # SQLite would create the file 0644; the -wal and -shm files copy the main file's mode.
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            conn = database.connect_raw(db_path, dek, page_size=database.NEW_VAULT_PAGE_SIZE,
                                        isolation_level=None)
            try:
                database.migrate(conn, folder=path)
                now = utc_now()
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("device_id", device_id), ("vault_id", vault_id), ("created_at", now),
                     ("vault_format", VAULT_FORMAT), (grants.AUTHORITY_META_KEY, grants.public_text(authority)),
                     (keyslots.DIRECTORY_META_KEY, keyslots.b64e(directory))],
                )
                conn.execute(
                    "INSERT INTO user (id, username, role, created_at, active) VALUES (?, ?, ?, ?, 1)",
                    (admin_id, admin_username, ADMINISTRATOR, now),
                )
                conn.execute("COMMIT")
            finally:
                conn.close()
            doc["database_salt"] = database.file_salt(db_path)
            slot, private_key = keyslots.add_slot(
                doc, kind="user", user_id=admin_id, username=admin_username, role=ADMINISTRATOR,
                secret=admin_passphrase, params=params, data_keys={1: dek},
            )
            recovery_code = new_recovery_code()
            recovery, _ = keyslots.add_slot(
                doc, kind="recovery", user_id=RECOVERY_USERNAME, username=RECOVERY_USERNAME,
                role=ADMINISTRATOR, secret=recovery_code, params=params, data_keys={1: dek},
            )
            for granted in (slot, recovery):
                grants.sign(doc, granted, authority, issued_by=admin_id)
                grants.seal_authority(doc, granted, authority)
            keyslots.save(path, doc)
        except BaseException as exc:
            # Nothing was stored yet: leave the folder as we found it so creating again works.
            if not (path / keyslots.SLOTS_FILE).exists():
                for suffix in ("", "-wal", "-shm"):
                    (path / (database.DB_FILE + suffix)).unlink(missing_ok=True)
            mapped = _mapped(exc) if isinstance(exc, Exception) else exc
            if mapped is exc:
                raise
            raise mapped from exc
        vault = cls(path=path, doc=doc, slot=slot, private_key=private_key, dek=dek, device_id=device_id,
                    grant=grants.Grant((ADMINISTRATOR,)), authority=authority)
        vault._after_open()
        return vault, recovery_code

    @classmethod
    def unlock(cls, path: Path, *, username: str, passphrase: str,
               clock: Callable[[], float] = time.time, progress: Callable[[int, int], None] | None = None) -> Self:
        """`progress(done, steps)`: the migrations' progress when the schema is older (`database.migrate`)."""
        path, doc = cls._prepare_unlock(Path(path), clock)
        slot = keyslots.find_user_slot(doc, username)
        if slot is None:
            # The same time, the same count towards the wait and the same answer as a wrong passphrase: the
            # sign-in screen must not tell whether a name is in this vault.
            keyslots.spend_like_a_sign_in(doc, passphrase)
            lockout.record_failure(path, now=clock())
            raise WrongPassphrase()
        return cls._unlock_slot(path, doc, slot, passphrase, clock, progress, username=username)

    @classmethod
    def unlock_with_recovery(cls, path: Path, *, recovery_code: str, clock: Callable[[], float] = time.time,
                             progress: Callable[[int, int], None] | None = None) -> Self:
        path, doc = cls._prepare_unlock(Path(path), clock)
        slot = next((s for s in doc["slots"] if s["kind"] == "recovery"), None)
        if slot is None:
            raise UnknownUser(RECOVERY_USERNAME)
        return cls._unlock_slot(path, doc, slot, normalise_recovery_code(recovery_code), clock, progress)

    @staticmethod
    def _prepare_unlock(path: Path, clock: Callable[[], float]) -> tuple[Path, Doc]:
        if not path.is_dir() or not (path / keyslots.SLOTS_FILE).is_file():
            raise VaultNotFound(str(path))
        if not (path / database.DB_FILE).is_file():
            raise VaultNotFound(f"{path}: the database file is missing")
        probe_writable(path)
        lockout.check(path, now=clock())
        doc = keyslots.load(path)
        database.check_file(path / database.DB_FILE, doc)
        return path, doc

    @classmethod
    def _unlock_slot(cls, path: Path, doc: Doc, slot: Slot, secret: str, clock: Callable[[], float],
                     progress: Callable[[int, int], None] | None = None, *, username: str | None = None) -> Self:
        try:
            private_key, wrap_key = keyslots.open_slot(doc, slot, secret, username=username)
        except WrongPassphrase:
            lockout.record_failure(path, now=clock())
            raise
        failed_before = lockout.failures(path, now=clock())
        lockout.reset(path, now=clock())
        dek = rotation.current_data_key(path, doc, slot, private_key)
        conn = database.connect_raw(path / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                    isolation_level=None)
        try:
            database.check_identity(conn, doc)
            directory = users.open_directory(conn, doc, slot, username=username, wrap_key=wrap_key)
            public = users.role_authority(conn, path, doc, issued_by=slot["user_id"])
            grant = grants.check(doc, slot, public)
            authority = grants.open_authority(doc, slot, private_key, public) if grant.is_administrator else None
            database.migrate(conn, folder=path, progress=progress)
            device_id = str(conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0])
            rewrite = not doc.get("database_salt")
            if rewrite:  # vaults made before the salt was recorded
                doc["database_salt"] = database.file_salt(path / database.DB_FILE)
            if doc["format"] == keyslots.FORMAT_V1:  # names in the clear: rewritten as format 2 (keyslots.py)
                users.store_directory_key(conn, directory)
                keyslots.upgrade(doc, slot, private_key, wrap_key, directory)
                rewrite = True
            elif slot.get(keyslots.LEGACY_WRAP):  # still wrapped as format 1 wrapped it: rewrapped now
                keyslots.finish_legacy(doc, slot, private_key, wrap_key)
                rewrite = True
            if rewrite:
                keyslots.save(path, doc)
        except Exception as exc:
            mapped = _mapped(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        finally:
            conn.close()
        vault = cls(path=path, doc=doc, slot=slot, private_key=private_key, dek=dek, device_id=device_id,
                    grant=grant, authority=authority)
        vault.failed_before = failed_before
        try:
            vault._after_open()
        except BaseException:
            vault.close()
            raise
        return vault

    def _after_open(self) -> None:
        """Runs once the vault is open (after create or unlock), before it is handed out."""

    def _open_engines(self) -> None:
        dek = self._require_open()
        db_path = self.path / database.DB_FILE
        self._read_engine = database.make_engine(db_path, dek, page_size=self._page_size)
        self._write_engine = database.make_engine(db_path, dek, page_size=self._page_size, immediate=True)

    def _dispose_engines(self) -> None:
        for engine in (self._read_engine, self._write_engine):
            if engine is not None:
                engine.dispose()
        self._read_engine = self._write_engine = None

    @property
    def is_open(self) -> bool:
        return self._dek is not None

    def close(self) -> None:
        """Lock: close every connection and drop the keys this object holds."""
        if self._dek is None:
            return
        self._dispose_engines()
        self._dek = None
        self._private_key = None
        self._authority = None
        self._field_keys = None
        self.sealed_memo = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- sessions --------------------------------------------------------------------------

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A SQLModel session: commit on success, rollback on error; driver errors become VaultErrors.

        Writers take the database write lock when the transaction begins (BEGIN IMMEDIATE);
        `readonly=True` sessions begin deferred and never block the writer (WAL).
        """
        self._require_open()
        shared = self._reading
        if shared is not None and shared[0] == threading.get_ident():
            if not readonly:
                raise RuntimeError("a write session inside Vault.reading(): the reads after it would not see it")
            yield shared[1]  # reading()'s transaction: it commits (or rolls back) and maps the errors
            return
        engine = self._read_engine if readonly else self._write_engine
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except (sa_exc.DBAPIError, OSError) as exc:
            session.rollback()
            mapped = _mapped(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Several read-only steps in ONE read transaction: every `session(readonly=True)` this thread opens inside
        it is this one session (one consistent snapshot; one BEGIN and COMMIT, not one per step: a sync run with
        nothing to do reads a dozen small things). A write session inside it is refused (RuntimeError): the reads
        after it would not see what it wrote. Nested, it is the outer one; while another thread holds one, sessions
        are opened as usual."""
        if self._reading is not None:  # nested (or another thread's: that one's steps each open their own)
            yield
            return
        with self.session(readonly=True) as session:
            self._reading = (threading.get_ident(), session)
            try:
                yield
            finally:
                self._reading = None

    def _require_open(self) -> bytes:
        if self._dek is None:
            raise VaultLocked()
        return self._dek

    def _slots(self) -> Doc:
        """slots.json with every slot's entry opened (names, roles, grants): for the signed-in only."""
        self._require_open()
        return keyslots.load(self.path, self._directory_key)

    def _require_admin(self) -> Ed25519PrivateKey:
        self._require_open()
        if not self.grant.is_administrator or self._authority is None:
            raise PermissionDenied("administrator only")
        return self._authority

    # --- field keys (desktop_app/vault/fieldkeys.py) ------------------------------------------

    def field_keys(self) -> dict[str, X25519PrivateKey]:
        """The field keys wrapped for the signed-in slot, opened (key id -> private half); empty for anyone whose
        role may not read P3 answers. Dropped at close()."""
        private = self._require_private()
        if self._field_keys is None:
            with self.session(readonly=True) as session:
                self._field_keys = fieldkeys.opened(Db.of(session), self._slot, private)
        return dict(self._field_keys)

    def sealing_key(self) -> sealed.SealingKey | None:
        """The key new P3 answers are sealed to (the newest field key), or None before any exists."""
        with self.session(readonly=True) as session:
            return fieldkeys.sealing_key(Db.of(session))

    def _authority_public(self) -> Ed25519PublicKey:
        with self.session(readonly=True) as session:
            row = session.get(Meta, grants.AUTHORITY_META_KEY)
        if row is None:
            raise RoleNotGranted("the vault has no role authority")
        return grants.public_from_text(row.value)

    def _require_private(self) -> X25519PrivateKey:
        self._require_open()
        if self._private_key is None:
            raise VaultLocked()
        return self._private_key

    # --- checks ----------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """Schema version, KDF parameters, counts by status (no personal data): `waypoint info`."""
        return checks.info(self.path, self._require_open())

    def verify(self) -> checks.VerifyReport:
        """Every page's HMAC, SQLite's integrity check, the schema, every record, every role: `waypoint verify`."""
        return checks.verify(self.path, self._require_open())

    def check_pages(self, *, should_stop: Callable[[], bool] | None = None) -> list[str]:
        """The full page check alone (the app runs it in the background after unlock): problems found.

        `should_stop` is polled while SQLite reads; when it says so, `checks.CheckStopped` is raised."""
        return checks.check_pages(self.path, self._require_open(), should_stop=should_stop)

    def meta(self) -> dict[str, str]:
        with self.session(readonly=True) as session:
            return {m.key: m.value for m in session.exec(select(Meta))}


__all__ = ["VaultCore", "UserInfo", "utc_now", "new_recovery_code", "normalise_recovery_code"]
