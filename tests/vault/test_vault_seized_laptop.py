"""The seized-laptop test: after real use of a vault, no byte of any file the app or SQLite could
have written (vault folder with -wal/-shm and backups, Waypoint home, HOME, XDG folders, temp
folders) contains the canary person, in any encoding we can think of."""

from __future__ import annotations

from canary import CANARY_DOB, CANARY_NAME, canary_content, leaks, search_roots
from desktop_app.vault import Vault
from desktop_app.vault.registrations import (
    delete_registration,
    page_registrations,
    save_registration,
    save_registrations,
    RegistrationDraft,
)
from vault_testdata import ADMIN, ADMIN_PASSPHRASE



def test_no_trace_of_the_canary_on_disk(isolated_home, new_vault, vault_dir):
    started = vault_dir.stat().st_mtime - 1
    new_vault.add_user("moussa", "field staff passphrase", "field_staff")
    ids = []
    for i in range(60):
        ids.append(save_registration(
            new_vault, form_id="htcds", form_version="2", status="draft", content=canary_content(i),
            fields={"title": CANARY_NAME, "registered_on": CANARY_DOB, "dob": CANARY_DOB,
                    "full_name_lower": CANARY_NAME.lower()},
        ).id)
    delete_registration(new_vault, ids[-1])  # folds and empties the WAL; the saves below fill it again
    save_registrations(new_vault, [RegistrationDraft("htcds", "2", "finalized", canary_content(i),
                                                     fields={"title": CANARY_NAME}) for i in range(40)])
    for record_id in ids[:10]:
        save_registration(new_vault, record_id=record_id, form_id="htcds", form_version="2",
                          status="finalized", content=canary_content(999), fields={"title": CANARY_NAME})
    # Searches and a big sort make SQLite build temporary b-trees (kept in memory by temp_store).
    assert page_registrations(new_vault, offset=0, limit=50, search=CANARY_NAME.split()[1][:5])
    with new_vault.session(readonly=True) as session:
        session.connection().exec_driver_sql(
            "SELECT content FROM registration ORDER BY content DESC, title").fetchall()
    roots = search_roots(isolated_home)
    assert (vault_dir / "waypoint.db-wal").stat().st_size > 0  # the WAL holds recent pages: check it open
    assert leaks(roots, started, isolated_home) == []

    new_vault.remove_user("moussa")  # rekeys the whole database
    new_vault.close()
    with Vault.unlock(vault_dir, username=ADMIN, passphrase=ADMIN_PASSPHRASE) as again:
        assert again.verify().ok
    assert leaks(roots, started, isolated_home) == []
    assert not (vault_dir / "waypoint.db").read_bytes().startswith(b"SQLite format 3")
