"""`waypoint enrol --server URL --code CODE` and `waypoint sync`: the device side of sync, for scripts.

`waypoint sync` prints one JSON object: {"pushed", "acknowledged", "pulled", "conflicts", ...}; exit 0 when the
run completed, 2 with one line on stderr when it could not (nothing is lost: the outbox stays queued).
"""

from __future__ import annotations

import json
import socket
import sys

from desktop_app.cli.common import CliError, add_vault_options, guarded, read_passphrase, require_user, vault_dir
from desktop_app.services import sync as sync_service
from desktop_app.vault import Vault

EXIT_ERROR = 2


def register(subparsers) -> None:
    enrol = subparsers.add_parser("enrol", help="register this device with the sync server (one-time code)")
    add_vault_options(enrol)
    enrol.add_argument("--server", required=True, metavar="URL", help="https://... (http:// only to this computer)")
    enrol.add_argument("--code", required=True, help="the one-time enrolment code from the administrator")
    enrol.add_argument("--ca-bundle", metavar="PEM", help="trust the organisation's own certificate authority")
    enrol.add_argument("--device-name", default=None, help="how the server lists this laptop (default: host name)")
    enrol.add_argument("--again", action="store_true",
                       help="enrol a laptop that was enrolled before (new code, new device key): its records and "
                            "unsent changes are kept and sent at the next sync")
    enrol.set_defaults(func=cmd_enrol)

    sync = subparsers.add_parser("sync", help="send queued records, receive changes and forms; prints JSON")
    add_vault_options(sync)
    sync.add_argument("--ca-bundle", metavar="PEM", help="remember this CA bundle for the server, then sync")
    sync.add_argument("--status", action="store_true", help="only print the sync status (no network)")
    sync.set_defaults(func=cmd_sync)


def _unlock(args) -> Vault:
    return Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))


def _sync_failure(func):
    """Sync errors are expected (no network, refused certificate): one line, exit 2, like vault errors."""

    def run(args) -> int:
        try:
            return func(args)
        except sync_service.errors.SyncError as exc:
            print(f"waypoint: {exc}", file=sys.stderr)
            if getattr(exc, "french", None):  # a failure the person at the laptop must act on: also in French
                print(f"waypoint: {exc.french}", file=sys.stderr)
            return EXIT_ERROR

    run.__name__ = func.__name__
    return run


@guarded
@_sync_failure
def cmd_enrol(args) -> int:
    # The URL is checked before the vault is even opened: a refused address sends nothing anywhere.
    server_url = sync_service.check_server_url(args.server)
    if args.ca_bundle and not args.ca_bundle.strip():
        raise CliError("--ca-bundle needs a file")
    with _unlock(args) as vault:
        result = sync_service.enrol(vault, server_url=server_url, code=args.code, ca_bundle=args.ca_bundle,
                                    device_name=args.device_name or socket.gethostname()[:200] or "laptop",
                                    again=args.again)
    print(json.dumps(result, sort_keys=True))
    return 0


@guarded
@_sync_failure
def cmd_sync(args) -> int:
    with _unlock(args) as vault:
        if args.status:
            print(json.dumps(sync_service.sync_status(vault), sort_keys=True))
            return 0
        if args.ca_bundle:
            sync_service.set_ca_bundle(vault, args.ca_bundle)
        before = sync_service.run_start(vault)
        said = sync_service.run_seen(vault, sync_service.sync_now(vault), before)
    print(json.dumps(said, sort_keys=True))
    return 0
