"""A laptop whose vault was put back from an older copy after ops it made later had reached the server: the changes
recorded since are numbered in the outbox with numbers the server holds for those later ops, and the server refuses
them (409 `sequence_reused`, nothing stored). Against the real server on loopback: the laptop numbers them again
after the server's high-water mark by itself, in the same run and one vault transaction, and says so in its audit
log; the changes reach the server, nothing is applied twice, and the laptop receives its own lost later changes
(docs/sync-protocol.md, "A laptop's vault put back from an older copy")."""

from __future__ import annotations

import shutil

from records import register
from tests.sync.support import PASSPHRASE, fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import errors, store
from desktop_app.vault import Vault
from desktop_app.vault import audit as log
from desktop_app.vault.registrations import count_unsynced, get_registration
from waypoint_core.access import audit as chain


def _noting_refusals(refusals: list[tuple[int | None, int]]):
    """The real connection; each sequence_reused refusal the laptop meets is noted (reused_from, high-water mark)."""

    def connect(url, **kwargs):
        connection = fast_connect()(url, **kwargs)
        push = connection.push

        def noted(body):
            try:
                return push(body)
            except errors.SequenceReused as refusal:
                refusals.append((refusal.reused_from, refusal.high_water_mark))
                raise

        connection.push = noted
        return connection

    return connect


def _title_age_version(vault: Vault, record_id: str) -> tuple[str, int, int]:
    record = get_registration(vault, record_id)
    return record.title, record.age, record.server_version


def test_a_put_back_laptop_numbers_its_new_changes_after_the_server_by_itself(enrolled, tmp_path):
    laptop, colleague = enrolled("put-back"), enrolled("colleague")
    first = [register(laptop, f"Copy Person {n}", 20 + n).id for n in range(2)]
    assert sync_service.sync_now(laptop, connect=fast_connect()).acknowledged == 2  # device_seq 1-2
    path = laptop.path
    laptop.close()
    copy = tmp_path / "older-copy-of-the-vault"
    shutil.copytree(path, copy)

    # After the copy: two more ops reach the server (device_seq 3-4), then the vault is put back from the copy.
    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    register(laptop, "Copy Person 0 edited", 40, record_id=first[0])
    later = register(laptop, "Later Person", 33).id
    assert sync_service.sync_now(laptop, connect=fast_connect()).acknowledged == 2
    laptop.close()
    shutil.rmtree(path)
    shutil.copytree(copy, path)

    laptop = Vault.unlock(path, username="admin", passphrase=PASSPHRASE)
    try:
        new = register(laptop, "After The Copy", 51).id
        register(laptop, "Copy Person 1 edited", 61, record_id=first[1])
        refusals: list[tuple[int | None, int]] = []
        summary = sync_service.sync_now(laptop, connect=_noting_refusals(refusals))
        # Numbered 3-4 here, which the server holds for the lost ops: refused once, numbered 5-6, sent again.
        assert refusals == [(3, 4)]
        assert summary.acknowledged == 2 and summary.rejected == 0 and count_unsynced(laptop) == 0
        assert summary.renumbered == 2  # said in the status bar (tests/sync/test_sync_ui.py)
        assert store.status(laptop)["acked_device_seq"] == 6
        renumbered = [e for e in log.entries(laptop, limit=10_000) if e.event == chain.SYNC_RENUMBERED]
        assert len(renumbered) == 1 and renumbered[0].outcome == "done"
        assert "numbered 3-4 again as 5-6" in renumbered[0].detail
        # Its own lost later changes came back; its new ones hold the server's versions.
        expected = {first[0]: ("Copy Person 0 edited", 40, 2), later: ("Later Person", 33, 1),
                    new: ("After The Copy", 51, 1), first[1]: ("Copy Person 1 edited", 61, 2)}
        for record_id, values in expected.items():
            assert _title_age_version(laptop, record_id) == values
            assert get_registration(laptop, record_id).sync_state == "acknowledged"

        # Another laptop sees every change once: no op was applied twice (a second application is a new version).
        sync_service.sync_now(colleague, connect=fast_connect())
        for record_id, values in expected.items():
            assert _title_age_version(colleague, record_id) == values

        # The next run is quiet, and a refusal this laptop's state does not explain moves nothing: 5 was
        # acknowledged here.
        again = sync_service.sync_now(laptop, connect=fast_connect())
        assert again.pushed == 0 and again.acknowledged == 0
        batch = store.FrozenBatch(batch_id="", seq_from=5, seq_to=6, body=b"", op_count=2)
        assert store.renumber_reused(laptop, batch, errors.SequenceReused("", reused_from=5, high_water_mark=9)) == 0
        assert store.renumber_reused(laptop, batch, errors.SequenceReused("", reused_from=None,
                                                                          high_water_mark=9)) == 0
        assert store.status(laptop)["acked_device_seq"] == 6
    finally:
        laptop.close()
