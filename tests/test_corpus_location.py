"""The corpus is found beside the repository, or beside the main checkout of a linked worktree; a test
needing it skips without it on a developer's machine and fails in CI."""

from __future__ import annotations

import pytest

from tests import corpus


def _layout(tmp_path):
    shared = tmp_path / "shared"
    (shared / "corpus").mkdir(parents=True)
    main = tmp_path / "main"
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (main / ".git" / "worktrees" / "wt" / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = tmp_path / "elsewhere" / "wt"
    worktree.mkdir(parents=True)
    (worktree / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n", encoding="utf-8")
    return shared, main, worktree


def test_shared_beside_the_repository_or_its_main_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("WAYPOINT_SHARED", raising=False)
    shared, main, worktree = _layout(tmp_path)
    assert corpus.shared_dir(main) == shared.resolve()
    assert corpus.shared_dir(worktree) == shared.resolve()
    lone = tmp_path / "lone" / "repo"
    (lone / ".git").mkdir(parents=True)
    assert corpus.shared_dir(lone) is None
    monkeypatch.setenv("WAYPOINT_SHARED", str(shared))
    assert corpus.shared_dir(lone) == shared.resolve()


def test_missing_corpus_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(corpus, "CORPUS", None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        corpus.check_available()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the corpus tests"):
        corpus.check_available()
    assert [p.name for p in corpus.corpus_files("xforms/*.xml")] != []  # a placeholder keeps the test alive
