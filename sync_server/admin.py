"""Administration: centres, one-time enrolment codes, revocation, form publication, and enrolment itself.

The CLI and the tests call these; each takes the database (and keys) explicitly and commits its own transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from waypoint_core.protocol import (
    DOMAIN_FORM, PROTOCOL_VERSION, EnrolRequest, EnrolResponse, form_signed_bytes,
)

from . import device_journal, epochs, history, scope
from .atrest import DataKey, open_text
from .db import Database, utcnow
from .errors import ProtocolError, unsupported_version
from .keys import ServerKeyring
from .tables import Centre, Conflict, Device, EnrolmentCode, FormVersion, Record, RecordVersion

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over a bad phone line


class AdminError(Exception):
    """A refusal an administrator can act on (unknown centre, duplicate name...)."""


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def add_centre(db: Database, name: str) -> str:
    name = name.strip()
    if not name:
        raise AdminError("a centre needs a name")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise AdminError("a centre name cannot hold control characters")
    centre_id = str(uuid.uuid4())
    try:
        with db.write_engine.begin() as conn:
            now = utcnow()
            conn.execute(Centre.__table__.insert().values(id=centre_id, name=name, created_at=now))
            device_journal.note(db, "centre", centre_id=centre_id, name=name, created_at=now)
    except IntegrityError:
        raise AdminError(f"a centre named {name!r} already exists") from None
    return centre_id


def list_centres(db: Database) -> list[tuple[str, str]]:
    with db.read_engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Centre.id, Centre.name).order_by(Centre.name))]


def set_centre_region(db: Database, centre: str, region: str | None) -> str:
    """Name the region of a centre (by name or id); None or "" makes it a region of its own. Returns its id."""
    region = (region or "").strip() or None
    if region is not None and any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in region):
        raise AdminError("a region name cannot hold control characters")
    with db.write_engine.begin() as conn:
        centre_id = _centre_id(conn, centre)
        scope.set_centre_region(conn, centre_id, region)
        device_journal.note(db, "region", centre_id=centre_id, region=region)
    return centre_id


def centre_regions(db: Database) -> dict[str, str]:
    """centre id -> region, for the centres that have one named."""
    with db.read_engine.connect() as conn:
        return scope.regions(conn)


def _centre_id(conn, centre: str) -> str:
    """A centre by the id `centre add` printed or by its name."""
    centre = centre.strip()
    found = conn.execute(select(Centre.id).where((Centre.id == centre) | (Centre.name == centre))).scalars().all()
    if not found:
        raise AdminError(f"no centre named {centre!r} and none with that id (see the centre list: "
                         "`waypoint-server admin centre list`; add one with `waypoint-server admin centre add`)")
    return found[0]


def create_enrolment_code(db: Database, *, centre: str, ttl: timedelta, roles: Sequence[str] | None = None,
                          created_by: str | None = None) -> str:
    """A fresh one-time code for one device of `centre`; only its hash is stored, in the database and in the device
    journal (a restore keeps a code made since the backup: device_journal.py). `roles`: the roles of the people who
    will use that device (what it may receive and change: scope.py); None leaves it unrestricted. `created_by`: who
    made it from a laptop (coordination.py)."""
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
    now, code_id, code_hash = utcnow(), str(uuid.uuid4()), hash_code(code)
    try:
        with db.write_engine.begin() as conn:
            centre_id = _centre_id(conn, centre)
            conn.execute(EnrolmentCode.__table__.insert().values(
                id=code_id, code_hash=code_hash, centre_id=centre_id, created_at=now, expires_at=now + ttl))
            if roles:
                scope.set_code_roles(conn, code_id, roles)
            if created_by is not None:
                conn.execute(text("INSERT INTO enrolment_code_admin (code_id, created_by) VALUES (:c, :b)"),
                             {"c": code_id, "b": created_by})
            device_journal.note(db, "code", code_id=code_id, hash=code_hash, centre_id=centre_id,
                                created_at=now, expires_at=now + ttl,
                                roles=" ".join(scope.check_roles(roles)) if roles else None, created_by=created_by)
    except scope.ScopeError as exc:
        raise AdminError(str(exc)) from None
    return code


def revoke_device(db: Database, device_id: str) -> None:
    with db.write_engine.begin() as conn:
        done = conn.execute(update(Device).where(Device.id == device_id, Device.revoked_at.is_(None))
                            .values(revoked_at=utcnow())).rowcount
        if not done:
            exists = conn.execute(select(Device.id).where(Device.id == device_id)).first()
            if exists is None:
                raise AdminError(f"no device {device_id}")
        else:
            device_journal.note(db, "revoked", device_id=device_id)


def list_devices(db: Database) -> list[dict]:
    """Each device; `forks` when its numbering forked (forks.py): kind "rewound" (a vault put back from an older
    copy, or the first copy of a cloned vault to send) or "cloned" (a second live copy, told to enrol again)."""
    with db.read_engine.connect() as conn:
        rows = conn.execute(select(Device.id, Device.name, Centre.name.label("centre"), Device.enrolled_at,
                                   Device.revoked_at, Device.high_water_mark, Device.acked_seq, Device.forks)
                            .join(Centre))
        return [{**{k: v for k, v in r._mapping.items() if k != "forks"},
                 **({"forks": json.loads(r.forks)} if r.forks else {})} for r in rows]


def list_conflicts(db: Database, *, open_only: bool = True) -> list[dict]:
    """Conflicts for review: ids, field names and times only (the values stay in the database)."""
    query = select(Conflict.id, Conflict.record_id, Conflict.fields, Conflict.device_id, Conflict.opened_at,
                   Conflict.resolved_at, Conflict.resolved_by, Conflict.resolved_version).order_by(Conflict.opened_at)
    if open_only:
        query = query.where(Conflict.resolved_at.is_(None))
    with db.read_engine.connect() as conn:
        return [{**dict(r._mapping), "fields": json.loads(r.fields)} for r in conn.execute(query)]


def resolve_conflict(db: Database, conflict_id: str) -> None:
    """Mark a conflict reviewed (the coordinator corrected the record from a device, or accepted the winner)."""
    with db.write_engine.begin() as conn:
        done = conn.execute(update(Conflict).where(Conflict.id == conflict_id, Conflict.resolved_at.is_(None))
                            .values(resolved_at=utcnow())).rowcount
        if not done and conn.execute(select(Conflict.id).where(Conflict.id == conflict_id)).first() is None:
            raise AdminError(f"no conflict {conflict_id}")


def publish_form(db: Database, keyring: ServerKeyring, *, path: Path, form_id: str, version: str) -> bool:
    """Store a signed XForm version for devices to download; False when this exact version is already there."""
    xform = path.read_text("utf-8")
    if "<h:html" not in xform and "<html" not in xform:
        raise AdminError(f"{path} does not look like an XForm (XML with an h:html root)")
    title_match = re.search(r"<h:title>(.*?)</h:title>", xform, re.S)
    sha = hashlib.sha256(xform.encode("utf-8")).hexdigest()
    with db.write_engine.begin() as conn:
        existing = conn.execute(select(FormVersion.sha256).where(
            FormVersion.form_id == form_id, FormVersion.version == version)).scalar_one_or_none()
        if existing == sha:
            return False
        if existing is not None:
            raise AdminError(f"form {form_id} version {version} is already published with other content; "
                             "publish it under a new version")
        conn.execute(FormVersion.__table__.insert().values(
            form_id=form_id, version=version, title=(title_match.group(1).strip() if title_match else form_id),
            xform=xform, sha256=sha, published_at=utcnow(),
            signature=keyring.signing.sign(DOMAIN_FORM, form_signed_bytes(form_id, version, sha))))
    return True


def enrol(db: Database, keyring: ServerKeyring, request: EnrolRequest) -> EnrolResponse:
    """Consume the one-time code and register the device key, atomically (two racing devices: one wins)."""
    if request.protocol_version != PROTOCOL_VERSION:
        raise unsupported_version(request.protocol_version)
    if not request.signature_valid():
        raise ProtocolError(400, "bad_proof", "the enrolment request is not signed by the key it registers")
    code_hash, now, device_id = hash_code(request.code), utcnow(), str(uuid.uuid4())
    t = EnrolmentCode.__table__
    with db.write_engine.begin() as conn:
        row = conn.execute(select(t.c.id, t.c.centre_id, t.c.used_at, t.c.expires_at, t.c.created_at)
                           .where(t.c.code_hash == code_hash).with_for_update()).first()
        if row is None:
            raise ProtocolError(403, "bad_code", "unknown enrolment code")
        if row.used_at is not None:
            raise ProtocolError(403, "bad_code", "this enrolment code has already been used")
        if row.expires_at <= now:
            raise ProtocolError(403, "bad_code", "this enrolment code has expired; ask for a new one")
        from .coordination import code_revoked  # coordination.py builds on this module

        if code_revoked(conn, row.id):
            raise ProtocolError(403, "bad_code", "this enrolment code was revoked; ask for a new one")
        taken = conn.execute(update(t).where(t.c.id == row.id, t.c.used_at.is_(None))
                             .values(used_at=now, device_id=device_id)).rowcount
        if taken != 1:
            raise ProtocolError(403, "bad_code", "this enrolment code has already been used")
        if conn.execute(select(Device.id).where(Device.public_key == request.device_public_key)).first():
            raise ProtocolError(409, "key_in_use", "this device key is already enrolled")
        conn.execute(Device.__table__.insert().values(
            id=device_id, centre_id=row.centre_id, name=request.device_name, public_key=request.device_public_key,
            enrolled_at=now, high_water_mark=0))
        scope.take_code_roles(conn, code_id=row.id, device_id=device_id)
        roles = conn.execute(text("SELECT roles FROM device_roles WHERE device_id = :d"), {"d": device_id}).scalar()
        device_journal.note(db, "enrolled", device_id=device_id, centre_id=row.centre_id, name=request.device_name,
                            public_key=request.device_public_key, enrolled_at=now, roles=roles,
                            code={"id": row.id, "hash": code_hash, "created_at": row.created_at.isoformat(),
                                  "expires_at": row.expires_at.isoformat()})
        centre_name = conn.execute(select(Centre.name).where(Centre.id == row.centre_id)).scalar_one()
        epoch = epochs.current(conn)
    return EnrolResponse(protocol_version=PROTOCOL_VERSION, epoch=epoch, device_id=device_id, centre_id=row.centre_id,
                         centre_name=centre_name, server_keys=keyring.public, high_water_mark=0)


def record_state(db: Database, data_key: DataKey, record_id: str, *, version: int | None = None) -> dict | None:
    """A record's values (the current version, or `version`), opened with the data key: for reviews and reports,
    which run beside the server with its keys. None when there is no such record."""
    with db.read_engine.connect() as conn:
        if version is None:
            row = conn.execute(select(Record.state, Record.server_version).where(Record.id == record_id)).first()
        else:
            row = conn.execute(select(RecordVersion.state, RecordVersion.server_version).where(
                RecordVersion.record_id == record_id, RecordVersion.server_version == version)).first()
            if row is not None:  # the current version's state is in record.state (history.py)
                return history.version_values(conn, data_key, record_id, row[1], row[0])
    if row is None:
        return None
    return json.loads(open_text(data_key, row[0], table="record", row_id=record_id, version=row[1]))


def conflict_detail(db: Database, data_key: DataKey, conflict_id: str) -> dict:
    """Both sides of a conflict, opened with the data key (a coordinator's review)."""
    with db.read_engine.connect() as conn:
        row = conn.execute(select(Conflict).where(Conflict.id == conflict_id)).first()
    if row is None:
        raise AdminError(f"no conflict {conflict_id}")
    return {"id": row.id, "record_id": row.record_id, "fields": json.loads(row.fields),
            "winner": json.loads(row.winner), "device_id": row.device_id, "opened_at": row.opened_at,
            "resolved_at": row.resolved_at,
            "server_state": json.loads(open_text(data_key, row.server_state, table="conflict.server_state",
                                                 row_id=row.id)),
            "device_op": json.loads(open_text(data_key, row.device_op, table="conflict.device_op", row_id=row.id))}
