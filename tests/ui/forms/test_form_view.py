"""The form view on the real engine and real shipped form: relevance, constraint messages beside the
field, repeats, language switch (French, Arabic right-to-left) and a widget for every control kind."""

from __future__ import annotations


import pytest
from PySide6.QtCore import QPoint, Qt

from desktop_app.services import forms
from desktop_app.ui.forms import choices, fields, moments, other_fields
from desktop_app.ui.forms.screen import FormScreen, OpenedForm
from desktop_app.ui.forms.view import FormView
from tests.corpus import corpus_path
from waypoint_core.xform import FormDefinition, FormSession

pytestmark = pytest.mark.gui

CORPUS = corpus_path("xforms")


@pytest.fixture
def make_view(qtbot):
    def make(definition: FormDefinition, **kwargs) -> FormView:
        view = FormView(session=FormSession(definition, **kwargs))
        qtbot.addWidget(view)
        view.resize(1100, 800)
        view.show()
        return view
    return make


def click_choice(qtbot, view: FormView, ref: str, value: str) -> None:
    widget = view.field(ref)
    view.go_to_page(view.page_of(widget))  # a person clicks what is on screen
    if isinstance(widget, choices.SelectOneComboField):
        widget.combo.setCurrentIndex(widget.combo.findData(value))
    else:
        click(qtbot, widget.choice_button(value))


def click(qtbot, button) -> None:
    """Click where a person would: on the box and its text, not the empty end of a stretched row."""
    qtbot.waitUntil(lambda: button.height() >= button.sizeHint().height(), timeout=5_000)  # laid out
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def page_titled(view: FormView, title: str) -> int:
    return next(i for i, p in enumerate(view.pages) if p.title == title)


def test_consent_answer_shows_and_hides_questions_and_pages(qtbot, make_view, migrant_definition):
    view = make_view(migrant_definition)
    identity = page_titled(view, "Identity")
    share = view.field("/data/consent/consent_share_providers")
    note = view.field("/data/consent/no_consent_note")
    assert not view.pages[identity].relevant and view.index.isRowHidden(identity)
    assert share.isHidden() and note.isHidden()

    click_choice(qtbot, view, "/data/consent/consent_services", "yes")
    assert view.session.value("/data/consent/consent_services") == "yes"
    assert not share.isHidden() and note.isHidden()
    assert view.pages[identity].relevant and not view.index.isRowHidden(identity)

    click_choice(qtbot, view, "/data/consent/consent_services", "no")
    assert share.isHidden() and not note.isHidden()
    assert view.index.isRowHidden(identity)
    # Next skips every page that does not apply: after consent, nothing is left to visit
    view.go_to_page(page_titled(view, "Consent and legal basis"))
    assert not view.next_button.isEnabled()


def test_constraint_message_appears_beside_the_field_and_goes_when_fixed(qtbot, make_view, migrant_definition):
    view = make_view(migrant_definition)
    click_choice(qtbot, view, "/data/consent/consent_services", "yes")
    view.go_to_page(page_titled(view, "Identity"))
    phone = view.field("/data/identity/phone")
    qtbot.keyClicks(phone.edit, "12345")
    qtbot.keyClick(phone.edit, Qt.Key.Key_Return)  # leaving the field shows its message
    assert phone.message.isVisibleTo(phone)
    assert phone.message.text() == "Write the number in international form, e.g. +22790000000."
    assert phone.layout().indexOf(phone.message) == phone.layout().indexOf(phone.edit) + 1  # right under it
    phone.edit.clear()
    qtbot.keyClicks(phone.edit, "+22790000000")
    assert view.session.value("/data/identity/phone") == "+22790000000"
    assert not phone.message.isVisibleTo(phone)


def test_required_mark_has_accessible_text(make_view, migrant_definition):
    view = make_view(migrant_definition)
    country = view.field("/data/centre_page/centre_country")
    assert country.label.text().endswith(fields.REQUIRED_MARK) and country.label_text == "Country of the centre"
    assert country.combo.accessibleName() == "Country of the centre (required)"
    other = view.field("/data/identity/other_names")
    assert other.label.text() == "Other names or nicknames"  # no mark


def test_typed_numbers_follow_the_locale_and_refuse_letters(qtbot, make_view, migrant_definition):
    view = make_view(migrant_definition)
    click_choice(qtbot, view, "/data/consent/consent_services", "yes")
    view.go_to_page(page_titled(view, "Identity"))
    age = view.field("/data/identity/age_years")
    assert isinstance(age, fields.IntegerField)
    qtbot.keyClicks(age.edit, "3x4")  # the validator drops the letter
    assert age.edit.text() == "34"
    assert view.session.value("/data/identity/age_years") == "34"
    qtbot.keyClicks(age.edit, "0")
    qtbot.keyClick(age.edit, Qt.Key.Key_Return)
    assert age.message.text() == "Age must be between 0 and 110."


def test_repeat_add_and_confirmed_remove(qtbot, make_view, migrant_definition):
    view = make_view(migrant_definition)
    click_choice(qtbot, view, "/data/consent/consent_services", "yes")
    view.go_to_page(page_titled(view, "Group or household"))
    click_choice(qtbot, view, "/data/group_info/travelling_alone", "no")
    view.go_to_page(page_titled(view, "Accompanying group or household member"))
    repeat = view.repeats["/data/household_member"]
    assert repeat.add_button.isVisibleTo(view)
    assert len(repeat.instances) == 1  # the form starts with one entry, as in Collect
    qtbot.waitUntil(lambda: repeat.add_button.height() >= repeat.add_button.sizeHint().height(), timeout=5_000)
    qtbot.mouseClick(repeat.add_button, Qt.MouseButton.LeftButton)
    assert len(repeat.instances) == 2
    # the new entry's first question has the focus, ready to type
    assert view.window().focusWidget() is view.field("/data/household_member[2]/member_name").edit
    qtbot.keyClicks(view.field("/data/household_member[1]/member_name").edit, "Awa")
    qtbot.keyClicks(view.field("/data/household_member[2]/member_name").edit, "Issa")
    first = repeat.instances[0]
    qtbot.waitUntil(lambda: first.remove_button.height() >= first.remove_button.sizeHint().height(), timeout=5_000)
    qtbot.mouseClick(first.remove_button, Qt.MouseButton.LeftButton)
    assert first.confirm.isVisibleTo(first)
    qtbot.waitUntil(lambda: first.confirm_no.height() >= first.confirm_no.sizeHint().height(), timeout=5_000)
    qtbot.mouseClick(first.confirm_no, Qt.MouseButton.LeftButton)  # "No, keep it" changes nothing
    assert len(repeat.instances) == 2
    qtbot.waitUntil(lambda: first.remove_button.height() >= first.remove_button.sizeHint().height(), timeout=5_000)
    qtbot.mouseClick(first.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: first.confirm_yes.height() >= first.confirm_yes.sizeHint().height(), timeout=5_000)
    qtbot.mouseClick(first.confirm_yes, Qt.MouseButton.LeftButton)
    assert len(repeat.instances) == 1
    # the remaining entry is now number 1, and its widget shows its own answer
    assert view.field("/data/household_member[1]/member_name").edit.text() == "Issa"
    assert "/data/household_member[2]/member_name" not in view.fields
    assert view.session.value("/data/household_size") == "2"  # the person and one member

    # travelling alone after all: the repeat no longer applies, Add is gone
    click_choice(qtbot, view, "/data/group_info/travelling_alone", "yes")
    assert not repeat.add_button.isVisibleTo(view)


def test_language_switch_changes_labels_and_choices_to_french(qtbot, db, migrant_definition):
    screen = FormScreen(opened=OpenedForm.new(migrant_definition, form_id="waypoint_migrant_registration",
                                              form_version="x"), run_with_vault=db.run_with_vault)
    qtbot.addWidget(screen)
    view = screen.view
    country = view.field("/data/centre_page/centre_country")
    assert country.label_text == "Country of the centre"
    screen.language.setCurrentText("Français (fr)")
    assert country.label_text == "Pays du centre"
    assert view.field("/data/identity/given_name").label_text == "Prénom(s)"
    assert view.field("/data/consent/consent_services").choice_button("yes").text() == "Oui"
    assert view.index.item(page_titled(view, "Identité")).text() == "Identité"
    assert screen.view.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_screen_opens_in_the_interface_language(qtbot, db, migrant_definition):
    screen = FormScreen(opened=OpenedForm.new(migrant_definition, form_id="f", form_version="x"),
                        run_with_vault=db.run_with_vault, ui_language="fr")
    qtbot.addWidget(screen)
    assert screen.session.language == "Français (fr)" and screen.language.currentText() == "Français (fr)"


ARABIC_FORM = """\
| survey |
| | type | name | label::English (en) | label::العربية (ar) |
| | text | name | Name | الاسم |
| | select_one yn | ok | Agrees? | موافق؟ |
| choices |
| | list_name | name | label::English (en) | label::العربية (ar) |
| | yn | yes | Yes | نعم |
| | yn | no | No | لا |
| settings |
| | form_id | default_language |
| | rtl_test | English (en) |
"""


def test_arabic_lays_the_form_out_right_to_left(qtbot, db, tmp_path):
    source = tmp_path / "rtl_test.md"
    source.write_text(ARABIC_FORM, encoding="utf-8")
    definition = FormDefinition.from_xml(forms.validate_form_file(source).xform)
    screen = FormScreen(opened=OpenedForm.new(definition, form_id="rtl_test", form_version="1"),
                        run_with_vault=db.run_with_vault)
    qtbot.addWidget(screen)
    screen.language.setCurrentText("العربية (ar)")
    assert screen.view.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert screen.view.field("/data/name").label_text == "الاسم"
    screen.language.setCurrentText("English (en)")
    assert screen.view.layoutDirection() == Qt.LayoutDirection.LeftToRight


KINDS_FORM = """\
| survey |
| | type | name | label | appearance | parameters | repeat_count |
| | range | level | Level | | start=0 end=10 step=2 |
| | rank | priorities | Priorities |
| | acknowledge | seen | I have read the notice |
| | select_one yn | search_pick | Pick by typing | autocomplete |
| | select_one yn | cols | In columns | columns-2 |
| | begin repeat | visit | Visit |
| | date | visit_date | Date of visit |
| | end repeat |
| | integer | visits_wanted | How many visits? |
| | begin repeat | fixed | Fixed entry | | | ${visits_wanted} |
| | text | fixed_note | Note |
| | end repeat |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| | priorities | food | Food |
| | priorities | shelter | Shelter |
| | priorities | health | Health |
"""


def test_kinds_outside_the_corpus_get_their_widgets(qtbot, tmp_path, make_view):
    source = tmp_path / "kinds.md"
    source.write_text(KINDS_FORM.replace("| | rank | priorities | Priorities |",
                                         "| | rank priorities | priorities | Priorities |"), encoding="utf-8")
    definition = FormDefinition.from_xml(forms.validate_form_file(source).xform)
    view = make_view(definition)
    view.build_all()
    by_ref = {ref.rsplit("/", 1)[-1]: w for ref, w in view.fields.items()}
    assert isinstance(by_ref["level"], other_fields.RangeField)
    assert isinstance(by_ref["priorities"], choices.RankField)
    assert isinstance(by_ref["seen"], other_fields.AcknowledgeField)
    assert isinstance(by_ref["search_pick"], choices.SelectOneComboField) and by_ref["search_pick"].combo.isEditable()
    cols = by_ref["cols"]
    columns = {cols.grid.getItemPosition(cols.grid.indexOf(b))[1] for b in cols.buttons.values()}
    assert columns == {0, 1}
    assert view.unsupported == []

    level = by_ref["level"]
    level.slider.setValue(3)
    assert view.session.value(level.ref) == "6"
    rank = by_ref["priorities"]
    assert view.session.value(rank.ref) == ""
    rank.list.setCurrentRow(2)
    qtbot.keyClick(rank.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert view.session.value(rank.ref) == "food health shelter"
    click(qtbot, by_ref["seen"].check)
    assert view.session.value(by_ref["seen"].ref) == "OK"


@pytest.mark.corpus
def test_corpus_widgets_form_renders_every_control(qtbot, make_view):
    definition = FormDefinition.from_xml((CORPUS / "enketo_widgets.xml").read_text(encoding="utf-8"))
    view = make_view(definition)
    questions = []

    def walk(items):
        for item in items:
            if item.kind == "question":
                questions.append(item)
            walk(item.children)
    walk(view.session.items())
    assert len(view.fields) < len(questions)  # pages are built when first shown
    view.build_all()
    assert questions and {q.ref for q in questions} == set(view.fields)
    assert view.unsupported == []
    kinds = {type(view.fields[q.ref]) for q in questions}
    assert {fields.TextField, fields.MultilineField, fields.IntegerField, fields.DecimalField, moments.DateField,
            moments.TimeField, moments.DateTimeField, fields.GeopointField, fields.GeoPathField, fields.BarcodeField,
            choices.SelectOneField, choices.SelectOneComboField, choices.SelectManyField,
            choices.SelectManyListField, other_fields.UploadField, other_fields.NoteField,
            other_fields.AcknowledgeField} <= kinds
    # every page can be visited with Next, and each shows its fields without error
    view.go_to_page(0)
    visited = [view.current]
    while view.next_button.isEnabled():
        view.next_page()
        visited.append(view.current)
    assert visited == view.visible_pages()


def test_the_renderers_own_words_are_translated_to_french(qtbot, qapp, db, migrant_definition):
    from desktop_app.ui.app import RESOURCES
    from desktop_app.ui.i18n import Translations

    translations = Translations(app=qapp, i18n_dir=RESOURCES / "i18n")
    translations.switch("fr")
    try:
        screen = FormScreen(opened=OpenedForm.new(migrant_definition, form_id="f", form_version="x"),
                            run_with_vault=db.run_with_vault, ui_language="fr")
        qtbot.addWidget(screen)
        assert screen.finalize_button.text() == "&Finaliser"
        assert screen.view.next_button.text() == "&Suivant →"
        # a string of the base class, used by a subclass widget
        country = screen.view.field("/data/centre_page/centre_country")
        assert country.combo.accessibleName() == "Pays du centre (obligatoire)"
        assert country.combo.itemText(0) == "— Choisir —"
        screen.finalize()
        assert "réponses demandent votre attention" in screen.banner.text()
    finally:
        translations.switch("en")
        translations.uninstall()


def test_tab_follows_the_form_even_into_an_added_entry(qtbot, make_view, migrant_definition):
    view = make_view(migrant_definition)
    click_choice(qtbot, view, "/data/consent/consent_services", "yes")
    click_choice(qtbot, view, "/data/group_info/travelling_alone", "no")
    view.go_to_page(view.page_of(view.field("/data/identity/given_name")))
    assert view.field("/data/identity/given_name").edit.nextInFocusChain() is \
        view.field("/data/identity/family_name").edit
    view.go_to_page(page_titled(view, "Accompanying group or household member"))
    view.add_repeat("/data/household_member")
    first, second = (view.field(f"/data/household_member[{n}]/member_name").edit for n in (1, 2))
    seen, widget = [], first
    while widget is not view.previous_button and len(seen) < 200:
        widget = widget.nextInFocusChain()
        seen.append(widget)
    assert second in seen and seen[-1] is view.previous_button
    assert view.previous_button.nextInFocusChain() is view.next_button


def test_what_the_form_uses_and_waypoint_does_not_do_is_named_on_screen(qtbot, db, tmp_path):
    source = tmp_path / "geo.md"
    source.write_text("| survey |\n| | type | name | label |\n| | start-geopoint | where | |\n"
                      "| | text | name | Name |\n", encoding="utf-8")
    from waypoint_core.xlsform import convert_xlsform

    # the forms service refuses to install such a form; a form that got in some other way still says it
    definition = FormDefinition.from_xml(convert_xlsform(source).xform)
    assert definition.unsupported
    screen = FormScreen(opened=OpenedForm.new(definition, form_id="geo", form_version="1"),
                        run_with_vault=db.run_with_vault)
    qtbot.addWidget(screen)
    assert screen.notice.isVisibleTo(screen) and "setgeopoint" in screen.notice.text()
    # the audit log times the questions on screen
    assert any(e.event == "question shown" and e.node == "/data/name" for e in screen.session.audit.events)


def test_a_counted_repeat_is_sized_when_the_person_reaches_it(qtbot, tmp_path, make_view):
    source = tmp_path / "kinds.md"
    source.write_text(KINDS_FORM.replace("| | rank | priorities | Priorities |",
                                         "| | rank priorities | priorities | Priorities |"), encoding="utf-8")
    view = make_view(FormDefinition.from_xml(forms.validate_form_file(source).xform))
    wanted = view.field("/data/visits_wanted")
    view.go_to_page(view.page_of(wanted))
    qtbot.keyClicks(wanted.edit, "3")
    fixed_page = view.page_of_ref("/data/fixed[1]/fixed_note")
    assert fixed_page != view.current
    view.go_to_page(fixed_page)
    repeat = view.repeats["/data/fixed"]
    assert len(repeat.instances) == 3  # jr:count applied on arrival
    assert not repeat.add_button.isVisibleTo(view)
    assert not any(inst.remove_button.isVisibleTo(view) for inst in repeat.instances)
    assert view.field("/data/fixed[3]/fixed_note").isVisibleTo(view)
    # the count goes down: the entries stay with their answers (as Collect), the ones beyond it may be removed
    view.go_to_page(view.page_of(wanted))
    wanted.edit.selectAll()
    qtbot.keyClicks(wanted.edit, "2")
    view.go_to_page(fixed_page)
    repeat = view.repeats["/data/fixed"]
    assert len(repeat.instances) == 3
    assert [inst.remove_button.isVisibleTo(view) for inst in repeat.instances] == [False, False, True]


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["jr_child_vaccination_VOL_tool_v12.xml", "htcds_core_2.0.xml",
                                  "enketo_sdiprofile.xml"])
def test_corpus_forms_build_every_page(qtbot, make_view, name):
    view = make_view(FormDefinition.from_xml((CORPUS / name).read_text(encoding="utf-8")))
    view.build_all()
    assert view.unsupported == [] and view.fields
    for number in view.visible_pages():
        view.go_to_page(number)
        assert view.current == number and view.page_title.text()


def test_the_keyboard_alone_answers_choices_and_turns_pages(qtbot, db, migrant_definition):
    screen = FormScreen(opened=OpenedForm.new(migrant_definition, form_id="f", form_version="x"),
                        run_with_vault=db.run_with_vault, autosave_ms=60_000)
    qtbot.addWidget(screen)
    screen.resize(1100, 800)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    view = screen.view
    view.field("/data/centre_page/centre_country").combo.setFocus()
    qtbot.keyClick(screen.window().focusWidget(), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # next page
    consent = view.field("/data/consent/consent_given_by")
    assert view.current == view.page_of(consent)
    first = consent.choice_button("self")
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert view.session.value("/data/consent/consent_given_by") == "self"
    qtbot.keyClick(first, Qt.Key.Key_Down)  # arrows move the choice, as in any radio group
    assert view.session.value("/data/consent/consent_given_by") == "guardian"
    qtbot.keyClick(screen.window().focusWidget(), Qt.Key.Key_PageUp)
    assert view.current == 0


def test_side_by_side_choices_left_empty_by_their_filter_show_no_choice(qtbot, tmp_path, make_view):
    # a likert or horizontal select whose choice filter leaves nothing must render (and fill again)
    source = tmp_path / "likert.md"
    source.write_text("""\
| survey |
| | type | name | label | appearance | choice_filter |
| | select_one level | band | Band | | |
| | select_one scale | feel | How do you feel? | likert | band = ${band} |
| | select_multiple scale | also | Also | horizontal | band = ${band} |
| choices |
| | list_name | name | label | band |
| | level | low | Low | |
| | level | high | High | |
| | scale | ok | OK | low |
| | scale | good | Good | low |
""", encoding="utf-8")
    view = make_view(FormDefinition.from_xml(forms.validate_form_file(source).xform))
    view.build_all()
    feel, also = view.field("/data/feel"), view.field("/data/also")
    assert feel.buttons == {} and also.buttons == {}
    click_choice(qtbot, view, "/data/band", "low")
    assert set(feel.buttons) == {"ok", "good"}
    click_choice(qtbot, view, "/data/band", "high")
    assert feel.buttons == {}


def test_a_launch_app_question_is_typed_and_says_so(qtbot, tmp_path, make_view):
    # ODK Collect's ExStringWidget: "If the app does not launch, enable the text area for regular data entry"
    source = tmp_path / "launch.md"
    source.write_text("| survey |\n| | type | name | label | appearance | bind::jr:noAppErrorString |\n"
                      "| | integer | breaths | Breaths a minute | ex:change.uw.android.BREATHCOUNT | No counter app. |\n",
                      encoding="utf-8")
    validated = forms.validate_form_file(source)
    assert any("typed" in str(w) for w in validated.warnings)  # installed, and said
    view = make_view(FormDefinition.from_xml(validated.xform))
    field = view.field("/data/breaths")
    assert "change.uw.android.BREATHCOUNT" in field.hint.text() and "No counter app." in field.hint.text()
    qtbot.keyClicks(field.focus_target(), "24")
    assert view.session.value("/data/breaths") == "24"


def test_an_image_is_scaled_down_to_the_forms_max_pixels(qtbot, tmp_path, make_view):
    # ODK Collect scales a photo so its longest side is max-pixels (pyxform's parameter, orx:max-pixels)
    from PySide6.QtGui import QColor, QImage
    source = tmp_path / "photo.md"
    source.write_text("| survey |\n| | type | name | label | parameters |\n"
                      "| | image | photo | Photo | max-pixels=100 |\n| | image | full | Full | |\n", encoding="utf-8")
    view = make_view(FormDefinition.from_xml(forms.validate_form_file(source).xform))
    picture = QImage(400, 200, QImage.Format.Format_RGB32)
    picture.fill(QColor("darkblue"))
    path = tmp_path / "wide.jpg"
    assert picture.save(str(path), "JPEG")
    for ref, size in (("/data/photo", (100, 50)), ("/data/full", (400, 200))):
        field = view.field(ref)
        assert field.attach(path, stored_name="wide.jpg") is None
        stored = QImage.fromData(field.pending.data)
        assert (stored.width(), stored.height()) == size


def test_a_phone_number_written_with_spaces_is_accepted_as_typed(qtbot, make_view, migrant_definition):
    view = make_view(migrant_definition)
    click_choice(qtbot, view, "/data/consent/consent_services", "yes")
    view.go_to_page(page_titled(view, "Identity"))
    phone = view.field("/data/identity/phone")
    for typed, accepted in (("+227 90 12 34 56", True), ("+227-90-12-34-56", True), ("+227 90  12", False),
                            ("227 90 12 34 56", False), ("+227 90 12 34 5a", False)):
        phone.edit.clear()
        qtbot.keyClicks(phone.edit, typed)
        qtbot.keyClick(phone.edit, Qt.Key.Key_Return)
        assert view.session.value("/data/identity/phone") == typed
        assert phone.message.isVisibleTo(phone) is not accepted, typed
