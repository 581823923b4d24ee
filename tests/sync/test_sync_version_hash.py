"""A pulled change must be the version it names (issue 8: versions identified by their content's hash).

The server's database row of one record is altered after the record was pushed, as whoever holds the database (its
`hash` column rewritten) or the database and the server's keys (the record's sealed content replaced) can do, and a
second laptop pulls through the real client in pages of two against the real server on loopback (SQLite,
PostgreSQL): the page that carries the altered record is refused with its own error, nothing of it is stored and the
cursor stays after the page before it; once the row is put back, the next sync brings the rest."""

from __future__ import annotations

import json

import pytest
from records import register
from sqlalchemy import text
from tests.sync.support import fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import engine, errors, store
from desktop_app.vault.registrations import get_registration
from sync_server.atrest import open_text, seal_text
from sync_server.db import open_database
from sync_server.keys import load_keyring
from waypoint_core.protocol import parse_cursor


def _pull_in_pages_of_two(vault):
    return engine.run_inline(engine.sync_run(connect=fast_connect(), page_size=2), vault=vault)


def _feed(backend, centre_name: str) -> list[tuple[int, str]]:
    """(seq, record id) of the centre's change feed, in order."""
    db = open_database(backend.admin_url, pool_size=1)
    try:
        with db.read_engine.connect() as conn:
            return [(row.seq, row.record_id) for row in conn.execute(text(
                "SELECT change.seq, change.record_id FROM change JOIN centre ON centre.id = change.centre_id "
                "WHERE centre.name = :c ORDER BY change.seq"), {"c": centre_name})]
    finally:
        db.dispose()


def _alter(backend, record_id: str, how: str) -> tuple[str, str]:
    """Alter the server's row of `record_id`; returns its (state, hash) as they were, to put back."""
    db = open_database(backend.admin_url, pool_size=1)
    try:
        key = load_keyring(backend.data_dir / "keys", db).data
        with db.write_engine.begin() as conn:
            row = conn.execute(text("SELECT server_version, state, hash FROM record WHERE id = :r"),
                               {"r": record_id}).one()
            if how == "hash":  # the database alone: the hash names another version
                conn.execute(text("UPDATE record SET hash = :h WHERE id = :r"), {"h": "0" * 64, "r": record_id})
            else:  # the database and the server's keys: another content under the version's hash
                values = json.loads(open_text(key, row.state, table="record", row_id=record_id,
                                              version=row.server_version))
                values["#content"] = values["#content"].replace("Hashed 2", "Forged 2")
                assert "Forged 2" in values["#content"]
                forged = seal_text(key, json.dumps(values), table="record", row_id=record_id,
                                   version=row.server_version)
                conn.execute(text("UPDATE record SET state = :s WHERE id = :r"), {"s": forged, "r": record_id})
        return row.state, row.hash
    finally:
        db.dispose()


def _put_back(backend, record_id: str, state: str, hash_: str) -> None:
    db = open_database(backend.admin_url, pool_size=1)
    try:
        with db.write_engine.begin() as conn:
            conn.execute(text("UPDATE record SET state = :s, hash = :h WHERE id = :r"),
                         {"s": state, "h": hash_, "r": record_id})
    finally:
        db.dispose()


@pytest.mark.parametrize("how", ["content", "hash"])
def test_a_page_with_a_change_that_is_not_its_version_is_refused_whole(enrolled, backend, how):
    centre = f"Hashville {how}"
    sender = enrolled(f"sender-{how}", centre=centre)
    made = [register(sender, f"Hashed {n}", 20 + n).id for n in range(4)]
    assert sync_service.sync_now(sender, connect=fast_connect()).acknowledged == 4
    feed = _feed(backend, centre)
    assert sorted(record_id for _, record_id in feed) == sorted(made)
    altered = feed[2][1]  # the first change of the second page of two
    kept = _alter(backend, altered, how)

    receiver = enrolled(f"receiver-{how}", centre=centre)
    with pytest.raises(errors.AlteredChange) as refused:
        _pull_in_pages_of_two(receiver)
    assert not refused.value.transient
    said = str(refused.value)
    assert "does not match its version hash" in said and altered in said and "Hashed" not in said
    # The first page is stored; nothing of the refused page, and the cursor stays where the first page ended.
    assert [get_registration(receiver, r) is not None for _, r in feed] == [True, True, False, False]
    assert parse_cursor(store.cursor(receiver))[1] == feed[1][0]

    _put_back(backend, altered, *kept)
    summary = _pull_in_pages_of_two(receiver)
    assert summary.pulled == 2
    for record_id in made:
        assert get_registration(receiver, record_id).content == get_registration(sender, record_id).content
