"""A full disk and a read-only folder: a clear error, nothing half-written, nothing lost.

A real small filesystem (tmpfs) is mounted for these, so SQLite meets a real ENOSPC / EROFS;
that needs root (as on the CI machine). Without it the read-only case falls back to permissions
and the disk-full case is skipped with the reason.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from desktop_app.vault import Vault, errors
from desktop_app.vault.registrations import count_registrations, get_registration, save_registration
from vault_testdata import ADMIN, ADMIN_PASSPHRASE


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount_point)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _fill(folder, *, leave_bytes=0):
    """Fill the filesystem, then free `leave_bytes` so small writes still fit."""
    filler = folder / "filler"
    # Unbuffered: a buffered file keeps what the last write could not place and fails again when closed.
    with open(filler, "wb", buffering=0) as out:
        try:
            while out.write(b"\0" * 65536):
                pass
        except OSError:
            pass
    if leave_bytes:
        os.truncate(filler, max(0, filler.stat().st_size - leave_bytes))
    return filler


def test_disk_full_refuses_the_save_and_keeps_everything_saved_before(small_disk):
    folder = small_disk / "vault"
    vault, _ = Vault.create(folder, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    try:
        kept = save_registration(vault, form_id="f", form_version="1", status="finalized", content="<a>kept</a>")
        filler = _fill(small_disk)
        with pytest.raises(errors.DiskFull):
            for _ in range(200):  # until the WAL cannot grow
                save_registration(vault, form_id="f", form_version="1", status="draft",
                                  content="<big>" + uuid.uuid4().hex * 2000 + "</big>")
        slots_before = (folder / "slots.json").read_bytes()
        with pytest.raises(errors.DiskFull):
            vault.add_user("moussa", "field staff passphrase", "field_staff")
        assert (folder / "slots.json").read_bytes() == slots_before
        assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []
        assert get_registration(vault, kept.id).content == "<a>kept</a>"
        saved = count_registrations(vault)
        filler.unlink()
        # Space again: the vault carries on, with every save that returned and nothing half-saved.
        save_registration(vault, form_id="f", form_version="1", status="draft", content="<a>after</a>")
        assert count_registrations(vault) == saved + 1
        assert vault.verify().ok
        assert [u.username for u in vault.list_users()] == [ADMIN]
    finally:
        vault.close()


def test_opening_on_a_full_disk_says_the_disk_is_full_and_opens_once_there_is_room(small_disk):
    # Opening needs room for the write-ahead log: on a full disk SQLite says only "disk I/O error", which every
    # command printed as "unexpected OperationalError: disk I/O error" (a coordinator's laptop taking a stick).
    folder = small_disk / "vault"
    vault, _ = Vault.create(folder, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    kept = save_registration(vault, form_id="f", form_version="1", status="finalized", content="<a>kept</a>")
    vault.close()
    filler = _fill(small_disk)
    with pytest.raises(errors.DiskFull):
        Vault.unlock(folder, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    filler.unlink()
    with Vault.unlock(folder, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as again:
        assert get_registration(again, kept.id).content == "<a>kept</a>"


def test_create_on_a_full_disk_leaves_no_half_vault(small_disk):
    folder = small_disk / "vault"
    folder.mkdir()
    filler = _fill(small_disk)
    with pytest.raises((errors.DiskFull, errors.VaultFolderNotWritable)):
        Vault.create(folder, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    filler.unlink()
    assert not Vault.exists(folder)
    vault, _ = Vault.create(folder, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    vault.close()


def test_read_only_folder(small_disk):
    folder = small_disk / "vault"
    vault, _ = Vault.create(folder, admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE, kdf_profile="test")
    save_registration(vault, form_id="f", form_version="1", status="draft", content="<a/>")
    vault.close()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        with pytest.raises(errors.VaultFolderNotWritable):
            Vault.unlock(folder, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
        with pytest.raises(errors.VaultFolderNotWritable):
            Vault.create(small_disk / "elsewhere", admin_username=ADMIN, admin_passphrase=ADMIN_PASSPHRASE,
                         kdf_profile="test")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    with Vault.unlock(folder, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as again:
        assert count_registrations(again) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits; the tmpfs test covers root")
def test_folder_without_write_permission(new_vault, vault_dir):
    new_vault.close()
    vault_dir.chmod(0o500)
    try:
        with pytest.raises(errors.VaultFolderNotWritable):
            Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE)
    finally:
        vault_dir.chmod(0o700)
