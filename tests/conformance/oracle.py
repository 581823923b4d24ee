"""ODK's JavaScript form engine as the second opinion: where it is, and running scripts through it.

The engine is `../shared/tools/odk-oracle` (a package.json pinning @getodk/xforms-engine and jsdom), copied
into the gitignored `.cache/odk-oracle` of the repository and installed there with npm (`./dev test` does
it; `ensure_oracle()` does it too if npm is at hand). It needs Node 20.19 or later: `WAYPOINT_NODE`, then
`.cache/node` (where `./dev` puts a Node 20 from npm when the system's is older), then `node` on PATH.
`oracle_batch.mjs` runs many forms in one Node process.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus import ROOT, SHARED

CACHE = ROOT / ".cache"
ORACLE_DIR = CACHE / "odk-oracle"
RUNNER = Path(__file__).with_name("oracle_batch.mjs")
MIN_NODE = (20, 19)


def node_binary() -> str | None:
    """A Node.js new enough for the engine, or None."""
    candidates = [os.environ.get("WAYPOINT_NODE", "")]
    candidates += [str(p) for p in sorted((CACHE / "node" / "node_modules").glob("node-linux-*/bin/node"))]
    candidates.append(shutil.which("node") or "")
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _version(candidate) >= MIN_NODE:
            return candidate
    return None


def _version(binary: str) -> tuple[int, int]:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return (0, 0)
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def ensure_oracle() -> str | None:
    """Install the oracle into .cache/odk-oracle from ../shared/tools/odk-oracle if it is not there (or its
    package.json changed). Returns None when it is ready, else why it cannot be (no ../shared, no npm...)."""
    source = SHARED / "tools" / "odk-oracle" if SHARED is not None else None
    if source is None or not (source / "package.json").is_file():
        return "no ../shared/tools/odk-oracle beside the repository"
    installed = ORACLE_DIR / "node_modules" / "@getodk" / "xforms-engine" / "package.json"
    if installed.is_file() and (ORACLE_DIR / "package.json").is_file() and \
            filecmp.cmp(source / "package.json", ORACLE_DIR / "package.json", shallow=False):
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "no npm to install the ODK oracle (./dev test installs Node.js and npm)"
    ORACLE_DIR.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_file():
            shutil.copyfile(item, ORACLE_DIR / item.name)
    result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ORACLE_DIR,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not installed.is_file():
        return f"npm install of the ODK oracle failed: {result.stderr.strip()[-500:]}"
    return None


@dataclass
class OracleRun:
    """What ODK's engine said for one form: an error at load, or a state per dump label."""

    error: str | None = None
    states: dict[str, dict[str, tuple]] = field(default_factory=dict)  # label -> ref -> (type, rel, req, value, ok)
    op_errors: list[tuple[list, str]] = field(default_factory=list)


def run_oracle(jobs: list[dict], *, node: str, timeout: float = 1800) -> dict[str, OracleRun]:
    """Run jobs ({id, form, media, ops}) through the oracle in one Node process; results by job id."""
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        jobs_file = Path(tmp) / "jobs.json"
        jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
        out_file = Path(tmp) / "out.jsonl"
        with out_file.open("w", encoding="utf-8") as out:
            proc = subprocess.run([node, str(RUNNER), str(ORACLE_DIR), str(jobs_file)], stdout=out,
                                  stderr=subprocess.PIPE, text=True, timeout=timeout)
        results: dict[str, OracleRun] = {job["id"]: OracleRun() for job in jobs}
        done: set[str] = set()
        with out_file.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                run = results[record["id"]]
                if record.get("done"):
                    done.add(record["id"])
                elif "nodes" in record:
                    run.states[record["label"]] = {n[0]: tuple(n[1:]) for n in record["nodes"]}
                elif "op" in record:
                    run.op_errors.append((record["op"], record["error"]))
                else:
                    run.error = record["error"]
                    done.add(record["id"])
        for job_id, run in results.items():
            if job_id not in done and run.error is None:
                run.error = f"the oracle stopped (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
        return results
