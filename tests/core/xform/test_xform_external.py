"""Choices from attachments, as ODK Collect offers them: GeoJSON features for select one from map (JavaRosa's
GeoJsonExternalInstance and its tests), search() appearances over a CSV (Collect's ExternalDataHandlerSearch) and
external selects <input query> over itemsets.csv (Collect's ItemsetDao); each from the media folder and from the
installed form, which carries the files itself."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.core.xform.conftest import new_session
from tests.corpus import corpus_path
from waypoint_core.xform import AnswerError, FormDefinition, FormError
from waypoint_core.xform.media import embed_external_instances, external_files

FEATURES = corpus_path("features")

# JavaRosa's src/test/resources/.../geojson/feature-collection.geojson, plus null, number and feature-id cases
COLLECTION = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [102, 0.5]},
     "properties": {"id": "fs87b", "name": "My cool point", "foo": "bar"}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[104, 0.5], [105, 0.5]]},
     "properties": {"id": "67abie", "name": "Your cool line", "foo": "quux", "special-property": "special value"}},
    {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[5, 63], [10, 83], [5, 63]]]},
     "properties": {"id": "32dyal", "name": "Your cool polygon"}},
    {"type": "Feature", "id": 77, "geometry": {"type": "Point", "coordinates": [130.559803472160752, 31.5]},
     "properties": {"gid": 1.50, "visited": True, "extra": None, "id": "overridden"}},
]}


def _map_form(src: str = "jr://file/places.geojson") -> str:
    return f"""<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
      <h:head><h:title>map</h:title><model>
        <instance><data id="map"><place/><where/></data></instance>
        <instance id="places" src="{src}"/>
        <bind nodeset="/data/place" type="string"/>
        <bind nodeset="/data/where" type="string"
              calculate="instance('places')/root/item[id = /data/place]/geometry"/>
      </model></h:head>
      <h:body><select1 ref="/data/place" appearance="map"><label>Place</label>
        <itemset nodeset="instance('places')/root/item"><value ref="id"/><label ref="name"/></itemset>
      </select1></h:body></h:html>"""


def test_geojson_features_are_the_choices_with_odk_coordinates(tmp_path):
    (tmp_path / "places.geojson").write_text(json.dumps(COLLECTION).replace("1.5,", "1.50,"), encoding="utf-8")
    definition = FormDefinition.from_xml(_map_form(), media_dir=tmp_path)
    assert definition.unsupported == []
    session = new_session(definition)
    choices = session.choices("/data/place")
    assert [(c.value, c.label) for c in choices] == [
        ("fs87b", "My cool point"), ("67abie", "Your cool line"), ("32dyal", "Your cool polygon"), ("77", "")]
    # GeoJsonExternalInstanceTest: lat lon 0 0 from [lon, lat]; whole numbers as written, points joined by "; "
    geometries = []
    for value in ("fs87b", "67abie", "32dyal", "77"):
        session.answer("/data/place", value)
        geometries.append(session.value("/data/where"))
    assert geometries == ["0.5 102 0 0", "0.5 104 0 0; 0.5 105 0 0", "63 5 0 0; 83 10 0 0; 63 5 0 0",
                          "31.5 130.55980347216075 0 0"]
    # properties in order, numbers as written, null as empty, the feature's own id over the property
    item = definition.instances["places"].children[0].children[3]
    assert [(c.name, c.value) for c in item.children] == [
        ("geometry", "31.5 130.55980347216075 0 0"), ("gid", "1.50"), ("visited", "true"), ("extra", ""),
        ("id", "77")]


def test_an_installed_map_form_carries_its_features(tmp_path):
    (tmp_path / "places.geojson").write_text(json.dumps(COLLECTION), encoding="utf-8")
    assert external_files(_map_form()) == ["places.geojson"]
    carried, missing = embed_external_instances(_map_form(), tmp_path)
    assert missing == []
    from_disk = new_session(FormDefinition.from_xml(_map_form(), media_dir=tmp_path)).choices("/data/place")
    assert new_session(FormDefinition.from_xml(carried)).choices("/data/place") == from_disk


@pytest.mark.parametrize("document, reason", [
    ([1, 2], "top-level Object"),
    ({"type": "Feature", "features": []}, "top-level FeatureCollection"),
    ({"type": "FeatureCollection", "features": {}}, "array of features"),
    ({"type": "FeatureCollection", "features": [{"type": "Point"}]}, "expected item of type Feature"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": [[1, 2]]}}]}, "only Points"),
    ({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"a": [1]}}]},
     "text, a number or true/false"),
])
def test_a_geojson_javarosa_refuses_is_refused_with_its_reason(tmp_path, document, reason):
    (tmp_path / "places.geojson").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(FormError, match=reason):
        FormDefinition.from_xml(_map_form(), media_dir=tmp_path)


FRUITS = """name_key,name,colour,sortby
mango,Mango,yellow,3
oranges,Oranges,orange,1
strawberries,Strawberries,red,2
mango,Mango again,green,4
kiwi_100%,Kiwi,green,5
"""


def _search_form(appearance: str, *, extra_items: str = "", label: str = "name") -> str:
    return textwrap.dedent(f"""<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">
      <h:head><h:title>search</h:title><model>
        <instance><data id="search"><q/><fruit/><pick/></data></instance>
        <bind nodeset="/data/q" type="string"/><bind nodeset="/data/fruit" type="string"/>
        <bind nodeset="/data/pick" type="string"/>
      </model></h:head>
      <h:body><input ref="/data/q"><label>Search</label></input>
        <select1 ref="/data/fruit" appearance="{appearance}"><label>Fruit</label>
          {extra_items}<item><label>{label}</label><value>name_key</value></item>
        </select1>
        <select ref="/data/pick" appearance="{appearance}"><label>Fruits</label>
          <item><label>{label}</label><value>name_key</value></item></select>
      </h:body></h:html>""")


def _search_session(tmp_path, appearance: str, **kwargs):
    (tmp_path / "fruits.csv").write_text(FRUITS, encoding="utf-8")
    definition = FormDefinition.from_xml(_search_form(appearance, **kwargs), media_dir=tmp_path)
    assert definition.unsupported == []
    return new_session(definition)


def test_search_offers_the_rows_of_the_file_in_sortby_order_each_value_once(tmp_path):
    session = _search_session(tmp_path, "search('fruits')", extra_items="<item><label>None</label><value>0</value></item>")
    # a whole-number item stays a choice where it stands; the configuration item becomes the file's rows,
    # by the sortby column, a value seen twice offered once (its first row)
    assert [(c.value, c.label) for c in session.choices("/data/fruit")] == [
        ("0", "None"), ("oranges", "Oranges"), ("strawberries", "Strawberries"), ("mango", "Mango"),
        ("kiwi_100%", "Kiwi")]
    session.answer("/data/fruit", "strawberries")
    session.answer("/data/pick", "mango oranges")
    with pytest.raises(AnswerError, match="not among the choices"):
        session.answer("/data/fruit", "name_key")  # the configuration item is no choice


@pytest.mark.parametrize("kind, typed, expected", [
    ("contains", "an", ["oranges", "mango"]),  # ASCII case ignored, anywhere in the column
    ("matches", "MANGO", ["mango"]),
    ("startsWith", "str", ["strawberries"]),
    ("endsWith", "ES", ["oranges", "strawberries"]),
    ("contains", "100%", ["kiwi_100%"]),
    ("contains", "a_g", ["oranges", "mango"]),  # _ stands for any one character, as in SQL's LIKE
    ("unknown-kind", "w", ["strawberries", "kiwi_100%"]),  # Collect falls back to contains
])
def test_search_keeps_rows_like_the_typed_value(tmp_path, kind, typed, expected):
    session = _search_session(tmp_path, f"search('fruits', '{kind}', 'name_key', /data/q)")
    changes = session.answer("/data/q", typed)
    assert session.node("/data/fruit") in changes.choices  # the renderer is told the choices changed
    assert [c.value for c in session.choices("/data/fruit")] == expected


def test_search_filter_column_and_several_label_columns(tmp_path):
    session = _search_session(tmp_path, "search('fruits', 'contains', 'name', /data/q, 'colour', 'GREEN')",
                              label="name, colour")
    session.answer("/data/q", "i")
    # ExternalDataHandlerSearch.buildLabel: "value (column: value)" for every column after the first; the
    # filter (ASCII case ignored) is applied before a repeated value is dropped, so the green mango is offered
    assert [(c.value, c.label) for c in session.choices("/data/fruit")] == [
        ("mango", "Mango again (colour: green)"), ("kiwi_100%", "Kiwi (colour: green)")]


def test_search_without_its_file_is_listed_as_unsupported(tmp_path):
    definition = FormDefinition.from_xml(_search_form("search('fruits')"), media_dir=tmp_path)
    assert "search('fruits') on /data/fruit: the file fruits.csv is not given; it offers no choices" in \
        definition.unsupported
    assert new_session(definition).choices("/data/fruit") == []


def test_an_installed_search_form_carries_its_file(tmp_path):
    (tmp_path / "fruits.csv").write_text(FRUITS, encoding="utf-8")
    xform = _search_form("search('fruits')")
    assert external_files(xform) == ["fruits.csv"]
    carried, missing = embed_external_instances(xform, tmp_path)
    assert missing == [] and "wp:attachment" in carried
    definition = FormDefinition.from_xml(carried)
    assert definition.unsupported == []
    assert [c.value for c in new_session(definition).choices("/data/fruit")] == \
        ["oranges", "strawberries", "mango", "kiwi_100%"]


@pytest.mark.corpus
def test_external_select_from_itemsets_csv_follows_earlier_answers_and_language():
    folder = FEATURES / "co_selectOneExternal"
    definition = FormDefinition.from_xml((folder / "co_selectOneExternal.xml").read_bytes(), media_dir=folder)
    assert definition.unsupported == []
    session = new_session(definition)
    assert session.item("/data/county").control == "select1"  # <input query> is answered as a select one
    assert session.choices("/data/county") == []  # no state yet: list_name=counties and state='' matches none
    changes = session.answer("/data/state", "a1")
    assert session.node("/data/county") in changes.choices
    assert [(c.value, c.label) for c in session.choices("/data/county")] == [("b3", "King"), ("b4", "Cameron")]
    session.answer("/data/county", "b4")
    assert [c.value for c in session.choices("/data/city")] == ["brownsville", "harlingen"]
    with pytest.raises(AnswerError, match="not among the choices"):
        session.answer("/data/city", "seattle")
    session.set_language("French")  # label::French, as Collect picks label::<language>
    assert [c.label for c in session.choices("/data/county")] == ["Le King", "La Cameron"]
    # unlike an itemset's (ItemsetBinding), an external select's answer no longer listed stays, as in Collect
    session.answer("/data/state", "a2")
    assert session.value("/data/county") == "b4" and [c.value for c in session.choices("/data/county")] == ["b1", "b2"]


@pytest.mark.corpus
@pytest.mark.parametrize("folder, form", [("co_selectOneExternal", "co_selectOneExternal.xml"),
                                          ("co_different-search-appearances", "co_different-search-appearances.xml")])
def test_corpus_forms_with_tables_load_the_same_installed(folder, form):
    media = FEATURES / folder
    xform = (media / form).read_text(encoding="utf-8")
    carried, missing = embed_external_instances(xform, media)
    assert missing == []
    on_disk, installed = FormDefinition.from_xml(xform, media_dir=media), FormDefinition.from_xml(carried)
    assert on_disk.files == installed.files and installed.unsupported == []
