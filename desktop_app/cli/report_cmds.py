"""`waypoint report --from DATE --to DATE [--scope all|country:CC|centre:CODE] --out FILE.csv|.xlsx|.pdf`:
the indicators for a period as the signed-in person sees them, every table protected (small cells and their
complements suppressed; the file says what and why)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from desktop_app.cli.common import CliError, add_vault_options, guarded, read_passphrase, require_user, vault_dir
from desktop_app.services import reports
from desktop_app.vault import Vault


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="indicators for a period, protected, as CSV, XLSX or PDF")
    parser.add_argument("--from", dest="start", type=_day, required=True, metavar="DATE")
    parser.add_argument("--to", dest="end", type=_day, required=True, metavar="DATE")
    parser.add_argument("--scope", default="all", help="all (default), country:CC or centre:CODE")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="FILE.csv, FILE.xlsx or FILE.pdf")
    parser.add_argument("--lang", choices=("en", "fr"), default="en", help="language of country and centre names")
    add_vault_options(parser)
    parser.set_defaults(func=cmd_report)


@guarded
def cmd_report(args) -> int:
    if args.out.suffix.lower() not in (".csv", ".xlsx", ".pdf"):
        raise CliError("--out must end in .csv, .xlsx or .pdf")
    try:
        scope = reports.Scope.parse(args.scope)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        try:
            done = reports.write(vault, start=args.start, end=args.end, scope=scope, out=args.out, language=args.lang)
        except ValueError as exc:
            raise CliError(str(exc)) from exc
    finally:
        vault.close()
    released = done.report.rounded()  # what the file holds: counts rounded down to a multiple of 5 (R11)
    for section in released.sections:
        print(f"{section.result.code}\t{section.total_shown()}\t{section.result.title}")
    for note in released.notes():
        print(f"note: {note}", file=sys.stderr)
    if done.unlinked:
        print(f"note: {done.unlinked} event(s), referral(s) or case(s) name no registration on this laptop",
              file=sys.stderr)
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0
