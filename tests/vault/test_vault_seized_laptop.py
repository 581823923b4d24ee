"""The seized-laptop test: after real use of a vault, no byte of any file the app or SQLite could
have written (vault folder with -wal/-shm and backups, Waypoint home, HOME, XDG folders, temp
folders) contains the canary person, in any encoding we can think of."""

from __future__ import annotations

import base64
import os
import random
import string
import tempfile
from pathlib import Path

from desktop_app.paths import app_paths
from desktop_app.vault import Vault
from desktop_app.vault.registrations import (
    delete_registration,
    page_registrations,
    save_registration,
    save_registrations,
    RegistrationDraft,
)
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

# Made up at each run, so no source file, log or shell history elsewhere on the machine holds it and
# the shared temp folders (/tmp, /var/tmp, /dev/shm) can be searched too.
_rng = random.SystemRandom()
CANARY_NAME = " ".join("".join(_rng.choice(string.ascii_lowercase) for _ in range(9)).capitalize()
                       for _ in range(2))
_year, _month, _day = _rng.randint(1950, 2010), _rng.randint(1, 12), _rng.randint(1, 28)
CANARY_DOB = f"{_year}-{_month:02d}-{_day:02d}"
CANARY_DOB_FR = f"{_day:02d}/{_month:02d}/{_year}"


def _needles() -> dict[str, bytes]:
    needles = {}
    for label, text in (("name", CANARY_NAME), ("surname", CANARY_NAME.split()[1]), ("dob", CANARY_DOB),
                        ("dob_fr", CANARY_DOB_FR)):
        for variant in (text, text.lower(), text.upper()):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le"):
                needles[f"{label}/{variant}/{encoding}"] = variant.encode(encoding)
            needles[f"{label}/{variant}/base64"] = base64.b64encode(variant.encode())[:-4]
    return needles


SHARED_TEMP = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
# Other programs on this machine write big files into the shared temp folders while we run; anything
# this test could leak there (a SQLite temp file, a stray export) is far smaller than this.
SHARED_FILE_LIMIT = 32 * 1024 * 1024


def _search_roots(isolated_home: Path) -> list[Path]:
    roots = {isolated_home, Path(tempfile.gettempdir()), *SHARED_TEMP, *app_paths().all()}
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "TMPDIR",
                "SQLITE_TMPDIR"):
        if os.environ.get(var):
            roots.add(Path(os.environ[var]))
    return sorted(r for r in roots if r.exists())


def _leaks(roots: list[Path], since: float, own: Path) -> list[str]:
    """Every file under `own` (the test's isolated home) in full; elsewhere, files changed since `since`."""
    found = []
    needles = _needles()
    scanned = 0
    seen: set[Path] = set()
    for root in roots:
        # os.walk, not rglob: other programs' temp folders come and go while we walk.
        for path in (Path(d) / f for d, _, files in os.walk(root, onerror=lambda e: None) for f in files):
            try:
                if path in seen or not path.is_file() or path.is_symlink():
                    continue
                seen.add(path)
                ours = own in path.parents
                info = path.stat()
                if not ours and (info.st_mtime < since or info.st_size > SHARED_FILE_LIMIT):
                    continue
                data = path.read_bytes()
            except OSError:  # another process's file vanished or is not ours to read
                continue
            scanned += len(data)
            found += [f"{path}: {label}" for label, needle in needles.items() if needle in data]
    assert scanned > 0
    return found


def _canary_content(i: int) -> str:
    return (f"<data><name>{CANARY_NAME}</name><dob>{CANARY_DOB}</dob><dob_fr>{CANARY_DOB_FR}</dob_fr>"
            f"<i>{i}</i><story>{'lorem ipsum ' * 150}</story></data>")


def test_no_trace_of_the_canary_on_disk(isolated_home, new_vault, vault_dir):
    started = vault_dir.stat().st_mtime - 1
    new_vault.add_user("moussa", "field staff passphrase", "field_staff")
    ids = []
    for i in range(60):
        ids.append(save_registration(
            new_vault, form_id="htcds", form_version="2", status="draft", content=_canary_content(i),
            fields={"title": CANARY_NAME, "registered_on": CANARY_DOB, "dob": CANARY_DOB,
                    "full_name_lower": CANARY_NAME.lower()},
        ).id)
    save_registrations(new_vault, [RegistrationDraft("htcds", "2", "finalized", _canary_content(i),
                                                     fields={"title": CANARY_NAME}) for i in range(40)])
    for record_id in ids[:10]:
        save_registration(new_vault, record_id=record_id, form_id="htcds", form_version="2",
                          status="finalized", content=_canary_content(999), fields={"title": CANARY_NAME})
    delete_registration(new_vault, ids[-1])
    # Searches and a big sort make SQLite build temporary b-trees (kept in memory by temp_store).
    assert page_registrations(new_vault, offset=0, limit=50, search=CANARY_NAME.split()[1][:5])
    with new_vault.session(readonly=True) as session:
        session.connection().exec_driver_sql(
            "SELECT content FROM registration ORDER BY content DESC, title").fetchall()
    roots = _search_roots(isolated_home)
    assert (vault_dir / "waypoint.db-wal").stat().st_size > 0  # the WAL holds recent pages: check it open
    assert _leaks(roots, started, isolated_home) == []

    new_vault.remove_user("moussa")  # rekeys the whole database
    new_vault.close()
    with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as again:
        assert again.verify().ok
    assert _leaks(roots, started, isolated_home) == []
    assert not (vault_dir / "waypoint.db").read_bytes().startswith(b"SQLite format 3")
