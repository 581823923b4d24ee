"""A sync run's file steps (vault side): which files to send and to fetch, and what arrived.

Sending: every file of a record that travels (not a draft kept here, not deleted) that the server has not confirmed
holding whole (attachment.uploaded_at), and every file of a record with an op not yet acknowledged. The engine asks
the server how much of each it holds, sends the rest chunk by chunk from there, and marks it sent when the server
says it is complete (checked against its hash there). A server restored from a backup may have lost any file, sent
by this laptop or fetched from the server by it: the reconciliation forgets every confirmation
(`Writer.ask_about_uploads_again`), so the next question goes to the restored server about every file this laptop
holds, and it sends what that server lacks.

Fetching: every file a pulled record names that is not here (attachment_wanted), from the bytes already received
(attachment_part), each chunk stored in its own transaction, so a dropped connection or a killed app resumes where
it stopped. A whole file is checked against its hash before it becomes the record's attachment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from desktop_app.vault import Vault
from desktop_app.vault.sql import Db, join_sync, text
from desktop_app.vault.writer import incomplete_records, write
from waypoint_core.protocol import BlobChunk


@dataclass(frozen=True)
class Wanted:
    sha256: str
    size: int
    received: int


@dataclass(frozen=True)
class Stored:
    received: int
    complete: bool = False
    mismatch: bool = False


def to_upload(vault: Vault) -> list[tuple[str, int]]:
    """(sha256, size) of the files of records that travel which the server has not confirmed holding, and of
    records with an op not yet acknowledged (asked about again: the server may have lost one since)."""
    with vault.session(readonly=True) as session:
        # Both halves read indexes only (migrations 0014, 0018): the unsent files' partial index, and the files of
        # records with an op pending in the outbox (its own partial index, scanned first: CROSS JOIN), by record;
        # CROSS JOIN keeps SQLite from walking every registration.
        rows = Db.of(session).execute(text(
            "SELECT DISTINCT f.sha256, f.size FROM ("
            "SELECT sha256, size, record_id FROM attachment WHERE uploaded_at IS NULL UNION "
            "SELECT a.sha256, a.size, a.record_id FROM outbox o INDEXED BY ix_outbox_pending CROSS JOIN attachment a "
            "ON a.record_id = o.record_id "
            "WHERE o.acked_at IS NULL) f CROSS JOIN registration r ON r.id = f.record_id" + join_sync("r") +
            " WHERE r.deleted = 0 AND rs.sync_state != 'local' ORDER BY f.sha256")).all()
    return [(row.sha256, int(row.size)) for row in rows]


def read_file(vault: Vault, sha256: str) -> bytes | None:
    with vault.session(readonly=True) as session:
        row = Db.of(session).execute(text("SELECT data FROM attachment WHERE sha256 = :h LIMIT 1"),
                                     {"h": sha256}).first()
    return bytes(row.data) if row is not None else None


def read_files(vault: Vault, hashes: list[str]) -> Iterator[tuple[str, bytes]]:
    """(sha256, bytes) of each file held, read in one transaction (an export of a thousand photos)."""
    with vault.session(readonly=True) as session:
        db = Db.of(session)
        for sha256 in hashes:
            row = db.execute(text("SELECT data FROM attachment WHERE sha256 = :h LIMIT 1"), {"h": sha256}).first()
            if row is not None:
                yield sha256, bytes(row.data)


def mark_uploaded(vault: Vault, *hashes: str) -> None:
    """The server holds these files whole (one transaction for all: a receipt confirms a thousand photos)."""
    with write(vault) as w:
        for sha256 in hashes:
            w.mark_uploaded(sha256)


def to_download(vault: Vault) -> list[Wanted]:
    with vault.session(readonly=True) as session:
        conn = Db.of(session)
        rows = conn.execute(text("SELECT sha256, MAX(size) AS size FROM attachment_wanted GROUP BY sha256 "
                                 "ORDER BY sha256")).all()
        received = dict(conn.execute(text("SELECT sha256, SUM(length(data)) FROM attachment_part "
                                          "GROUP BY sha256")).all())
    return [Wanted(row.sha256, int(row.size), int(received.get(row.sha256) or 0)) for row in rows]


def store_chunk(vault: Vault, chunk: BlobChunk) -> Stored:
    """Keep a downloaded chunk (its own transaction); a whole file that does not match its hash is thrown away."""
    with write(vault) as w:
        outcome = w.receive_part(chunk.sha256, chunk.size, chunk.offset, chunk.raw())
        received = w.received_bytes(chunk.sha256) if outcome == "partial" else 0
    return Stored(received=received, complete=outcome == "complete", mismatch=outcome == "mismatch")


def incomplete(vault: Vault) -> int:
    """How many records name files this laptop does not hold yet."""
    with vault.session(readonly=True) as session:
        return len(incomplete_records(Db.of(session)))
