"""canonical_json_of_record (orjson) gives canonical_json's bytes for every record version, and hands to it what orjson
would write otherwise; a version hash is the same whichever wrote it."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from waypoint_core.protocol import canonical_json, version_hash
from waypoint_core.protocol.signing import DOMAIN_VERSION, canonical_json_of_record

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
PLAIN = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**80, max_value=2**80), TEXT)


@settings(max_examples=500, deadline=None)
@given(form_id=TEXT, form_version=TEXT, deleted=st.booleans(), content=st.one_of(st.none(), TEXT),
       fields=st.dictionaries(TEXT, PLAIN, max_size=12))
def test_a_record_version_is_written_as_canonical_json(form_id, form_version, deleted, content, fields):
    value = {"form_id": form_id, "form_version": form_version, "deleted": deleted, "fields": fields,
             "content": content}
    assert canonical_json_of_record(value) == canonical_json(value)
    hashed = version_hash(form_id=form_id, form_version=form_version, deleted=deleted, fields=fields, content=content)
    kept = {**value, "fields": {}, "content": None} if deleted else value
    assert hashed == hashlib.sha256(DOMAIN_VERSION + canonical_json(kept)).hexdigest()


def test_what_orjson_would_write_otherwise_goes_to_the_json_module():
    every_control = "".join(chr(n) for n in range(0x20)) + "\x7f\u2028\u2029\"\\/é𝄞\uffff"
    for value in ({"content": every_control, "fields": {every_control: every_control}},
                  {"n": 2**70, "fields": {"m": -2**64}},  # beyond 64 bits: orjson refuses
                  {"fields": {"age": 1.5}}, {"age": float("1e16")},  # floats: orjson writes its own way
                  {"fields": {1: "x"}},  # a key that is not text
                  {"\U00010000": 1, "\uffff": 2, "a": 3},  # sorted by code point, as the json module sorts
                  {"fields": {"nested": {"list": [1, 2]}}}):
        assert canonical_json_of_record(value) == canonical_json(value)
