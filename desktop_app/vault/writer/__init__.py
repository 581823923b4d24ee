"""The one writer: every change to a registration and to every copy of its data happens here.

Tables it owns (nothing else writes them; tests/vault/test_vault_writer.py checks the source):
registration, registration_sync (its sync columns: server version, sync state, last acknowledgement; migration
0023), registration_field (extracted fields), registration_version (kept finalized versions),
outbox (ops for sync), attachment, attachment_wanted and attachment_part (files and files on their way:
files.py), sync_record (the server's state, base of merges; held as "the registration itself" where it is: bases.py),
conflict, duplicate_candidate (the review desk's last candidate generation: review.py), entity_event (what
finalized registrations say about ODK entities, rederived with every change: entities.py), search_key and search_profile
(the search index, rederived with every change: search.py; it follows consent changes, which are records of their
own form: vault/consent_reads.py), and indicator_fact (what each live, finalized record gives the indicators,
rederived with every change: facts.py).

The rule: one use case, one transaction. A use case opens `with write(vault) as w:` once and calls the
writer's operations on `w` (save, delete, keep_version, put_files, freeze_ops, apply_remote, ...); they all
run in that one SQLite transaction (BEGIN IMMEDIATE ... COMMIT), which commits when the block ends and rolls
back entirely if anything in it raises. So a save with its files, a finalize that keeps the version it
replaces, a consent refusal that drops files, a pulled page: each is all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from desktop_app.vault import database
from desktop_app.vault.sql import Db
from desktop_app.vault.vault import Vault, utc_now
from desktop_app.vault.writer.base import RegistrationDraft, Stored
from desktop_app.vault.models import SYNC_WRITER
from desktop_app.vault.writer.files import incomplete_records
from desktop_app.vault.writer.bases import (
    AS_RECORD, BLIND, STATE_AS_RECORD, WireLost, base_state, blind, content_stub, kept_as_record, payload_states, record_states,
    registration_states, sent_wires, wire_stub, wires_as_sent,
)
from desktop_app.vault.writer.review import ReviewWrites
from desktop_app.vault.writer.sync import SyncWrites


class Writer(SyncWrites, ReviewWrites):
    """One unit of work on the vault: every operation of the record, sync and review parts, in one transaction."""

    def finish(self) -> None:
        """Before the commit: what is derived from the records pulled in this transaction (entity events, search
        index, indicator facts), for all of them at once, from their rows as they are now."""
        ids = list(self.derive_pending)
        inserted, self.derive_inserted = self.derive_inserted, {}
        self.derive_pending.clear()
        # records inserted by this transaction: from their rows as written, with nothing to remove first (as a save)
        new = [record_id for record_id in ids if record_id in inserted]
        rows, fresh = [inserted[record_id]["row"] for record_id in new], set(new)
        known = [record_id for record_id in ids if record_id not in inserted] if new else ids
        self.refresh_entities(new, saved=rows, new=fresh)
        self.refresh_entities(known)
        self.refresh_search(new, saved=rows, new=fresh)
        self.refresh_search(known)
        self.follow_consent(ids)
        self.refresh_facts(new, saved=rows, fields={record_id: inserted[record_id]["fields"] for record_id in new},
                           new=fresh, facts={record_id: inserted[record_id]["fact"] for record_id in new
                                             if "fact" in inserted[record_id]})
        self.refresh_facts(known)
        if self.drop_parts_at_finish:
            self.drop_parts_at_finish = False
            self.drop_unwanted_parts()


@contextmanager
def write(vault: Vault) -> Iterator[Writer]:
    """One transaction as the signed-in user; commits when the block ends, rolls back if it raises.

    Driver errors raised by the writer's statements (a full disk, a damaged page) become the vault's own
    errors, as they do for sessions."""
    try:
        with vault.session() as session:
            writer = Writer(Db.of(session), username=vault.user.username, now=utc_now(),
                            person_centre=str(vault.grant.scope.get("centre") or "") or None)
            yield writer
            writer.finish()
        if writer.erased:
            fold_wal(vault)
    except Exception as exc:
        mapped = database.wrap_sa_error(exc)
        if mapped is exc:
            raise
        raise mapped from exc


def fold_wal(vault: Vault) -> None:
    """Copy the WAL into the database file and truncate it to nothing (after content was removed).

    With secure_delete the committed pages hold zeros where the content was, but the WAL still holds the
    pages as they were before, encrypted under the same data key; checkpoint(TRUNCATE) writes the new pages
    into waypoint.db and empties waypoint.db-wal. It waits for readers (the app has one database thread, so
    there are none); if one holds the WAL anyway, the next removal or closing the vault folds it.
    """
    with vault.session(readonly=True) as session:  # a deferred transaction takes no lock before its first read
        Db.of(session).execute("PRAGMA wal_checkpoint(TRUNCATE)").all()


__all__ = ["AS_RECORD", "BLIND", "RegistrationDraft", "STATE_AS_RECORD", "SYNC_WRITER", "Stored", "WireLost", "Writer",
           "base_state", "blind", "content_stub", "fold_wal", "incomplete_records", "kept_as_record", "payload_states",
           "record_states", "registration_states", "sent_wires", "wire_stub", "wires_as_sent", "write"]
