"""USB batch use cases the UI and the CLI call: export the outbox to a stick, import files from a stick (a receipt
for this laptop, or batch files a coordinator carries), forward carried files to the server, write receipts back.

desktop_app.sync.batches (the laptop's side) and desktop_app.sync.courier (the coordinator's) do the work; here they
get what only the services layer may combine: the installed forms and the form installer.
"""

from __future__ import annotations

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

__all__ = ["BatchRefused", "PermissionDenied", "ExportSummary", "ReceiptSummary", "errors", "export", "forward",
           "forward_steps", "import_files", "inbox", "keeps_waiting", "may_carry", "waiting_count", "write_receipts"]


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
    return batches.export_batches(vault, out_dir=out_dir, forms=forms, progress=progress, **extra)


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
    """Forward the carried files (steps for the app's two-thread driver), then write the receipts per centre."""
    yield Local(_require_courier)
    states = yield from courier.forward_steps(connect=connect, progress=progress, cancelled=cancelled)
    written = (yield Local(lambda vault: courier.write_receipts(vault, receipts_dir))) if receipts_dir else []
    return {"files": [s.as_json() for s in states], "receipts": written}


def forward(vault: Vault, *, receipts_dir: Path | None = None,
            connect: Callable[..., ServerConnection] = ServerConnection,
            progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = engine.run_inline(forward_steps(receipts_dir=receipts_dir, connect=connect,
                                                             progress=progress), vault=vault)
    return result


def write_receipts(vault: Vault, out_dir: Path) -> list[str]:
    _require_courier(vault)
    return courier.write_receipts(vault, out_dir)


def inbox(vault: Vault) -> list[dict[str, Any]]:
    return courier.inbox(vault)
