"""The one writer (desktop_app/vault/writer): nothing else writes the tables that hold a record's data."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNED = ("registration", "registration_field", "registration_version", "outbox", "attachment", "sync_record",
         "conflict", "entity_event", "duplicate_candidate", "search_key", "search_profile",
         "attachment_wanted", "attachment_part", "indicator_fact")
MODELS = ("Registration", "RegistrationField", "RegistrationVersion", "Outbox", "Attachment", "Conflict")
SQL_WRITE = re.compile(r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"'`]?("
                       + "|".join(OWNED) + r")\b", re.IGNORECASE)
ORM_WRITE = re.compile(r"\b(?:session\.add|session\.delete|insert|update|delete)\(\s*(" + "|".join(MODELS) + r")\b")


def _sources() -> list[Path]:
    allowed = (ROOT / "desktop_app" / "vault" / "writer", ROOT / "desktop_app" / "vault" / "migrations")
    return [p for p in sorted((ROOT / "desktop_app").rglob("*.py")) if not any(a in p.parents for a in allowed)]


def test_only_the_writer_writes_the_tables_that_hold_a_record():
    breaches = []
    for path in _sources():
        text = path.read_text("utf-8")
        for pattern in (SQL_WRITE, ORM_WRITE):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                breaches.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r}")
    assert breaches == []


def test_the_scan_finds_what_it_looks_for():
    """The patterns are not vacuous: they catch each style the three old writers used."""
    for sample in ("UPDATE outbox SET payload = :p", "INSERT OR IGNORE INTO registration_version (record_id)",
                   "DELETE FROM attachment WHERE record_id = :r", 'insert into "registration" (id)'):
        assert SQL_WRITE.search(sample), sample
    for sample in ("session.add(Outbox(op_id=1))", "delete(RegistrationField).where(x)", "insert(Registration)"):
        assert ORM_WRITE.search(sample), sample
    assert not SQL_WRITE.search("UPDATE sync_state SET value = 1")
    assert not SQL_WRITE.search("SELECT * FROM registration WHERE id = :r")
