"""USB batch files: seal and open throughput for 10,000 registrations (the file format alone), and the whole trip
for 1,000 registrations through the real server on loopback (SQLite): export on the laptop, take on the courier's
machine, forward (the server opens, checks and applies), and the receipt applied on the laptop.

    .venv/bin/python bench/bench_batches.py [--records 10000] [--trip 1000]

Prints a Markdown table (and writes bench/results/batches.json). Figures depend on the machine; compare runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "server"))
os.environ.setdefault("WAYPOINT_ALLOW_TEST_KDF", "1")  # the bench vaults use fast KDF parameters

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402

from waypoint_core.protocol import MAX_OPS_PER_BATCH, Op, PushBatch, SigningKey  # noqa: E402
from waypoint_core.protocol.batchfile import open_batch, seal_batch, x25519_public_b64  # noqa: E402

MAX_PART_BYTES = 4 * 1024 * 1024


def registration_ops(count: int) -> list[Op]:
    return [Op(op_id=str(uuid.uuid4()), device_seq=seq, record_id=str(uuid.uuid4()), op="upsert", record_version=1,
               base_version=None, form_id="registration", form_version="1", hlc=seq,
               fields={"name": f"Person {seq}", "sex": "F" if seq % 2 else "M", "age": 18 + seq % 50,
                       "nationality": "NE", "registered_on": "2026-11-27", "narrative": "synthetic text " * 120})
            for seq in range(1, count + 1)]  # ~2 KB each on the wire, as bench_sync.py


def parts_of(device_id: str, ops: list[Op]) -> list[bytes]:
    parts, current, size = [], [], 0
    for op in ops:
        wire = len(op.model_dump_json())
        if current and (len(current) >= MAX_OPS_PER_BATCH or size + wire > MAX_PART_BYTES):
            parts.append(PushBatch.of(device_id=device_id, ops=current).body())
            current, size = [], 0
        current.append(op)
        size += wire
    parts.append(PushBatch.of(device_id=device_id, ops=current).body())
    return parts


def seal_and_open(records: int) -> dict:
    device_key, server_key, return_key = SigningKey.generate(), X25519PrivateKey.generate(), X25519PrivateKey.generate()
    device_id = str(uuid.uuid4())
    payloads = parts_of(device_id, registration_ops(records))
    start = time.perf_counter()
    files = [seal_batch(payload=p, device_id=device_id, device_key=device_key,
                        server_batch_key=x25519_public_b64(server_key), batch_id="b", part=i + 1,
                        parts=len(payloads), seq_from=None, seq_to=None, cursor="", forms=[], return_key=return_key)
             for i, p in enumerate(payloads)]
    sealed_s = time.perf_counter() - start
    start = time.perf_counter()
    for data in files:
        open_batch(data, batch_key=lambda _kid: server_key, device_key=lambda _d: device_key.public_b64)
    opened_s = time.perf_counter() - start
    size = sum(len(f) for f in files)
    payload = sum(len(p) for p in payloads)
    return {"records": records, "files": len(files), "payload_mb": round(payload / 1e6, 1),
            "overhead_bytes_per_file": (size - payload) // len(files), "seal_s": round(sealed_s, 3),
            "open_s": round(opened_s, 3), "seal_mb_s": round(size / 1e6 / sealed_s, 1),
            "open_mb_s": round(size / 1e6 / opened_s, 1)}


def trip(records: int) -> dict:
    from server_harness import Backend, ServerProcess

    from desktop_app.services import batches as batch_service
    from desktop_app.services import sync as sync_service
    from desktop_app.vault import Vault
    from desktop_app.vault.registrations import save_registrations
    from tests.sync.records import FORM_ID, FORM_VERSION, instance
    from tests.sync.support import PASSPHRASE, ServerAdmin, fast_connect

    figures: dict = {"records": records}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        backend = Backend("sqlite", root / "server", None)
        backend.data_dir.mkdir()
        with ServerProcess(data_dir=backend.data_dir) as server:
            admin = ServerAdmin(backend)
            try:
                field, _ = Vault.create(root / "field", admin_username="admin", admin_passphrase=PASSPHRASE,
                                        kdf_profile="test")
                courier, _ = Vault.create(root / "courier", admin_username="admin", admin_passphrase=PASSPHRASE,
                                          kdf_profile="test")
                with field, courier:
                    sync_service.enrol(field, server_url=server.url, code=admin.code("Agadez"), device_name="field")
                    sync_service.enrol(courier, server_url=server.url, code=admin.code("Niamey"), device_name="c")
                    from desktop_app.vault.registrations import RegistrationDraft
                    drafts = [RegistrationDraft(record_id=None, form_id=FORM_ID, form_version=FORM_VERSION,
                                                status="finalized", content=instance(f"Synthetic {n}", 20 + n % 50),
                                                fields={"title": f"Synthetic {n}", "age": 20 + n % 50,
                                                        "nationality": "NE", "narrative": "synthetic text " * 60})
                              for n in range(records)]
                    for start in range(0, records, 500):
                        save_registrations(field, drafts[start:start + 500])
                    stick, back = root / "stick", root / "back"
                    t = time.perf_counter()
                    exported = batch_service.export(field, stick)
                    figures["export_s"] = round(time.perf_counter() - t, 2)
                    figures["files"], figures["file_mb"] = len(exported.files), round(exported.bytes / 1e6, 2)
                    t = time.perf_counter()
                    batch_service.import_files(courier, [stick])
                    figures["courier_take_s"] = round(time.perf_counter() - t, 2)
                    t = time.perf_counter()
                    result = batch_service.forward(courier, receipts_dir=back, connect=fast_connect())
                    figures["forward_s"] = round(time.perf_counter() - t, 2)
                    assert all(f["status"] == "accepted" for f in result["files"]), result
                    t = time.perf_counter()
                    applied = batch_service.import_files(field, [back])
                    figures["receipt_s"] = round(time.perf_counter() - t, 2)
                    assert sum(a["acknowledged"] for a in applied) == records
            finally:
                admin.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--trip", type=int, default=1_000)
    args = parser.parse_args()
    sealed = seal_and_open(args.records)
    print("| records | files | payload MB | overhead B/file | seal s | open s | seal MB/s | open MB/s |")
    print("|---|---|---|---|---|---|---|---|")
    print("| {records} | {files} | {payload_mb} | {overhead_bytes_per_file} | {seal_s} | {open_s} | {seal_mb_s} | "
          "{open_mb_s} |".format(**sealed))
    whole = trip(args.trip) if args.trip else {}
    if whole:
        print()
        print("| records | files | file MB | export s | courier take s | forward s | receipt s |")
        print("|---|---|---|---|---|---|---|")
        print("| {records} | {files} | {file_mb} | {export_s} | {courier_take_s} | {forward_s} | {receipt_s} |"
              .format(**whole))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "batches.json").write_text(json.dumps({"seal_open": sealed, "trip": whole}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
