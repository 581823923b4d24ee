"""The interface language switched while a form is open: the words Waypoint adds to the questions follow it, as the
rest of the window does, and no answer is lost. The questions themselves stay in the form language the person chose
(the Form language box), which is the interview's, not the interface's.

Found on a field-day pass (2026-12-07): after Language → Français with a registration open, "Clear answer",
"— Choose —", a date's "DD/MM/YYYY" and a household's "Add: Household member" stayed English beside
"Précédent", "Suivant" and "Page 7 sur 8"."""

from __future__ import annotations

import pytest

from tests.ui.forms.test_no_data_lost import _new_form, _started
from tests.ui.forms.test_migrant_end_to_end import Filler

pytestmark = pytest.mark.gui


def test_switching_to_french_with_a_form_open_translates_its_controls_and_keeps_the_answers(qtbot, make_app):
    app = _started(qtbot, make_app)
    screen = _new_form(qtbot, app)
    f = Filler(qtbot, screen)
    f.click("/data/consent/consent_given_by", "self")
    f.click("/data/consent/consent_services", "yes")
    f.type("/data/identity/given_name", "Awa")
    f.click("/data/group_info/travelling_alone", "no")
    f.type("/data/household_member[1]/member_name", "Moussa")
    given_by = screen.view.field("/data/consent/consent_given_by")
    language = screen.view.field("/data/consent/interview_language")
    date = screen.view.field("/data/centre_page/registered_on")
    household = screen.view.repeats["/data/household_member"]
    assert given_by.clear_button.text() == "Clear answer" and language.combo.itemText(0) == "— Choose —"

    app.window.language_actions["fr"].trigger()
    qtbot.waitUntil(lambda: screen.finalize_button.text() == "&Finaliser")  # Qt posts the language change
    assert given_by.clear_button.text() == "Effacer la réponse"
    assert language.combo.itemText(0) == "— Choisir —"
    assert date.edit.placeholderText() == "JJ/MM/AAAA"
    assert household.add_button.text().startswith("&Ajouter\u00a0:")
    assert household.instances[0].remove_button.text() == "Retirer 1"
    assert screen.session.language == "English (en)"  # the questions stay in the interview's language
    assert f.value("/data/household_member[1]/member_name") == "Moussa"
    assert f.value("/data/identity/given_name") == "Awa" and f.value("/data/consent/consent_given_by") == "self"
    assert screen.view.field("/data/identity/given_name").edit.text() == "Awa"

    app.window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: screen.finalize_button.text() == "&Finalize")
    assert given_by.clear_button.text() == "Clear answer" and language.combo.itemText(0) == "— Choose —"
