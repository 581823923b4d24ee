"""Retention: when the period an administrator set has passed, a record loses its identifying data on this laptop.

What is identifying comes from the record's own form (records/schema.py: `FormSchema.identifying`): answers marked
class P2 or P3 (`bind::wp:sensitivity`; a form that marks no P2 answer falls back to the P2 names of
../shared/reference/data-model.md §7: names, exact date of birth, document numbers, phone, photo, identifiers),
every file question (photos, scanned documents, signatures) and the record's display name (`meta/instanceName`).
Everything else stays: the case number (the record id and `meta/instanceID`), sex, age and age group, nationality,
the centre and dates, the assistance recorded and the next appointment (all class P1), so field work can go on.

The purge of every record that is due is ONE use case in ONE writer transaction (`purge_due`): the content and
each kept version are redacted, the list and search fields are extracted again from what is left, the record's
files, conflicts and the merge base's values go, and `purged_at` says when. The period counts from the server's
acknowledgement (`registration_sync.acked_at`); a record with anything waiting to be sent is never purged. Each purged
record gets an audit entry (`record.purge`) in the same transaction. A record of
a form not installed here (pulled before its form) cannot be read: its whole content goes, its summary (without
the name) stays.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop_app.records.form_store import FormNotInstalled, get_form_xform
from desktop_app.records.schema import FormSchema, extract_fields, form_schema, parse_instance
from desktop_app.vault import audit
from desktop_app.vault.models import SUMMARY_FIELDS
from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import Vault
from desktop_app.vault.writer import Stored, Writer, write


@dataclass(frozen=True)
class Purge:
    """One run of the retention period: when it ran, the period, and the records it purged."""

    at: str  # ISO 8601 UTC; every record purged by this run has this purged_at
    retention_days: int | None  # None: no period set, nothing purged
    record_ids: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.record_ids)


@dataclass(frozen=True)
class LastPurge:
    """What the app says: the latest run that purged something, and how many records it purged."""

    at: str
    count: int


def redact(schema: FormSchema, content: str) -> tuple[str, dict[str, str | int | None]]:
    """The content with every identifying answer emptied (repeats keep their instances, their identifying answers
    emptied too), and the list/search fields extracted from what is left."""
    root = parse_instance(content)

    def walk(element: ET.Element, prefix: str) -> None:
        for child in element:
            path = prefix + child.tag.rsplit("}", 1)[-1]
            if schema.is_identifying(path):
                _empty(child)
            elif len(child):
                walk(child, path + "/")

    walk(root, "")
    return ET.tostring(root, encoding="unicode"), extract_fields(schema, root)


def _empty(element: ET.Element) -> None:
    if len(element):
        for child in element:
            _empty(child)
    else:
        element.text = None
    for name in [n for n in element.attrib if n.rsplit("}", 1)[-1] not in ("template", "jr:template")]:
        del element.attrib[name]  # e.g. a file answer's name or a sealed answer's marks


def purge_due(vault: Vault, *, now: datetime | None = None) -> Purge:
    """Apply the retention period now, in one transaction: every record due loses its identifying data."""
    with write(vault) as w:
        days = w.policy.retention_days
        if days is None:
            return Purge(at=w.now, retention_days=None)
        when = now if now is not None else datetime.fromisoformat(w.now)
        cutoff = (when - timedelta(days=days)).isoformat(timespec="microseconds")
        due = w.due_for_purge(cutoff)
        schemas: dict[tuple[str, str], FormSchema | None] = {}
        for stored in due:
            _purge_one(vault, w, stored, schemas)
        if due:  # each purged record in the audit log, in the same transaction (which records and when, not content)
            audit.append_many_db(w.db, vault.device_id, [
                {"actor": w.username, "event": "record.purge", "outcome": "done", "record_id": s.id,
                 "detail": f"retention period {days} days"} for s in due])
        return Purge(at=w.now, retention_days=days, record_ids=tuple(s.id for s in due))


def _purge_one(vault: Vault, w: Writer, stored: Stored, schemas: dict[tuple[str, str], FormSchema | None]) -> None:
    schema = _schema(vault, stored.form_id, stored.form_version, schemas)
    try:
        content, fields = redact(schema, stored.content) if schema is not None else ("", None)
    except ValueError:  # content that does not read as XML: nothing of it can be kept safely
        content, fields = "", None
    if fields is None:  # unreadable: the summary stays, without the name
        summary = _summary_row(w.db, stored.id)
        fields = {name: summary.get(name) for name in SUMMARY_FIELDS if name != "title"}  # type: ignore[misc]
    versions: dict[int, str] = {}
    for version, form_version, old in w.kept_versions(stored.id):
        kept_schema = _schema(vault, stored.form_id, form_version, schemas)
        if kept_schema is not None:
            try:
                versions[version] = redact(kept_schema, old)[0]
            except ValueError:
                pass  # unreadable: the version goes
    w.purge(stored.id, content=content, fields=fields, versions=versions)


def _summary_row(db: Db, record_id: str) -> dict[str, object]:
    row = db.execute(text(f"SELECT {', '.join(SUMMARY_FIELDS)} FROM registration WHERE id = :r"), {"r": record_id}).first()
    return dict(row._asdict()) if row is not None else {}


def _schema(vault: Vault, form_id: str, version: str,
            schemas: dict[tuple[str, str], FormSchema | None]) -> FormSchema | None:
    key = (form_id, version)
    if key not in schemas:
        try:
            schemas[key] = form_schema(get_form_xform(vault, form_id, version))
        except (FormNotInstalled, ValueError):
            schemas[key] = None
    return schemas[key]


def last_purge(vault: Vault) -> LastPurge | None:
    """The latest run that purged records on this laptop (each run stamps its records with one purged_at)."""
    with vault.session(readonly=True) as session:
        row = Db.of(session).execute(text(
            "SELECT purged_at, COUNT(*) AS n FROM registration WHERE purged_at IS NOT NULL GROUP BY purged_at "
            "ORDER BY purged_at DESC LIMIT 1")).first()
    return None if row is None else LastPurge(at=row.purged_at, count=int(row.n))
