"""A device's audit chain on the server after its vault was put back from an older copy (sync_server/audit.py,
migration 0014), on SQLite and PostgreSQL: chains stored before the migration are kept whole as branch 1; an upload
that continues an earlier entry than the head is kept beside as a new branch, recorded and named; an entry the server
holds, sent changed, is refused; verify walks every branch."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sync_server import audit
from sync_server.atrest import DataKey
from sync_server.db import MigrationContext, migrate, open_database, utcnow
from waypoint_core.access import audit as chain
from waypoint_core.protocol import PROTOCOL_VERSION
from waypoint_core.protocol.audit_messages import AuditEntry, AuditUpload

DEVICE = "laptop-7"


def _chain(previous: chain.Entry | None, events: list[str]) -> list[chain.Entry]:
    made = []
    for event in events:
        previous = chain.link(DEVICE, previous, at="2026-12-07T00:00:00+00:00", actor="amina", event=event,
                              outcome="done")
        made.append(previous)
    return made


def _upload(entries: list[chain.Entry]) -> AuditUpload:
    return AuditUpload(protocol_version=PROTOCOL_VERSION, chain_id=DEVICE,
                       entries=[AuditEntry.model_validate(e.as_json()) for e in entries])


def _device_report(db) -> audit.ChainReport:
    return next(r for r in audit.verify_all(db) if r.chain == f"device:{DEVICE}")


@pytest.fixture
def db(backend):
    opened = open_database(backend.admin_url, pool_size=2)
    yield opened
    opened.dispose()


def test_a_chain_from_before_the_migration_is_branch_1_and_forks_after_it_are_kept_beside(db):
    migrate(db, MigrationContext(data_key=DataKey.generate()), up_to=13)
    first = _chain(None, ["session.sign_in", "record.view", "record.edit", "session.lock", "session.sign_in"])
    with db.write_engine.begin() as conn:  # what a server before migration 0014 held
        conn.execute(text("INSERT INTO device_audit_entry (device_id, seq, at, actor, event, outcome, record_id, "
                          "detail, prev, hash, received_at) VALUES (:d, :seq, :at, :actor, :event, :outcome, "
                          ":record_id, :detail, :prev, :hash, :r)"),
                     [{**e.as_json(), "d": DEVICE, "r": utcnow()} for e in first])
        conn.execute(text("INSERT INTO audit_head (chain, chain_id, seq, hash) VALUES (:c, :i, :s, :h)"),
                     {"c": f"device:{DEVICE}", "i": DEVICE, "s": 5, "h": first[-1].hash})
    assert migrate(db, MigrationContext(data_key=DataKey.generate()))[:1] == [14]  # (and the later ones)
    report = _device_report(db)
    assert report.ok and report.result.count == 5 and report.forks == ()

    # The vault put back from a copy holding entries 1 to 3: its log goes on from entry 3.
    after_copy = _chain(first[2], ["session.sign_in", "sync.run", "record.view"])
    receipt = audit.receive(db, DEVICE, _upload(first[1:3] + after_copy))
    assert (receipt.stored_through, receipt.head) == (6, after_copy[-1].hash)
    assert (receipt.forked_after, receipt.left_through) == (3, 5)
    report = _device_report(db)
    assert report.ok and report.result.count == 8
    assert [(f.branch, f.parent, f.after_seq, f.left_seq) for f in report.forks] == [(2, 1, 3, 5)]
    assert "branch 2 continues entry 3 of branch 1" in str(report.forks[0])
    with db.read_engine.connect() as conn:
        recorded = conn.execute(text("SELECT detail FROM server_audit_entry WHERE event = 'audit.device_log_forked'"
                                     )).scalars().all()
    assert len(recorded) == 1 and f"device {DEVICE}: " in recorded[0] and "branch 2 continues entry 3" in recorded[0]

    # Going on from the new head is an ordinary upload, on branch 2.
    more = _chain(after_copy[-1], ["audit.forked"])
    receipt = audit.receive(db, DEVICE, _upload(more))
    assert receipt.forked_after is None and b"forked_after" not in receipt.canonical()
    # An entry the server holds, sent changed (its hash kept), is refused: never a fork.
    altered = chain.Entry(**{**first[1].as_json(), "detail": "never happened"})
    with pytest.raises(audit.AuditRefused, match="entry 2 differs from the one this device uploaded before"):
        audit.receive(db, DEVICE, _upload([first[0], altered, first[2]]))
    # A copy holding all of branch 1 put back: a third branch, off branch 1's last entry.
    receipt = audit.receive(db, DEVICE, _upload(first[3:] + _chain(first[-1], ["session.sign_in"])))
    assert (receipt.forked_after, receipt.left_through) == (5, 7)
    report = _device_report(db)
    assert report.ok and report.result.count == 10
    assert [(f.branch, f.parent, f.after_seq, f.left_seq) for f in report.forks] == [(2, 1, 3, 5), (3, 1, 5, 7)]
    entries = audit.entries(db, device_id=DEVICE, limit=100)
    assert [(e["branch"], e["seq"]) for e in entries] == [(3, 6), (2, 7), (2, 6), (2, 5), (2, 4), (1, 5), (1, 4),
                                                           (1, 3), (1, 2), (1, 1)]
    assert [(e["branch"], e["seq"]) for e in entries if "forked" in e] == [(3, 6), (2, 4)]
