"""The audit log on the device, with the real vault: what is recorded, who may review it, and that removing,
reordering or altering one entry (with the data key and tools of one's own) is found and located."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from desktop_app.cli import main
from desktop_app.services import audit, records
from desktop_app.services.access import AccessDenied
from desktop_app.vault import Vault, database, keyslots
from desktop_app.vault import audit as log
from desktop_app.vault.errors import WrongPassphrase
from desktop_app.vault.sql import Db
from tests.access.team import ADMIN, CASE, COORD, FIELD, MIGRANT, PASSPHRASES, PERSON, instance, signed_in
from waypoint_core.access import audit as chain

RECORD = "00000000-0000-4000-8000-000000000001"


def _finalize(team, who, xforms):
    with signed_in(team, who) as vault:
        version = records.form_definition(xforms["migrant_registration"]).version
        return records.finalize(vault, form_id=MIGRANT, form_version=version, record_id=RECORD,
                                content=instance(xforms["migrant_registration"], PERSON, RECORD))


def _events(team, **narrow) -> list[tuple[str, str, str, str | None]]:
    with signed_in(team, COORD) as vault:
        listed = audit.entries(vault, audit.Filter(**narrow), limit=1000)
    return [(e.actor, e.event, e.outcome, e.record_id) for e in reversed(listed)]


def _connect(team):
    """A connection opened with the data key, as someone with a passphrase and tools of their own would."""
    with signed_in(team, COORD) as vault:
        dek, device_id = vault._dek, vault.device_id
    doc = keyslots.load(team)
    conn = database.connect_raw(team / database.DB_FILE, dek, page_size=keyslots.cipher_page_size(doc),
                                isolation_level=None)
    return conn, device_id


@pytest.fixture
def raw(team):
    """That connection with the append-only triggers dropped (they are in the database: its owner can drop them)."""
    conn, device_id = _connect(team)
    conn.execute("DROP TRIGGER audit_entry_no_update")
    conn.execute("DROP TRIGGER audit_entry_no_delete")
    yield conn, device_id
    conn.close()


def _verify_raw(conn, device_id) -> chain.Verified:
    return log.verify_db(Db(conn), device_id)


def test_every_use_case_and_session_event_is_recorded(team, xforms):
    with pytest.raises(WrongPassphrase):
        Vault.unlock(team, username=FIELD, passphrase="not the right one at all")
    saved = _finalize(team, FIELD, xforms)
    with signed_in(team, CASE) as vault:
        records.reopen(vault, saved.record_id)
    with signed_in(team, ADMIN) as vault:
        with pytest.raises(AccessDenied):
            records.delete(vault, saved.record_id)
        vault.set_roles(FIELD, ["field_staff", "case_worker"])
    seen = _events(team)
    assert ("?", chain.SIGN_IN_FAILED, "failed", None) in seen
    field_part = seen[seen.index(("?", chain.SIGN_IN_FAILED, "failed", None)) + 1:]
    assert field_part[0] == (FIELD, chain.SIGN_IN, "done", None)
    assert (FIELD, "record.finalize", "allowed", RECORD) in field_part
    assert (CASE, "record.view", "allowed", RECORD) in seen
    assert (CASE, "record.read_sensitive", "allowed", RECORD) in seen
    assert (ADMIN, "record.delete", "refused", RECORD) in seen
    assert (ADMIN, chain.ROLES_CHANGED, "done", None) in seen
    assert (FIELD, chain.LOCK, "done", None) in seen and (ADMIN, chain.LOCK, "done", None) in seen
    # narrowed by person, by record and by period
    assert {a for a, *_ in _events(team, actor=CASE)} == {CASE}
    assert {r for *_, r in _events(team, record_id=RECORD)} == {RECORD}
    assert _events(team, since="2000-01-01", until="2000-01-02") == []
    with signed_in(team, COORD) as vault:
        roles_entry = audit.entries(vault, audit.Filter(event_prefix=chain.ROLES_CHANGED))[0]
        assert roles_entry.detail == f"{FIELD}: field_staff -> field_staff case_worker"
        assert audit.verify(vault).ok


def test_only_the_review_right_reads_the_log_and_opening_it_is_recorded(team):
    for who in (FIELD, CASE, ADMIN):
        with signed_in(team, who) as vault:
            with pytest.raises(AccessDenied):
                audit.open_review(vault)
            with pytest.raises(AccessDenied):
                audit.entries(vault)
    with signed_in(team, COORD) as vault:
        audit.open_review(vault)
    refused = [e for e in _events(team, event_prefix="audit.review") if e[2] == "refused"]
    assert {actor for actor, *_ in refused} == {FIELD, CASE, ADMIN}


def test_the_table_refuses_changes_and_removals(team):
    conn, _ = _connect(team)
    try:
        for statement in ("UPDATE audit_entry SET detail = 'x' WHERE seq = 1", "DELETE FROM audit_entry"):
            with pytest.raises(Exception, match="append-only"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM audit_entry WHERE detail = 'x'").fetchone()[0] == 0
    finally:
        conn.close()


def test_an_altered_entry_is_found_and_named(raw):
    conn, device_id = raw
    assert _verify_raw(conn, device_id).ok
    conn.execute("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 3")
    broken = _verify_raw(conn, device_id).broken
    assert broken is not None and broken.seq == 3 and broken.problem == "altered"
    assert str(broken) == "entry 3 was altered (its hash does not match its content)"


def test_an_altered_entry_rehashed_no_longer_follows(raw):
    conn, device_id = raw
    row = conn.execute("SELECT seq, at, actor, event, outcome, record_id, detail, prev FROM audit_entry "
                       "WHERE seq = 2").fetchone()
    forged = chain.Entry(row[0], row[1], "someone else", row[3], row[4], row[5], row[6], row[7])
    conn.execute("UPDATE audit_entry SET actor = ?, hash = ? WHERE seq = 2",
                 (forged.actor, chain.entry_hash(device_id, forged, forged.prev)))
    broken = _verify_raw(conn, device_id).broken
    assert broken is not None and (broken.seq, broken.problem) == (3, "does_not_follow")


def test_a_removed_entry_is_found_and_named(raw):
    conn, device_id = raw
    conn.execute("DELETE FROM audit_entry WHERE seq = 4")
    broken = _verify_raw(conn, device_id).broken
    assert broken is not None and (broken.seq, broken.problem) == (4, "missing")
    assert str(broken) == "entry 4 is missing (found entry 5 next)"


def test_reordered_entries_are_found_and_named(raw):
    conn, device_id = raw
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT seq, at, actor, event, outcome, record_id, detail, prev, hash FROM audit_entry WHERE seq IN (2, 3)")}
    cols = "at = ?, actor = ?, event = ?, outcome = ?, record_id = ?, detail = ?, prev = ?, hash = ?"
    conn.execute(f"UPDATE audit_entry SET {cols} WHERE seq = 2", rows[3])
    conn.execute(f"UPDATE audit_entry SET {cols} WHERE seq = 3", rows[2])
    broken = _verify_raw(conn, device_id).broken
    assert broken is not None and broken.seq == 2 and broken.problem in ("altered", "does_not_follow")


def test_entries_cut_from_the_end_stay_missing_after_new_ones(team, raw):
    conn, device_id = raw
    last = conn.execute("SELECT max(seq) FROM audit_entry").fetchone()[0]
    conn.execute("DELETE FROM audit_entry WHERE seq >= ?", (last - 1,))
    broken = _verify_raw(conn, device_id).broken
    assert broken is not None and broken.problem == "truncated"
    assert str(broken) == f"entries {last - 1} to {last} are missing at the end"
    # triggers back as the migration made them, then someone signs in: the new entries follow the kept head
    for name, verb in (("audit_entry_no_update", "UPDATE"), ("audit_entry_no_delete", "DELETE")):
        conn.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON audit_entry BEGIN "
                     "SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    with signed_in(team, FIELD):
        pass
    broken = _verify_raw(conn, device_id).broken
    assert broken is not None and (broken.seq, broken.problem) == (last - 1, "missing")


def test_cli_audit_list_verify_and_export(team, xforms, raw, tmp_path, capsys):
    conn, _ = raw
    _finalize(team, FIELD, xforms)
    secret = tmp_path / "coord.pass"
    secret.write_text(PASSPHRASES[COORD])
    as_coord = ["--vault", str(team), "--user", COORD, "--passphrase-file", str(secret)]
    assert main(["audit", "verify", *as_coord]) == 0
    assert "audit log verified" in capsys.readouterr().out
    assert main(["audit", "list", "--by", FIELD, "--event", "record.", *as_coord]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert lines and all(line[2] == FIELD and line[3].startswith("record.") for line in lines)
    assert any(line[3] == "record.finalize" and line[5] == RECORD for line in lines)
    out = tmp_path / "audit.csv"
    assert main(["audit", "export", str(out), *as_coord]) == 0
    with open(out, newline="", encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert [int(r["seq"]) for r in exported] == list(range(1, len(exported) + 1))
    assert chain.verify(_chain_id(conn), [chain.Entry.from_json(dict(r, record_id=r["record_id"] or None))
                                          for r in exported]).ok
    # field staff: refused; someone alters an entry: verify exits 1 and names it
    field_secret = tmp_path / "field.pass"
    field_secret.write_text(PASSPHRASES[FIELD])
    assert main(["audit", "list", "--vault", str(team), "--user", FIELD, "--passphrase-file",
                 str(field_secret)]) == 2
    assert "not allowed to review" in capsys.readouterr().err
    conn.execute("UPDATE audit_entry SET detail = 'nothing happened' WHERE seq = 5")
    assert main(["audit", "verify", *as_coord]) == 1
    assert "entry 5 was altered" in capsys.readouterr().err


def _chain_id(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0])
