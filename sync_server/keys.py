"""The organisation's server keys, handled like keys: created by `admin init` only, checked at every start, rotated
with a statement signed by the key being replaced.

* signing (Ed25519): signs every answer, published forms and key rotations; devices pin it at enrolment;
* batch (X25519): USB batch files are sealed to it (HPKE);
* data (AES-256): record content at rest in the database (atrest.py).

Private keys live in owner-only files named by their id (keys/signing-<id>.key, 0600 in a 0700 folder), never in the
database: a dump or a backup of the database holds no key and no readable record. The database names the active
keys; `serve` refuses to start when keys/ does not hold exactly those, and says what to restore. Nothing here ever
replaces a key silently: a server that made itself new keys would leave every laptop failing for ever.

A rotation's statement is also kept in keys/ (rotation-<new signing id>.json, public, owner-only like the rest), so
that keys/ backed up after a rotation carries it: a database restored from a backup older than the rotation names a
signing key whose file the rotation deleted, and takes the rotation again from keys/ (`adopt_rotations`) instead of
leaving every laptop to be enrolled again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection, inspect, select, text, update

from waypoint_core.protocol import (
    DOMAIN_FORM, PROTOCOL_VERSION, KeyHistory, KeyRotation, ServerKeys, SigningKey, b64decode, b64encode,
    form_signed_bytes, key_id,
)

from .atrest import DataKey, data_key_id
from .db import Database, utcnow
from .files import StartupRefused, check_private, private_dir, write_private
from .tables import FormVersion, KeyRotationRow, ServerKey

PURPOSES = ("signing", "batch", "data")
KEYS_LOCK_KEY = 0x57A1_0002


class KeysProblem(StartupRefused):
    """The keys folder and the database disagree; the message says what to restore or run."""


@dataclass(frozen=True)
class ServerKeyring:
    signing: SigningKey
    batch_private: X25519PrivateKey
    data: DataKey

    @property
    def public(self) -> ServerKeys:
        signing_pub = self.signing.public_b64
        batch_pub = b64encode(self.batch_private.public_key().public_bytes_raw())
        return ServerKeys(signing_key=signing_pub, signing_key_id=key_id(signing_pub),
                          batch_key=batch_pub, batch_key_id=key_id(batch_pub))


def _raw(purpose: str, value: object) -> bytes:
    if purpose == "signing":
        assert isinstance(value, SigningKey)
        return value.raw()
    if purpose == "batch":
        assert isinstance(value, X25519PrivateKey)
        return value.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                   serialization.NoEncryption())
    assert isinstance(value, DataKey)
    return value.raw


def _from_raw(purpose: str, raw: bytes) -> object:
    if purpose == "signing":
        return SigningKey.from_raw(raw)
    if purpose == "batch":
        return X25519PrivateKey.from_private_bytes(raw)
    return DataKey(raw)


def _id_of(purpose: str, value: object) -> str:
    if purpose == "signing":
        assert isinstance(value, SigningKey)
        return value.key_id
    if purpose == "batch":
        assert isinstance(value, X25519PrivateKey)
        return key_id(b64encode(value.public_key().public_bytes_raw()))
    assert isinstance(value, DataKey)
    return data_key_id(value.raw)


def _public(purpose: str, value: object) -> str:
    if purpose == "signing":
        assert isinstance(value, SigningKey)
        return value.public_b64
    if purpose == "batch":
        assert isinstance(value, X25519PrivateKey)
        return b64encode(value.public_key().public_bytes_raw())
    return ""  # a symmetric key has no public half; the database only names it


def _generate(purpose: str) -> object:
    if purpose == "signing":
        return SigningKey.generate()
    if purpose == "batch":
        return X25519PrivateKey.generate()
    return DataKey.generate()


def key_path(keys_dir: Path, purpose: str, kid: str) -> Path:
    return keys_dir / f"{purpose}-{kid}.key"


def _read(path: Path, purpose: str) -> object:
    check_private(path)
    return _from_raw(purpose, b64decode(path.read_text("ascii").strip()))


def find_key(keys_dir: Path, purpose: str, kid: str) -> object | None:
    """The key `kid` from its file (or from a file of the first layout, keys/signing.key, if it holds that key)."""
    for path in (key_path(keys_dir, purpose, kid), keys_dir / f"{purpose}.key"):
        if path.exists():
            value = _read(path, purpose)
            if _id_of(purpose, value) == kid:
                return value
            if path.name != f"{purpose}.key":
                raise KeysProblem(f"{path} does not hold {purpose} key {kid} (it holds {_id_of(purpose, value)}): "
                                  f"restore the right file from your backup of the keys folder")
    return None


def _write(keys_dir: Path, purpose: str, value: object) -> Path:
    path = key_path(keys_dir, purpose, _id_of(purpose, value))
    write_private(path, b64encode(_raw(purpose, value)).encode("ascii") + b"\n")
    return path


def active_key_ids(conn: Connection) -> dict[str, str]:
    if not inspect(conn).has_table("server_key"):
        return {}
    rows = conn.execute(select(ServerKey.purpose, ServerKey.key_id).where(ServerKey.active.is_(True)))
    return {purpose: kid for purpose, kid in rows}


def _missing_message(keys_dir: Path, missing: dict[str, str]) -> str:
    names = ", ".join(f"{purpose} key {kid} ({key_path(keys_dir, purpose, kid).name})" for purpose, kid in
                      missing.items())
    advice = ("Restore the keys folder from your backup of the data folder (database backups never hold keys) "
              "and start again.")
    if "data" in missing:
        advice += (" The data key cannot be replaced: without it the records in this database cannot be read.")
    if set(missing) & {"signing", "batch"}:
        advice += (" If the signing and batch keys are lost for good, `waypoint-server admin init --new-keys` makes "
                   "new ones; every device must then be enrolled again with a new code (it keeps its records).")
    return f"The database names {names}, but {keys_dir} does not hold {'it' if len(missing) == 1 else 'them'}. " + advice


def _no_server_message(keys_dir: Path, db: Database) -> str:
    """An empty database: a new server, but also a mistyped data folder or DATABASE_URL, or a rebuilt host where
    `admin init` would make new keys that every laptop then refuses."""
    from .settings import describe_database

    return (f"there is no Waypoint server here yet: the database ({describe_database(db.url)}) names no keys "
            f"(data folder {keys_dir.parent}). A new server: run `waypoint-server admin init` (only it creates keys). "
            "An existing server: check --data-dir, WAYPOINT_SERVER_HOME or DATABASE_URL. A rebuilt host: do not run "
            "`admin init`; put keys/ and devices.journal back from their backup, then `waypoint-server admin restore "
            "BACKUP --yes` (docs/sync-protocol.md, \"Restoring the database\")")


def load_keyring(keys_dir: Path, db: Database) -> ServerKeyring:
    """The active keys the database names, from keys/; KeysProblem (with what to do) when they are not all there."""
    with db.read_engine.connect() as conn:
        active = active_key_ids(conn)
    if "signing" not in active:
        raise KeysProblem(_no_server_message(keys_dir, db))
    if "data" not in active:
        raise KeysProblem("this database has no data key yet (it was made by an older version): run "
                          "`waypoint-server admin init` to create it; the records are then encrypted at rest")
    if keys_dir.exists():
        check_private(keys_dir)
    found: dict[str, object] = {}
    missing: dict[str, str] = {}
    for purpose in PURPOSES:
        value = find_key(keys_dir, purpose, active[purpose]) if keys_dir.exists() else None
        if value is None:
            missing[purpose] = active[purpose]
        else:
            found[purpose] = value
    if missing:
        raise KeysProblem(_missing_message(keys_dir, missing))
    signing, batch, data = found["signing"], found["batch"], found["data"]
    assert isinstance(signing, SigningKey) and isinstance(batch, X25519PrivateKey) and isinstance(data, DataKey)
    return ServerKeyring(signing, batch, data)


def _record(conn: Connection, purpose: str, value: object) -> None:
    conn.execute(ServerKey.__table__.insert().values(key_id=_id_of(purpose, value), purpose=purpose,
                                                     public_key=_public(purpose, value), created_at=utcnow(),
                                                     active=True))


def _adoptable(keys_dir: Path, purpose: str) -> object | None:
    """A key file left in keys/ for a database that names no key yet (first layout, or one file of this purpose)."""
    candidates = sorted(keys_dir.glob(f"{purpose}-*.key")) + sorted(keys_dir.glob(f"{purpose}.key"))
    return _read(candidates[0], purpose) if len(candidates) == 1 else None


def init_keys(keys_dir: Path, db: Database, *, new_keys: bool = False) -> list[str]:
    """Create the keys the database does not name yet (a new server); returns the purposes created.

    Keys the database names must be in keys/: if not, KeysProblem says what to restore, unless `new_keys` asks to
    replace lost signing and batch keys (devices then re-enrol). A lost data key is never replaced.
    """
    private_dir(keys_dir)
    created: list[str] = []
    written: list[Path] = []
    try:
        with db.write_engine.begin() as conn:
            if db.is_postgres:  # two `admin init` at once: one creates, the other finds (SQLite: BEGIN IMMEDIATE)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": KEYS_LOCK_KEY})
            active = active_key_ids(conn)
            missing: dict[str, str] = {}
            for purpose in PURPOSES:
                kid = active.get(purpose)
                if kid is not None and find_key(keys_dir, purpose, kid) is not None:
                    continue
                if kid is not None and not (new_keys and purpose != "data"):
                    missing[purpose] = kid
                    continue
                value = (_adoptable(keys_dir, purpose) if kid is None else None) or _generate(purpose)
                if kid is not None:
                    conn.execute(update(ServerKey).where(ServerKey.key_id == kid).values(active=False))
                if not key_path(keys_dir, purpose, _id_of(purpose, value)).exists():
                    written.append(_write(keys_dir, purpose, value))
                _record(conn, purpose, value)
                created.append(purpose)
            if missing:
                raise KeysProblem(_missing_message(keys_dir, missing))
            if "signing" in created and "signing" in active:
                _resign_forms(conn, load_signing(keys_dir, conn))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return created


def load_signing(keys_dir: Path, conn: Connection) -> SigningKey:
    kid = active_key_ids(conn)["signing"]
    value = find_key(keys_dir, "signing", kid)
    assert isinstance(value, SigningKey)
    return value


def _resign_forms(conn: Connection, signing: SigningKey) -> None:
    """Published forms carry the server's signature: after a key change they are signed again with the new key."""
    t = FormVersion.__table__
    for form_id, version, sha in conn.execute(select(t.c.form_id, t.c.version, t.c.sha256)).all():
        conn.execute(t.update().where(t.c.form_id == form_id, t.c.version == version).values(
            signature=signing.sign(DOMAIN_FORM, form_signed_bytes(form_id, version, sha))))


def rotate_keys(keys_dir: Path, db: Database) -> KeyRotation:
    """New signing and batch keys, announced by a statement the old signing key signs; devices follow it at their
    next contact. The old signing key's file is removed (it must not outlive the rotation); the old batch key stays
    for USB batches already sealed to it."""
    keyring = load_keyring(keys_dir, db)
    new_signing, new_batch = SigningKey.generate(), X25519PrivateKey.generate()
    written = [_write(keys_dir, "signing", new_signing), _write(keys_dir, "batch", new_batch)]
    rotation = KeyRotation.build(previous=keyring.signing, rotated_at=utcnow().isoformat(timespec="seconds"),
                                 keys=ServerKeyring(new_signing, new_batch, keyring.data).public)
    try:
        with db.write_engine.begin() as conn:
            conn.execute(update(ServerKey).where(ServerKey.purpose.in_(("signing", "batch")),
                                                 ServerKey.active.is_(True)).values(active=False))
            _record(conn, "signing", new_signing)
            _record(conn, "batch", new_batch)
            conn.execute(KeyRotationRow.__table__.insert().values(
                previous_signing_key_id=rotation.previous_signing_key_id,
                signing_key_id=rotation.keys.signing_key_id, statement=rotation.model_dump_json(),
                created_at=utcnow()))
            _resign_forms(conn, new_signing)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    # in keys/ too, before the old key goes: a database restored from an older backup takes it again from there
    write_private(rotation_path(keys_dir, rotation.keys.signing_key_id), rotation.model_dump_json().encode("utf-8"))
    for path in (key_path(keys_dir, "signing", keyring.signing.key_id), keys_dir / "signing.key"):
        if path.exists() and _id_of("signing", _read(path, "signing")) == keyring.signing.key_id:
            path.unlink()
    return rotation


def rotation_path(keys_dir: Path, signing_key_id: str) -> Path:
    return keys_dir / f"rotation-{signing_key_id}.json"


def keep_rotations(keys_dir: Path, db: Database) -> list[str]:
    """Write into keys/ each rotation statement the database holds and keys/ does not (rotate-keys writes its own;
    this covers rotations made before it did, at the next start). Returns the new signing key ids written."""
    t = KeyRotationRow.__table__
    with db.read_engine.connect() as conn:
        if not inspect(conn).has_table("key_rotation"):
            return []
        rows = conn.execute(select(t.c.signing_key_id, t.c.statement)).all()
    written = []
    for signing_key_id, statement in rows:
        path = rotation_path(keys_dir, signing_key_id)
        if keys_dir.exists() and not path.exists():
            write_private(path, statement.encode("utf-8"))
            written.append(signing_key_id)
    return written


def _rotations_in(keys_dir: Path) -> list[KeyRotation]:
    found = []
    for path in sorted(keys_dir.glob("rotation-*.json")) if keys_dir.exists() else []:
        check_private(path)
        try:
            found.append(KeyRotation.model_validate_json(path.read_bytes()))
        except ValueError as exc:
            raise KeysProblem(f"{path} is damaged ({type(exc).__name__}): restore it from your backup of the keys "
                              "folder") from exc
    return found


def adopt_rotations(conn: Connection, keys_dir: Path) -> list[str]:
    """Take again, from keys/, the rotations the database lacks (it was restored from a backup older than them):
    from the signing key the database names, each statement signed by that key whose new keys' files are in keys/
    becomes the database's again (the keys it names, the statement devices follow, forms signed with the new key).
    Returns the signing key ids adopted, oldest first; nothing when keys/ holds no such chain."""
    tables = KeyRotationRow.__table__, ServerKey.__table__
    rotations, keys = tables
    adopted: list[str] = []
    statements = _rotations_in(keys_dir)
    while True:
        active = active_key_ids(conn)
        signing_id = active.get("signing")
        if signing_id is None or not statements:  # a new server, or nothing kept in keys/
            return adopted
        public = conn.execute(select(keys.c.public_key).where(keys.c.key_id == signing_id)).scalar_one_or_none()
        following = [r for r in statements if r.previous_signing_key_id == signing_id and public is not None
                     and r.signature_valid(public)
                     and find_key(keys_dir, "signing", r.keys.signing_key_id) is not None
                     and find_key(keys_dir, "batch", r.keys.batch_key_id) is not None]
        if not following:
            return adopted
        rotation = following[0]
        new = {"signing": (rotation.keys.signing_key_id, rotation.keys.signing_key),
               "batch": (rotation.keys.batch_key_id, rotation.keys.batch_key)}
        conn.execute(update(ServerKey).where(ServerKey.purpose.in_(tuple(new)), ServerKey.active.is_(True))
                     .values(active=False))
        for purpose, (kid, public_key) in new.items():
            if conn.execute(select(keys.c.key_id).where(keys.c.key_id == kid)).first() is None:
                conn.execute(keys.insert().values(key_id=kid, purpose=purpose, public_key=public_key,
                                                  created_at=utcnow(), active=True))
            else:
                conn.execute(keys.update().where(keys.c.key_id == kid).values(active=True))
        if conn.execute(select(rotations.c.id).where(
                rotations.c.signing_key_id == rotation.keys.signing_key_id)).first() is None:
            conn.execute(rotations.insert().values(
                previous_signing_key_id=rotation.previous_signing_key_id,
                signing_key_id=rotation.keys.signing_key_id, statement=rotation.model_dump_json(),
                created_at=utcnow()))
        _resign_forms(conn, load_signing(keys_dir, conn))
        adopted.append(rotation.keys.signing_key_id)


def key_history(db: Database, current: ServerKeys) -> KeyHistory:
    t = KeyRotationRow.__table__
    with db.read_engine.connect() as conn:
        statements = conn.execute(select(t.c.statement).order_by(t.c.id)).scalars().all()
    return KeyHistory(protocol_version=PROTOCOL_VERSION, current=current,
                      rotations=[KeyRotation.model_validate_json(s) for s in statements])


def keys_file_modes_ok(keys_dir: Path) -> None:
    """Every file in keys/ owner-only (serve checks before loading)."""
    if keys_dir.exists():
        check_private(keys_dir)
        for path in keys_dir.iterdir():
            if path.is_file():
                check_private(path)
