"""`waypoint export --form ID --out FILE.csv|.xlsx [--hxl]`: a record-level export, for roles allowed to export,
written passphrase-protected (FILE.csv.wpx); `waypoint export-open FILE.wpx --out-dir DIR` opens one on a machine
trusted with the data. The export's passphrase comes from --export-passphrase-file or is typed twice.

`waypoint export --ctdc --out FILE.csv`: the CTDC-compatible anonymised export of trafficking cases, k-anonymous
(k = 11) before it is written, with FILE.notes.txt saying what was generalised or withheld."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.cli.common import (
    CliError, add_vault_options, guarded, read_new_passphrase, read_passphrase, require_user, vault_dir,
)
from desktop_app.services import ctdc_export, record_export
from desktop_app.vault import Vault
from waypoint_core.registry.sealed_file import SealedFileError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="record-level export of one form, passphrase-protected (.wpx)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--form", metavar="ID")
    what.add_argument("--ctdc", action="store_true",
                      help="anonymised trafficking cases in CTDC columns, k-anonymous (k = 11), not encrypted")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="FILE.csv or FILE.xlsx (.wpx added)")
    parser.add_argument("--hxl", action="store_true", help="add a row of HXL hashtags under the header")
    parser.add_argument("--export-passphrase-file", type=Path, metavar="F", help="the export's passphrase")
    add_vault_options(parser)
    parser.set_defaults(func=cmd_export)
    opener = subparsers.add_parser("export-open", help="decrypt a .wpx export")
    opener.add_argument("file", type=Path)
    opener.add_argument("--out-dir", type=Path, default=Path("."), metavar="DIR",
                        help="the folder the decrypted file is written into (default: this one)")
    opener.add_argument("--export-passphrase-file", type=Path, metavar="F")
    opener.set_defaults(func=cmd_open)


@guarded
def cmd_export(args) -> int:
    if args.ctdc:
        return _ctdc(args)
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise CliError("--out must end in .csv or .xlsx")
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        secret = read_new_passphrase(args.export_passphrase_file, label="Passphrase for the export")
        try:
            done = record_export.export_form(
                vault, form_id=args.form, out=args.out, passphrase=secret, hxl=args.hxl,
                progress=lambda n, total: print(f"{n} of {total} records written", file=sys.stderr)
                if n % 10_000 == 0 or n == total else None)
        except (ValueError, SealedFileError) as exc:
            raise CliError(str(exc)) from exc
    finally:
        vault.close()
    print(f"Wrote {done.path} ({done.records} records, {done.columns} columns, passphrase-protected)")
    return 0


def _ctdc(args) -> int:
    if args.out.suffix.lower() != ".csv" or args.hxl:
        raise CliError("--ctdc writes a .csv file (no --hxl row: CTDC's columns are fixed)")
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        result, note = ctdc_export.export_ctdc(
            vault, out=args.out,
            progress=lambda n, _total: print(f"{n} cases read", file=sys.stderr) if n % 10_000 == 0 else None)
    finally:
        vault.close()
    for line in result.notes():
        print(line)
    print(f"Wrote {args.out} ({len(result.rows)} cases) and {note}")
    return 0


@guarded
def cmd_open(args) -> int:
    if not args.out_dir.is_dir():  # checked before the passphrase is asked ("--out p.csv" is read as --out-dir)
        raise CliError(f"--out-dir {args.out_dir}: no such folder (the decrypted file is written into a folder, "
                       "under the export's own name)")
    secret = read_new_passphrase(args.export_passphrase_file, label="Passphrase of the export") \
        if args.export_passphrase_file else read_passphrase(args, label="Passphrase of the export: ")
    try:
        target = record_export.open_export(args.file, secret, out_dir=args.out_dir)
    except SealedFileError as exc:
        raise CliError(str(exc)) from exc
    print(f"Wrote {target}")
    return 0
