"""The SQLCipher database file: opening it with the raw data key, pragmas, migrations, error mapping.

Pragmas and why:
- `key = "x'<hex>'"`: the data key is already 256 random bits, so SQLCipher's own PBKDF2 is skipped.
- WAL: readers do not block the writer; the -wal file holds SQLCipher-encrypted pages only.
- synchronous=FULL: WAL+NORMAL already survives a killed process, but a field laptop also loses
  power when its battery dies; FULL fsyncs the WAL at each commit, which costs a few ms per saved
  registration (measured in bench/bench_vault.py) and keeps a returned save through power loss.
- temp_store=MEMORY: sorts and temp tables never go to an (unencrypted) temp file.
- cipher_memory_security=ON: SQLCipher wipes freed buffers, so decrypted pages do not linger in
  memory that may be swapped out; its cost is measured in the bench.
- secure_delete=ON: deleted rows and freed pages are overwritten with zeros, so a deleted person is not
  left readable in free space inside the file (with the data key); the writer then folds the WAL into the
  file and truncates it (desktop_app/vault/writer), so old page images do not stay in waypoint.db-wal.

And one setting that is not a pragma: a wider lookaside (`widen_lookaside`, below), so that with memory security
on most of SQLite's small allocations do not each cost a locked and wiped buffer.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import os
import re
import shutil
import sqlite3
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ctypes
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from desktop_app.vault.errors import (
    DiskFull,
    ForeignDatabase,
    MigrationFailed,
    NotAVault,
    SchemaTooNew,
    TamperedDatabase,
    VaultError,
    VaultFolderNotWritable,
)
from desktop_app.vault.keyslots import Doc, b64d, b64e, map_os_error

# A DB-API connection of sqlcipher3 (untyped): what connect_raw returns and migrations receive.
Connection = Any

DB_FILE = "waypoint.db"
# 8 KiB pages hold three ~2 KB registrations where 4 KiB pages hold one: a third smaller file and
# about twice as fast a full scan (bench/bench_vault.py). Vaults made before this was recorded in
# slots.json use SQLCipher's default, 4096.
CIPHER_PAGE_SIZES = (1024, 2048, 4096, 8192, 16384, 32768, 65536)
NEW_VAULT_PAGE_SIZE = 8192
LEGACY_PAGE_SIZE = 4096
BACKUP_DIR = "backups"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")

SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_READONLY = 8
SQLITE_NOTADB = 26
SALT_LENGTH = 16  # SQLCipher keeps its random per-file salt in clear in the first 16 bytes


def map_db_error(exc: BaseException) -> BaseException:
    """Turn a driver error into the vault's own error; return it unchanged if it is not one we know."""
    if isinstance(exc, VaultError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(orig).lower()
    if primary == SQLITE_FULL or "database or disk is full" in text:
        return DiskFull()
    if primary in (SQLITE_NOTADB, SQLITE_CORRUPT) or "not a database" in text or "malformed" in text:
        return TamperedDatabase()
    if primary == SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return VaultFolderNotWritable()
    if primary == SQLITE_CANTOPEN:
        return VaultFolderNotWritable("cannot open the database file")
    if isinstance(orig, OSError) and orig.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull()
    return exc


def connect_raw(db_path: Path, dek: bytes, *, page_size: int, isolation_level: str | None = "") -> Connection:
    """A keyed, configured DB-API connection. The first read checks the key (HMAC of page 1).

    `page_size` is the vault's cipher_page_size (recorded in slots.json): SQLCipher cannot read it
    from the encrypted file, so every connection must state it.
    """
    if page_size not in CIPHER_PAGE_SIZES:
        raise ValueError(f"unsupported cipher page size {page_size}")
    conn = sqlcipher.connect(str(db_path), check_same_thread=False, isolation_level=isolation_level)
    widen_lookaside(conn, db_path)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{dek.hex()}'\"")
        conn.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
        conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlcipher.Error as exc:
        conn.close()
        raise _opening_error(exc, db_path) from exc
    return conn


SQLITE_IOERR = 10
NEARLY_FULL = 1 << 20  # bytes free below which an I/O error opening the vault is the disk being full


def _opening_error(exc: BaseException, db_path: Path) -> BaseException:
    """`map_db_error`, and a full disk said as such: opening needs room for the write-ahead log and its shared-memory
    file, and SQLite reports a disk that has none as a bare "disk I/O error" (a coordinator's full laptop then read
    "unexpected OperationalError: disk I/O error" on any command)."""
    mapped = map_db_error(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if mapped is exc and isinstance(code, int) and code & 0xFF == SQLITE_IOERR:
        try:
            if shutil.disk_usage(db_path.parent).free < NEARLY_FULL:
                return DiskFull()
        except OSError:
            pass
    return mapped


# SQLite serves a connection's small, short-lived allocations (statement cursors, index keys, short bound values)
# from its lookaside, a buffer of slots allocated once per connection. Its default (SQLCipher's build: 1200-byte slots,
# 48 KB, 123 slots) is full as soon as the vault's prepared statements are cached, so every other small allocation
# goes to SQLCipher's allocator, which with cipher_memory_security ON locks each buffer (mlock) and wipes and unlocks
# it when freed: two system calls and a memset per allocation, about 20 for each registration row written.
# 600 KB per connection (1,521 slots of 1200 and 128 bytes) held them (bench: a pulled page's registration inserts
# 4x less CPU). Big slots of 4 KB also hold what a registration row of up to about 4 KB needs twice per insert (the
# bound content's copy and the record built from it: two locked buffers a row with 1200-byte slots): 1.6 MB, 365
# slots of 4096 bytes and 1,120 of 128, take a tenth off the CPU of pulling 10,000 registrations of 2 KB
# (bench/bench_sync_client.py). The buffer itself is one SQLCipher allocation: locked while the connection lives,
# wiped when it closes.
LOOKASIDE_SLOT = 4096
LOOKASIDE_SLOTS = 400
_SQLITE_DBCONFIG_LOOKASIDE = 1001


class _ConnectionHead(ctypes.Structure):
    """The start of a sqlcipher3 Connection object: PyObject_HEAD, then its sqlite3 handle."""

    _fields_ = [("refcnt", ctypes.c_ssize_t), ("type", ctypes.c_void_p), ("db", ctypes.c_void_p)]


def _sqlite_library() -> Any:
    spec = importlib.util.find_spec("sqlcipher3._sqlite3")
    if spec is None or not spec.origin:
        return None
    library = ctypes.CDLL(spec.origin)  # the extension already loaded: the same SQLCipher, not a second copy
    library.sqlite3_db_filename.restype = ctypes.c_char_p
    library.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return library


_LIBRARY: list[Any] = []


def widen_lookaside(conn: Connection, db_path: Path) -> bool:
    """Give a new connection a lookaside of LOOKASIDE_SLOTS slots of LOOKASIDE_SLOT bytes (before its first
    statement, when SQLite allows it). Speed only: when the handle cannot be reached and checked (another sqlcipher3
    build), the connection keeps SQLCipher's default and False is returned."""
    try:
        if not _LIBRARY:
            _LIBRARY.append(_sqlite_library())
        library = _LIBRARY[0]
        if library is None:
            return False
        handle = _ConnectionHead.from_address(id(conn)).db
        # The handle is checked before it is used: it must be the connection just opened on this file.
        opened = library.sqlite3_db_filename(handle, b"main") if handle else None
        if not opened or os.path.realpath(os.fsdecode(opened)) != os.path.realpath(db_path):
            return False
        done = library.sqlite3_db_config(ctypes.c_void_p(handle), _SQLITE_DBCONFIG_LOOKASIDE, None,
                                         ctypes.c_int(LOOKASIDE_SLOT), ctypes.c_int(LOOKASIDE_SLOTS))
        return bool(done == 0)
    except (OSError, AttributeError, ValueError):
        return False


# Letters NFKD leaves whole, as they are typed on a keyboard without them (ç is not here: NFKD makes it c + cedilla)
_PLAIN_LETTERS = str.maketrans({
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŋ": "ng", "ɓ": "b", "ɗ": "d",
    "ƙ": "k", "ƴ": "y", "ɛ": "e", "ɔ": "o", "ə": "e", "ı": "i", "þ": "th",
})
_APOSTROPHES = "'’‘`´ʼʻʿʾ"


def _fold_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN_LETTERS))
    return "".join(ch for ch in decomposed if ch not in _APOSTROPHES and not unicodedata.combining(ch))


# The Latin letters of names (U+00C0 to U+024F, West African ones) folded once, so a title is folded by one
# str.translate: the list's search may fold every title in the vault, and a character at a time took twice as long
_FOLDED_LETTERS = str.maketrans({chr(code): _fold_slowly(chr(code)) for code in range(0xC0, 0x250)} |
                                {ch: None for ch in _APOSTROPHES} |
                                {ch: _fold_slowly(ch) for ch in "ɓɗƙƴɛɔəŋ"})


def search_fold(text: object) -> str | None:
    """A name as the list's search compares it, SQL `wp_fold(title)`: case, accents and apostrophes off
    ('Aïcha N'Diaye' → 'aicha ndiaye', 'Françoise' → 'francoise'), so 'traore' finds Traoré."""
    if not isinstance(text, str):
        return None
    if text.isascii():
        return text.lower().replace("'", "").replace("`", "")
    folded = text.casefold().translate(_FOLDED_LETTERS)
    return folded if folded.isascii() else _fold_slowly(folded)


def make_engine(db_path: Path, dek: bytes, *, page_size: int, immediate: bool = False) -> Engine:
    """An engine whose transactions begin DEFERRED (readers) or IMMEDIATE (the writer)."""
    key = bytes(dek)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    def creator() -> Connection:
        return connect_raw(db_path, key, page_size=page_size)

    engine = create_engine("sqlite+pysqlite://", module=sqlcipher, creator=creator, pool_pre_ping=False)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writer takes the lock up front so two writers queue on busy_timeout instead of one
        # failing halfway through its transaction with SQLITE_BUSY.
        conn.exec_driver_sql(begin)

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.create_function("wp_fold", 1, search_fold, deterministic=True)

    return engine


# --- migrations --------------------------------------------------------------------------------


def available_migrations() -> list[tuple[int, Path]]:
    found: list[tuple[int, Path]] = []
    for path in MIGRATIONS_DIR.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    found.sort()
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migration numbers must run 1..N without gaps or repeats: {numbers}")
    return found


def latest_version() -> int:
    return len(available_migrations())


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migration(conn: Connection, number: int, path: Path) -> None:
    """One migration in one transaction, user_version set inside it: all of it or none of it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if path.suffix == ".sql":
            for statement in _split_sql(path.read_text("utf-8")):
                conn.execute(statement)
        else:
            spec = importlib.util.spec_from_file_location(f"waypoint_migration_{number:04d}", path)
            if spec is None or spec.loader is None:
                raise RuntimeError(f"cannot load migration {path.name}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.upgrade(conn)
        conn.execute(f"PRAGMA user_version = {int(number)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


# --- the baseline: a new vault's schema in one step ------------------------------------------------
#
# Migrating an empty database from zero through every migration costs ~75 ms of CPU (25 migrations, one of which
# rebuilds a table three times to drop columns), paid by every new vault and by every schema check. baseline.sql
# holds what those migrations leave: sqlite_master's statements in creation order and the rows they seed, with
# the version it stands for and the SHA-256 of each migration file it was made from. It is used only while
# those files are byte for byte the ones here, so a changed or added migration falls back to (or continues with)
# the step-by-step path; tests/vault/test_vault_baseline.py fails until it is regenerated:
#     python -m desktop_app.vault.baseline
BASELINE_FILE = "baseline.sql"
_BASELINE_VERSION = re.compile(r"^-- version: (\d+)$", re.MULTILINE)
_BASELINE_SOURCE = re.compile(r"^-- made from (\d{4}_[a-z0-9_]+\.(?:sql|py)) sha256 ([0-9a-f]{64})$", re.MULTILINE)


def migration_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def usable_baseline(migrations: list[tuple[int, Path]], limit: int) -> tuple[int, str] | None:
    """(version, script) of MIGRATIONS_DIR's baseline if it may stand for migrations 1..version: not beyond `limit`
    and made from exactly the migration files there now (same names, same bytes). None otherwise."""
    try:
        script = (MIGRATIONS_DIR / BASELINE_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    found = _BASELINE_VERSION.search(script)
    if found is None:
        return None
    version = int(found.group(1))
    if not 0 < version <= limit:
        return None
    made_from = dict(_BASELINE_SOURCE.findall(script))
    if made_from != {path.name: migration_digest(path) for number, path in migrations if number <= version}:
        return None
    return version, script


def apply_baseline(conn: Connection, version: int, script: str) -> int:
    """The baseline's statements and user_version in one transaction, on an empty database. Returns `version`."""
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise RuntimeError("the baseline is for an empty database")
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {int(version)};\nCOMMIT;")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return version


def _split_sql(script: str) -> list[str]:
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def migrate(conn: Connection, *, folder: Path, target: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> Path | None:
    """Bring the schema up to date; back up the (encrypted) file first if it already holds data.

    `progress(done, steps)` is told before the backup (0), after each migration and after the check and compaction
    that end an upgrade of a vault holding data (a step of its own: minutes on a large vault); nothing when the
    schema is current. A migration over 100,000 records takes minutes, so the unlock screen says so.

    Once every migration has run and the migrated file verifies (every page's HMAC, SQLite's check, the
    schema), the backup is overwritten and removed: it holds whatever the vault held before, including
    what was deleted since, under the same data key. A failed migration or verification keeps it and
    names it in the error. Returns the backup path if one was made and kept (None otherwise).
    Refuses a schema newer than this code knows. `conn` must be in autocommit mode (isolation_level=None).
    """
    migrations = available_migrations()
    latest = len(migrations) if target is None else target
    current = schema_version(conn)
    if current > len(migrations):
        raise SchemaTooNew(f"database schema {current}, this Waypoint knows up to {len(migrations)}")
    if current >= latest:
        return None
    fresh = current == 0  # nothing to back up, check or compact
    if fresh:
        # A new database: straight to the baseline's schema in one transaction (what migrations 1..B make, B
        # usually the latest), then any migration after it. An existing vault migrates step by step below.
        baseline = usable_baseline(migrations, latest)
        if baseline is not None:
            try:
                current = apply_baseline(conn, *baseline)
            except Exception as exc:
                mapped = map_db_error(exc)
                if isinstance(mapped, VaultError):
                    raise mapped from exc
                raise MigrationFailed(f"schema baseline {BASELINE_FILE}: {exc}") from exc
            if current >= latest:
                return None
    steps = latest - current + (0 if fresh else 1)
    if progress is not None:
        progress(0, steps)
    backup = None if fresh else backup_file(conn, folder=folder, version=current)
    for number, path in migrations:
        if current < number <= latest:
            try:
                apply_migration(conn, number, path)
                if progress is not None:
                    progress(number - current, steps)
            except Exception as exc:
                mapped = map_db_error(exc)
                if isinstance(mapped, VaultError):
                    raise mapped from exc
                where = f"; backup in {backup}" if backup else ""
                raise MigrationFailed(f"migration {path.name}: {exc}{where}") from exc
    if backup is None:
        return None
    problems = migrated_problems(conn, latest)
    if problems:
        raise MigrationFailed(f"the migrated vault does not verify ({problems[0]}); backup in {backup}")
    # Rewritten page by page: free pages and the free space inside pages may still hold rows deleted before
    # secure_delete was on (vaults made before migration 0005); VACUUM leaves none of it in the file.
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    erase_file(backup)
    if progress is not None:
        progress(steps, steps)
    return None


def migrated_problems(conn: Connection, version: int) -> list[str]:
    """What is wrong with a freshly migrated file: page HMACs, SQLite's own check, the schema's shape."""
    problems = [f"encrypted page check: {row[0]}" for row in conn.execute("PRAGMA cipher_integrity_check")]
    checked = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    if checked != ["ok"]:
        problems += [f"integrity check: {row}" for row in checked]
    if schema_signature(conn) != expected_signature(version):
        problems.append("the tables differ from what the migrations create")
    return problems


def erase_file(path: Path) -> None:
    """Overwrite a file with zeros, flush it, then remove it (a removed file's blocks are otherwise left as
    they were until the file system reuses them)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as out:
            zeros = bytes(1024 * 1024)
            for start in range(0, size, len(zeros)):
                out.write(zeros[:min(len(zeros), size - start)])
            out.flush()
            os.fsync(out.fileno())
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise map_os_error(exc) from exc


def backup_file(conn: Connection, *, folder: Path, version: int) -> Path:
    """Copy the database file as it is on disk (still encrypted) after folding the WAL into it."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    backup_dir = folder / BACKUP_DIR
    backup_dir.mkdir(mode=0o700, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = backup_dir / f"{DB_FILE}.v{version}.{stamp}.bak"
    n = 1
    while target.exists():
        n += 1
        target = backup_dir / f"{DB_FILE}.v{version}.{stamp}-{n}.bak"
    conn.execute("BEGIN IMMEDIATE")  # hold off writers while the bytes are copied
    try:
        # owner-only, as the database: under umask 022 a plain open() made the copy readable by every account
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with open(folder / DB_FILE, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise map_os_error(exc) from exc
    finally:
        conn.execute("COMMIT")
    return target


def schema_signature(conn: Connection) -> list[tuple[str, str, str]]:
    """(type, name, normalised SQL) of every schema object, to compare a vault against the migrations."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ).fetchall()
    return [(t, n, " ".join((s or "").split())) for t, n, s in rows]


def expected_signature(version: int) -> list[tuple[str, str, str]]:
    conn = sqlcipher.connect(":memory:", isolation_level=None)
    try:
        migrations = available_migrations()
        baseline = usable_baseline(migrations, version)
        done = apply_baseline(conn, *baseline) if baseline is not None else 0
        for number, path in migrations:
            if done < number <= version:
                apply_migration(conn, number, path)
        return schema_signature(conn)
    finally:
        conn.close()


def wrap_sa_error(exc: Exception) -> BaseException:
    if isinstance(exc, (sa_exc.DBAPIError, sqlcipher.Error, OSError)):
        return map_db_error(exc)
    return exc


# --- is this file this vault's database? ------------------------------------------------------


def file_salt(db_path: Path) -> str:
    with open(db_path, "rb") as f:
        return b64e(f.read(SALT_LENGTH))


def check_file(db_path: Path, doc: Doc) -> None:
    """Before any connection (which would write to an empty file): is this plausibly our database?

    An empty file would be turned into a fresh database by the first pragma and then migrated
    into an empty vault; a file whose salt is not the one recorded at creation is another file.
    """
    size = db_path.stat().st_size
    if size == 0:
        raise NotAVault("the database file is empty")
    page_size = int(doc.get("cipher_page_size", LEGACY_PAGE_SIZE))
    if size % page_size:
        raise TamperedDatabase(f"the file is {size} bytes, not a whole number of {page_size}-byte pages: cut short or altered")
    recorded = doc.get("database_salt")
    if recorded:
        with open(db_path, "rb") as f:
            salt = f.read(SALT_LENGTH)
        differing = sum(a != b for a, b in zip(salt, b64d(recorded)))
        if differing > 2:  # a flipped byte or two is damage; a different salt is a different file
            raise ForeignDatabase("the database's salt is not the one recorded when this vault was made")
        if differing:
            raise TamperedDatabase("the database file's header was altered")


def check_identity(conn: Connection, doc: Doc) -> int:
    """After opening, before migrating: the database says it is this vault. Returns its schema version."""
    version = schema_version(conn)
    if version == 0:
        raise NotAVault("the database has no tables: it was never a vault or was emptied")
    if version > latest_version():
        raise SchemaTooNew(f"database schema {version}, this Waypoint knows up to {latest_version()}")
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
    except sqlcipher.Error as exc:
        mapped = map_db_error(exc)
        if isinstance(mapped, VaultError):
            raise mapped from exc
        raise NotAVault("the database has no vault identity (no meta table)") from exc
    if row is None:
        raise NotAVault("the database has no vault identity (no vault_id in meta)")
    if row[0] != doc["vault_id"]:
        raise ForeignDatabase(f"the database belongs to vault {row[0]}, the key file to {doc['vault_id']}")
    return version
