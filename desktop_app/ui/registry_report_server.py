"""The Indicators screen's figures from the server (issue 12 point 3): the "Data" chooser a coordinator sees (this
laptop's records, computed here; this centre, this region or another centre of it, asked of the server), the
request run through the app's one way of asking the server (`server_calls.with_server_connection`: rights and
credentials on the database thread, the signed request on the network pool), and one sentence in the person's
language for each way it can fail. The answer is shown by the same tables, chart and notes as a local report
(registry_reports.py) and saved as the report it is (`server_reports.save`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QComboBox

from desktop_app.services import reports, server_reports
from desktop_app.ui.registry_search import centre_name
from desktop_app.ui.server_calls import with_server_connection
from desktop_app.ui.sync_messages import sync_error_text

LOCAL = ""  # the chooser's data for this laptop's own records
errors = server_reports.errors


def scope_words(scope: str) -> str:
    """"region:Agadez region", "centre:Arlit" as a sentence names them."""
    kind, _, value = scope.partition(":")
    if kind == "region":
        return QCoreApplication.translate("Reports", "region %1").replace("%1", value)
    if kind == "centre":
        return QCoreApplication.translate("Reports", "centre %1").replace("%1", centre_name(value))
    return QCoreApplication.translate("Reports", "every centre") if scope == "all" else scope


def source_text(chosen: server_reports.ServerScope | None) -> str:
    if chosen is None:
        return QCoreApplication.translate("Reports", "This laptop's records")
    if chosen.asked == server_reports.OWN_CENTRE:
        return QCoreApplication.translate("Reports", "This centre, every laptop (server)")
    if chosen.asked == server_reports.OWN_REGION:
        if chosen.name:
            return QCoreApplication.translate("Reports", "My region: %1 (server)").replace("%1", chosen.name)
        return QCoreApplication.translate("Reports", "My region (server)")
    return QCoreApplication.translate("Reports", "Centre %1 of my region (server)").replace(
        "%1", centre_name(chosen.name))


def problem_text(exc: BaseException) -> str:
    """What went wrong asking the server, and that nothing on this laptop changed."""
    if isinstance(exc, (errors.ServerUnreachable, errors.GaveUp)):
        return QCoreApplication.translate(
            "Reports", "The server could not be reached (no connection, or the server is down). Nothing changed on "
                       "this laptop; its own records can still be counted: choose \u201cThis laptop's records\u201d.")
    if isinstance(exc, errors.OutsideScope):
        return QCoreApplication.translate(
            "Reports", "The server refused: that centre or region is outside what this laptop's people may view.")
    if isinstance(exc, errors.UnknownScope):
        return QCoreApplication.translate(
            "Reports", "The server knows no such centre or region any more. Open Indicators again to refresh the "
                       "choices.")
    if isinstance(exc, errors.NotEnrolled):
        return QCoreApplication.translate(
            "Reports", "This laptop is not enrolled with a server, so it cannot ask for the figures of the centre or "
                       "region; its own records can still be counted.")
    if isinstance(exc, server_reports.AccessDenied):
        return QCoreApplication.translate(
            "Reports", "Only coordinators may ask the server for the figures of a centre or region.")
    if isinstance(exc, (errors.ServerBusy, errors.BadServerAnswer)):
        return QCoreApplication.translate(
            "Reports", "The server had a problem answering. Try again later; nothing changed on this laptop.")
    if isinstance(exc, errors.SyncError):
        return sync_error_text(exc)
    return QCoreApplication.translate("Reports", "The indicators could not be computed: %1").replace("%1", str(exc))


def file_name(done: reports.IndicatorReport, suffix: str) -> str:
    """The report's file: its period, and for the server's figures where they came from and their scope."""
    report = done.report
    period = f"{report.start.isoformat()}-{report.end.isoformat()}"
    if done.computed_by != "server":
        return f"waypoint-indicators-{period}.{suffix}"
    slug = re.sub(r"[^a-z0-9]+", "-", report.scope.lower()).strip("-")[:60] or "server"
    return f"waypoint-indicators-server-{slug}-{period}.{suffix}"


class ServerSource(QObject):
    """The chooser's entries and the requests behind them. `connect` makes the ServerConnection (tests shorten its
    backoff)."""

    def __init__(self, *, controller, tasks, chooser: QComboBox) -> None:
        super().__init__(chooser)
        self.controller, self.tasks, self.chooser = controller, tasks, chooser
        self.connect: Callable = server_reports.ServerConnection
        self.scopes: list[server_reports.ServerScope] = []
        self.listed = False  # the server named this laptop's region and its centres in this session
        self.reset()

    def reset(self) -> None:
        """Before the server names them: this centre and this region, which the server resolves when asked."""
        self.scopes = [server_reports.ServerScope(server_reports.OWN_CENTRE),
                       server_reports.ServerScope(server_reports.OWN_REGION)]
        self.listed = False
        self.fill()

    def chosen(self) -> server_reports.ServerScope | None:
        asked = self.chooser.currentData()
        return next((s for s in self.scopes if s.asked == asked), None) if asked else None

    def fill(self) -> None:
        """The entries in the current language, the current one kept."""
        current = self.chooser.currentData()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        self.chooser.addItem(source_text(None), LOCAL)
        for scope in self.scopes:
            self.chooser.addItem(source_text(scope), scope.asked)
        self.chooser.setCurrentIndex(max(0, self.chooser.findData(current)))
        self.chooser.blockSignals(False)

    def _open(self, vault):
        return server_reports.open_server_reports(vault, connect=self.connect)

    def list_scopes(self) -> None:
        """Ask once per session which centres the server lets this laptop count (quietly: a laptop offline keeps
        this centre and its region, which are asked by name when computed)."""
        if self.listed or not self.controller.is_unlocked:
            return
        self.listed = True
        session_number = self.controller.session_number

        def listed(found: list[server_reports.ServerScope]) -> None:
            if session_number == self.controller.session_number and found:
                self.scopes = found  # no region named on the server: this centre is a region of its own
                self.fill()

        def not_listed(_exc: BaseException) -> None:
            if session_number == self.controller.session_number:
                self.listed = False  # asked again the next time the page opens

        with_server_connection(controller=self.controller, tasks=self.tasks, open_connection=self._open,
                               work=lambda connection, name: server_reports.scopes_of(connection),
                               done=listed, failed=not_listed, name="indicator-scopes")

    def _open_with_labels(self, vault):
        """The connection, and the forms' labels the breakdowns name (read here, on the database thread)."""
        connection, _name = self._open(vault)
        return connection, server_reports.form_labels(vault)

    def compute(self, chosen: server_reports.ServerScope, *, start: date, end: date, language: str,
                done: Callable, failed: Callable) -> None:
        with_server_connection(
            controller=self.controller, tasks=self.tasks, open_connection=self._open_with_labels,
            work=lambda connection, labels: server_reports.compute_on_server(
                connection, start=start, end=end, asked=chosen.asked, language=language, choices=labels),
            done=done, failed=failed, name="indicators-server")

    def save(self, done: reports.IndicatorReport, folder: str, suffix: str, language: str):
        out = Path(folder) / file_name(done, suffix)
        task = self.controller.run_with_vault(
            lambda vault, state: server_reports.save(vault, done, out=out, language=language),
            name="db:indicators-export")
        return task, out
