"""The device-side 3-way merge (desktop_app.sync.state): fields and instance-XML leaves, properties and cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.sync.state import MergeConflict, diff, merge_content, three_way

XML = '<data id="f" xmlns:jr="http://openrosa.org/javarosa"><a>{a}</a><g><b>{b}</b></g><r><x>1</x></r>{extra}</data>'


def doc(a: str = "1", b: str = "1", extra: str = "") -> str:
    return XML.format(a=a, b=b, extra=extra)


def state(fields: dict, content: str | None = None, deleted: bool = False) -> dict:
    return {"form_id": "f", "form_version": "1", "deleted": deleted, "content": content, "fields": fields}


values = st.dictionaries(st.sampled_from(["title", "age", "phone", "@status"]),
                         st.one_of(st.text(max_size=5), st.integers(0, 99)), max_size=4)


@given(values, values)
def test_one_sided_changes_always_win(base_fields, changed_fields):
    base, changed = state(base_fields, doc()), state(changed_fields, doc(a="2"))
    assert three_way(base, changed, base) == changed
    assert three_way(base, base, changed) == changed


@given(values)
def test_a_diff_turns_the_previous_state_into_the_current_one(fields):
    previous, current = state({"title": "x", "age": 3}, doc()), state(fields, doc(a="9"))
    patch, content = diff(previous, current)
    rebuilt = {**previous["fields"], **patch}
    assert {k: v for k, v in rebuilt.items() if v is not None} == current["fields"] and content == doc(a="9")


any_values = st.dictionaries(st.sampled_from(["title", "age", "phone", "@status", "x"]),
                             st.one_of(st.none(), st.booleans(), st.text(max_size=3), st.integers(-2, 2),
                                       st.lists(st.integers(0, 1), max_size=2)), max_size=5)


@given(any_values, any_values, st.sampled_from([None, "a", "b"]), st.sampled_from([None, "a", "b"]))
def test_a_diff_is_the_fields_that_differ_name_by_name(old, new, old_content, new_content):
    """diff's set operations on the items give what comparing every name gives (None and absent alike; 1 and True
    equal as the comparison has them), and so does its fallback for a value that cannot be hashed."""
    patch, content = diff(state(old, old_content), state(new, new_content))
    assert patch == {name: new.get(name) for name in set(old) | set(new) if old.get(name) != new.get(name)}
    assert content == (new_content if new_content != old_content else None)


def test_disjoint_leaves_merge_and_namespaces_survive():
    merged = merge_content(doc(), doc(a="local"), doc(b="remote"))
    assert "<a>local</a>" in merged and "<b>remote</b>" in merged and 'xmlns:jr="http://openrosa.org/javarosa"' in merged


def test_same_leaf_changed_twice_is_a_conflict_naming_it():
    with pytest.raises(MergeConflict) as conflict:
        merge_content(doc(), doc(a="local"), doc(a="remote"))
    assert conflict.value.where == "/data/a[1]"


def test_a_repeat_added_on_one_side_while_the_other_edits_is_a_conflict():
    with pytest.raises(MergeConflict, match="structure"):
        merge_content(doc(), doc(a="2"), doc(extra="<r><x>2</x></r>"))


def test_delete_against_an_edit_is_never_decided_alone():
    base = state({"title": "x"}, doc())
    with pytest.raises(MergeConflict, match="deleted"):
        three_way(base, state({}, None, deleted=True), state({"title": "y"}, doc(a="2")))
    assert three_way(base, state({}, None, deleted=True), base)["deleted"] is True
