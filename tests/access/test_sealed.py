"""Sealed P3 answers: only the key's holder opens them, and only where they were sealed."""

from __future__ import annotations

import pytest

from waypoint_core.access import sealed

RECORD, OTHER = "7e0c1a52-0000-4000-8000-000000000001", "7e0c1a52-0000-4000-8000-000000000002"


@pytest.fixture
def key():
    return sealed.new_key()


def test_a_sealed_answer_opens_with_its_key_only(key):
    public = sealed.SealingKey.of(key)
    token = sealed.seal("physical sexual", public, record_id=RECORD, field="migration/abuses_experienced")
    assert token.startswith(f"wp:p3:1:{public.key_id}:") and "physical" not in token
    assert sealed.is_sealed(token) and sealed.token_key_id(token) == public.key_id
    assert sealed.open_token(token, {public.key_id: key}, record_id=RECORD,
                             field="migration/abuses_experienced") == "physical sexual"
    with pytest.raises(sealed.Unreadable) as missing:
        sealed.open_token(token, {}, record_id=RECORD, field="migration/abuses_experienced")
    assert missing.value.missing_key
    another = sealed.new_key()
    with pytest.raises(sealed.Unreadable) as wrong:
        sealed.open_token(token, {public.key_id: another}, record_id=RECORD, field="migration/abuses_experienced")
    assert not wrong.value.missing_key


def test_a_token_moved_to_another_record_or_question_does_not_open(key):
    public = sealed.SealingKey.of(key)
    token = sealed.seal("high", public, record_id=RECORD, field="needs/risk_level")
    for record_id, field in ((OTHER, "needs/risk_level"), (RECORD, "needs/specific_needs")):
        with pytest.raises(sealed.Unreadable):
            sealed.open_token(token, {public.key_id: key}, record_id=record_id, field=field)
    # positions inside a repeat do not matter: the field does
    in_repeat = sealed.seal("NG", public, record_id=RECORD, field="trafficking_event[2]/event_country")
    assert sealed.open_token(in_repeat, {public.key_id: key}, record_id=RECORD,
                             field="trafficking_event[1]/event_country") == "NG"


def test_a_flipped_character_is_refused(key):
    public = sealed.SealingKey.of(key)
    token = sealed.seal("some narrative", public, record_id=RECORD, field="support_plan/objectives")
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(sealed.Unreadable):
        sealed.open_token(flipped, {public.key_id: key}, record_id=RECORD, field="support_plan/objectives")
    with pytest.raises(sealed.Unreadable):
        sealed.open_token("wp:p3:1:zz:abc", {}, record_id=RECORD, field="x")


def test_each_sealing_differs_and_empty_answers_are_not_sealed(key):
    public = sealed.SealingKey.of(key)
    first = sealed.seal("same", public, record_id=RECORD, field="f")
    assert first != sealed.seal("same", public, record_id=RECORD, field="f")
    with pytest.raises(ValueError):
        sealed.seal("", public, record_id=RECORD, field="f")


def test_a_field_key_wrapped_for_a_recipient(key):
    slot = sealed.new_key()
    wrapped = sealed.wrap_key(key, slot.public_key())
    assert sealed.unwrap_key(wrapped, slot, key_id=sealed.key_id_of(key)).public_key().public_bytes_raw() == \
        key.public_key().public_bytes_raw()
    with pytest.raises(sealed.Unreadable):
        sealed.unwrap_key(wrapped, sealed.new_key(), key_id=sealed.key_id_of(key))
    with pytest.raises(sealed.Unreadable):
        sealed.unwrap_key(wrapped, slot, key_id="0" * 16)
