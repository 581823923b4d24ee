"""SQLite's small allocations on a vault connection stay in its lookaside (database.widen_lookaside), so that with
cipher_memory_security ON they do not each cost a locked and wiped buffer; long key lists are one JSON parameter
(sql.in_json) and read the same rows as a list of parameters."""

from __future__ import annotations

import ctypes

import sqlcipher3.dbapi2 as sqlcipher

from desktop_app.vault import database
from desktop_app.vault.registrations import RegistrationDraft, save_registrations
from desktop_app.vault.sql import Db, in_json, in_list, text

SQLITE_DBSTATUS_LOOKASIDE_HIT = 4
SQLITE_DBSTATUS_LOOKASIDE_MISS_SIZE = 5
SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL = 6


def _lookaside(conn, op: int) -> int:
    """The connection's lookaside counter `op` since it was last read (SQLite resets it when read)."""
    library = database._sqlite_library()
    handle = database._ConnectionHead.from_address(id(conn)).db
    current, highest = ctypes.c_int(), ctypes.c_int()
    assert library.sqlite3_db_status(ctypes.c_void_p(handle), op, ctypes.byref(current), ctypes.byref(highest), 1) == 0
    return highest.value


def _drafts(count: int, start: int = 0) -> list[RegistrationDraft]:
    return [RegistrationDraft("migrant_registration", "1", "finalized",
                              f"<data><name>Person {n}</name><notes>{'x' * 1500}</notes></data>",
                              fields={"title": f"Person {n}", "age": n % 90, "nationality": "NE", "phone": str(n)})
            for n in range(start, start + count)]


def test_a_vault_connection_gets_the_wide_lookaside(tmp_path):
    path = tmp_path / "plain.db"
    conn = sqlcipher.connect(str(path))
    try:
        assert database.widen_lookaside(sqlcipher.connect(str(path)), path)
        # the handle is checked against the file it was opened on before it is used
        assert not database.widen_lookaside(conn, tmp_path / "another.db")
    finally:
        conn.close()


def test_writing_a_page_of_records_never_finds_the_lookaside_full(new_vault):
    save_registrations(new_vault, _drafts(600))  # the writer's statements prepared and cached, as in a working day
    with new_vault.session() as session:
        raw = Db.of(session)._raw
        _lookaside(raw, SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL)
        _lookaside(raw, SQLITE_DBSTATUS_LOOKASIDE_HIT)
    save_registrations(new_vault, _drafts(600, start=600))
    with new_vault.session() as session:
        raw = Db.of(session)._raw
        # SQLCipher's default lookaside (123 slots) was full after the first save: every allocation went to the
        # locked and wiped allocator (about 20 per registration written)
        assert _lookaside(raw, SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL) == 0
        assert _lookaside(raw, SQLITE_DBSTATUS_LOOKASIDE_HIT) > 600


def test_a_json_key_list_reads_what_a_list_of_parameters_reads(new_vault):
    ids = save_registrations(new_vault, _drafts(30))
    wanted = ids[::3] + ["not-a-record"]
    with new_vault.session(readonly=True) as session:
        db = Db.of(session)

        def read(sql: str, keys: list) -> list:
            found = []
            for make in (in_list, in_json):
                marks, params = make(keys)
                found.append(sorted(tuple(row) for row in db.execute(text(sql.format(marks=marks)), params).all()))
            assert found[0] == found[1]
            return found[1]

        assert len(read("SELECT id, title FROM registration WHERE id IN ({marks})", wanted)) == 10
        seqs = [row.seq for row in db.execute(text("SELECT seq FROM outbox")).all()][:5]
        assert len(read("SELECT seq, record_id FROM outbox WHERE seq IN ({marks})", seqs)) == 5
        assert read("SELECT id FROM registration WHERE id IN ({marks})", []) == []
        assert len(read("SELECT id FROM registration WHERE id NOT IN ({marks})", wanted)) == 20


def test_a_registration_row_of_2_kb_is_built_in_the_lookaside(new_vault):
    """The row's bound content and the record SQLite builds from it (about 2 KB each) fit a big lookaside slot: with
    1200-byte slots each was a locked and wiped allocation, twice per registration written."""
    save_registrations(new_vault, _drafts(50))  # the writer's statements prepared and cached
    with new_vault.session() as session:
        raw = Db.of(session)._raw
        _lookaside(raw, SQLITE_DBSTATUS_LOOKASIDE_MISS_SIZE)
    save_registrations(new_vault, _drafts(300, start=50))
    with new_vault.session() as session:
        raw = Db.of(session)._raw
        assert _lookaside(raw, SQLITE_DBSTATUS_LOOKASIDE_MISS_SIZE) < 30  # was 613: two per row
