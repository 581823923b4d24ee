"""The push's one-pass encoding of a record state (merge.encode_state) gives exactly the canonical JSON and the version
hash that the general functions give: a device checks every pulled change's hash, and a stored state is compared
and hashed again on later pushes, so one differing byte would break sync."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sync_server.merge import CONTENT, DELETED, FORM, PublicView, encode_state
from waypoint_core.protocol import canonical_json

XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    chr(c) for c in range(0x20) if c not in (9, 10, 13)]), max_size=60)
VALUE = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70), XML_TEXT)
NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


def _expected(values: dict) -> tuple[str, str]:
    return canonical_json(values).decode("utf-8"), PublicView.of(values).hash


@settings(max_examples=300, deadline=None)
@given(fields=st.dictionaries(NAME, VALUE, max_size=12), content=st.one_of(st.none(), XML_TEXT),
       deleted=st.booleans(), form=st.tuples(XML_TEXT, XML_TEXT), with_pseudo=st.booleans())
def test_encode_state_matches_canonical_json_and_version_hash(fields, content, deleted, form, with_pseudo):
    values = dict(fields)
    if with_pseudo:
        values.update({CONTENT: content, DELETED: deleted, FORM: f"{form[0]}\x1f{form[1]}"})
    assert encode_state(values) == _expected(values)


def test_encode_state_on_a_registration_and_its_tombstone():
    values = {"name": "Amina «É» \"quoted\" \\ back", "age": 34, "consent": True, "phone": None,
              "notes": "line\nbreak\ttab \u2028 \U0001F600", CONTENT: "<data><name>Amina</name></data>",
              DELETED: False, FORM: "migrant_registration\x1f2026112701", "@files": "[]"}
    assert encode_state(values) == _expected(values)
    tombstone = {**values, DELETED: True}
    assert encode_state(tombstone) == _expected(tombstone)
    assert encode_state({}) == _expected({})
