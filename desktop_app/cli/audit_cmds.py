"""`waypoint audit list | verify | export`: the laptop's audit log, as the signed-in person (coordinators).

`verify` walks the whole hash chain and exits 1 naming the first entry that does not fit (altered, missing, out of
order, or the end cut). `list` prints one entry a line, newest first, narrowed by person, record, event or period.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from desktop_app.cli.common import add_vault_options, guarded, read_passphrase, read_recovery_code, require_user
from desktop_app.cli.common import vault_dir
from desktop_app.services import audit
from desktop_app.vault import Vault

EXIT_VERIFY_FAILED = 1


def register(subparsers) -> None:
    parser = subparsers.add_parser("audit", help="review, verify and export the audit log (coordinators)")
    sub = parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")

    listing = sub.add_parser("list", help="entries, newest first")
    add_vault_options(listing)
    _filters(listing)
    listing.add_argument("--limit", type=int, default=100, help="at most this many entries (default 100)")
    listing.add_argument("--json", action="store_true", help="one JSON object a line, hashes included")
    listing.set_defaults(func=cmd_list)

    check = sub.add_parser("verify", help="check the whole hash chain; exit 1 naming where it breaks")
    add_vault_options(check)
    check.set_defaults(func=cmd_verify)

    export = sub.add_parser("export", help="write the entries (oldest first, with their hashes) to a CSV file")
    add_vault_options(export)
    _filters(export)
    export.add_argument("output", type=Path)
    export.set_defaults(func=cmd_export)


def _filters(parser) -> None:
    parser.add_argument("--by", metavar="USER", help="only what this user did")
    parser.add_argument("--record", metavar="ID", help="only entries about this record")
    parser.add_argument("--event", metavar="PREFIX", help="only events starting with this (record., session., ...)")
    parser.add_argument("--since", metavar="DATE", help="from this date or time (ISO 8601, UTC)")
    parser.add_argument("--until", metavar="DATE", help="before this date or time (ISO 8601, UTC)")


def _filter(args) -> audit.Filter:
    return audit.Filter(actor=args.by, record_id=args.record, event_prefix=args.event, since=args.since,
                        until=args.until)


def _unlock(args) -> Vault:
    code = read_recovery_code(args)
    if code is not None:
        return Vault.unlock_with_recovery(vault_dir(args), recovery_code=code)
    return Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))


@guarded
def cmd_list(args) -> int:
    with _unlock(args) as vault:
        audit.open_review(vault)
        for entry in audit.entries(vault, _filter(args), limit=max(1, args.limit)):
            if args.json:
                print(json.dumps(entry.as_json(), ensure_ascii=False))
            else:
                print("\t".join([str(entry.seq), entry.at, entry.actor, entry.event, entry.outcome,
                                 entry.record_id or "-", entry.detail]))
    return 0


@guarded
def cmd_verify(args) -> int:
    with _unlock(args) as vault:
        result = audit.verify(vault)
    if result.broken is not None:
        print(f"waypoint: the audit log does not verify: {result.broken}", file=sys.stderr)
        return EXIT_VERIFY_FAILED
    print(f"audit log verified: {result.count} entries, last hash {result.head}")
    return 0


@guarded
def cmd_export(args) -> int:
    with _unlock(args) as vault:
        written = audit.export_csv(vault, args.output, _filter(args))
    print(f"{written} entries written to {args.output}")
    return 0
