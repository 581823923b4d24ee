"""The push's one-pass encoding of a record state (merge.encode_state) gives exactly the canonical JSON and the version
hash that the general functions give: a device checks every pulled change's hash, and a stored state is compared
and hashed again on later pushes, so one differing byte would break sync."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync_server import fastjson
from sync_server.merge import CONTENT, DELETED, FORM, PublicView, encode_state, merge, split_form
from sync_server.push import PushAnswer
from waypoint_core.protocol import Op, canonical_json

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


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(NAME, VALUE, max_size=8), content=st.one_of(st.none(), XML_TEXT),
       deleted=st.booleans(), form=st.tuples(XML_TEXT, XML_TEXT))
def test_encode_state_with_the_form_given_is_the_same(fields, content, deleted, form):
    values = {**fields, CONTENT: content, DELETED: deleted, FORM: f"{form[0]}\x1f{form[1]}"}
    assert encode_state(values, split_form(values)) == encode_state(values) == _expected(values)


def _op(hlc: int, **fields) -> Op:
    return Op(op_id=str(uuid.uuid4()), device_seq=1, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
              base_version=None, form_id="f", form_version="1", hlc=hlc, fields=fields, content="<data/>")


@pytest.mark.parametrize("others", [set(), {"name"}, {"name", "age"}])
def test_merge_gives_the_newest_hlc_of_the_provenance_it_made(others):
    """A new record's newest hlc is the op's without a walk; a held record's is the walk over its provenance."""
    new = merge(values={}, provenance={}, op=_op(7, name="A", age=3), device_id="d", others_changed=others)
    assert new.hlc == 7 == max(p[0] for p in new.provenance.values())
    held = merge(values=new.values, provenance=new.provenance, op=_op(5, name="B"), device_id="e",
                 others_changed=others)
    assert held.hlc == max(p[0] for p in held.provenance.values()) == 7
    later = merge(values=new.values, provenance=new.provenance, op=_op(9, name="B"), device_id="e",
                  others_changed=others)
    assert later.hlc == max(p[0] for p in later.provenance.values())


# ---- sync_server/fastjson.py: orjson where it gives the json module's bytes, the json module where it would not ----

JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**80, max_value=2**80),
              st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), max_size=8), inner,
                                            max_size=5)),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUE)
def test_fastjson_dumps_is_canonical_json_and_loads_is_json_loads(value):
    assert fastjson.dumps(value, sort_keys=True) == canonical_json(value)
    assert fastjson.dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text = json.dumps(value, ensure_ascii=False)
    assert fastjson.loads(text.encode("utf-8")) == json.loads(text) == value


def test_fastjson_edges_go_to_the_json_module():
    for text in ("123456789012345678901234567890", "[1.5, 2]", '{"a": {"b": [1e400]}}', '"\\ud800"', "NaN"):
        expected, got = json.loads(text), fastjson.loads(text.encode())
        assert repr(got) == repr(expected) and type(got) is type(expected)
    assert fastjson.dumps({"n": 2**70, "s": "é"}, sort_keys=True) == canonical_json({"n": 2**70, "s": "é"})
    assert fastjson.dumps({1: "x"}, sort_keys=True) == canonical_json({1: "x"})


def test_push_answer_gives_push_response_bytes():
    results = [{"device_seq": 7, "op_id": "op «1»", "record_id": "r", "status": "conflict", "server_version": 3,
                "version_hash": "ab" * 32, "conflict_id": "c", "message": None, "code": None, "code_values": None},
               {"device_seq": 8, "op_id": "op2", "record_id": "r2", "status": "rejected", "server_version": None,
                "version_hash": None, "conflict_id": None, "message": "this record belongs to another centre",
                "code": "other_centre", "code_values": {}}]
    answer = PushAnswer(epoch="0123456789abcdef", device_id="d", high_water_mark=8, results=results, codes=True)
    assert answer.canonical() == answer.response().canonical()
    assert answer.response().results[0].status == "conflict"
    assert answer.response().results[1].code == "other_centre"
    # A laptop that did not ask for the codes (older: its OpResult forbids unknown keys) gets none of their keys.
    older = PushAnswer(epoch="0123456789abcdef", device_id="d", high_water_mark=8, results=results)
    assert b'"code' not in older.canonical()
    assert older.response().results[1].message == "this record belongs to another centre"


@settings(max_examples=100, deadline=None)
@given(plain=st.binary(max_size=3000), where=st.integers(min_value=0), swap=st.sampled_from("A/+=.!é\n -_"))
def test_a_sealed_value_is_base64_as_binascii_writes_it_and_opens_only_whole(plain, where, swap):
    """atrest.py's base64 (pybase64) writes binascii's text, so values sealed before it open, and a value altered in
    its base64 or its ciphertext does not open."""
    import binascii

    from sync_server.atrest import DataKey, UnreadableRow, aad

    key = DataKey.generate()
    sealed = key.seal(plain, aad("record", "r", 1))
    body = sealed.split(".", 2)[2]
    assert binascii.b2a_base64(binascii.a2b_base64(body, strict_mode=True), newline=False).decode() == body
    assert key.open(sealed, aad("record", "r", 1)) == plain
    head = len(sealed) - len(body)
    at = head + where % len(body)
    altered = sealed[:at] + swap + sealed[at + 1:]
    try:
        opened = key.open(altered, aad("record", "r", 1))
    except UnreadableRow:
        opened = None
    # what opens is the value itself: the same text, or only a padding bit base64 leaves unused changed
    assert opened is None or (opened == plain and binascii.a2b_base64(altered.split(".", 2)[2]) == binascii.a2b_base64(
        body))
    with pytest.raises(UnreadableRow):
        key.open(sealed, aad("record", "r", 2))
