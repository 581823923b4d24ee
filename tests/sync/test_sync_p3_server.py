"""A P3 answer on the server (issue 11, "by any path ... the server database"): recorded by field staff on a
laptop with the shipped registration form and synced to the real server (SQLite, PostgreSQL). Every table of the
server database is read, and every sealed row opened with the server's own data key (what whoever holds the server
database and its keys directory can do): the person's other answers open, the P3 answers are only field-key tokens,
the very tokens the laptop stored, and no field key nor wrap of one is anywhere on the server. The laptop's case worker, who
holds the field key, still reads them after the round trip."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from desktop_app.services import records
from desktop_app.services import sync as sync_service
from desktop_app.vault.registrations import get_registration
from sync_server.atrest import is_sealed, open_text
from sync_server.db import open_database
from sync_server.keys import load_keyring
from tests.access.team import ADMIN, CANARY, CASE, FIELD, MIGRANT, PERSON, instance, make_team, signed_in
from tests.access.team import shipped_xforms as convert_shipped
from tests.sync.support import fast_connect
from waypoint_core.access import sealed

PERSON_ID = "0a200000-0000-4000-8000-000000000001"
P3_VALUES = (CANARY, "gbv_risk", "physical sexual")  # the P3 answers of PERSON
# sealed columns of the server database: table -> (columns, row id column, version column)
SEALED = {"record": (("state",), "id", "server_version"), "record_version": (("state",), "record_id", "server_version"),
          "conflict": (("server_state", "device_op"), "id", None)}


@pytest.fixture(scope="module")
def xforms():
    return convert_shipped()


def _server_dump(backend) -> tuple[list[str], list[str]]:
    """(every sealed record state opened with the server's data key, every other value of every table)."""
    db = open_database(backend.admin_url, pool_size=1)
    try:
        key = load_keyring(backend.data_dir / "keys", db).data
        opened, plain = [], []
        with db.read_engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for row in conn.execute(text(f"SELECT * FROM {table}")).mappings():
                    columns, row_id, version = SEALED.get(table, ((), "", None))
                    for name, value in row.items():
                        if value is None:
                            continue
                        if name in columns and is_sealed(str(value)):
                            opened.append(open_text(key, str(value), table=f"{table}.{name}" if table == "conflict"
                                                    else table, row_id=row[row_id],
                                                    version=row[version] if version else ""))
                        else:
                            plain.append(value.decode("latin-1") if isinstance(value, bytes) else str(value))
    finally:
        db.dispose()
    return opened, plain


def test_the_server_database_and_its_data_key_hold_no_p3_answer(tmp_path, server, server_admin, backend, xforms):
    team = make_team(tmp_path / "team", xforms)
    with signed_in(team, ADMIN) as vault:
        sync_service.enrol(vault, server_url=server.url, code=server_admin.code("Agadez"), device_name="p3-laptop")
    with signed_in(team, FIELD) as vault:
        records.finalize(vault, form_id=MIGRANT, form_version=records.form_definition(
            xforms["migrant_registration"]).version, record_id=PERSON_ID,
            content=instance(xforms["migrant_registration"], PERSON, PERSON_ID))
        stored = get_registration(vault, PERSON_ID).content
        summary = sync_service.sync_now(vault, connect=fast_connect())
        assert summary.rejected == 0 and get_registration(vault, PERSON_ID).sync_state == "acknowledged"
    tokens = set(re.findall(re.escape(sealed.PREFIX) + r"[^<\s\"\\]+", stored))
    assert len(tokens) == 4  # abuses, specific needs, their "other" text, risk level

    opened, plain = _server_dump(backend)
    held = [t for t in opened if PERSON_ID in t]
    assert held and any("Testperson" in t for t in held)  # the data key does open the record
    assert all(token in t for t in held if "Testperson" in t for token in tokens)  # as the laptop sealed them
    everything = "\n".join(opened + plain)
    for value in P3_VALUES:
        assert value not in everything, value
    # no field key, nor a wrap of one, ever reached the server: its key id is named only inside the tokens
    key_ids = {sealed.token_key_id(token) for token in tokens}
    assert len(key_ids) == 1 and None not in key_ids
    outside_tokens = re.sub(re.escape(sealed.PREFIX) + r"[^<\s\"\\]+", "", everything)
    key_files = b"".join(p.read_bytes() for p in (backend.data_dir / "keys").rglob("*") if p.is_file())
    for key_id in key_ids:
        assert key_id not in outside_tokens and key_id.encode() not in key_files

    with signed_in(team, CASE) as vault:  # the case worker of that laptop still reads them after the round trip
        assert CANARY in records.reopen(vault, PERSON_ID).record.content
