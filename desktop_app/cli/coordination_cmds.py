"""`waypoint devices | codes | alarms`: what a coordinator manages on the server, from the command line, as the
signed-in person (the same services and server checks as the app's Devices and Deletion alarms screens).

    waypoint devices list                                     the laptops of the centres you manage (JSON lines)
    waypoint codes list                                       open enrolment codes (JSON lines; never the code)
    waypoint codes new --centre NAME|ID --roles R1,R2 [--hours 72]   prints the code once
    waypoint codes revoke CODE_ID
    waypoint alarms list                                      bulk deletions of the centres you review
    waypoint alarms undo ALARM_ID                             bring the records back on every laptop

The rights check, the audit entries and the credentials are the vault's; the request is signed with this laptop's
key, and the server checks again (sync_server/coordination.py). A refusal is one line on stderr, exit 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from desktop_app.cli.common import (
    CliError, add_vault_options, guarded, read_passphrase, read_recovery_code, require_user, vault_dir,
)
from desktop_app.services import alarms, devices
from desktop_app.services.sync import errors
from desktop_app.vault import Vault
from waypoint_core.protocol.enrolment_messages import MAX_CODE_HOURS, MIN_CODE_HOURS

EXIT_REFUSED = 1


def register(subparsers) -> None:
    dev = subparsers.add_parser("devices", help="the laptops of the centres you manage (coordinators)")
    dev_sub = dev.add_subparsers(dest="devices_command", required=True, metavar="ACTION")
    listing = dev_sub.add_parser("list", help="one JSON object a line")
    add_vault_options(listing)
    listing.set_defaults(func=cmd_devices)

    codes = subparsers.add_parser("codes", help="one-time enrolment codes for the centres you manage")
    codes_sub = codes.add_subparsers(dest="codes_command", required=True, metavar="ACTION")
    listing = codes_sub.add_parser("list", help="the open codes (JSON lines; a code is shown only when made)")
    add_vault_options(listing)
    listing.set_defaults(func=cmd_codes)
    new = codes_sub.add_parser("new", help="a code for one laptop of a centre; printed once")
    add_vault_options(new)
    new.add_argument("--centre", required=True, help="the centre's name or id (one you manage)")
    new.add_argument("--roles", required=True, metavar="R1,R2", help="roles of the people who will use the laptop")
    new.add_argument("--hours", type=int, default=72, help=f"validity, {MIN_CODE_HOURS} to {MAX_CODE_HOURS} hours")
    new.set_defaults(func=cmd_new_code)
    revoke = codes_sub.add_parser("revoke", help="no laptop can enrol with this code any more")
    add_vault_options(revoke)
    revoke.add_argument("code_id")
    revoke.set_defaults(func=cmd_revoke_code)

    alarm = subparsers.add_parser("alarms", help="bulk deletions of the centres you review, and their undo")
    alarm_sub = alarm.add_subparsers(dest="alarms_command", required=True, metavar="ACTION")
    listing = alarm_sub.add_parser("list", help="newest first, one JSON object a line")
    add_vault_options(listing)
    listing.set_defaults(func=cmd_alarms)
    undo = alarm_sub.add_parser("undo", help="bring back every record the alarm names")
    add_vault_options(undo)
    undo.add_argument("alarm_id")
    undo.set_defaults(func=cmd_undo)


def _unlock(args) -> Vault:
    code = read_recovery_code(args)
    if code is not None:
        return Vault.unlock_with_recovery(vault_dir(args), recovery_code=code)
    return Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))


def _refused(exc: errors.SyncError) -> int:
    print(f"waypoint: {exc}", file=sys.stderr)
    return EXIT_REFUSED


def _closing(connection, work):
    try:
        return work()
    finally:
        connection.close()


def _print_rows(args, open_connection: Callable, fetch: Callable) -> int:
    """A list command: the connection opened as the signed-in person (the vault locked again before the request),
    `fetch(connection)` asked, each row printed as one JSON line."""
    with _unlock(args) as vault:
        connection, _ = open_connection(vault)
    try:
        found = _closing(connection, lambda: fetch(connection))
    except errors.SyncError as exc:
        return _refused(exc)
    for row in found:
        print(json.dumps(row.model_dump(), ensure_ascii=False))
    return 0


def _change(args, open_connection: Callable, request: Callable, remember: Callable, report: Callable) -> int:
    """A command that changes something on the server: `request(connection, by)` signed as the signed-in person,
    then `remember(vault, result)` in this laptop's audit log, then `report(result)` printed."""
    with _unlock(args) as vault:
        connection, by = open_connection(vault)
        try:
            result = _closing(connection, lambda: request(connection, by))
        except errors.SyncError as exc:
            return _refused(exc)
        remember(vault, result)
    report(result)
    return 0


@guarded
def cmd_devices(args) -> int:
    return _print_rows(args, devices.open_devices, devices.list_devices)


@guarded
def cmd_codes(args) -> int:
    return _print_rows(args, devices.open_devices, lambda connection: devices.list_codes(connection).codes)


@guarded
def cmd_new_code(args) -> int:
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    if not roles:
        raise CliError("--roles names at least one role (field_staff, case_worker, coordinator, administrator)")
    if not MIN_CODE_HOURS <= args.hours <= MAX_CODE_HOURS:
        raise CliError(f"--hours is between {MIN_CODE_HOURS} and {MAX_CODE_HOURS}")

    def make(connection, by):
        listed = devices.list_codes(connection)
        wanted = args.centre.strip()
        centre = next((c for c in listed.centres if wanted in (c.centre_id, c.name)), None)
        if centre is None:
            raise CliError(f"no centre {wanted!r} among those you manage: " + ", ".join(c.name for c in listed.centres))
        return devices.new_code(connection, centre.centre_id, roles, args.hours, by=by)

    def report(made) -> None:
        print(made.code)
        print(json.dumps(made.info.model_dump(), ensure_ascii=False), file=sys.stderr)

    return _change(args, devices.open_devices, make, devices.note_code_made, report)


@guarded
def cmd_revoke_code(args) -> int:
    return _change(args, devices.open_devices,
                   lambda connection, by: devices.revoke_code(connection, args.code_id, by=by),
                   lambda vault, _: devices.note_code_revoked(vault, args.code_id),
                   lambda _: print(json.dumps({"revoked": args.code_id})))


@guarded
def cmd_alarms(args) -> int:
    return _print_rows(args, alarms.open_alarms, alarms.list_alarms)


@guarded
def cmd_undo(args) -> int:
    return _change(args, alarms.open_alarms,
                   lambda connection, by: alarms.undo(connection, args.alarm_id, by=by),
                   lambda vault, result: alarms.note_undone(vault, args.alarm_id, result.restored),
                   lambda result: print(json.dumps({"alarm": args.alarm_id, "restored": result.restored})))
