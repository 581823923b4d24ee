"""USB batch use cases the UI and the CLI call: export the outbox to a stick, import files from a stick (a receipt
for this laptop, or batch files a coordinator carries), forward carried files to the server, write receipts back.

desktop_app.sync.batches (the laptop's side) and desktop_app.sync.courier (the coordinator's) do the work; here they
get what only the services layer may combine: the installed forms and the form installer.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from desktop_app.services import places
from desktop_app.services.sync import install_published_form, installed_forms
from desktop_app.sync import batches, courier, engine, errors
from desktop_app.sync.engine import Local, Step
from desktop_app.sync.batches import ExportSummary, ReceiptSummary
from desktop_app.sync.courier import keeps_waiting
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault import Vault
from desktop_app.vault.errors import PermissionDenied
from waypoint_core.protocol.batchfile import MAGIC_BATCH, MAGIC_RECEIPT, BatchRefused, read_file

COURIERS = ("administrator", "coordinator")

__all__ = ["BatchRefused", "DriveNotWritable", "PermissionDenied", "ExportSummary", "ReceiptSummary", "errors", "export",
           "forward", "forward_steps", "import_files", "inbox", "keeps_waiting", "may_carry", "waiting_count",
           "write_receipts"]


class DriveNotWritable(Exception):
    """Batch files or receipts could not be written to the chosen drive or folder (full, read-only, pulled out).
    Nothing is lost: what was not written is still in the vault (the outbox, the receipts kept), and no file on the
    drive is half-written (`write_durably`). `full`: no space left, which the interface says in its own words."""

    def __init__(self, folder: Path, error: OSError) -> None:
        self.folder, self.reason = folder, error.strerror or type(error).__name__
        self.full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        super().__init__(f"{folder}: {self.reason}")


def may_carry(user: Any) -> bool:
    """Coordinators and administrators carry other laptops' batch files (by any role granted, or the slot's)."""
    return bool(set(getattr(user, "roles", ()) or (getattr(user, "role", ""),)) & set(COURIERS))


def waiting_count(vault: Vault) -> int:
    """Batch files this machine holds for the server (none on a field laptop)."""
    return len(courier.waiting(vault))


def _require_courier(vault: Vault) -> None:
    if not may_carry(vault.user):
        raise PermissionDenied("carrying other laptops' batches needs a coordinator or an administrator")


def export(vault: Vault, out_dir: Path, *, progress: Callable[[int, int], None] | None = None,
           lifetime_s: int | None = None, max_ops: int | None = None) -> ExportSummary:
    forms = sorted([form_id, version] for form_id, version in installed_forms(vault))
    extra: dict[str, Any] = {"lifetime_s": lifetime_s} if lifetime_s is not None else {}
    if max_ops is not None:
        extra["max_ops"] = max_ops
    try:
        return batches.export_batches(vault, out_dir=out_dir, forms=forms, progress=progress, **extra)
    except OSError as error:  # a full stick, a read-only one, one pulled out
        raise DriveNotWritable(out_dir, error) from error


def import_files(vault: Vault, paths: list[Path], *, progress: Callable[[int, int], None] | None = None
                 ) -> list[dict[str, Any]]:
    """Each file (folders: the batch and receipt files inside): a receipt for this laptop is applied; a batch file
    is kept sealed for forwarding. One result per file, in order; a refused file changes nothing."""
    files = courier.batch_files(paths) + [p for path in paths if path.is_dir()
                                          for p in sorted(path.rglob("*.wpreceipt"))]
    results: list[dict[str, Any]] = []
    for index, path in enumerate(files):
        try:
            data = read_file(path)
            if data.startswith(MAGIC_RECEIPT):
                summary = batches.import_receipt(vault, data, installed_forms=installed_forms,
                                                 install_form=install_published_form, centre_code=places.centre_code)
                results.append({"file": path.name, "kind": "receipt", **summary.as_json()})
            elif data.startswith(MAGIC_BATCH) or not data.startswith(b"WP"):
                _require_courier(vault)
                results.append({"file": path.name, "kind": "batch", **courier.take(vault, path, data).as_json()})
            else:
                raise BatchRefused("not_a_batch", "not a Waypoint batch or receipt file")
        except BatchRefused as refused:
            results.append({"file": path.name, "status": "rejected", "reason": refused.code, "message": str(refused)})
        if progress is not None:
            progress(index + 1, len(files))
    return results


def forward_steps(*, receipts_dir: Path | None = None,
                  connect: Callable[..., ServerConnection] = ServerConnection,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] = lambda: False) -> Generator[Step, Any, dict[str, Any]]:
    """Forward the carried files (steps for the app's two-thread driver), then write the receipts per centre. The
    files are forwarded (and their answers stored) before any receipt is written: receipts that cannot be written
    (a full stick) wait in the vault, and the answer says so under `receipts_failed` (`DriveNotWritable`) beside the
    files' statuses, which an error instead of the answer hid."""
    yield Local(_require_courier)
    states = yield from courier.forward_steps(connect=connect, progress=progress, cancelled=cancelled)
    written: list[str] = []
    failed: DriveNotWritable | None = None
    if receipts_dir:
        failed = yield Local(lambda vault: _write_receipts_into(vault, receipts_dir, written))
    result: dict[str, Any] = {"files": [s.as_json() for s in states], "receipts": written}
    if failed is not None:
        result["receipts_failed"] = failed
    return result


def _write_receipts_into(vault: Vault, out_dir: Path, written: list[str]) -> DriveNotWritable | None:
    """The receipts waiting, written into out_dir (appended to `written` one by one); the drive's failure, if any."""
    try:
        courier.write_receipts(vault, out_dir, written=written)
    except OSError as error:
        return DriveNotWritable(out_dir, error)
    return None


def forward(vault: Vault, *, receipts_dir: Path | None = None,
            connect: Callable[..., ServerConnection] = ServerConnection,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = engine.run_inline(forward_steps(receipts_dir=receipts_dir, connect=connect,
                                                             progress=progress), vault=vault)
    return result


def write_receipts(vault: Vault, out_dir: Path) -> list[str]:
    _require_courier(vault)
    try:
        return courier.write_receipts(vault, out_dir)
    except OSError as error:
        raise DriveNotWritable(out_dir, error) from error


def inbox(vault: Vault) -> list[dict[str, Any]]:
    return courier.inbox(vault)
