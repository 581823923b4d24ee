"""What every part of the writer shares: the transaction's connection, who writes, when, and the record shapes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.models import STATUSES, SUMMARY_FIELDS
from desktop_app.vault.place import enrolled_db, home_centre_db
from desktop_app.vault.policy import Policy, read_db as read_policy
from desktop_app.vault.sql import Db, Row, chunks, in_json, join_sync, text

FieldValue = str | int | None


@dataclass(frozen=True)
class RegistrationDraft:
    """One record to save: what `Writer.save` (and `registrations.save_registrations`) take."""

    form_id: str
    form_version: str
    status: str
    content: str
    record_id: str | None = None
    fields: dict[str, Any] | None = None  # summary columns (SUMMARY_FIELDS) and other extracted fields
    # the save edits a registration stored before (a form reopened, or saved once already): if its row is gone, it
    # was deleted meanwhile (a draft that never travelled leaves no tombstone), and the save is refused rather than
    # writing the person again
    edits_stored: bool = False


@dataclass(frozen=True)
class Stored:
    """A registration row as this transaction read it (the content included)."""

    id: str
    form_id: str
    form_version: str
    status: str
    content: str
    version: int
    server_version: int | None
    sync_state: str
    deleted: bool
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    purged_at: str | None
    centre: str | None = None


_STORED_SQL = ("SELECT id, form_id, form_version, status, content, version, rs.server_version, rs.sync_state, deleted, "
               "created_at, created_by, updated_at, updated_by, purged_at, centre FROM registration" + join_sync())


def _stored(row: Row) -> Stored:
    return Stored(row.id, row.form_id, row.form_version, row.status, row.content, int(row.version),
                  row.server_version, row.sync_state, bool(row.deleted), row.created_at, row.created_by,
                  row.updated_at, row.updated_by, row.purged_at, row.centre)


class WriterBase:
    """The unit of work's state; the writer's parts (records, sync) add the operations."""

    def __init__(self, db: Db, *, username: str, now: str, person_centre: str | None = None) -> None:
        self.db = db
        self.username = username
        self.now = now
        self._person_centre = person_centre or None
        self._home_centre: str | None = None
        self._home_centre_read = False
        self._enrolled = False
        # Set when content was removed (deletion, purge, consent refused): after the commit the WAL is folded
        # into the database and truncated, so the old pages do not stay readable in waypoint.db-wal.
        self.erased = False
        self._policy: Policy | None = None
        # records whose derived rows (entity events, search index) are rederived once, at the end (Writer.finish)
        self.derive_pending: dict[str, None] = {}
        # of those, the records inserted by this transaction (a pulled page's new records: SyncWrites.insert_remote)
        # with their rows and extracted fields as written: derived from these, not read back, and with no derived
        # rows to remove first. A record written again after its insert leaves it (derived from its row then).
        self.derive_inserted: dict[str, dict[str, Any]] = {}
        self._file_holders: set[str] | None = None  # FileWrites: records holding or wanting files, read when needed
        self.drop_parts_at_finish = False  # FileWrites: parts of files no record wants are dropped before the commit

    @property
    def policy(self) -> Policy:
        """The laptop's policies (read once per transaction, when first needed)."""
        if self._policy is None:
            self._policy = read_policy(self.db)
        return self._policy

    @property
    def home_centre(self) -> str | None:
        """The centre a record made here belongs to (on an enrolled laptop whatever its form answers, elsewhere when
        its form names none: writer/records.py): the signed-in person's as the policy sees them (services.access.
        actor_of: their grant's centre, else the laptop's, `place.home_centre_db`: its place's code of the shipped
        centre list, else on an enrolled laptop its enrolment centre's server name), so the centre-scoped reader who
        made it keeps seeing it and no other centre's person does. None on a laptop never enrolled and with no place
        (nothing is limited by centre there)."""
        if not self._home_centre_read:
            self._home_centre_read = True
            self._home_centre = self._person_centre or home_centre_db(self.db)
            self._enrolled = enrolled_db(self.db)
        return self._home_centre

    @property
    def enrolled(self) -> bool:
        """Whether this laptop is enrolled with a server (read with `home_centre`)."""
        _ = self.home_centre
        return self._enrolled

    def stored(self, record_id: str) -> Stored | None:
        return self.stored_many([record_id]).get(record_id)

    def stored_many(self, record_ids: list[str]) -> dict[str, Stored]:
        found: dict[str, Stored] = {}
        for part in chunks(record_ids):
            marks, params = in_json(part)
            for row in self.db.execute(text(f"{_STORED_SQL} WHERE id IN ({marks})"),
                                       params).all():
                found[row.id] = _stored(row)
        return found


def validated(draft: RegistrationDraft) -> tuple[str, dict[str, FieldValue], dict[str, str | None]]:
    """(record id, summary columns, other extracted fields) or InvalidInput."""
    if draft.status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    if not draft.form_id or not draft.form_version:
        raise InvalidInput("a registration needs a form id and a form version")
    if not isinstance(draft.content, str):
        raise InvalidInput("content must be the instance XML as text")
    fields = dict(draft.fields or {})
    summary: dict[str, FieldValue] = {name: fields.pop(name, None) for name in SUMMARY_FIELDS}
    if summary["age"] is not None:
        try:
            summary["age"] = int(summary["age"])
        except (TypeError, ValueError) as exc:
            raise InvalidInput("age must be a whole number") from exc
    for name in ("title", "sex", "nationality", "centre", "registered_on"):
        if summary[name] is not None:
            summary[name] = str(summary[name])
    extra = {str(k): (None if v is None else str(v)) for k, v in fields.items()}
    if draft.record_id is None:
        return str(uuid.uuid4()), summary, extra
    try:
        return str(uuid.UUID(draft.record_id)), summary, extra
    except (ValueError, AttributeError, TypeError) as exc:
        raise InvalidInput("a record id must be a UUID") from exc
