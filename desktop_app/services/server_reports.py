"""Indicators of a scope wider than this laptop, asked of the server (issue 12 point 3: "computed on the device and on
the server from the same code"): this centre (every laptop's synchronised records), this laptop's region, or
another centre of that region. The server runs the core's computation over its own facts and protects and rounds
every table before it answers (sync_server/reports.py); the answer comes back as the same `IndicatorReport` the
local computation gives (`waypoint_core.registry.published`), so the screen, the files and the CLI treat both alike.

Who: people whose roles view registrations across a region (coordinators), checked here and recorded
(`indicators.server`), and checked again by the server against the laptop's people. The rights check and the
credentials are read on the database thread (`open_server_reports`); the requests run on the network pool with the
connection it returns, never touching the vault. Failures are the sync client's own errors, said apart:
`ServerUnreachable` (offline, or the server down), `OutsideScope` (beyond the rights, a signed refusal),
`UnknownScope`, `NotEnrolled`. No Qt here.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.services import access, reports
from desktop_app.sync import errors, store
from desktop_app.sync.transport import ServerConnection
from desktop_app.vault.vault import Vault
from waypoint_core.registry import exports, published, report_words

__all__ = ["OWN_CENTRE", "OWN_REGION", "ServerScope", "may_ask_server", "open_server_reports", "scopes_of",
           "compute_on_server", "save", "errors", "AccessDenied"]

AccessDenied = access.AccessDenied
OWN_CENTRE = "centre"  # this laptop's centre, every laptop's records of it
OWN_REGION = "region"  # this laptop's region, named by the server


@dataclass(frozen=True)
class ServerScope:
    """A scope the server may be asked: `asked` is what goes in the request (OWN_CENTRE, OWN_REGION or centre:ID);
    `name` the centre's or region's name as the server knows it."""

    asked: str
    name: str = ""


def may_ask_server(vault: Vault) -> bool:
    """Whether the signed-in person may ask the server (the scope chooser is shown to them only; not audited:
    asking is, in `open_server_reports`)."""
    return access.may_ask_server_indicators(vault)


def open_server_reports(vault: Vault, *, connect: Callable[..., ServerConnection] = ServerConnection
                        ) -> tuple[ServerConnection, str]:
    """(a connection to the server as this laptop, the signed-in person's name), checked and recorded; NotEnrolled
    for a laptop never enrolled."""
    access.check_server_indicators(vault)
    credentials = store.load_credentials(vault)
    connection = credentials.open_with(connect)
    return connection, vault.user.username


def _ask(attempt: Callable[[], Any], tries: int = 2) -> Any:
    """Once, and once again at once on a transient failure (a kept connection the server closed meanwhile); the
    last failure itself otherwise, so the person reads what happened (not a sync run's "the outbox is kept")."""
    for n in range(tries):
        try:
            return attempt()
        except errors.SyncError as exc:
            if not exc.transient or n == tries - 1:
                raise
    raise AssertionError("unreachable")


def scopes_of(connection: ServerConnection) -> list[ServerScope]:
    """What the server may be asked, as the chooser offers it: this centre, this region (when the server names
    one), then the region's other centres by name."""
    centres = _ask(connection.indicator_scopes).centres
    if not centres:
        return [ServerScope(OWN_CENTRE)]
    own, others = centres[0], centres[1:]
    found = [ServerScope(OWN_CENTRE, own.name)]
    if own.region:
        found.append(ServerScope(OWN_REGION, own.region))
    found += [ServerScope(f"centre:{c.centre_id}", c.name) for c in others]
    return found


def _scope_query(centres: list[Any], asked: str) -> str | None:
    """The request's scope: none for this centre; this region by the name the server gave it."""
    if asked == OWN_CENTRE:
        return None
    if asked == OWN_REGION:
        region = centres[0].region if centres else ""
        return f"region:{region}" if region else None  # a centre in no region is a region of its own
    if asked == "all":
        raise AccessDenied("no role views every centre: the indicators of all centres are the server operator's "
                           "(waypoint-server admin indicators)")
    return asked


def form_labels(vault: Vault) -> dict[str, dict[str, dict[str, str]]]:
    """The forms' choice labels the breakdowns name, in each language (read on the database thread, for a report the
    server computes: the screen names categories as it does for its own)."""
    return {language: reports.form_choices(vault, language) for language in reports.LANGUAGES}


def compute_on_server(connection: ServerConnection, *, start: date, end: date, asked: str = OWN_CENTRE,
                      language: str = "en", choices: dict[str, dict[str, dict[str, str]]] | None = None
                      ) -> reports.IndicatorReport:
    """The server's indicators of a scope (OWN_CENTRE, OWN_REGION, centre:ID or region:NAME) for [start, end], as
    the report the screen and the files take: two signed requests (the centres this laptop may ask, which name its
    region and its centres, then the indicators); the report's scope names a centre by its name and says the figures
    were computed by the server."""
    if end < start:
        raise ValueError("the period ends before it starts")
    started = time.perf_counter()
    centres = _ask(connection.indicator_scopes).centres
    query = _scope_query(centres, asked)
    answer = _ask(lambda: connection.indicators(start=start, end=end, scope=query))
    report = published.report_from_answer(answer, title=report_words.words_for(language).title)
    kind, _, value = answer.scope.partition(":")
    names = {c.centre_id: c.name for c in centres}
    scope = f"centre:{names[value]}" if kind == "centre" and value in names else answer.scope
    return reports.IndicatorReport((), dataclasses.replace(report, scope=scope), answer.unlinked,
                                   time.perf_counter() - started, choices or {}, computed_by="server")


def save(vault: Vault, done: reports.IndicatorReport, *, out: Path, language: str = "en",
         progress: exports.Progress | None = None) -> None:
    """Write a report already computed (here or by the server) as .csv, .xlsx or .pdf, in `language`, rounded as
    every file is; the notes say where it was computed and the heading its scope."""
    words = report_words.words_for(language)
    exports.write_report(dataclasses.replace(done.report, title=words.title), out, words=words,
                         labels=reports.category_label(language, reports.form_choices(vault, language)),
                         progress=progress)
