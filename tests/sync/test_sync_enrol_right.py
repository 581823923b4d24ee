"""Who may enrol this laptop for sync, a first time or again: the enrolment decides the laptop's centre (what its
field staff see, where its records are filed), so it is managing the device, the manage-devices right of the
policy table (administrators, coordinators), asked of the roles the person's grant gives them now (not of the
label their key slot was made with), audited without personal data. Field staff never enrol a laptop (docs/access.md,
"Who enrols a laptop"). Real vaults, the real server on loopback, the app's widgets (pytest-qt). Synthetic names."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from tests.sync.support import PASSPHRASE, sqlite_backend
from tests.sync.test_sync_client import waypoint

from desktop_app.paths import app_paths
from desktop_app.services import access
from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.ui.app import build_app
from desktop_app.ui.sync_status import open_enrol_dialog
from desktop_app.vault import Vault
from desktop_app.vault import audit as log

backend = sqlite_backend()

DEMOTED, PROMOTED, FIELD = "ines", "oumar", "fatou"
WORDS = {DEMOTED: "demoted passphrase 4411", PROMOTED: "promoted passphrase 5522", FIELD: "field passphrase 6633"}


def _team(make_vault, name: str) -> Vault:
    """A laptop whose administrator made ines an administrator then took the role back (her key slot still says
    administrator), made oumar field staff then a coordinator, and fatou field staff."""
    vault = make_vault(name)
    vault.add_user(DEMOTED, WORDS[DEMOTED], "administrator")
    vault.set_roles(DEMOTED, ["field_staff"])
    vault.add_user(PROMOTED, WORDS[PROMOTED], "field_staff")
    vault.set_roles(PROMOTED, ["coordinator"])
    vault.add_user(FIELD, WORDS[FIELD], "field_staff")
    path = vault.path
    vault.close()
    return path


def _enrol_entries(vault: Vault) -> list[log.Entry]:
    return log.entries(vault, log.Filter(event_prefix="devices.enrol"), newest_first=False)


def test_enrolling_asks_the_granted_roles_not_the_slots_label_and_is_audited(make_vault, new_code, server):
    path = _team(make_vault, "granted")
    with Vault.unlock(path, username=DEMOTED, passphrase=WORDS[DEMOTED]) as demoted:
        with pytest.raises(access.EnrolRefused, match="administrator or a coordinator"):
            sync_service.enrol(demoted, server_url=server.url, code=new_code())
        assert store.status(demoted)["enrolled"] is False
        [refused] = _enrol_entries(demoted)
        assert (refused.event, refused.outcome, refused.actor) == ("devices.enrol", "refused", DEMOTED)
        assert "not allowed to manage devices" in refused.detail
    with Vault.unlock(path, username=PROMOTED, passphrase=WORDS[PROMOTED]) as promoted:
        assert sync_service.enrol(promoted, server_url=server.url, code=new_code())["centre"] == "Agadez"
        assert store.status(promoted)["enrolled"] is True
        allowed = _enrol_entries(promoted)[-1]
        assert (allowed.event, allowed.outcome, allowed.actor) == ("devices.enrol", "allowed", PROMOTED)
        assert "Agadez" not in allowed.detail  # codes and roles only: no centre name typed by anyone, no person
        assert log.verify(promoted).ok
    assert not access.may_manage_devices(("field_staff", "case_worker"))
    assert access.may_manage_devices(("administrator",)) and access.may_manage_devices(("coordinator",))


def test_enrolling_again_to_another_centre_is_refused_without_the_right_on_the_command_line(
        make_vault, new_code, server):
    path = _team(make_vault, "again")
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as admin:
        sync_service.enrol(admin, server_url=server.url, code=new_code("Agadez"))
    for name in (DEMOTED, FIELD):
        moved = waypoint("enrol", "--vault", str(path), "--user", name, "--server", server.url,
                         "--code", new_code("Niamey"), "--again", env_extra={"WAYPOINT_PASSPHRASE": WORDS[name]})
        assert moved.returncode != 0
        assert "Only an administrator or a coordinator can enrol this laptop" in moved.stderr
        assert "Traceback" not in moved.stderr
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as admin:
        assert store.status(admin)["centre_name"] == "Agadez"  # still the Agadez laptop
        assert [e.outcome for e in _enrol_entries(admin)] == ["allowed", "refused", "refused"]
    with Vault.unlock(path, username=PROMOTED, passphrase=WORDS[PROMOTED]) as promoted:  # a coordinator moves it
        assert sync_service.enrol(promoted, server_url=server.url, code=new_code("Niamey"), again=True)[
            "centre"] == "Niamey"


@pytest.mark.gui
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_enrol_entries_are_only_for_those_who_manage_the_laptop_and_a_refusal_is_said_in_both_languages(
        qapp, qtbot, make_vault, server, new_code):
    path = _team(make_vault, "ui")
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=path, kdf_profile="test", language="en")
    try:
        window = app.window
        with qtbot.waitSignal(app.sync.status_changed, timeout=30_000):
            app.controller.unlock(username=DEMOTED, passphrase=WORDS[DEMOTED])
        assert not window.sync_enrol_action.isVisible() and not window.sync_enrol_action.isEnabled()
        assert not window.sync_reenrol_action.isVisible() and not window.sync_reenrol_action.isEnabled()
        dialog = open_enrol_dialog(window, app.sync)  # reached all the same: the service refuses
        qtbot.keyClicks(dialog.server, server.url)
        qtbot.keyClicks(dialog.code, new_code())
        with qtbot.waitSignal(app.sync.failed, timeout=60_000):
            qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "Only an administrator or a coordinator can enrol this laptop."
        window.set_language("fr")
        dialog.reject()
        dialog = open_enrol_dialog(window, app.sync)
        qtbot.keyClicks(dialog.server, server.url)
        qtbot.keyClicks(dialog.code, new_code())
        with qtbot.waitSignal(app.sync.failed, timeout=60_000):
            qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "Seul un administrateur ou un coordinateur peut inscrire cet ordinateur."
        dialog.reject()
        window.set_language("en")
        with qtbot.waitSignal(app.controller.locked, timeout=30_000):
            app.controller.lock()
        with qtbot.waitSignal(app.sync.status_changed, timeout=30_000):
            app.controller.unlock(username=PROMOTED, passphrase=WORDS[PROMOTED])
        assert window.sync_enrol_action.isVisible() and window.sync_enrol_action.isEnabled()
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)


SCOPED, SCOPED_WORDS = "moussa", "scoped administrator passphrase 8812"
AGADEZ, NIAMEY = "Agadez transit centre", "Niamey transit centre"  # the server's names, as the shipped list's


def _scoped_team(make_vault, name: str) -> Vault:
    """A laptop with a second administrator whose grant names centre ne_agadez (the grant's `scope`, signed by the
    role authority as every grant is; nothing in the app writes one yet, so the test signs it as an administrator's
    laptop would)."""
    from desktop_app.vault import grants, keyslots, users

    vault = make_vault(name)
    vault.add_user(SCOPED, SCOPED_WORDS, "administrator")
    doc = keyslots.load(vault.path, vault._directory_key)
    grants.sign(doc, users.user_slot(doc, SCOPED), vault._require_admin(), issued_by=vault.user.id,
                roles=("administrator",), scope={"centre": "ne_agadez"})
    keyslots.save(vault.path, doc)
    path = vault.path
    vault.close()
    return path


def _centre_entries(vault: Vault) -> list[log.Entry]:
    return log.entries(vault, log.Filter(event_prefix="devices.enrol_centre"), newest_first=False)


def test_an_administrator_of_one_centre_cannot_enrol_the_laptop_into_another(make_vault, new_code, server):
    """Found in review (2026-12-08): check_enrol asked only the manage-devices right, never which centre. An
    administrator whose grant names Agadez enrolled the laptop with a code of Niamey: the laptop became Niamey's and
    its next sync pulled Niamey's people. Now the code's centre (the server's answer) is compared with the grant's
    before the enrolment is kept: refused, audited with codes only, said in English and French on the command line;
    the laptop is not enrolled (or stays Agadez's when enrolled again). A grant for every centre enrols anywhere."""
    path = _scoped_team(make_vault, "scoped")
    with Vault.unlock(path, username=SCOPED, passphrase=SCOPED_WORDS) as scoped:
        assert scoped.grant.scope == {"centre": "ne_agadez"}
        with pytest.raises(access.EnrolCentreRefused) as refused:
            sync_service.enrol(scoped, server_url=server.url, code=new_code(NIAMEY))
        assert "This enrolment code is for Niamey transit centre" in str(refused.value)
        assert "Ce code d'inscription est pour Niamey transit centre" in refused.value.french
        assert store.status(scoped)["enrolled"] is False  # nothing kept: no sync can pull Niamey's people
        with pytest.raises(sync_service.errors.NotEnrolled):
            sync_service.sync_now(scoped)
        [entry] = _centre_entries(scoped)
        assert (entry.event, entry.outcome, entry.actor) == ("devices.enrol_centre", "refused", SCOPED)
        assert "ne_niamey" in entry.detail and "ne_agadez" in entry.detail
        assert "Niamey transit" not in entry.detail and "Agadez transit" not in entry.detail  # codes only
        # its own centre's code enrols it
        assert sync_service.enrol(scoped, server_url=server.url, code=new_code(AGADEZ))["centre"] == AGADEZ
        assert _centre_entries(scoped)[-1].outcome == "allowed"
        assert log.verify(scoped).ok
    moved = waypoint("enrol", "--vault", str(path), "--user", SCOPED, "--server", server.url,
                     "--code", new_code(NIAMEY), "--again", env_extra={"WAYPOINT_PASSPHRASE": SCOPED_WORDS})
    assert moved.returncode != 0
    assert "This enrolment code is for Niamey transit centre, and your role covers Agadez transit centre only" \
        in moved.stderr
    assert "Ce code d'inscription est pour Niamey transit centre" in moved.stderr
    assert "Traceback" not in moved.stderr
    with Vault.unlock(path, username="admin", passphrase=PASSPHRASE) as admin:
        assert store.status(admin)["centre_name"] == AGADEZ  # still the Agadez laptop
        # the administrator whose grant names no centre (every centre) moves it
        assert sync_service.enrol(admin, server_url=server.url, code=new_code(NIAMEY), again=True)["centre"] == NIAMEY
        assert [e.outcome for e in _centre_entries(admin)] == ["refused", "allowed", "refused"]


@pytest.mark.gui
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_the_app_says_in_both_languages_that_a_code_is_for_another_centre(qapp, qtbot, make_vault, server, new_code):
    path = _scoped_team(make_vault, "scoped-ui")
    app = build_app(qt_app=qapp, paths=app_paths(), vault_path=path, kdf_profile="test", language="en")
    try:
        window = app.window
        with qtbot.waitSignal(app.sync.status_changed, timeout=30_000):
            app.controller.unlock(username=SCOPED, passphrase=SCOPED_WORDS)
        for language, expected in (
                ("en", "This enrolment code is for Niamey transit centre, and your role covers Agadez transit centre "
                       "only: this laptop was not enrolled"),
                ("fr", "Ce code d'inscription est pour Niamey transit centre, et votre rôle ne couvre que Agadez "
                       "transit centre\u00a0: cet ordinateur n'a pas été inscrit")):
            window.set_language(language)
            dialog = open_enrol_dialog(window, app.sync)
            qtbot.keyClicks(dialog.server, server.url)
            qtbot.keyClicks(dialog.code, new_code(NIAMEY))
            with qtbot.waitSignal(app.sync.failed, timeout=60_000):
                qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
            assert dialog.message.text().startswith(expected), dialog.message.text()
            dialog.reject()
        window.set_language("en")
    finally:
        app.close()
        qapp.processEvents()
        qapp.sendPostedEvents(None, 0)
