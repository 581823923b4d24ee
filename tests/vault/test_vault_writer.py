"""The one writer (desktop_app/vault/writer): nothing else writes the tables that hold a record's data."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNED = ("registration", "registration_sync", "registration_field", "registration_version", "outbox", "attachment", "sync_record",
         "conflict", "entity_event", "duplicate_candidate", "search_key", "search_profile",
         "attachment_wanted", "attachment_part", "indicator_fact")
MODELS = ("Registration", "RegistrationRow", "RegistrationSync",
          "RegistrationField", "RegistrationVersion", "Outbox", "Attachment", "Conflict")
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


# What changes a registration's state (the row's content, form, status, summary columns, its extracted fields).
STATE_WRITE = re.compile(r"\b(?:(?:INSERT\s+INTO|DELETE\s+FROM)\s+registration_field\b|UPDATE\s+registration\s+SET\s+"
                         r"(?:deleted|content|form_id)\b)|\b_UPDATE_REG\b|\b_REMOTE_UPDATE\b", re.IGNORECASE)
# Helpers that change the state only for callers that kept the base first (each caller is checked itself).
KEPT_BY_CALLERS = {"_drop_fields", "erase_copies"}


def test_every_writer_of_a_registrations_state_keeps_its_merge_base_first():
    """A merge base may be held as "the registration itself" (writer/bases.py): every writer operation that changes
    a registration's state calls keep_bases (or blind_sync_record, when forgetting) before its first such write, or
    a helper that changes it, so a three-way merge never runs from a base that silently moved with the record."""
    import ast

    missing = []
    for path in sorted((ROOT / "desktop_app" / "vault" / "writer").glob("*.py")):
        source = path.read_text("utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef) or node.name in KEPT_BY_CALLERS:
                continue
            segment = ast.get_source_segment(source, node) or ""
            body = segment.split('"""', 2)[-1] if segment.count('"""') >= 2 else segment  # not the docstring
            writes = [m.start() for m in STATE_WRITE.finditer(body)]
            writes += [m.start() for m in re.finditer(r"self\.(?:" + "|".join(KEPT_BY_CALLERS) + r")\(", body)]
            if not writes:
                continue
            kept = [m.start() for m in re.finditer(r"self\.(?:keep_bases|blind_sync_record)\(", body)]
            if not kept or min(kept) > min(writes):
                missing.append(f"{path.name}: {node.name}")
    assert missing == []


def test_the_base_scan_finds_what_it_looks_for():
    for sample in ("DELETE FROM registration_field WHERE record_id = :r", "self.db.execute(_UPDATE_REG, updates)",
                   "UPDATE registration SET deleted = 1, content = ''", "UPDATE registration SET content = :c"):
        assert STATE_WRITE.search(sample), sample
    for sample in ("UPDATE registration SET server_version = :v", "UPDATE registration SET sync_state = 'conflict'"):
        assert not STATE_WRITE.search(sample), sample
