"""Canary searches: is anything of a person left in a vault folder, or in the server's database?

A vault folder is searched three ways: every file's raw bytes; every SQLCipher page of the database, its WAL
and any backup decrypted with the vault's data key (what someone who forced a passphrase out of a user can
read, including free pages and old page images that no query returns); and every row of every table through
SQL. The server's database is searched through SQL (every table, every column as text) and, for SQLite, its
files' raw bytes. Needles are the canary in several encodings and cases.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import create_engine, inspect, text

from desktop_app.vault import database

# SQLCipher 4 page: data, then a reserve of 16 bytes of IV and 64 of HMAC-SHA512; page 1 starts with the salt.
RESERVE, IV_SIZE, SALT_SIZE = 80, 16, 16
WAL_HEADER, FRAME_HEADER = 32, 24


def needles(*texts: str) -> dict[str, bytes]:
    found = {}
    for text_ in texts:
        for variant in (text_, text_.lower(), text_.upper()):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le"):
                found[f"{variant}/{encoding}"] = variant.encode(encoding)
            found[f"{variant}/base64"] = base64.b64encode(variant.encode())[:-4]
    return found


def _decrypt(page: bytes, key: bytes, *, first: bool) -> bytes:
    size = len(page)
    iv = page[size - RESERVE:size - RESERVE + IV_SIZE]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[SALT_SIZE if first else 0:size - RESERVE]) + decryptor.finalize()


def decrypted_pages(path: Path, key: bytes, page_size: int) -> Iterator[tuple[str, bytes]]:
    """(where, plaintext) of every page of a SQLCipher file or WAL, free pages and superseded frames included."""
    data = path.read_bytes()
    if path.name.endswith("-wal"):
        offset = WAL_HEADER
        while offset + FRAME_HEADER + page_size <= len(data):
            number = int.from_bytes(data[offset:offset + 4], "big")
            page = data[offset + FRAME_HEADER:offset + FRAME_HEADER + page_size]
            yield f"frame at {offset} (page {number})", _decrypt(page, key, first=number == 1)
            offset += FRAME_HEADER + page_size
        return
    for start in range(0, len(data) - page_size + 1, page_size):
        yield f"page {start // page_size + 1}", _decrypt(data[start:start + page_size], key, first=start == 0)


def _hits(where: str, data: bytes, wanted: dict[str, bytes]) -> list[str]:
    return [f"{where}: {label}" for label, needle in wanted.items() if needle in data]


def vault_leaks(folder: Path, key: bytes, page_size: int, wanted: dict[str, bytes]) -> list[str]:
    """Every place in a vault folder where a needle is found (an empty list: the folder is clean)."""
    found = []
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    assert any(p.name == database.DB_FILE for p in files)
    for path in files:
        name = str(path.relative_to(folder))
        found += _hits(f"{name} (raw)", path.read_bytes(), wanted)
        if path.name.endswith(("waypoint.db", "-wal", ".bak")) and path.stat().st_size:
            for where, plain in decrypted_pages(path, key, page_size):
                found += _hits(f"{name} {where} (decrypted)", plain, wanted)
    conn = database.connect_raw(folder / database.DB_FILE, key, page_size=page_size, isolation_level=None)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    data = value.encode() if isinstance(value, str) else value if isinstance(value, bytes) else b""
                    found += _hits(f"table {table} (SQL)", data, wanted)
    finally:
        conn.close()
    return found


def decrypted_pages_hold(folder: Path, key: bytes, page_size: int, needle: bytes) -> bool:
    """True if the needle is in some decrypted page: proof that the search above can see what it looks for."""
    return any(needle in plain for path in folder.glob("waypoint.db*") if not path.name.endswith("-shm")
               and path.stat().st_size for _, plain in decrypted_pages(path, key, page_size))


def server_leaks(database_url: str, data_dir: Path | None, wanted: dict[str, bytes]) -> list[str]:
    """Every table and column of the server's database (as text), and for SQLite its files' raw bytes."""
    found = []
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        if value is not None:
                            data = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                            found += _hits(f"server table {table}", data, wanted)
    finally:
        engine.dispose()
    if data_dir is not None:
        for path in sorted(data_dir.rglob("*")):
            if path.is_file():
                found += _hits(f"server file {path.name} (raw)", path.read_bytes(), wanted)
    return found
