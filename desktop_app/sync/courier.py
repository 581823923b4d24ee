"""The coordinator's machine as a courier for USB batch files.

`take` reads batch files off a stick into the vault's `batch_inbox` exactly as they are: sealed to the server's
batch key, so this machine never holds their content in clear, on disk or in memory. Only the outer header is read
(which laptop, which export, part n of m, expiry) to group, order and check what can be checked without the key:
a file for another server, an expired file, a truncated or damaged one, a copy already here. `forward` posts the
waiting files to the server, oldest export first and parts in order, through the signed upload endpoint, and keeps
each answer (accepted, already imported, conflicts, rejected with the reason) and the receipt sealed to the laptop;
`write_receipts` puts those receipts on a stick, one folder per centre.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop_app.sync import engine, errors, store
from desktop_app.sync.engine import Local, Step
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault import Vault
from desktop_app.vault.sql import Db, text
from desktop_app.vault.vault import utc_now
from waypoint_core.protocol import b64decode
from waypoint_core.protocol.batchfile import (
    BATCH_SUFFIX, FORMAT_BATCH, MAGIC_BATCH, RECEIPT_SUFFIX, BatchRefused, new_file_name, read_header,
    write_durably,
)

TAKEN = ("accepted", "already_imported", "conflicts")
# Refusals that a later forward may overcome (the missing or older file arrives on another stick, the server's clock
# catches up with a laptop's fast one): the file waits.
RETRYABLE = ("reordered", "part_missing", "clock_ahead")


def answer_reason(answer: dict[str, Any]) -> str | None:
    """The refusal's code as the courier keeps and shows it: a `reordered` file whose older operations the server lost
    when it was restored from a backup is `restored` (its own words in the app: the older files will not come on
    their own); an older server does not say so, and its refusal stays `reordered`."""
    reason = answer.get("reason")
    return "restored" if reason == "reordered" and answer.get("cause") == "restored" else reason


def keeps_waiting(status: str | None, reason: str | None) -> bool:
    """Whether a file the server refused stays here waiting for the next forward (an older file or a missing part
    to come first, the server's clock to catch up, or the laptop to sync online after a restore), as `_store_answer`
    keeps it: the server said "rejected", the courier did not give it up."""
    return status == "rejected" and (reason in RETRYABLE or reason == "restored")


@dataclass
class FileState:
    """One file as the courier's table shows it."""

    file: str
    status: str  # waiting | accepted | already_imported | conflicts | rejected | here_already
    message: str
    reason: str | None = None
    device_id: str | None = None
    centre: str | None = None
    batch_id: str | None = None
    part: int | None = None
    parts: int | None = None
    counts: dict[str, int] | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def batch_files(paths: list[Path]) -> list[Path]:
    """Files given, and the batch files inside folders given (a stick's root)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*" + BATCH_SUFFIX) if p.is_file()))
        else:
            found.append(path)
    return found


def take(vault: Vault, path: Path, data: bytes, *, now: int | None = None) -> FileState:
    """One batch file into the inbox, still sealed. Refusals that need no key are made here, changing nothing."""
    try:
        header, _head, _blob = read_header(data, magic=MAGIC_BATCH)
        if header.get("format") != FORMAT_BATCH:
            raise BatchRefused("unsupported", "this batch format is not supported here")
        for key, kind in (("device_id", str), ("batch_id", str), ("part", int), ("parts", int),
                          ("expires_at", int), ("server_key_id", str)):
            if not isinstance(header.get(key), kind):
                raise BatchRefused("tampered", "the batch file's header is damaged")
    except BatchRefused as refused:
        return FileState(path.name, "rejected", str(refused), refused.code)
    state = FileState(path.name, "waiting", "waiting to be forwarded", None, header["device_id"], None,
                      header["batch_id"], header["part"], header["parts"])
    if header["expires_at"] < (int(time.time()) if now is None else now):
        state.status, state.reason, state.message = "rejected", "expired", ("this batch file has expired: export a "
                                                                            "new one on the laptop")
        return state
    credentials = store.load_credentials(vault)
    known = {credentials.server_keys.get("batch_key_id")}
    if header["server_key_id"] not in known:
        state.status, state.reason, state.message = "rejected", "retargeted", (
            "this batch was sealed for another server's key (not the server this machine forwards to)")
        return state
    digest = hashlib.sha256(data).hexdigest()
    with vault.session() as session:
        conn = Db.of(session)
        row = conn.execute(text("SELECT status, message FROM batch_inbox WHERE file_sha256 = :h"),
                           {"h": digest}).first()
        if row is not None:
            state.status, state.message = "here_already", f"already taken ({row.status}): nothing changed"
            return state
        conn.execute(text(
            "INSERT INTO batch_inbox (file_sha256, header, device_id, batch_id, part, parts, created_at, data, "
            "received_at, status) VALUES (:h, :hd, :d, :b, :p, :n, :c, :data, :t, 'waiting')"),
            {"h": digest, "hd": json.dumps(header, sort_keys=True), "d": header["device_id"],
             "b": header["batch_id"], "p": header["part"], "n": header["parts"],
             "c": int(header.get("created_at") or 0), "data": data, "t": utc_now()})
    return state


def waiting(vault: Vault) -> list[tuple[str, dict[str, Any]]]:
    """(file hash, header) of the files to forward: per laptop, oldest export first, parts in order."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text(
            "SELECT file_sha256, header FROM batch_inbox WHERE status = 'waiting' "
            "ORDER BY device_id, created_at, batch_id, part")).all()
    return [(r[0], json.loads(r[1])) for r in rows]


def _data(vault: Vault, digest: str) -> bytes:
    with vault.session(readonly=True) as session:
        return bytes(Db.of(session).execute(text("SELECT data FROM batch_inbox WHERE file_sha256 = :h"),
                                            {"h": digest}).scalar_one())


def _store_answer(vault: Vault, digest: str, answer: dict[str, Any]) -> None:
    """The server's answer for one file. A file the server took, or refused for good, is dropped from the inbox (its
    row stays: what became of it); one that waits for an older file or a missing part is kept to try again."""
    receipt = answer.get("receipt")
    keep = answer.get("reason") in RETRYABLE
    with vault.session() as session:
        Db.of(session).execute(text(
            "UPDATE batch_inbox SET status = :s, reason = :r, message = :m, centre = :c, counts = :n, "
            "forwarded_at = :t, receipt = :rc, data = CASE WHEN :keep THEN data ELSE X'' END "
            "WHERE file_sha256 = :h"),
            {"s": "waiting" if keep else answer["status"],
             "r": answer_reason(answer), "m": str(answer.get("message") or "")[:500],
             "c": answer.get("centre"), "n": json.dumps(answer.get("counts") or {}), "t": utc_now(),
             "rc": b64decode(receipt) if isinstance(receipt, str) else None, "h": digest, "keep": keep})


def forward_steps(*, connect: Callable[..., ServerConnection] = ServerConnection,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] = lambda: False) -> Generator[Step, Any, list[FileState]]:
    """Post every waiting file to the server, as steps (vault work and network apart, as a sync run: the CLI runs
    them inline, the app across its database thread and network pool). Each answer is stored as it comes, so a
    cut connection loses none."""
    credentials: store.Credentials = yield Local(store.load_credentials)
    todo = yield Local(waiting)
    connection = credentials.open_with(connect)
    states: list[FileState] = []
    try:
        for index, (digest, header) in enumerate(todo):
            if cancelled():
                break
            data = yield Local(lambda vault, d=digest: _data(vault, d))
            answer = yield from engine._remote(connection, lambda b=data: connection.with_retries(
                lambda: connection.upload_batch(b), cancelled=cancelled))
            yield Local(lambda vault, d=digest, a=answer: _store_answer(vault, d, a))
            states.append(FileState(digest[:12], answer["status"], str(answer.get("message") or ""),
                                    answer_reason(answer), header["device_id"], answer.get("centre"),
                                    header["batch_id"], header["part"], header["parts"], answer.get("counts")))
            if progress is not None:
                progress(index + 1, len(todo))
    finally:
        connection.close()
    return states


def folder_name(centre: str) -> str:
    """A centre's name as a folder on a stick (letters, digits and dashes)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", centre).strip("-")[:60] or "centre"


def write_receipts(vault: Vault, out_dir: Path, *, written: list[str] | None = None) -> list[str]:
    """Receipts not yet written, into out_dir/<centre>/ under non-identifying names. Returns the paths, also appended
    one by one to `written` when given (what was written before a full drive stopped it)."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text(
            "SELECT file_sha256, centre, receipt FROM batch_inbox WHERE receipt IS NOT NULL "
            "AND receipt_written_at IS NULL ORDER BY device_id, created_at, batch_id, part")).all()
    written = [] if written is None else written
    for digest, centre, receipt in rows:
        path = write_durably(out_dir / folder_name(centre or "centre"), new_file_name(RECEIPT_SUFFIX), bytes(receipt))
        with vault.session() as session:  # written and synced on the stick: this machine need not keep it
            Db.of(session).execute(text("UPDATE batch_inbox SET receipt_written_at = :t, receipt = X'' "
                                        "WHERE file_sha256 = :h"), {"t": utc_now(), "h": digest})
        written.append(str(path))
    return written


def inbox(vault: Vault) -> list[dict[str, Any]]:
    """Every file the courier holds or held: ids, part, status, reason, message, counts (no content)."""
    with vault.session(readonly=True) as session:
        rows = Db.of(session).execute(text(
            "SELECT file_sha256, device_id, batch_id, part, parts, status, reason, message, centre, counts, "
            "received_at, forwarded_at, length(receipt) > 0 AS has_receipt, receipt_written_at FROM batch_inbox "
            "ORDER BY received_at, device_id, batch_id, part")).all()
    return [{**r._asdict(), "counts": json.loads(r.counts) if r.counts else None} for r in rows]


__all__ = ["FileState", "batch_files", "errors", "forward_steps", "inbox", "keeps_waiting", "take", "waiting",
           "write_receipts"]
