"""Where the corpus of real-world forms is (`../shared/corpus` beside the repository), for tests and benches.

The corpus is not part of the repository (other people's forms, other licences): it lives in `../shared`
beside the checkout, as on CI. A linked git worktree (`git worktree add`) counts as the repository it
belongs to, so a worktree finds the `../shared` beside its main checkout. `WAYPOINT_SHARED` overrides both.

Tests that read it carry the `corpus` marker (tests/conftest.py): without a corpus they skip on a
developer's machine and FAIL in CI (`CI=true`), so a CI machine missing the corpus cannot pass silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _main_checkout(repo: Path) -> Path | None:
    """For a linked worktree, the checkout owning its .git directory (`.git` is then a file)."""
    dot_git = repo / ".git"
    if not dot_git.is_file():
        return None
    text = dot_git.read_text(encoding="utf-8").strip()
    if not text.startswith("gitdir:"):
        return None
    gitdir = (repo / text.removeprefix("gitdir:").strip()).resolve()
    commondir = gitdir / "commondir"
    common = (gitdir / commondir.read_text(encoding="utf-8").strip()).resolve() if commondir.is_file() else gitdir
    return common.parent if common.name == ".git" else None


def shared_dir(root: Path = ROOT) -> Path | None:
    """The `shared` folder beside the repository at `root`, or None."""
    override = os.environ.get("WAYPOINT_SHARED")
    candidates = [Path(override)] if override else []
    candidates.append(root.parent / "shared")
    main = _main_checkout(root)
    if main is not None:
        candidates.append(main.parent / "shared")
    for candidate in candidates:
        if (candidate / "corpus").is_dir():
            return candidate.resolve()
    return None


SHARED = shared_dir()
CORPUS = SHARED / "corpus" if SHARED is not None else None
MISSING = f"no corpus at {ROOT.parent / 'shared' / 'corpus'} (the ../shared folder beside the repository)"


def corpus_path(*parts: str) -> Path:
    """A path inside the corpus. Without a corpus, a path that does not exist (the test then skips or fails
    through its `corpus` marker, never at import time)."""
    return (CORPUS if CORPUS is not None else ROOT.parent / "shared" / "corpus").joinpath(*parts)


def corpus_files(*patterns: str) -> list[Path]:
    """Corpus files matching glob patterns (sorted within each). Without a corpus: one placeholder, so that a
    test parametrized over the list still exists, and its `corpus` marker skips it or (in CI) fails it."""
    if CORPUS is None:
        return [corpus_path("missing")]
    out: list[Path] = []
    for pattern in patterns:
        out.extend(sorted(CORPUS.glob(pattern)))
    return out


def params(paths: list[Path]) -> list:
    """pytest params named by file name, each carrying the `corpus` marker."""
    return [pytest.param(p, id=p.name, marks=pytest.mark.corpus) for p in paths]


def check_available() -> None:
    """Called by the `corpus` marker: skip without a corpus, or fail in CI."""
    if CORPUS is not None:
        return
    if in_ci():
        pytest.fail(f"{MISSING}: CI must run the corpus tests", pytrace=False)
    pytest.skip(MISSING)
