"""The app's "Sync now" against the real server on loopback: clicking it sends the records off the GUI thread,
the status widget shows the result, the list's sync-state column says Synced and the unsynced count drops to 0.
Waits on signals only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tests.sync.support import PASSPHRASE, fast_connect, sqlite_backend
from PySide6.QtCore import Qt
from records import register

from desktop_app.paths import app_paths
from desktop_app.services import places
from desktop_app.services import sync as sync_service
from desktop_app.sync import errors
from desktop_app.ui.app import build_app
from desktop_app.ui.sync_status import install_sync, local_minute
from desktop_app.vault import Vault

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

# SQLite only: the status bar, counts, enrol dialog and sentences are the app's; the protocol and
# enrolment against both databases are tested in test_sync_client.py and tests/server.
backend = sqlite_backend()


@pytest.fixture
def app_with_vault(qapp, qtbot, tmp_path, new_code, server):
    vault_path = tmp_path / "ui-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    centre = f"UI {tmp_path.name}"  # a centre of its own: no other test's records in this list
    sync_service.enrol(vault, server_url=server.url, code=new_code(centre), device_name="ui laptop")
    for n in range(6):
        register(vault, f"Ui Person {n}", 20 + n)
    vault.close()
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    sync = getattr(app, "sync", None)
    if sync is None:  # until the composition root wires it (desktop_app/ui/app.py)
        sync = install_sync(window=app.window, tasks=app.tasks, controller=app.controller)
    sync._connect = fast_connect()
    app.test_centre = centre
    yield app, sync
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def test_sync_now_sends_records_and_the_unsynced_count_drops_to_zero(app_with_vault, qtbot):
    app, sync = app_with_vault
    window = app.window
    with qtbot.waitSignal(window.counts_updated, timeout=30_000) as counted:
        with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
            app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    assert counted.args == [6, 6]
    qtbot.waitUntil(lambda: sync.status is not None, timeout=30_000)
    assert sync.status["enrolled"] and sync.status["unsynced"] == 6

    progress: list[tuple[int, int]] = []
    sync.progress.connect(lambda pushed, pulled: progress.append((pushed, pulled)))
    counts: list[tuple[int, int]] = []
    window.counts_updated.connect(lambda total, unsynced: counts.append((total, unsynced)))
    with qtbot.waitSignal(sync.finished, timeout=60_000) as finished:
        qtbot.mouseClick(window.sync_status_widget.button, Qt.MouseButton.LeftButton)
    summary = finished.args[0]
    assert summary.acknowledged == 6 and summary.conflicts == 0
    assert progress and progress[-1][0] == 6
    qtbot.waitUntil(lambda: (6, 0) in counts, timeout=30_000)  # the window refreshed its counts after the run
    assert window.unsynced_label.text().startswith("0 ")
    qtbot.waitUntil(lambda: "6 registrations sent" in window.sync_status_widget.label.text(), timeout=30_000)
    model = window.model
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=30_000)
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) in ("Sync", "Sync state", "Synced"))
    qtbot.waitUntil(lambda: {model.index(r, column).data() for r in range(6)} == {"Synced"}, timeout=30_000)


def test_probe_starts_a_sync_when_the_server_answers(app_with_vault, qtbot, enrolled):
    app, sync = app_with_vault
    colleague = enrolled("colleague", centre=app.test_centre)
    register(colleague, "Colleague Record", 50)
    sync_service.sync_now(colleague, connect=fast_connect())
    with qtbot.waitSignal(sync.status_changed, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    with qtbot.waitSignal(sync.finished, timeout=60_000):
        sync.probe()  # what the 60 s timer calls
    qtbot.waitUntil(lambda: sync.status is not None and sync.status["unsynced"] == 0, timeout=30_000)
    qtbot.waitUntil(lambda: app.window.model.rowCount() == 7, timeout=30_000)  # the colleague's record arrived
    with qtbot.waitSignal(sync.finished, timeout=60_000) as quiet:
        sync.probe()  # nothing new either way: a quiet run
    assert (quiet.args[0].acknowledged, quiet.args[0].pulled) == (0, 0)


def test_unreachable_server_fails_cleanly_and_backs_off(app_with_vault, qtbot, server):
    app, sync = app_with_vault
    with qtbot.waitSignal(sync.status_changed, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    dead = fast_connect(retry=sync_service.RetryPolicy(max_attempts=2, base_s=0.001, cap_s=0.002))
    sync._connect = lambda url, **kw: dead("http://127.0.0.1:9", **kw)  # nothing listens on port 9
    with qtbot.waitSignal(sync.failed, timeout=60_000) as failed:
        assert sync.sync_now()
    assert "unreachable" in failed.args[0]
    assert "Sync failed" in app.window.sync_status_widget.label.text()
    assert app.window.sync_action.isEnabled()  # "Sync now" never waits for the backoff
    qtbot.waitUntil(lambda: sync.status is not None and sync.status["unsynced"] == 6, timeout=30_000)


def test_enrol_dialog_refuses_plain_http_then_enrols(qapp, qtbot, tmp_path, new_code, server):
    vault_path = tmp_path / "enrol-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    vault.close()
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    try:
        sync = app.sync
        with qtbot.waitSignal(sync.status_changed, timeout=30_000):
            app.controller.unlock(username="admin", passphrase=PASSPHRASE)
        assert app.window.sync_enrol_action.isEnabled()
        app.window.sync_enrol_action.trigger()
        dialog = app.window.sync_enrol_dialog
        qtbot.keyClicks(dialog.server, "http://203.0.113.7:8470")
        qtbot.keyClicks(dialog.code, new_code())
        assert not dialog.enrol_button.isEnabled() and "https://" in dialog.message.text()
        dialog.server.setText(server.url)
        assert dialog.enrol_button.isEnabled()
        with qtbot.waitSignal(dialog.enrolment_done, timeout=60_000) as done:
            qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        assert done.args[0]["server"] == server.url
        qtbot.waitUntil(lambda: sync.status is not None and sync.status["enrolled"], timeout=30_000)
        assert not app.window.sync_enrol_action.isEnabled()
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)


def test_sync_actions_are_offered_only_while_unlocked(app_with_vault, qtbot):
    app, _sync = app_with_vault
    window = app.window
    assert not window.sync_action.isEnabled() and not window.sync_enrol_action.isEnabled()
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    assert window.sync_action.isEnabled()
    with qtbot.waitSignal(app.controller.locked, timeout=30_000):
        app.controller.lock()
    assert not window.sync_action.isEnabled() and not window.sync_enrol_action.isEnabled()


@pytest.fixture
def unenrolled_app(qapp, tmp_path):
    vault_path = tmp_path / "new-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    vault.close()
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    yield app
    app.close()
    qapp.processEvents()
    qapp.sendPostedEvents(None, 0)


def _unlock(qtbot, app):
    with qtbot.waitSignal(app.sync.status_changed, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)


@contextmanager
def _started_again(qapp, qtbot, vault_path, shows: str) -> Iterator:
    """The app started on a vault closed by an earlier run, unlocked, its status label once it `shows` the text;
    closed after."""
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=vault_path, kdf_profile="test", language="en")
    try:
        _unlock(qtbot, app)
        label = app.window.sync_status_widget.label
        qtbot.waitUntil(lambda: shows in label.text(), timeout=30_000)
        yield app, label
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)


def test_a_refused_enrolment_code_is_explained_and_stays_on_screen(unenrolled_app, qtbot, server):
    app = unenrolled_app
    _unlock(qtbot, app)
    app.window.sync_enrol_action.trigger()
    dialog = app.window.sync_enrol_dialog
    qtbot.keyClicks(dialog.server, server.url)
    qtbot.keyClicks(dialog.code, "ABCD-EFGH-JKMN-PQRS")  # no such code
    with qtbot.waitSignal(app.sync.failed, timeout=60_000):
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.sync.status is not None, timeout=30_000)
    assert "code" in dialog.message.text() and "not known" in dialog.message.text()
    assert dialog.enrol_button.isEnabled()  # corrected code, try again
    dialog.reject()


def test_after_enrolment_the_status_bar_names_the_centre(unenrolled_app, qtbot, server, new_code):
    app = unenrolled_app
    _unlock(qtbot, app)
    label = app.window.sync_status_widget.label
    assert label.text() == "Not enrolled for sync"
    app.window.set_language("fr")  # a live switch rewords what is already on screen
    qtbot.waitUntil(lambda: label.text() == "Appareil non inscrit", timeout=5_000)
    app.window.set_language("en")
    qtbot.waitUntil(lambda: label.text() == "Not enrolled for sync", timeout=5_000)
    app.window.sync_enrol_action.trigger()
    dialog = app.window.sync_enrol_dialog
    qtbot.keyClicks(dialog.server, server.url)
    qtbot.keyClicks(dialog.code, new_code("Dori reception point"))
    with qtbot.waitSignal(dialog.enrolment_done, timeout=60_000):
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Dori reception point" in label.text(), timeout=30_000)
    assert "not enrolled" not in label.text().lower()
    # the server's centre is one of the shipped centres: it becomes this laptop's country and centre
    task = app.controller.run_with_vault(lambda vault, state: places.get_place(vault))
    with qtbot.waitSignal(task.succeeded, timeout=10_000) as stored:
        pass
    assert (stored.args[0].country, stored.args[0].centre, stored.args[0].source) == ("BF", "bf_dori", "enrolment")


def test_sync_now_before_enrolment_says_why_and_offers_enrolment(unenrolled_app, qtbot):
    app = unenrolled_app
    _unlock(qtbot, app)
    app.window.sync_action.trigger()
    label = app.window.sync_status_widget.label
    assert "not enrolled" in label.text().lower() and "Enrol" in label.text()
    dialog = app.window.sync_enrol_dialog  # an administrator may enrol it now
    assert dialog.isVisible()
    dialog.reject()


def test_the_status_bar_counts_registrations_sent_not_saves_and_speaks_french(app_with_vault, qtbot):
    app, sync = app_with_vault
    window = app.window
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    qtbot.waitUntil(lambda: sync.status is not None, timeout=30_000)
    record = window.model  # six registrations, one of them saved five more times (autosaves)
    task = app.controller.run_with_vault(lambda vault, state: [register(vault, "Ui Person 0", 20 + n,
                                                                        record_id=_first_id(vault))
                                                               for n in range(5)])
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass
    with qtbot.waitSignal(sync.finished, timeout=60_000) as finished:
        window.sync_action.trigger()
    assert finished.args[0].acknowledged == 6  # operations on the wire: the five later saves changed one op
    label = window.sync_status_widget.label
    qtbot.waitUntil(lambda: "6 registrations sent" in label.text(), timeout=30_000)
    assert record is window.model
    window.set_language("fr")
    qtbot.waitUntil(lambda: "6 enregistrements envoyés" in label.text(), timeout=5_000)
    # at the app's usual width the French line gives up whole parts (the counts), never letters; the tooltip and
    # text() (what a screen reader reads) keep all of it
    window.resize(1100, 720)
    window.show()
    qtbot.waitExposed(window)
    full = label.text()
    qtbot.waitUntil(lambda: label.isVisible() and label.contentsRect().width() > 0, timeout=5_000)
    shown = label.shown_text()
    assert shown in (full, full.split(" · ")[0]) and label.toolTip() == full
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    window.set_language("en")


def _first_id(vault):
    from desktop_app.vault.registrations import page_registrations

    return page_registrations(vault, offset=0, limit=10)[-1].id


@pytest.mark.parametrize("error, words", [
    (errors.ServerKeyChanged(), ("key changed", "clé du serveur")),
    (errors.ServerRestored("epoch_changed", None), ("restored from a backup", "restauré")),
    (errors.ClockAhead(3), ("ahead of its clock", "horloge")),
    (errors.AlteredChange("record r, version 2"), ("altered or damaged", "modifiée ou endommagée")),
    (errors.DeviceCloned("copied"), ("also in use on another computer", "aussi utilisé sur un autre ordinateur")),
    (errors.DeviceUnknown("unknown device"), ("does not know this laptop", "ne connaît pas cet ordinateur")),
    (errors.SequenceUnfillable(4), ("no longer holds under those numbers", "ne détient plus sous ces numéros")),
    (errors.DeviceRevoked(), ("Nothing entered on it is lost: its registrations and unsent changes stay in its vault",
                              "Rien de ce qui y a été saisi n'est perdu")),
], ids=lambda v: type(v).__name__ if isinstance(v, Exception) else "")
def test_protocol_2_failures_have_their_own_sentence_in_both_languages(unenrolled_app, error, words):
    from desktop_app.ui.sync_messages import sync_error_text

    english = sync_error_text(error)
    unenrolled_app.translations.switch("fr")
    french = sync_error_text(error)
    unenrolled_app.translations.switch("en")
    assert words[0] in english and words[1] in french
    assert not error.transient  # none of these is retried blindly


def test_a_revoked_laptop_says_so_in_the_status_bar_at_the_next_start(qapp, qtbot, tmp_path, new_code, server,
                                                                      server_admin):
    """The operator's acceptance run: after the server refused a laptop for good (here revoked), the app started
    again said only "Enrolled: <centre>". It says what the last contact learned, in the person's language."""
    vault_path = tmp_path / "revoked-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    sync_service.enrol(vault, server_url=server.url, code=new_code("Revoked centre"), device_name="revoked laptop")
    server_admin.run("revoke", sync_service.sync_status(vault)["device_id"])
    with pytest.raises(errors.DeviceRevoked):
        sync_service.sync_now(vault, connect=fast_connect())
    vault.close()
    with _started_again(qapp, qtbot, vault_path, "revoked") as (app, label):
        # who revoked it, that nothing is lost, what to do (it said "the server revoked this laptop: ask an
        # administrator", and a field worker feared for the day's registrations)
        assert label.text() == ("Enrolled: Revoked centre · the administrator revoked this laptop; nothing entered "
                                "here is lost (unsent changes stay in the vault): ask for a new enrolment code and "
                                "enrol this laptop again")
        assert label.property("error") is True
        app.window.set_language("fr")
        qtbot.waitUntil(lambda: "l'administrateur a révoqué cet ordinateur" in label.text(), timeout=5_000)
        assert "rien de ce qui y a été saisi n'est perdu" in label.text()
        assert "nouveau code d'inscription" in label.text()
        app.window.set_language("en")


def _second_pull_fails(url, **kwargs):
    """The real connection, whose second pull (the one after the push) fails as an unreachable server would: the
    run has sent its records by then."""
    connection = fast_connect()(url, **kwargs)
    pull, pulls = connection.pull, []

    def pull_until_the_second(**asked):
        pulls.append(asked)
        if len(pulls) >= 2:
            raise errors.ServerUnreachable("the server went away after the push")
        return pull(**asked)

    connection.pull = pull_until_the_second
    return connection


@pytest.mark.parametrize("stops", [True, False], ids=["stopped", "completed"])
def test_a_last_run_that_stopped_on_an_error_says_so_at_the_next_start(qapp, qtbot, tmp_path, new_code, server,
                                                                       stops):
    """The operator's finding: a run that sent records then stopped on an error showed "last sync 16:50" after a
    restart, which a tired field worker reads as "all sent". The recorded `failed` is said, flagged, in both
    languages; a run that completed reads as before."""
    vault_path = tmp_path / "stopped-vault"
    vault, _ = Vault.create(vault_path, admin_username="admin", admin_passphrase=PASSPHRASE, kdf_profile="test")
    sync_service.enrol(vault, server_url=server.url, code=new_code("Stopped centre"), device_name="stopped laptop")
    register(vault, "Stopped Person", 30)
    if stops:
        with pytest.raises(errors.GaveUp):  # tried again with backoff, then given up
            sync_service.sync_now(vault, connect=_second_pull_fails)
    else:
        assert sync_service.sync_now(vault, connect=fast_connect()).acknowledged == 1
    status = sync_service.sync_status(vault)
    assert (status["last_sync"].get("failed"), status["last_sync"]["pushed"]) == ("GaveUp" if stops else None, 1)
    when = local_minute(status["last_sync_at"])
    vault.close()
    with _started_again(qapp, qtbot, vault_path, "Stopped centre") as (app, label):
        if stops:
            assert label.text() == f"Enrolled: Stopped centre · last sync {when}, stopped before the end"
            assert label.toolTip() == label.text() and label.property("error") is True
        else:
            assert label.text() == f"Enrolled: Stopped centre · last sync {when}"
            assert label.property("error") is False
        app.window.set_language("fr")
        french = (f"Inscrit\xa0: Stopped centre · dernière synchronisation {when}, interrompue avant la fin" if stops
                  else f"Inscrit\xa0: Stopped centre · dernière synchronisation {when}")
        qtbot.waitUntil(lambda: label.text() == french, timeout=5_000)
        assert label.toolTip() == french and label.property("error") is stops
        if stops:  # at the app's usual width the French line gives up the centre and the date, never "interrompue"
            app.window.resize(1100, 720)
            app.window.show()
            qtbot.waitExposed(app.window)
            qtbot.waitUntil(lambda: label.isVisible() and label.contentsRect().width() > 0, timeout=5_000)
            shown = label.shown_text()
            assert "interrompue avant la fin" in shown and when[11:] in shown
            assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
        app.window.set_language("en")


def test_the_last_sync_time_is_shown_in_the_laptops_own_time_zone(monkeypatch):
    """The vault keeps times in UTC; the status bar shows the last sync in local time, as the live "Synced HH:MM"."""
    monkeypatch.setenv("TZ", "Africa/Niamey")  # UTC+1, no daylight saving
    time.tzset()
    try:
        assert local_minute("2026-12-07T16:50:12.123456+00:00") == "2026-12-07 17:50"
        assert local_minute("2026-12-07T23:30:00+00:00") == "2026-12-08 00:30"  # the date moves with it
        assert local_minute("2026-12-07T16:50:12") == "2026-12-07 17:50"  # kept without its offset: UTC
        assert local_minute("not a time") == "not a time"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_every_way_the_server_refuses_a_laptop_for_good_has_its_own_status_in_both_languages(unenrolled_app):
    from desktop_app.sync.store import REFUSALS

    widget = unenrolled_app.window.sync_status_widget
    english = {reason: widget.refusal_text(reason) for reason in REFUSALS}
    unenrolled_app.translations.switch("fr")
    french = {reason: widget.refusal_text(reason) for reason in REFUSALS}
    unenrolled_app.translations.switch("en")
    assert len(set(english.values())) == len(set(french.values())) == len(REFUSALS)
    assert all(english[r] != french[r] for r in REFUSALS)
    assert "also in use on another computer" in english["cloned"] and "ne connaît pas" in french["unknown"]


def test_new_conflicts_from_the_server_are_named_in_both_languages(unenrolled_app, qtbot):
    """A reviewer's run that brought conflicts between other devices onto the desk says so (sync_status)."""
    from desktop_app.ui.sync_controller import RunReport

    app = unenrolled_app
    label = app.window.sync_status_widget.label
    app.sync.reported.emit(RunReport(sent=0, received=1, conflicts=0, rejected=0, from_server=2))
    assert "2 new conflicts between other devices to review" in label.text()
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: "2 nouveaux conflits entre d'autres appareils à examiner" in label.text(), timeout=5_000)
    app.window.set_language("en")


def test_a_put_back_vaults_renumbered_changes_are_named_in_both_languages(unenrolled_app, qtbot):
    """A run that numbered unsent changes again (the vault was put back from an older copy, or copied) says so."""
    from desktop_app.ui.sync_controller import RunReport

    app = unenrolled_app
    label = app.window.sync_status_widget.label
    app.sync.reported.emit(RunReport(sent=2, received=0, conflicts=0, rejected=0, renumbered=2))
    assert "put back from an older copy (or copied): 2 unsent changes numbered again and sent, nothing lost" \
        in label.text()
    assert label.property("error") is False  # nothing to act on: said, not flagged
    app.window.set_language("fr")
    qtbot.waitUntil(lambda: "copie plus ancienne (ou copié) : 2 modifications non envoyées renumérotées" in
                    label.text().replace("\xa0", " "), timeout=5_000)
    app.window.set_language("en")


def test_a_device_whose_vault_is_in_use_on_two_machines_is_named_on_the_devices_screen(unenrolled_app):
    """The coordinators' Devices screen says that a second live copy of a laptop's vault was found, in both
    languages (GET /v2/devices: cloned_at; tests/sync/test_sync_cloned_vault.py gets it from the real server)."""
    from desktop_app.ui.access_devices import DevicesModel
    from desktop_app.services.devices import DeviceInfo

    device = DeviceInfo(device_id="d", name="field laptop", enrolled_at="2026-12-01T08:00:00", revoked=False,
                        roles=[], cloned_at="2026-12-07T09:40:00")
    model = DevicesModel()
    english = model.state_text(device)
    unenrolled_app.translations.switch("fr")
    french = model.state_text(device)
    unenrolled_app.translations.switch("en")
    assert english == ("In use; vault also in use on another computer (copied), found on 2026-12-07: that copy must "
                       "be enrolled again with a new code")
    assert "aussi utilisé sur un autre ordinateur (copié), constaté le 2026-12-07" in french


def test_an_op_that_cannot_be_sent_stays_in_the_unsynced_count_and_is_named(app_with_vault, qtbot):
    app, sync = app_with_vault
    window = app.window
    with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    qtbot.waitUntil(lambda: sync.status is not None, timeout=30_000)
    task = app.controller.run_with_vault(lambda vault, state: register(vault, "Ui Unsendable " + "x" * 100_001, 33))
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass
    counts: list[tuple[int, int]] = []
    window.counts_updated.connect(lambda total, unsynced: counts.append((total, unsynced)))
    with qtbot.waitSignal(sync.finished, timeout=60_000) as finished:
        window.sync_action.trigger()
    assert finished.args[0].acknowledged == 6 and finished.args[0].not_sendable == 1
    qtbot.waitUntil(lambda: (7, 1) in counts, timeout=30_000)  # the status bar: 1 not yet synced
    assert window.unsynced_label.text().startswith("1 ")
    label = window.sync_status_widget.label
    qtbot.waitUntil(lambda: "1 cannot be sent" in label.text(), timeout=30_000)
    assert label.property("error")
    window.set_language("fr")
    qtbot.waitUntil(lambda: "1 ne peut pas être envoyé" in label.text(), timeout=5_000)
    window.set_language("en")


def test_an_enrolled_laptop_is_enrolled_again_keeping_what_waits(app_with_vault, qtbot, new_code, server):
    app, sync = app_with_vault
    window = app.window
    with qtbot.waitSignal(sync.status_changed, timeout=30_000):
        app.controller.unlock(username="admin", passphrase=PASSPHRASE)
    qtbot.waitUntil(lambda: window.sync_reenrol_action.isEnabled(), timeout=30_000)
    assert not window.sync_enrol_action.isEnabled() and window.sync_reenrol_action.text() == "Enrol this laptop again…"
    before = sync.status["device_id"]
    window.sync_reenrol_action.trigger()
    dialog = window.sync_enrol_dialog
    assert dialog.windowTitle() == "Enrol this laptop again" and dialog.findChild(object, "enrolAgainNote")
    qtbot.keyClicks(dialog.server, server.url)
    qtbot.keyClicks(dialog.code, new_code(app.test_centre))
    with qtbot.waitSignal(dialog.enrolment_done, timeout=60_000):
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sync.status is not None and sync.status["device_id"] not in (None, before), timeout=30_000)
    assert sync.status["unsynced"] == 6  # the six registrations still wait, under the new identity
    with qtbot.waitSignal(sync.finished, timeout=60_000) as finished:
        window.sync_action.trigger()
    assert finished.args[0].acknowledged == 6 and finished.args[0].conflicts == 0
    window.set_language("fr")
    qtbot.waitUntil(lambda: window.sync_reenrol_action.text() == "Inscrire de nouveau cet ordinateur…", timeout=5_000)
    window.set_language("en")


def test_the_rejected_changes_screen_gives_the_servers_refusal_in_french(qapp, qtbot, tmp_path, server,
                                                                          server_admin):
    """A field laptop deletes a record another laptop made (the server refuses it: outside its scope) and saves an
    answer too long to send (this laptop refuses it): the Rejected changes screen says both in French, not in the
    server's English."""
    from desktop_app.vault.registrations import delete_registration

    centre = f"UI refusals {tmp_path.name}"
    server_admin.code(centre)  # makes the centre
    laptops = {}
    for name in ("honest", "rogue"):
        vault, _ = Vault.create(tmp_path / name, admin_username="admin", admin_passphrase=PASSPHRASE,
                                kdf_profile="test")
        code = server_admin.run("enrol-code", "--centre", centre, "--roles", "field_staff")
        sync_service.enrol(vault, server_url=server.url, code=code, device_name=name)
        laptops[name] = vault
    made = register(laptops["honest"], "Ui Refused Person", 31).id
    sync_service.sync_now(laptops["honest"], connect=fast_connect())
    rogue = laptops["rogue"]
    sync_service.sync_now(rogue, connect=fast_connect())
    delete_registration(rogue, made)
    register(rogue, "Ui Unsendable " + "x" * 100_001, 33)
    summary = sync_service.sync_now(rogue, connect=fast_connect())
    assert summary.rejected == 1 and summary.not_sendable == 1
    assert summary.rejected_messages == ["refused by the server: outside your scope (own) for delete"]
    rogue.add_user("coordinator", "marble canyon violet engine", ("coordinator",))  # who reads the review desk
    for vault in laptops.values():
        vault.close()

    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=tmp_path / "rogue", kdf_profile="test",
                    language="fr")
    try:
        with qtbot.waitSignal(app.controller.unlocked, timeout=30_000):
            app.controller.unlock(username="coordinator", passphrase="marble canyon violet engine")
        area = app.window.desk
        area.rejected_action.trigger()
        page, model = area.rejected_page, area.rejected_model
        qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=30_000)
        shown = []  # (the list's reason, the detail's line) for each row
        for row in range(model.rowCount()):
            page.table.setCurrentIndex(model.index(row, 0))
            shown.append((model.index(row, 4).data(), page.reason.text()))
        refused = next(s for s in shown if s[0].startswith("Refusé par le serveur"))
        unsendable = next(s for s in shown if s is not refused)
        assert refused[0] == ("Refusé par le serveur : cet ordinateur ne peut faire ceci (suppression d'un "
                              "enregistrement) que sur les enregistrements faits sur cet ordinateur, et cet "
                              "enregistrement n'en fait pas partie."), refused
        assert refused[1].startswith("Enregistrement ") and refused[1].endswith(" : " + refused[0])
        assert unsendable[0] == "Cet ordinateur n'a pas pu l'envoyer : une réponse est trop longue (title).", \
            unsendable
        for text in (*refused, *unsendable):  # none of the server's or this laptop's English words
            assert not any(word in text for word in ("refused by", "outside your scope", "not sendable",
                                                     "should have")), text
        app.window.set_language("en")  # switched live: the same reasons in English
        qtbot.waitUntil(lambda: model.index(0, 4).data().startswith(("Refused by the server", "This laptop")),
                        timeout=5_000)
        assert {model.index(row, 4).data() for row in range(2)} == {
            "Refused by the server: that laptop may do this (deleting a record) only on the records made on that "
            "laptop, and this record is not one of them.",
            "This laptop could not send it: an answer is too long (title)."}
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)
