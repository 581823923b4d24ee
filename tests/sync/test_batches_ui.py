"""The app's "USB batch files…" dialog against the real server on loopback: a field laptop exports with progress and
is told the drive is safe to remove; a coordinator's app (in French) imports the stick, forwards when online and
writes the receipts back; the field laptop's app applies its receipt. Waits on signals only.

WAYPOINT_SCREENSHOTS=docs/screenshots saves the screens shown in docs/batches.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop_app.paths import app_paths
from desktop_app.services import sync as sync_service
from desktop_app.ui.app import build_app
from desktop_app.ui.sync_batches import STATUS
from desktop_app.ui.sync_status import install_sync
from desktop_app.vault import Vault
from tests.sync.records import register
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the dialog, its progress and sentences are the app's; batch import, forwarding and
# receipts on both databases are tested in test_batches.py and test_batches_end_to_end.py.
backend = sqlite_backend()


def shot(dialog, name: str) -> None:
    folder = os.environ.get("WAYPOINT_SCREENSHOTS")
    if folder:
        dialog.folder.setText("/media/usb-stick")  # the test's real folder is a temporary path
        dialog.grab().save(str(Path(folder) / name))


def drop(widget, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def open_app(qapp, qtbot, vault_path: Path, language: str):
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language=language)
    sync = getattr(app, "sync", None) or install_sync(window=app.window, tasks=app.tasks, controller=app.controller)
    sync._connect = fast_connect()
    with qtbot.waitSignal(sync.status_changed, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    return app, sync


def close_app(qapp, app) -> None:
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def laptops(tmp_path, new_code, server, field_centre: str, office: str, names: list[str], first_age: int):
    """A field laptop holding `names` and a coordinator's laptop (the courier), both enrolled; and the stick's path."""
    field_path, courier_path, stick = tmp_path / "field", tmp_path / "courier", tmp_path / "stick"
    for path, centre in ((field_path, field_centre), (courier_path, office)):
        vault, _ = Vault.create(path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
        sync_service.enrol(vault, server_url=server.url, code=new_code(centre), device_name=path.name)
        if path == field_path:
            for age, name in enumerate(names, start=first_age):
                register(vault, name, age)
        vault.close()
    return field_path, courier_path, stick


def test_export_carry_forward_and_receipt_in_the_app(qapp, qtbot, tmp_path, new_code, server):
    field_path, courier_path, stick = laptops(tmp_path, new_code, server, "Tahoua transit centre",
                                              "Niamey regional office", [f"Synthetic Ui Batch {n}" for n in range(4)], 20)

    # The field laptop exports: progress, then "safe to remove".
    app, sync = open_app(qapp, qtbot, field_path, "en")
    app.window.sync_batch_action.trigger()
    dialog = app.window.batch_dialog
    dialog.folder.setText(str(stick))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "safe to remove" in dialog.message.text(), timeout=30_000)
    assert "1 file written · 4 operations" in dialog.message.text()
    assert len(list(stick.glob("*.wpbatch"))) == 1
    shot(dialog, "en-batches-1-export.png")
    dialog.close()
    close_app(qapp, app)

    # The coordinator's app, in French: import the stick, forward, receipts written back on it.
    app, sync = open_app(qapp, qtbot, courier_path, "fr")
    app.window.sync_batch_action.trigger()
    dialog = app.window.batch_dialog
    assert dialog.forward_button.text() == "Transmettre au serveur"
    drop(dialog, list(stick.glob("*.wpbatch")))  # files dragged from the stick onto the dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and "lu" in dialog.message.text(), timeout=30_000)
    assert dialog.model.index(0, STATUS).data() == "En attente de transmission"
    # Online again: the next sync run forwards what the machine carries on its own.
    with qtbot.waitSignal(sync.forwarded, timeout=60_000) as forwarded:
        sync.sync_now()
    assert [f["status"] for f in forwarded.args[0]["files"]] == ["accepted"]
    assert forwarded.args[0]["receipts"] == []  # they wait in the vault for a stick
    # The stick is back in: "Forward" writes the receipts onto it.
    dialog.folder.setText(str(stick))
    with qtbot.waitSignal(sync.forwarded, timeout=60_000):
        qtbot.mouseClick(dialog.forward_button, Qt.MouseButton.LeftButton)
    assert dialog.model.index(0, STATUS).data() == "Accepté"
    assert dialog.model.index(0, STATUS + 1).data() == "4 opérations importées"
    assert "retirer le support" in dialog.message.text()
    shot(dialog, "fr-batches-2-courier.png")
    dialog.close()
    close_app(qapp, app)
    receipts = list(stick.rglob("*.wpreceipt"))
    assert len(receipts) == 1

    # Back at the centre: the receipt acknowledges the four records.
    app, sync = open_app(qapp, qtbot, field_path, "en")
    assert sync.status["unsynced"] == 4
    app.window.sync_batch_action.trigger()
    dialog = app.window.batch_dialog
    dialog.import_files(str(receipts[0].parent))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and "read" in dialog.message.text(), timeout=30_000)
    assert dialog.model.index(0, STATUS).data() == "Receipt applied"
    assert dialog.model.index(0, STATUS + 1).data().startswith("4 acknowledged")
    shot(dialog, "en-batches-3-receipt.png")
    with qtbot.waitSignal(sync.status_changed, timeout=30_000):
        sync.refresh_status()
    assert sync.status["unsynced"] == 0
    dialog.close()
    close_app(qapp, app)


def test_a_file_the_courier_keeps_after_a_forward_is_said_waiting_with_why(qapp, qtbot, tmp_path, new_code, server):
    """Part 2 of a three-part export stayed behind: the server takes part 1 and refuses part 3 for now; the courier
    keeps part 3 for the next forward, and the dialog says so (waiting, and why), not "Rejected"."""
    from desktop_app.services import batches as batch_service

    field_path, courier_path, carried = tmp_path / "field", tmp_path / "courier", tmp_path / "carried"
    for path, centre in ((field_path, "Tillabéri transit centre"), (courier_path, "Niamey regional office")):
        vault, _ = Vault.create(path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
        sync_service.enrol(vault, server_url=server.url, code=new_code(centre), device_name=path.name)
        if path == field_path:
            for n in range(7):
                register(vault, f"Synthetic Ui Waiting {n}", 20 + n)
            files = batch_service.export(vault, tmp_path / "stick", max_ops=3).files
        vault.close()
    assert len(files) == 3
    carried.mkdir()
    for name in (files[0], files[2]):  # part 2 stayed behind
        Path(name).rename(carried / Path(name).name)

    app, sync = open_app(qapp, qtbot, courier_path, "fr")
    try:
        app.window.sync_batch_action.trigger()
        dialog = app.window.batch_dialog
        drop(dialog, sorted(carried.glob("*.wpbatch")))
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 2 and "lu" in dialog.message.text(), timeout=30_000)
        with qtbot.waitSignal(sync.forwarded, timeout=60_000) as forwarded:
            qtbot.mouseClick(dialog.forward_button, Qt.MouseButton.LeftButton)
        assert [(f["part"], f["status"], f["reason"]) for f in forwarded.args[0]["files"]] == [
            (1, "accepted", None), (3, "rejected", "part_missing")]  # the server's answer; the courier keeps part 3
        rows = {dialog.model.index(row, 2).data(): row for row in range(2)}  # by "n of 3"
        waiting = rows["3 sur 3"]
        assert dialog.model.index(waiting, STATUS).data() == "En attente de transmission"
        assert dialog.model.index(waiting, STATUS + 1).data() == (
            "Une autre partie de cet export manque. Le fichier attend l'arrivée de la partie manquante.")
        said = dialog.message.text()
        assert said.startswith("1 fichier transmis") and "Rejeté" not in said and "rejected" not in said, said
        assert said.endswith("1 fichier attend encore ici, il n'est pas rejeté : Une autre partie de cet export "
                             "manque. Le fichier attend l'arrivée de la partie manquante."), said
        app.window.set_language("en")
        assert dialog.model.index(waiting, STATUS).data() == "Waiting to be forwarded"
        qtbot.waitUntil(lambda: dialog.message.text().endswith(
            "1 file still waiting here, not rejected: Another part of this export is missing. The file waits until "
            "the missing part arrives."), timeout=5_000)  # the dialog retranslates on the language change event
        dialog.close()
    finally:
        close_app(qapp, app)


def test_a_full_drive_is_said_in_the_interface_language_and_nothing_is_lost(qapp, qtbot, tmp_path, new_code, server):
    """An export onto a full stick said "La synchronisation s'est arrêtée : OSError" (the name of the exception);
    receipts onto a full stick too, and hid that the files had gone. Now each says the drive is full, that nothing
    is lost and what to do; the next export and the next forward onto a drive with room carry everything."""
    from test_server_logs import full_tmpfs

    field_path, courier_path, stick = laptops(tmp_path, new_code, server, "Tanout transit centre",
                                              "Zinder regional office", [f"Synthetic Ui Full {n}" for n in range(2)], 30)

    with full_tmpfs(1) as drive:
        with open(drive / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:  # the stick full to the last block
                filler.write(b"\0" * 4096)
        app, sync = open_app(qapp, qtbot, field_path, "fr")
        try:
            app.window.sync_batch_action.trigger()
            dialog = app.window.batch_dialog
            dialog.folder.setText(str(drive / "stick"))
            qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: dialog.export_button.isEnabled() and "exportez de nouveau" in
                            dialog.message.text(), timeout=30_000)
            assert dialog.message.text() == (
                f"Les fichiers de lot n'ont pas pu être écrits dans {drive / 'stick'} (le support est plein). Rien "
                "n'est perdu : chaque modification pas encore confirmée part dans le prochain export, et aucun "
                "fichier du support n'est à moitié écrit. Libérez de la place sur le support (ou utilisez-en un "
                "autre) et exportez de nouveau.")
            dialog.folder.setText(str(stick))  # another stick: everything goes
            qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: "retirer le support" in dialog.message.text(), timeout=30_000)
            assert "2 opérations" in dialog.message.text()
            dialog.close()
        finally:
            close_app(qapp, app)

        app, sync = open_app(qapp, qtbot, courier_path, "en")
        try:
            app.window.sync_batch_action.trigger()
            dialog = app.window.batch_dialog
            dialog.import_files(str(stick))
            qtbot.waitUntil(lambda: dialog.model.rowCount() == 1 and "read" in dialog.message.text(), timeout=30_000)
            dialog.folder.setText(str(drive / "receipts"))
            with qtbot.waitSignal(sync.forwarded, timeout=60_000):
                qtbot.mouseClick(dialog.forward_button, Qt.MouseButton.LeftButton)
            assert dialog.model.index(0, STATUS).data() == "Accepted"
            assert dialog.message.text() == (
                f"1 file forwarded · 0 receipts written. The remaining receipts could not be written to "
                f"{drive / 'receipts'} (the drive is full). Nothing is lost: they wait on this machine. Free some "
                "space on the drive (or choose another) and press Forward to the server again to write them.")
            dialog.folder.setText(str(tmp_path / "back"))
            with qtbot.waitSignal(sync.forwarded, timeout=60_000):
                qtbot.mouseClick(dialog.forward_button, Qt.MouseButton.LeftButton)
            assert "safe to remove the drive" in dialog.message.text()
            assert len(list((tmp_path / "back").rglob("*.wpreceipt"))) == 1
            dialog.close()
        finally:
            close_app(qapp, app)
