"""Translations: the compiled catalogues match their sources, French is complete, switching is live."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop_app.ui.app import RESOURCES

pytestmark = pytest.mark.gui

I18N = RESOURCES / "i18n"


def _load_updater():
    spec = importlib.util.spec_from_file_location("update_translations", I18N / "update_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogues_are_current_with_the_source_and_compiled_qm():
    # Re-runs lupdate and lrelease into a temporary folder and compares byte for byte: fails when a
    # new tr() string is not in the .ts, or the committed .qm was not recompiled.
    assert _load_updater().main(["--check"]) == 0


@pytest.mark.parametrize("ts", sorted(I18N.glob("*.ts")), ids=lambda p: p.name)
def test_every_message_is_translated(ts: Path):
    unfinished = []
    for message in ET.parse(ts).getroot().iter("message"):
        translation = message.find("translation")
        forms = translation.findall("numerusform") or [translation]
        if translation.get("type") == "unfinished" or any(not (f.text or "").strip() for f in forms):
            unfinished.append(message.find("source").text)
    assert unfinished == []


def test_language_switch_retranslates_visible_screens_live(qtbot, make_app):
    app = make_app(language="en")
    window = app.window
    window.show()
    qtbot.waitExposed(window)
    heading = window.setup_page.heading
    assert heading.text() == "Set up Waypoint on this computer"
    assert window.lock_label.text() == "Locked"

    window.language_actions["fr"].trigger()  # Language menu → Français
    qtbot.waitUntil(lambda: heading.text() == "Configurer Waypoint sur cet ordinateur", timeout=5000)
    assert window.lock_label.text() == "Verrouillé"
    assert window.file_menu.title() == "&Fichier"
    assert window.setup_page.location_next.text() == "&Suivant"
    assert app.settings.language == "fr"  # remembered for the next start

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: heading.text() == "Set up Waypoint on this computer", timeout=5000)


def test_french_at_start_and_plural_forms(qtbot, make_app):
    from desktop_app.services.session import Failure, Problem
    from desktop_app.ui.messages import failure_text

    app = make_app(language="fr")
    window = app.window
    assert window.setup_page.heading.text() == "Configurer Waypoint sur cet ordinateur"
    assert failure_text(Failure(Problem.TOO_MANY_ATTEMPTS, 1)).startswith("Trop de tentatives")
    assert "2 secondes" in failure_text(Failure(Problem.TOO_MANY_ATTEMPTS, 2))
    assert "1 seconde," in failure_text(Failure(Problem.TOO_MANY_ATTEMPTS, 1))
    window.set_language("en")
    qtbot.waitUntil(lambda: window.setup_page.heading.text().startswith("Set up"), timeout=5000)
    assert "Wait 1 second," in failure_text(Failure(Problem.TOO_MANY_ATTEMPTS, 1))
    assert "Wait 3 seconds," in failure_text(Failure(Problem.TOO_MANY_ATTEMPTS, 3))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_two_mnemonics_clash_on_one_screen(qtbot, make_app, language):
    """Alt+letter must reach one control only, in every language."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    app = make_app(language=language)
    window = app.window
    pages = [window.setup_page.steps.widget(i) for i in range(3)]
    unlock_modes = [window.unlock_page.modes.widget(i) for i in range(3)]  # passphrase, recovery code, erase
    shared = {id(p): [] for p in pages}
    shared.update({id(m): [window.unlock_page.other_folder_button, window.unlock_page.erase_link]
                   for m in unlock_modes[:2]})
    shared[id(unlock_modes[2])] = [window.unlock_page.other_folder_button]  # the erase link hides there
    for screen in pages + unlock_modes:
        keys: dict[str, str] = {}
        for widget in screen.findChildren(QAbstractButton) + screen.findChildren(QLabel) + shared[id(screen)]:
            text = widget.text()
            if "&" not in text.replace("&&", ""):
                continue
            key = text[text.index("&") + 1].lower()
            assert key not in keys, f"{language}: {keys[key]!r} and {text!r} both use Alt+{key}"
            keys[key] = text
    menus = [window.file_menu.title(), window.registrations_menu.title(), window.language_menu.title(),
             window.help_menu.title()]
    letters = [t[t.index("&") + 1].lower() for t in menus]
    assert len(set(letters)) == len(letters), menus
