"""`waypoint export --form ID --out FILE.csv|.xlsx [--hxl]`: a record-level export, for roles allowed to export,
written passphrase-protected (FILE.csv.wpx); `waypoint export-open FILE.wpx --out-dir DIR` opens one on a machine
trusted with the data. The export's passphrase comes from --export-passphrase-file or is typed twice."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.cli.common import (
    CliError, add_vault_options, guarded, read_new_passphrase, read_passphrase, require_user, vault_dir,
)
from desktop_app.services import record_export
from desktop_app.vault import Vault
from waypoint_core.registry.sealed_file import SealedFileError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="record-level export of one form, passphrase-protected (.wpx)")
    parser.add_argument("--form", required=True, metavar="ID")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="FILE.csv or FILE.xlsx (.wpx added)")
    parser.add_argument("--hxl", action="store_true", help="add a row of HXL hashtags under the header")
    parser.add_argument("--export-passphrase-file", type=Path, metavar="F", help="the export's passphrase")
    add_vault_options(parser)
    parser.set_defaults(func=cmd_export)
    opener = subparsers.add_parser("export-open", help="decrypt a .wpx export")
    opener.add_argument("file", type=Path)
    opener.add_argument("--out-dir", type=Path, default=Path("."))
    opener.add_argument("--export-passphrase-file", type=Path, metavar="F")
    opener.set_defaults(func=cmd_open)


@guarded
def cmd_export(args) -> int:
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise CliError("--out must end in .csv or .xlsx")
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        secret = read_new_passphrase(args.export_passphrase_file, label="Passphrase for the export")
        try:
            done = record_export.export_form(
                vault, form_id=args.form, out=args.out, passphrase=secret, hxl=args.hxl,
                progress=lambda n, _total: print(f"{n} records read", file=sys.stderr) if n % 10_000 == 0 else None)
        except (ValueError, SealedFileError) as exc:
            raise CliError(str(exc)) from exc
    finally:
        vault.close()
    print(f"Wrote {done.path} ({done.records} records, {done.columns} columns, passphrase-protected)")
    return 0


@guarded
def cmd_open(args) -> int:
    secret = read_new_passphrase(args.export_passphrase_file, label="Passphrase of the export") \
        if args.export_passphrase_file else read_passphrase(args, label="Passphrase of the export: ")
    try:
        target = record_export.open_export(args.file, secret, out_dir=args.out_dir)
    except SealedFileError as exc:
        raise CliError(str(exc)) from exc
    print(f"Wrote {target}")
    return 0
