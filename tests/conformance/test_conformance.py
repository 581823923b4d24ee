"""The side-by-side conformance suite (suite.py): every form of ../shared/corpus answered by the same generated
script in our engine and in ODK's JavaScript engine; every node's relevance, requiredness, value and validity
compared after each answer. Every difference must be listed in known_differences.toml with the JavaRosa source
that shows who is right. The figures are printed at the end of the test run (tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.conformance.compare import Difference, Known, load_known
from tests.conformance.oracle import ensure_oracle, node_binary
from tests.conformance.suite import corpus_forms, figures, run, summary_lines
from tests.corpus import in_ci

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def node() -> str:
    """Node.js with the oracle installed: without them the suite skips, except in CI, where it fails."""
    problem = ensure_oracle()
    binary = node_binary()
    if problem is None and binary is None:
        problem = "no Node.js 20.19+ (./dev test installs one)"
    if problem is not None:
        if in_ci():
            pytest.fail(f"the conformance suite cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    assert binary is not None
    return binary


def _check(size: str, node: str, record_property) -> None:
    forms = corpus_forms()
    results = run(forms, size=size, node=node)
    fig = figures(results)
    record_property("conformance", summary_lines(fig) + [
        f"  known difference no longer seen (delete it): {k.form} {k.path} {k.prop}" for k in fig["stale"]])
    assert len(results) == len(forms) >= 50
    assert fig["answers"] > 20 * fig["forms_compared"]  # the scripts really answered the forms
    assert not fig["unlisted"], "differences with ODK's engine not in known_differences.toml:\n" + \
        "\n".join(str(d) for d in fig["unlisted"])


def test_our_engine_agrees_with_odks_on_every_corpus_form(node, record_property):
    _check("ci", node, record_property)


@pytest.mark.slow
def test_our_engine_agrees_with_odks_on_every_corpus_form_walked_to_the_end(node, record_property):
    _check("full", node, record_property)


def test_every_known_difference_names_its_evidence(tmp_path):
    entries = load_known()
    assert entries and all(k.evidence.strip() and k.why.strip() for k in entries)
    assert all(k.fix for k in entries if k.who == "waypoint")  # ours: someone is fixing it
    bad = tmp_path / "bad.toml"
    bad.write_text('[[difference]]\nform = "*"\nwho = "nobody"\nwhy = "x"\nevidence = "y"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="who must be"):
        load_known(bad)
    entry = Known("f*.xml", "/data/q.*", "value", "oracle", "w", "e", ours="NaN")
    assert entry.matches(Difference("f1.xml", "/data/q2", "value", 3, "/data/q2", "NaN", ""))
    assert not entry.matches(Difference("f1.xml", "/data/q2", "value", 3, "/data/q2", "7", ""))
    assert not entry.matches(Difference("f1.xml", "/data/q2", "relevant", 3, "/data/q2", "NaN", ""))
