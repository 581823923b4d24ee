"""`waypoint report --from DATE --to DATE [--scope SCOPE] [--on-server] --out FILE.csv|.xlsx|.pdf`: the indicators
for a period as the signed-in person sees them, every table protected (small cells and their complements
suppressed; the file says what and why, which scope, and where the figures were computed).

Scopes of this laptop's records (computed here): `all` (the default), `country:CC`, `centre:CODE`. Scopes wider
than this laptop are asked of the server (coordinators, within their region; services/server_reports.py):
`region` (this laptop's region), `region:NAME` (a region as the server's administrator named it), and with
`--on-server` this centre (no --scope: every laptop's synchronised records of it) or `centre:NAME|ID` (a centre of
the region, as the server names it)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from desktop_app.cli.common import CliError, add_vault_options, guarded, read_passphrase, require_user, vault_dir
from desktop_app.services import reports, server_reports
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
    parser.add_argument("--scope", default=None,
                        help="this laptop's records: all (default), country:CC or centre:CODE; asked of the server: "
                             "region (this laptop's), region:NAME, or with --on-server centre:NAME")
    parser.add_argument("--on-server", action="store_true",
                        help="ask the server (coordinators): this centre, or the --scope centre:NAME of the region")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="FILE.csv, FILE.xlsx or FILE.pdf")
    parser.add_argument("--lang", choices=("en", "fr"), default="en", help="language of country and centre names")
    add_vault_options(parser)
    parser.set_defaults(func=cmd_report)


def _server_scope(args) -> str | None:
    """What the server is asked (server_reports: OWN_CENTRE, OWN_REGION, centre:…, region:NAME), or None: this
    laptop computes the report."""
    scope = (args.scope or "").strip()
    if scope == "region" or scope.startswith("region:"):
        return server_reports.OWN_REGION if scope == "region" else scope
    if not args.on_server:
        return None
    if not scope:
        return server_reports.OWN_CENTRE
    if scope == "all" or scope.startswith("centre:"):
        return scope  # all: refused by the service, with the reason
    raise CliError("with --on-server, --scope is region, region:NAME or centre:NAME (a centre of your region)")


@guarded
def cmd_report(args) -> int:
    if args.out.suffix.lower() not in (".csv", ".xlsx", ".pdf"):
        raise CliError("--out must end in .csv, .xlsx or .pdf")
    asked = _server_scope(args)
    try:
        scope = reports.Scope.parse(args.scope) if asked is None else reports.Scope()
    except ValueError as exc:
        raise CliError(str(exc).replace("centre:CODE", "centre:CODE, or region:NAME asked of the server")) from exc
    if args.end < args.start:
        raise CliError("the period ends before it starts")
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        try:
            if asked is None:
                done = reports.write(vault, start=args.start, end=args.end, scope=scope, out=args.out,
                                     language=args.lang)
            else:
                done = _from_server(vault, args, asked)
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
        held = "in the scope" if done.computed_by == "server" else "on this laptop"
        print(f"note: {done.unlinked} event(s), referral(s) or case(s) name no registration {held}", file=sys.stderr)
    where = "by the server" if done.computed_by == "server" else "on this laptop"
    print(f"Wrote {args.out} (scope {released.scope}, computed {where})", file=sys.stderr)
    return 0


def _from_server(vault: Vault, args, asked: str) -> reports.IndicatorReport:
    """The server's figures of `asked`, written as this laptop writes its own; a sync failure in one line."""
    try:
        connection, _ = server_reports.open_server_reports(vault)
        try:
            done = server_reports.compute_on_server(connection, start=args.start, end=args.end, asked=asked,
                                                    language=args.lang)
        finally:
            connection.close()
    except server_reports.errors.SyncError as exc:
        raise CliError(str(exc)) from exc
    server_reports.save(vault, done, out=args.out, language=args.lang)
    return done
