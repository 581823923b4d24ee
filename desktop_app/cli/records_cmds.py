"""`waypoint records list | show | delete` and `waypoint purge`: records as the signed-in person, through services.

Each command unlocks as --user (or with the recovery code where a command allows it), and goes through the same
use cases as the app (desktop_app/services), so the same rights apply: a field-staff user lists and shows only what
they may see, and deleting is refused to those the policy does not let delete. Output is JSON on stdout:
- `records list`: {"records": [{"id", "short_id", "title", "sex", "age", "nationality", "form_id",
  "form_version", "form_title", "status", "sync_state", "updated_at"}...], "total", "unsynced"};
- `records show ID`: the record as the person may see it (content with unreadable P3 answers blank, `restricted`
  naming them), its files, its history, its sync state and when retention purged it;
- `records delete ID`: {"deleted": ID} (the deletion syncs as a tombstone; nothing of the person stays here);
- `purge`: applies the retention period now: {"retention_days", "at", "purged", "record_ids", "last_purge"}.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from desktop_app.cli.common import (
    CliError, add_vault_options, guarded, read_passphrase, read_search_text, require_user, vault_dir,
)
from desktop_app.services import records as record_service
from desktop_app.services import registrations as list_service
from desktop_app.services import retention
from desktop_app.vault import Vault

PAGE = 100


def register(subparsers: argparse._SubParsersAction) -> None:
    records = subparsers.add_parser("records", help="list, show and delete records as the signed-in user (JSON)")
    records_sub = records.add_subparsers(dest="records_command", required=True, metavar="ACTION")
    listing = records_sub.add_parser("list", help="the records you may see, newest change first")
    add_vault_options(listing)
    listing.add_argument("--search", metavar="TEXT", help="only records whose name contains TEXT (-: asked at a "
                                                          "prompt, so a name stays out of the shell's history)")
    listing.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N (default 0)")
    listing.add_argument("--limit", type=int, default=PAGE, metavar="N", help=f"at most N records (default {PAGE})")
    listing.set_defaults(func=cmd_list)
    show = records_sub.add_parser("show", help="one record as you may see it, with its files and history")
    add_vault_options(show)
    show.add_argument("record_id", metavar="ID")
    show.set_defaults(func=cmd_show)
    delete = records_sub.add_parser("delete", help="delete a record and every copy of it on this laptop")
    add_vault_options(delete)
    delete.add_argument("record_id", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask (required when not on a terminal)")
    delete.set_defaults(func=cmd_delete)

    purge = subparsers.add_parser("purge", help="apply the retention period now: remove the identifying data of "
                                                "records acknowledged by the server longer ago than the period")
    add_vault_options(purge)
    purge.set_defaults(func=cmd_purge)


def _unlock(args) -> Vault:
    return Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))


def _print(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False)
    print()


@guarded
def cmd_list(args) -> int:
    if args.offset < 0 or args.limit < 1:
        raise CliError("--offset must be 0 or more and --limit 1 or more")
    search = read_search_text([args.search]) if args.search is not None else None
    with _unlock(args) as vault:
        rows = list_service.list_page(vault, offset=args.offset, limit=args.limit, search=search)
        counts = list_service.list_counts(vault)
    _print({"records": [{"id": r.record_id, "short_id": r.short_id, "title": r.title, "sex": r.sex, "age": r.age,
                         "nationality": r.nationality, "form_id": r.form_id, "form_version": r.form_version,
                         "form_title": r.form_title, "status": r.status, "sync_state": r.sync_state,
                         "updated_at": r.updated_at} for r in rows],
            "total": counts.total, "unsynced": counts.unsynced})
    return 0


@guarded
def cmd_show(args) -> int:
    with _unlock(args) as vault:
        try:
            view = record_service.show(vault, args.record_id)
        except record_service.RecordError as error:
            raise CliError(str(error)) from error
    _print({"id": view.record_id, "form_id": view.form_id, "form_version": view.form_version, "status": view.status,
            "version": view.version, "sync_state": view.sync_state, "created_at": view.created_at,
            "created_by": view.created_by, "updated_at": view.updated_at, "updated_by": view.updated_by,
            "purged_at": view.purged_at, "content": view.content, "restricted": view.restricted,
            "files": list(view.files),
            "history": [{"version": v, "status": s, "saved_at": at, "saved_by": by} for v, s, at, by in view.history]})
    return 0


@guarded
def cmd_delete(args) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("nothing deleted: add --yes to delete without being asked")
        answer = input(f"Delete record {args.record_id} and every copy of it on this laptop? Type yes: ")
        if answer.strip().lower() != "yes":
            raise CliError("nothing deleted")
    with _unlock(args) as vault:
        try:
            record_service.delete(vault, args.record_id)
        except record_service.RecordError as error:
            raise CliError(str(error)) from error
    _print({"deleted": args.record_id})
    return 0


@guarded
def cmd_purge(args) -> int:
    with _unlock(args) as vault:
        purge = retention.apply_retention(vault)
        last = retention.last_purge(vault)
    _print({"retention_days": purge.retention_days, "at": purge.at, "purged": purge.count,
            "record_ids": list(purge.record_ids),
            "last_purge": None if last is None else {"at": last.at, "records": last.count}})
    return 0
