"""Deletion is real: after a delete, after a migration then a delete, after a key rotation then a delete, nothing of
the person is left in the vault folder: not in any table, not in waypoint.db, -wal, -shm or backups/, read raw or
decrypted page by page with the data key (free pages and old WAL frames included). tests/canary.py searches."""

from __future__ import annotations

import random
import shutil
import string
from pathlib import Path

from desktop_app.vault import Vault, database, keyslots
from desktop_app.vault.registrations import delete_registration
from desktop_app.vault.writer import write
from tests.canary import decrypted_pages_hold, needles, vault_leaks
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

FIXTURE = Path(__file__).parent / "fixtures" / "vault-v1"
FIXTURE_ADMIN, FIXTURE_PASSPHRASE = "admin-v1", "fixture passphrase v1"
_rng = random.SystemRandom()


def _canary() -> str:
    return " ".join("".join(_rng.choice(string.ascii_lowercase) for _ in range(9)).capitalize() for _ in range(2))


def _page_size(folder: Path) -> int:
    return keyslots.cipher_page_size(keyslots.load(folder))


def _save_person(vault: Vault, name: str, dob: str, *, times: int = 3) -> str:
    """A finalized record saved several times, with a kept version, a photo and search fields."""
    record_id = None
    for n in range(times):
        content = f"<data><name>{name}</name><dob>{dob}</dob><visit>{n}</visit><story>{'lorem ' * 300}</story></data>"
        with write(vault) as w:
            if record_id is not None:
                w.keep_version(w.stored(record_id))
            record_id = w.save([_draft(record_id, content, name, dob)])[0]["id"]
            w.put_files(record_id, [("photo.jpg", "image/jpeg", f"JPEG {name} {n}".encode() * 100)])
    return record_id


def _draft(record_id, content, name, dob):
    from desktop_app.vault.writer import RegistrationDraft

    return RegistrationDraft("person", "1", "finalized", content, record_id,
                             {"title": name, "given_name": name.split()[0], "date_of_birth": dob})


def test_a_deleted_record_leaves_nothing_in_the_vault_folder(new_vault, vault_dir):
    name, other = _canary(), _canary()
    record_id = _save_person(new_vault, name, "1987-03-14")
    _save_person(new_vault, other, "1990-01-01")
    key, page_size = new_vault._dek, _page_size(vault_dir)
    assert decrypted_pages_hold(vault_dir, key, page_size, name.encode())  # the search sees it while it exists
    delete_registration(new_vault, record_id)
    assert vault_leaks(vault_dir, key, page_size, needles(name, "1987-03-14")) == []
    assert decrypted_pages_hold(vault_dir, key, page_size, other.encode())  # the other person is still there
    new_vault.close()
    assert vault_leaks(vault_dir, key, page_size, needles(name, "1987-03-14")) == []


def test_after_a_migration_a_deleted_record_is_in_no_backup(tmp_path):
    """The old vault holds a record deleted before secure deletion existed (29) and one deleted after (17)."""
    folder = tmp_path / "vault-v1"
    shutil.copytree(FIXTURE, folder)
    gone = _canary()
    key, page_size = _fixture_key(folder), _page_size(folder)
    old = database.connect_raw(folder / database.DB_FILE, key, page_size=page_size, isolation_level=None)
    try:  # as an old release did: a row written, then deleted, with no secure deletion
        old.execute("PRAGMA secure_delete = OFF")
        old.execute("INSERT INTO registration (id, form_id, form_version, status, content, created_at, created_by, "
                    "updated_at, updated_by, title) VALUES ('gone', 'f', '1', 'draft', ?, 't', 'a', 't', 'a', ?)",
                    (f"<n>{gone}</n>" * 50, gone))
        old.execute("DELETE FROM registration WHERE id = 'gone'")
        old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        old.close()
    assert decrypted_pages_hold(folder, key, page_size, gone.encode())  # left in the file's free space
    with Vault.unlock(folder, username=FIXTURE_ADMIN, passphrase=FIXTURE_PASSPHRASE) as vault:
        assert list((folder / "backups").glob("*.bak")) == []  # taken before migrating, erased once it verified
        assert vault_leaks(folder, key, page_size, needles("Synthetic 29", gone)) == []
        seventeen = next(r.id for r in _all(vault) if r.title == "Synthetic 17")
        delete_registration(vault, seventeen)
        assert vault_leaks(folder, key, page_size, needles("Synthetic 17", "Synthetic 29")) == []
        assert decrypted_pages_hold(folder, key, page_size, b"Synthetic 16")
        assert vault.verify().ok


def _fixture_key(folder: Path) -> bytes:
    doc = keyslots.load(folder)
    slot = next(s for s in doc["slots"] if s["username"] == FIXTURE_ADMIN)
    return keyslots.open_data_key(doc, slot, keyslots.unlock_slot(doc, slot, FIXTURE_PASSPHRASE), doc["generation"])


def _all(vault):
    from desktop_app.vault.registrations import page_registrations

    return page_registrations(vault, offset=0, limit=100)


def test_after_a_key_rotation_a_deleted_record_leaves_nothing(new_vault, vault_dir):
    name = _canary()
    record_id = _save_person(new_vault, name, "1979-12-30")
    (vault_dir / "backups").mkdir(exist_ok=True)  # a backup left by a failed migration: erased, never rekeyed
    shutil.copy(vault_dir / "waypoint.db", vault_dir / "backups" / "waypoint.db.v4.20260101T000000Z.bak")
    new_vault.add_user("moussa", "field staff passphrase", "field_staff")
    new_vault.remove_user("moussa")  # rotates the data key: the database is rekeyed
    assert list((vault_dir / "backups").glob("*.bak")) == []
    key, page_size = new_vault._dek, _page_size(vault_dir)
    assert decrypted_pages_hold(vault_dir, key, page_size, name.encode())
    delete_registration(new_vault, record_id)
    assert vault_leaks(vault_dir, key, page_size, needles(name, "1979-12-30")) == []
    new_vault.close()
    with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as again:
        assert again.verify().ok
    assert vault_leaks(vault_dir, key, page_size, needles(name, "1979-12-30")) == []
