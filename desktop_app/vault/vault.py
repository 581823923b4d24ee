"""The Vault: create, unlock and lock the encrypted local store, and manage who may open it.

A Vault object is an unlocked vault: it holds the data key in memory until `close()`. Files in the
vault folder: `waypoint.db` (+ `-wal`, `-shm`; SQLCipher), `slots.json` (key slots), `lockout.json`
(wrong-passphrase counter), `backups/` (encrypted copies made before migrations).
"""

from __future__ import annotations

import base64
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable, Iterator

from sqlalchemy import exc as sa_exc
from sqlmodel import Session, select

from desktop_app.vault import checks, database, keyslots, lockout, rotation
from desktop_app.vault.errors import (
    InvalidInput,
    PermissionDenied,
    UnknownUser,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from desktop_app.vault.kdf import PRODUCTION, TEST, TEST_PARAMS, KdfParams, calibrate, check_profile_allowed
from desktop_app.vault.models import ROLES, Meta, User

VAULT_FORMAT = "1"
RECOVERY_USERNAME = "recovery"
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    role: str


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_recovery_code() -> str:
    """160 random bits as 32 base32 characters in groups of four, e.g. ABCD-EFGH-…"""
    text = base64.b32encode(os.urandom(20)).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_recovery_code(code: str) -> str:
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    text = text.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))
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


class Vault:
    def __init__(self, *, path: Path, doc: dict, slot: dict, private_key, dek: bytes, device_id: str):
        self.path = path
        self.device_id = device_id
        self.user = UserInfo(slot["user_id"], slot["username"], slot["role"])
        self._slot_id = slot["slot_id"]
        self._private_key = private_key
        self._dek: bytes | None = dek
        self._kdf_profile = doc["kdf_profile"]
        self._page_size = keyslots.cipher_page_size(doc)
        self._open_engines()

    # --- opening and closing --------------------------------------------------------------

    @staticmethod
    def exists(path: Path) -> bool:
        return (Path(path) / keyslots.SLOTS_FILE).is_file()

    @classmethod
    def create(
        cls, path: Path, *, admin_username: str, admin_passphrase: str, kdf_profile: str = PRODUCTION,
    ) -> tuple[Vault, str]:
        path = Path(path)
        _check_username(admin_username)
        _check_passphrase(admin_passphrase, kdf_profile)
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
        vault_id, device_id, admin_id = (str(uuid.uuid4()) for _ in range(3))
        db_path = path / database.DB_FILE
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
                     ("vault_format", VAULT_FORMAT)],
                )
                conn.execute(
                    "INSERT INTO user (id, username, role, created_at, active) VALUES (?, ?, ?, ?, 1)",
                    (admin_id, admin_username, ADMINISTRATOR, now),
                )
                conn.execute("COMMIT")
            finally:
                conn.close()
            doc = keyslots.new_document(
                vault_id=vault_id, kdf_profile=kdf_profile, params=params, calibrated_s=calibrated_s,
                cipher_page_size=database.NEW_VAULT_PAGE_SIZE,
            )
            slot, private_key = keyslots.add_slot(
                doc, kind="user", user_id=admin_id, username=admin_username, role=ADMINISTRATOR,
                secret=admin_passphrase, params=params, data_keys={1: dek},
            )
            recovery_code = new_recovery_code()
            keyslots.add_slot(
                doc, kind="recovery", user_id=RECOVERY_USERNAME, username=RECOVERY_USERNAME,
                role=ADMINISTRATOR, secret=recovery_code, params=params, data_keys={1: dek},
            )
            keyslots.save(path, doc)
        except BaseException as exc:
            # Nothing was stored yet: leave the folder as we found it so creating again works.
            if not (path / keyslots.SLOTS_FILE).exists():
                for suffix in ("", "-wal", "-shm"):
                    (path / (database.DB_FILE + suffix)).unlink(missing_ok=True)
            mapped = database.wrap_sa_error(exc) if isinstance(exc, Exception) else exc
            if mapped is exc:
                raise
            raise mapped from exc
        return cls(path=path, doc=doc, slot=slot, private_key=private_key, dek=dek, device_id=device_id), \
            recovery_code

    @classmethod
    def unlock(cls, path: Path, *, username: str, passphrase: str,
               clock: Callable[[], float] = time.time) -> Vault:
        path, doc = cls._prepare_unlock(Path(path), clock)
        slot = next((s for s in doc["slots"] if s["kind"] == "user" and s["username"] == username), None)
        if slot is None:
            raise UnknownUser(username)
        return cls._unlock_slot(path, doc, slot, passphrase, clock)

    @classmethod
    def unlock_with_recovery(cls, path: Path, *, recovery_code: str,
                             clock: Callable[[], float] = time.time) -> Vault:
        path, doc = cls._prepare_unlock(Path(path), clock)
        slot = next((s for s in doc["slots"] if s["kind"] == "recovery"), None)
        if slot is None:
            raise UnknownUser(RECOVERY_USERNAME)
        return cls._unlock_slot(path, doc, slot, normalise_recovery_code(recovery_code), clock)

    @staticmethod
    def _prepare_unlock(path: Path, clock) -> tuple[Path, dict]:
        if not path.is_dir() or not (path / keyslots.SLOTS_FILE).is_file():
            raise VaultNotFound(str(path))
        if not (path / database.DB_FILE).is_file():
            raise VaultNotFound(f"{path}: the database file is missing")
        probe_writable(path)
        lockout.check(path, now=clock())
        return path, keyslots.load(path)

    @classmethod
    def _unlock_slot(cls, path: Path, doc: dict, slot: dict, secret: str, clock) -> Vault:
        try:
            private_key = keyslots.unlock_slot(doc, slot, secret)
        except WrongPassphrase:
            lockout.record_failure(path, now=clock())
            raise
        lockout.reset(path, now=clock())
        dek = rotation.current_data_key(path, doc, slot, private_key)
        conn = database.connect_raw(path / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                    isolation_level=None)
        try:
            database.migrate(conn, folder=path)
            device_id = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
        except Exception as exc:
            mapped = database.wrap_sa_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        finally:
            conn.close()
        return cls(path=path, doc=doc, slot=slot, private_key=private_key, dek=dek, device_id=device_id)

    def _open_engines(self) -> None:
        db_path = self.path / database.DB_FILE
        self._read_engine = database.make_engine(db_path, self._dek, page_size=self._page_size)
        self._write_engine = database.make_engine(db_path, self._dek, page_size=self._page_size, immediate=True)

    @property
    def is_open(self) -> bool:
        return self._dek is not None

    def close(self) -> None:
        """Lock: close every connection and drop the keys this object holds."""
        if self._dek is None:
            return
        self._read_engine.dispose()
        self._write_engine.dispose()
        self._read_engine = self._write_engine = None
        self._dek = None
        self._private_key = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- sessions --------------------------------------------------------------------------

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A SQLModel session: commit on success, rollback on error; driver errors become VaultErrors.

        Writers take the database write lock when the transaction begins (BEGIN IMMEDIATE);
        `readonly=True` sessions begin deferred and never block the writer (WAL).
        """
        self._require_open()
        engine = self._read_engine if readonly else self._write_engine
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except (sa_exc.DBAPIError, OSError) as exc:
            session.rollback()
            mapped = database.wrap_sa_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _require_open(self) -> None:
        if self._dek is None:
            raise VaultLocked()

    def _require_admin(self) -> None:
        self._require_open()
        if self.user.role != ADMINISTRATOR:
            raise PermissionDenied("administrator only")

    # --- users -----------------------------------------------------------------------------

    def list_users(self) -> list[UserInfo]:
        self._require_open()
        doc = keyslots.load(self.path)
        users = [UserInfo(s["user_id"], s["username"], s["role"]) for s in doc["slots"] if s["kind"] == "user"]
        return sorted(users, key=lambda u: u.username.lower())

    def add_user(self, username: str, passphrase: str, role: str) -> UserInfo:
        self._require_admin()
        _check_username(username)
        _check_passphrase(passphrase, self._kdf_profile)
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        doc = keyslots.load(self.path)
        if any(s["username"] == username for s in doc["slots"]):
            raise InvalidInput(f"user {username!r} already exists")
        user_id = str(uuid.uuid4())
        with self.session() as session:
            if session.exec(select(User).where(User.username == username)).first() is not None:
                # A removed user's name stays in the audit trail; reuse would blur who did what.
                raise InvalidInput(f"user name {username!r} was used before; choose another")
            session.add(User(id=user_id, username=username, role=role, created_at=utc_now(), active=True))
            keyslots.add_slot(
                doc, kind="user", user_id=user_id, username=username, role=role, secret=passphrase,
                params=_slot_params(doc), data_keys={doc["generation"]: self._dek},
            )
            keyslots.save(self.path, doc)  # inside the transaction: a failed save adds no user row
        return UserInfo(user_id, username, role)

    def remove_user(self, username: str) -> None:
        """Remove the user's slot and rotate the data key (see desktop_app.vault.rotation)."""
        self._require_admin()
        if username == self.user.username:
            raise InvalidInput("you cannot remove the user you are signed in as")
        doc = keyslots.load(self.path)
        target = next((s for s in doc["slots"] if s["kind"] == "user" and s["username"] == username), None)
        if target is None:
            raise UnknownUser(username)
        remaining_admins = [s for s in doc["slots"] if s["kind"] == "user" and s["role"] == ADMINISTRATOR
                            and s is not target]
        if target["role"] == ADMINISTRATOR and not remaining_admins:
            raise InvalidInput("the last administrator cannot be removed")
        with self.session() as session:
            user = session.get(User, target["user_id"])
            if user is not None:
                user.active = False
                session.add(user)
        self._read_engine.dispose()
        self._write_engine.dispose()
        try:
            self._dek = rotation.remove_and_rotate(self.path, doc, target, old_dek=self._dek)
        finally:
            self._open_engines()

    def change_passphrase(self, username: str, old_passphrase: str | None, new_passphrase: str) -> None:
        """Rewrap one slot. The user gives the old passphrase; an administrator may reset another
        user's passphrase without it (the slot gets a new key pair sealed with the current data key)."""
        self._require_open()
        _check_passphrase(new_passphrase, self._kdf_profile)
        doc = keyslots.load(self.path)
        slot = next((s for s in doc["slots"] if s["kind"] == "user" and s["username"] == username), None)
        if slot is None:
            raise UnknownUser(username)
        if old_passphrase is not None:
            if username != self.user.username and self.user.role != ADMINISTRATOR:
                raise PermissionDenied("you can only change your own passphrase")
            private_key = keyslots.unlock_slot(doc, slot, old_passphrase)
            keyslots.rewrap(doc, slot, private_key, new_passphrase, _slot_params(doc))
        else:
            self._require_admin()
            doc["slots"].remove(slot)
            keyslots.add_slot(
                doc, kind="user", user_id=slot["user_id"], username=username, role=slot["role"],
                secret=new_passphrase, params=_slot_params(doc), data_keys={doc["generation"]: self._dek},
            )
        keyslots.save(self.path, doc)

    def replace_recovery_code(self) -> str:
        """A new recovery code (shown once); the old one stops working."""
        self._require_admin()
        doc = keyslots.load(self.path)
        doc["slots"] = [s for s in doc["slots"] if s["kind"] != "recovery"]
        code = new_recovery_code()
        keyslots.add_slot(
            doc, kind="recovery", user_id=RECOVERY_USERNAME, username=RECOVERY_USERNAME, role=ADMINISTRATOR,
            secret=code, params=_slot_params(doc), data_keys={doc["generation"]: self._dek},
        )
        keyslots.save(self.path, doc)
        return code

    def info(self) -> dict:
        """Schema version, KDF parameters, counts by status (no personal data): `waypoint info`."""
        self._require_open()
        return checks.info(self.path, self._dek)

    def verify(self) -> checks.VerifyReport:
        """Every page's HMAC, SQLite's integrity check, the schema, every record: `waypoint verify`."""
        self._require_open()
        return checks.verify(self.path, self._dek)

    def meta(self) -> dict[str, str]:
        with self.session(readonly=True) as session:
            return {m.key: m.value for m in session.exec(select(Meta))}


def _slot_params(doc: dict) -> KdfParams:
    return KdfParams.from_json(doc["kdf"])


def _check_username(username: str) -> None:
    if not isinstance(username, str) or not username.strip() or username != username.strip():
        raise InvalidInput("a user name must not be empty or start or end with spaces")
    if username == RECOVERY_USERNAME or len(username) > 64:
        raise InvalidInput(f"{username!r} cannot be used as a user name")


MIN_PASSPHRASE_LENGTH = 8


def _check_passphrase(passphrase: str, profile: str) -> None:
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidInput("the passphrase must not be empty")
    if profile == PRODUCTION and len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InvalidInput(f"the passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters")


__all__ = ["Vault", "UserInfo", "utc_now"]
