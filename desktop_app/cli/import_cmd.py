"""`waypoint import --form ID FILE`: import answers exported by KoboToolbox (CSV or JSON lines).

Every row is validated through the engine; if any row is invalid nothing is imported and every error is printed
as "row N, field: message" (exit 1). A valid file is imported in one transaction, each record queued for sync.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.cli.common import CliError, add_vault_options, guarded
from desktop_app.cli.forms_store_cmds import unlock_with_shipped_forms
from desktop_app.services.forms import FormStoreError
from desktop_app.services.records import ImportFileError, import_file


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="import Kobo CSV / JSON-lines answers as finalized records")
    parser.add_argument("--form", required=True, metavar="ID", help="form id (see `waypoint forms list`)")
    parser.add_argument("--form-version", default=None, metavar="V", help="form version (default: the latest)")
    parser.add_argument("file", type=Path, metavar="FILE", help="CSV (',' or ';') or JSON lines (.jsonl)")
    add_vault_options(parser)
    parser.set_defaults(func=cmd_import)


@guarded
def cmd_import(args) -> int:
    if not args.file.is_file():
        raise CliError(f"no such file: {args.file}")
    vault = unlock_with_shipped_forms(args)
    try:
        report = import_file(vault, form_id=args.form, version=args.form_version, path=args.file)
    except (ImportFileError, FormStoreError) as error:
        raise CliError(str(error)) from error
    finally:
        vault.close()
    if report.errors:
        print(f"waypoint: {args.file.name}: nothing imported; {len(report.errors)} error(s) in "
              f"{_where(args.file, {e.row for e in report.errors}, report.rows)}:", file=sys.stderr)
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    withheld = f" ({report.withheld} without personal data: consent refused)" if report.withheld else ""
    print(f"Imported {len(report.imported)} record(s) with {report.form_id} version {report.form_version}{withheld}.")
    return 0


def _where(path, rows_with_errors: set[int], rows: int) -> str:
    """'the header and 1 of 1 row(s)': a CSV's unknown columns are errors of its header (spreadsheet row 1), which is
    not one of its rows of answers (it read '2 of 1 row(s)')."""
    parts = []
    if path.suffix.lower() == ".csv" and 1 in rows_with_errors:
        parts.append("the header")
        rows_with_errors = rows_with_errors - {1}
    if rows_with_errors or not parts:
        parts.append(f"{len(rows_with_errors)} of {rows} row(s)")
    return " and ".join(parts)
