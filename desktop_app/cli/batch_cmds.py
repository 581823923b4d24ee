"""`waypoint batch ...`: USB batch files.

    waypoint batch export --out DIR          the outbox as batch files (a laptop that never goes online)
    waypoint batch import FILE|DIR...        a receipt for this laptop is applied; batch files of other laptops are
                                             kept sealed for forwarding (a coordinator's machine)
    waypoint batch forward [--receipts DIR]  send the kept batch files to the server; receipts written per centre
    waypoint batch list                      what this machine carries and what became of it

Each prints JSON (one object, or one line per file). Exit 0 when every file was taken, 1 when one was refused,
2 when the command could not run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.cli.common import EXIT_ERROR, CliError, add_vault_options, guarded
from desktop_app.cli.sync_cmds import _sync_failure, _unlock
from desktop_app.services import batches as batch_service


def register(subparsers) -> None:
    batch = subparsers.add_parser("batch", help="USB batch files: export, import, forward")
    sub = batch.add_subparsers(dest="batch_command", required=True, metavar="ACTION")
    export = sub.add_parser("export", help="write the outbox as batch files into DIR (a USB stick)")
    add_vault_options(export)
    export.add_argument("--out", required=True, type=Path, metavar="DIR")
    export.add_argument("--days", type=int, default=None, help="the files expire after this many days (60)")
    export.set_defaults(func=cmd_export)
    imp = sub.add_parser("import", help="import receipts for this laptop, or batch files to carry to the server")
    add_vault_options(imp)
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.set_defaults(func=cmd_import)
    forward = sub.add_parser("forward", help="send the carried batch files to the server (online)")
    add_vault_options(forward)
    forward.add_argument("--receipts", type=Path, metavar="DIR", help="write the receipts here, a folder per centre")
    forward.set_defaults(func=cmd_forward)
    listing = sub.add_parser("list", help="the batch files this machine carries or carried")
    add_vault_options(listing)
    listing.set_defaults(func=cmd_list)


@guarded
@_sync_failure
def cmd_export(args) -> int:
    with _unlock(args) as vault:
        try:
            summary = batch_service.export(vault, args.out, lifetime_s=args.days * 86400 if args.days else None)
        except batch_service.DriveNotWritable as exc:  # a full stick, a read-only one, one pulled out
            raise CliError(
                f"the batch files could not be written to {args.out} ({exc.reason}). Nothing "
                "is lost: every change not yet acknowledged goes in the next export, and no file on the drive is "
                "half-written. Free some space on the drive (or use another one) and export again") from exc
    print(json.dumps({**summary.as_json(), "safe_to_remove": True}, sort_keys=True))
    return 0


@guarded
@_sync_failure
def cmd_import(args) -> int:
    with _unlock(args) as vault:
        results = batch_service.import_files(vault, list(args.files))
    for line in results:
        print(json.dumps(line, sort_keys=True))
    return 1 if any(r.get("status") == "rejected" for r in results) else 0


@guarded
@_sync_failure
def cmd_forward(args) -> int:
    with _unlock(args) as vault:
        result = batch_service.forward(vault, receipts_dir=args.receipts)
    for line in result["files"]:
        print(json.dumps(line, sort_keys=True))
    print(json.dumps({"receipts": result["receipts"]}, sort_keys=True))
    failed = result.get("receipts_failed")
    if failed is not None:  # the files went; their receipts wait here ("No space left on device" alone said neither)
        print(f"waypoint: the receipts could not all be written to {failed.folder} ({failed.reason}); "
              f"{len(result['receipts'])} written. Nothing is lost: the files above were forwarded and the other "
              "receipts wait on this machine (and no receipt on the drive is half-written). Free some space on the "
              "drive (or use another one) and run `waypoint batch forward --receipts DIR` again to write them",
              file=sys.stderr)
        return EXIT_ERROR
    return 1 if any(f["status"] == "rejected" for f in result["files"]) else 0


@guarded
@_sync_failure
def cmd_list(args) -> int:
    with _unlock(args) as vault:
        for row in batch_service.inbox(vault):
            print(json.dumps(row, sort_keys=True, default=str))
    return 0
