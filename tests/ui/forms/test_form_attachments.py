"""Questions whose choices come from attachments, on screen: select one from map (GeoJSON features) as a table
of features, search() selects offering the CSV's rows, and external selects (<input query>) as selects one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop_app.ui.forms import choices
from desktop_app.ui.forms.map_field import SelectOneMapField
from desktop_app.ui.forms.view import FormView
from tests.corpus import corpus_path
from waypoint_core.xform import FormDefinition, FormSession

pytestmark = [pytest.mark.gui, pytest.mark.corpus]

FEATURES = corpus_path("features")
MAP_REF = "/data/select_one_question_types/map"


def make_view(qtbot, folder: str, form: str) -> FormView:
    media = FEATURES / folder
    view = FormView(session=FormSession(FormDefinition.from_xml((media / form).read_bytes(), media_dir=media)))
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.show()
    return view


def test_select_one_from_map_lists_the_features_and_answers_the_picked_one(qtbot):
    view = make_view(qtbot, "wf_all-question-types_xml", "wf_all-question-types-v2024091201-3.xml")
    field = view.field(MAP_REF)
    view.go_to_page(view.page_of(field))
    assert isinstance(field, SelectOneMapField) and view.unsupported == []
    rows = [[field.model.item(r, c).text() for c in range(2)] for r in range(field.model.rowCount())]
    assert rows == [
        ["Last time red kangaroo was spotted\ninfo: A a large red kangaroo was observed at 10:45 AM\nid: 1",
         "-28.978, 134.795"],
        ["Red kangaroo feeding trail\ninfo: The trail that red kangaroos follow to reach their favorite spot food"
         "\nid: 2", "line of 3 points from -28.981, 134.75"],
        ["Red kangaroo resting area\ninfo: The area where kangaroos are typically found when resting\nid: 3",
         "area of 4 points from -28.957, 134.77"],
    ]
    table = field.table
    qtbot.waitUntil(lambda: table.isVisible() and table.rowHeight(1) > 0, timeout=5_000)
    rect = table.visualRect(field.model.index(1, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x() + 5, rect.center().y()))
    assert view.session.value(MAP_REF) == "2"
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)  # the keyboard moves the choice too
    assert view.session.value(MAP_REF) == "3"
    assert field.clear_button.isVisibleTo(view)
    qtbot.mouseClick(field.clear_button, Qt.MouseButton.LeftButton)
    assert view.session.value(MAP_REF) == "" and field.shown_value() == ""


def test_search_select_offers_the_csv_rows(qtbot):
    view = make_view(qtbot, "co_different-search-appearances", "co_different-search-appearances.xml")
    ref = "/different-search-appearances/fruit1"
    field = view.field(ref)
    view.go_to_page(view.page_of(field))
    assert isinstance(field, choices.SelectOneField)
    assert list(field.buttons) == ["mango", "oranges", "strawberries"]
    field.choice_button("oranges").click()
    assert view.session.value(ref) == "oranges"
    searchable = view.field("/different-search-appearances/fruit2")  # "search search('fruits')": filterable
    assert isinstance(searchable, choices.SelectOneComboField)
    assert [searchable.combo.itemData(i) for i in range(1, searchable.combo.count())] == \
        ["mango", "oranges", "strawberries"]


def test_external_select_is_a_select_one_following_earlier_answers(qtbot):
    view = make_view(qtbot, "co_selectOneExternal", "co_selectOneExternal.xml")
    county = view.field("/data/county")
    view.go_to_page(view.page_of(county))
    assert isinstance(county, choices.SelectOneField) and list(county.buttons) == []
    view.field("/data/state").choice_button("a2").click()
    assert list(county.buttons) == ["b1", "b2"]  # refreshed from the ChangeSet's "choices"
    county.choice_button("b2").click()
    assert view.session.value("/data/county") == "b2"
    assert list(view.field("/data/city").buttons) == ["tacoma", "puyallup"]
    minimal = view.field("/data/county2")  # appearance minimal: a drop-down, as in Collect
    assert isinstance(minimal, choices.SelectOneComboField)


def test_a_follow_up_form_offers_the_entities_registrations_made(qtbot):
    from tests.core.xform.test_xform_entities import ID1
    from waypoint_core.xform.entities import FormEntity, entity_lists
    from waypoint_core.xform.media import mark_entity_lists
    from waypoint_core.xlsform import convert_xlsform

    xform = convert_xlsform(FEATURES / "ona_entities_trees_follow_up_media" / "ona_entities_trees_follow_up.xlsx").xform
    trees = entity_lists([("trees", "r1", FormEntity("create", "trees", ID1, "120cm Oak", (
        ("geometry", "13.5 2.1 0.0 0.0"), ("species", "oak"), ("circumference_cm", "120"))))])
    view = FormView(session=FormSession(FormDefinition.from_xml(mark_entity_lists(xform, {"trees"})[0]),
                                        entities=trees))
    qtbot.addWidget(view)
    view.show()
    field = view.field("/data/tree")  # appearance map: the trees as a table of features
    assert isinstance(field, SelectOneMapField)
    # Collect lists the item's other children but the geometry and the entity versions (MappableItemsParser)
    assert [field.model.item(0, c).text() for c in range(2)] == [
        f"120cm Oak\nname: {ID1}\nspecies: oak\ncircumference_cm: 120", "13.5, 2.1"]
    field.choose(ID1)
    assert view.session.value("/data/tree") == ID1 and view.session.value("/data/prior_circumference") == "120"
