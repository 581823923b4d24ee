"""The writer's side of a decision made on another laptop (vault only, no server): this laptop's own conflict on a
record, opened when the server answered its op with a conflict, closes by the server's conflict id; the record
leaves the conflict state, queued when it still has changes waiting, and stays in conflict while another of its
conflicts is open. A conflict of another id, or one already closed, is left alone."""

from __future__ import annotations

from records import register

from desktop_app.vault.registrations import get_registration
from desktop_app.vault.sql import Db, text
from desktop_app.vault.writer import write


def _in_conflict(vault, record_id: str, server_conflict_id: str | None) -> None:
    with write(vault) as w:
        w.open_conflict(record_id=record_id, local={"fields": {}}, remote=(
            {"server_version": 3, "conflict_id": server_conflict_id, "state": None} if server_conflict_id
            else {"rejected": "answer too long"}))
        w.mark_conflict(record_id)


def _acknowledge_all(vault) -> None:
    with vault.session() as session:
        Db.of(session).execute(text("UPDATE outbox SET acked_at = '2026-12-06T10:00:00+00:00'"))


def _close(vault, record_id: str, server_conflict_id: str) -> str | None:
    with write(vault) as w:
        return w.close_decided_elsewhere(record_id, server_conflict_id, decided_by="device arlit-coord")


def test_closed_by_its_server_id_and_the_record_leaves_the_conflict_state(make_vault):
    vault = make_vault("decided")
    done = register(vault, "Zeinab Test", 30).id
    waiting = register(vault, "Halima Test", 30).id
    _acknowledge_all(vault)
    register(vault, "Halima Edited", 31, record_id=waiting)  # a change not yet acknowledged
    for record_id in (done, waiting):
        _in_conflict(vault, record_id, f"server-{record_id}")
    assert _close(vault, done, "another-conflict") is None  # not this record's conflict: nothing closes
    assert get_registration(vault, done).sync_state == "conflict"
    assert _close(vault, done, f"server-{done}") is not None
    assert _close(vault, done, f"server-{done}") is None  # closed already
    assert get_registration(vault, done).sync_state == "acknowledged"
    assert _close(vault, waiting, f"server-{waiting}") is not None
    assert get_registration(vault, waiting).sync_state == "queued"
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text("SELECT resolution, resolved_by FROM conflict")).all()
    assert [tuple(r) for r in rows] == [("server", "device arlit-coord")] * 2


def test_another_open_conflict_keeps_the_record_in_conflict(make_vault):
    vault = make_vault("still-open")
    record_id = register(vault, "Safiatou Test", 30).id
    _acknowledge_all(vault)
    _in_conflict(vault, record_id, None)  # a refusal the person has not reviewed yet
    with write(vault) as w:  # (one open conflict per record is the rule; a second row is what this guards)
        w.db.execute(text("INSERT INTO conflict (id, record_id, opened_at, local, remote) VALUES ('c2', :r, "
                          "'2026-12-06T10:00:00+00:00', '{}', '{\"conflict_id\": \"server-1\"}')"), {"r": record_id})
    assert _close(vault, record_id, "server-1") == "c2"
    assert get_registration(vault, record_id).sync_state == "conflict"
