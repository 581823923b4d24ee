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


@guarded
def cmd_devices(args) -> int:
    with _unlock(args) as vault:
        connection, _ = devices.open_devices(vault)
    try:
        found = _closing(connection, lambda: devices.list_devices(connection))
    except errors.SyncError as exc:
        return _refused(exc)
    for device in found:
        print(json.dumps(device.model_dump(), ensure_ascii=False))
    return 0


@guarded
def cmd_codes(args) -> int:
    with _unlock(args) as vault:
        connection, _ = devices.open_devices(vault)
    try:
        found = _closing(connection, lambda: devices.list_codes(connection))
    except errors.SyncError as exc:
        return _refused(exc)
    for code in found.codes:
        print(json.dumps(code.model_dump(), ensure_ascii=False))
    return 0


@guarded
def cmd_new_code(args) -> int:
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    if not roles:
        raise CliError("--roles names at least one role (field_staff, case_worker, coordinator, administrator)")
    if not MIN_CODE_HOURS <= args.hours <= MAX_CODE_HOURS:
        raise CliError(f"--hours is between {MIN_CODE_HOURS} and {MAX_CODE_HOURS}")
    with _unlock(args) as vault:
        connection, by = devices.open_devices(vault)
        try:
            def make():
                listed = devices.list_codes(connection)
                wanted = args.centre.strip()
                centre = next((c for c in listed.centres if wanted in (c.centre_id, c.name)), None)
                if centre is None:
                    raise CliError(f"no centre {wanted!r} among those you manage: "
                                   + ", ".join(c.name for c in listed.centres))
                return devices.new_code(connection, centre.centre_id, roles, args.hours, by=by)

            made = _closing(connection, make)
        except errors.SyncError as exc:
            return _refused(exc)
        devices.note_code_made(vault, made)
    print(made.code)
    print(json.dumps(made.info.model_dump(), ensure_ascii=False), file=sys.stderr)
    return 0


@guarded
def cmd_revoke_code(args) -> int:
    with _unlock(args) as vault:
        connection, by = devices.open_devices(vault)
        try:
            _closing(connection, lambda: devices.revoke_code(connection, args.code_id, by=by))
        except errors.SyncError as exc:
            return _refused(exc)
        devices.note_code_revoked(vault, args.code_id)
    print(json.dumps({"revoked": args.code_id}))
    return 0


@guarded
def cmd_alarms(args) -> int:
    with _unlock(args) as vault:
        connection, _ = alarms.open_alarms(vault)
    try:
        found = _closing(connection, lambda: alarms.list_alarms(connection))
    except errors.SyncError as exc:
        return _refused(exc)
    for alarm in found:
        print(json.dumps(alarm.model_dump(), ensure_ascii=False))
    return 0


@guarded
def cmd_undo(args) -> int:
    with _unlock(args) as vault:
        connection, by = alarms.open_alarms(vault)
        try:
            result = _closing(connection, lambda: alarms.undo(connection, args.alarm_id, by=by))
        except errors.SyncError as exc:
            return _refused(exc)
        alarms.note_undone(vault, args.alarm_id, result.restored)
    print(json.dumps({"alarm": args.alarm_id, "restored": result.restored}))
    return 0
