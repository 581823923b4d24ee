"""The seized-laptop canary: a person made up at each run, and a search of every file the app, SQLite,
Qt or the desktop could have written (the test's isolated home in full; HOME, the XDG folders,
TMPDIR, /tmp, /var/tmp and /dev/shm for files changed since the test began) for that person, in
any encoding we can think of, inside compressed files too (zip members such as an XLSX's sheets, gzip, a PDF's
Flate streams).
"""

from __future__ import annotations

import base64
import gzip
import io
import os
import random
import re
import string
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from desktop_app.paths import app_paths

# Made up at each run, so no source file, log or shell history elsewhere on the machine holds it and
# the shared temp folders (/tmp, /var/tmp, /dev/shm) can be searched too.
_rng = random.SystemRandom()
CANARY_NAME = " ".join("".join(_rng.choice(string.ascii_lowercase) for _ in range(9)).capitalize()
                       for _ in range(2))
# An adult's birth date: a child's makes the registration form ask questions (care situation) the tests do not answer.
_year, _month, _day = _rng.randint(1950, 2005), _rng.randint(1, 12), _rng.randint(1, 28)
CANARY_DOB = f"{_year}-{_month:02d}-{_day:02d}"
CANARY_DOB_FR = f"{_day:02d}/{_month:02d}/{_year}"


def needles() -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for label, text in (("name", CANARY_NAME), ("surname", CANARY_NAME.split()[1]), ("dob", CANARY_DOB),
                        ("dob_fr", CANARY_DOB_FR)):
        for variant in (text, text.lower(), text.upper()):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le"):
                found[f"{label}/{variant}/{encoding}"] = variant.encode(encoding)
            found[f"{label}/{variant}/base64"] = base64.b64encode(variant.encode())[:-4]
    return found


def canary_content(i: int) -> str:
    """A registration's content holding the canary, about 2 KB like a real one."""
    return (f"<data><name>{CANARY_NAME}</name><dob>{CANARY_DOB}</dob><dob_fr>{CANARY_DOB_FR}</dob_fr>"
            f"<i>{i}</i><story>{'lorem ipsum ' * 150}</story></data>")


SHARED_TEMP = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
# Other programs on this machine write big files into the shared temp folders while we run; anything
# this test could leak there (a SQLite temp file, a stray export) is far smaller than this.
SHARED_FILE_LIMIT = 32 * 1024 * 1024


def search_roots(isolated_home: Path) -> list[Path]:
    roots = {isolated_home, Path(tempfile.gettempdir()), *SHARED_TEMP, *app_paths().all()}
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "TMPDIR",
                "SQLITE_TMPDIR"):
        if os.environ.get(var):
            roots.add(Path(os.environ[var]))
    return sorted(r for r in roots if r.exists())


def leaks(roots: list[Path], since: float, own: Path) -> list[str]:
    """Every file under `own` (the test's isolated home) in full; elsewhere, files changed since `since`.

    A control file holding the canary is put in `own` first and must be found: a search that reads
    nothing (a folder it cannot walk, a test that wrote nothing) fails instead of passing empty.
    """
    control = own / ".canary-control"
    control.write_text(CANARY_NAME, encoding="utf-8")
    try:
        found = _search(roots, since, own)
    finally:
        control.unlink()
    assert any(hit.startswith(f"{control}: ") for hit in found), "the search did not read the control file"
    return [hit for hit in found if not hit.startswith(f"{control}: ")]


def _search(roots: list[Path], since: float, own: Path) -> list[str]:
    found = []
    found_needles = needles()
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
            for inner, content in _unpacked(data):
                found += [f"{path}{inner}: {label}" for label, needle in found_needles.items() if needle in content]
    return found


def _unpacked(data: bytes, depth: int = 0) -> Iterator[tuple[str, bytes]]:
    """The file's bytes, then what its compression hides from a byte search: each member of a zip (XLSX, DOCX),
    a gzip stream, each Flate stream of a PDF; nested ones too (a zip in a zip), a few levels deep."""
    yield "", data
    if depth >= 3:
        return
    inner: list[tuple[str, bytes]] = []
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                inner = [(f"!{info.filename}", archive.read(info)) for info in archive.infolist()
                         if info.file_size <= SHARED_FILE_LIMIT]
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            pass
    elif data.startswith(b"\x1f\x8b"):
        try:
            inner = [("!gunzip", gzip.decompress(data))]
        except (OSError, EOFError):
            pass
    elif data.startswith(b"%PDF"):
        for n, match in enumerate(re.finditer(rb"stream\r?\n", data)):
            try:
                inner.append((f"!stream{n}", zlib.decompressobj().decompress(data[match.end():],
                                                                               SHARED_FILE_LIMIT)))
            except zlib.error:
                continue
    for name, content in inner:
        for deeper, unpacked in _unpacked(content, depth + 1):
            yield name + deeper, unpacked


