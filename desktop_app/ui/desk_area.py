"""The coordinator's review desk in the app: a Review menu with Conflicts, Possible duplicates and Rejected changes.

`install_desk(window=, controller=, tasks=)` (the composition root calls it) adds the pages and the menu, shown only
to people whose roles may review (services/desk.py checks again in every use case). Lists page from the database
thread; a duplicate search runs in three steps with progress and can be cancelled: read the consenting people
(database thread), compare them (the compute thread: saves never wait behind it), store the pairs (database thread).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from desktop_app.services import desk
from desktop_app.services.desk import ReviewError
from desktop_app.services.session import SignedInUser, classify
from desktop_app.ui import labels
from desktop_app.ui.desk_models import (
    CandidateListModel,
    ConflictListModel,
    DecisionListModel,
    RejectedListModel,
)
from desktop_app.ui.desk_pages import ConflictsPage, DeskPage, DuplicatesPage, RejectedPage
from desktop_app.ui.messages import failure_text
from desktop_app.ui.server_calls import with_server_connection


class _Cancelled(Exception):
    """The person cancelled a duplicate search."""


class DeskArea(QObject):
    def __init__(self, *, window, controller, tasks, page_size: int = 200) -> None:
        super().__init__(window)
        self.window, self.controller, self.tasks = window, controller, tasks
        self.conflict_model = ConflictListModel(page_size=page_size)
        self.rejected_model = RejectedListModel(page_size=page_size)
        self.candidate_model = CandidateListModel(page_size=page_size)
        self.decision_model = DecisionListModel(page_size=page_size)
        self.conflicts_page = ConflictsPage(self.conflict_model)
        self.duplicates_page = DuplicatesPage(self.candidate_model, self.decision_model)
        self.rejected_page = RejectedPage(self.rejected_model)
        for page in (self.conflicts_page, self.duplicates_page, self.rejected_page):
            window.add_page(page)
            page.back_requested.connect(window.show_registrations)
        self.conflicts_action = QAction(window, objectName="deskConflictsAction", shortcut=QKeySequence("Ctrl+Shift+K"))
        self.duplicates_action = QAction(window, objectName="deskDuplicatesAction",
                                         shortcut=QKeySequence("Ctrl+Shift+D"))
        self.rejected_action = QAction(window, objectName="deskRejectedAction", shortcut=QKeySequence("Ctrl+Shift+J"))
        self.conflicts_action.triggered.connect(self.open_conflicts)
        self.duplicates_action.triggered.connect(self.open_duplicates)
        self.rejected_action.triggered.connect(self.open_rejected)
        self.review_menu = QMenu(window)
        for action in (self.conflicts_action, self.duplicates_action, self.rejected_action):
            self.review_menu.addAction(action)
        self.menu = window.menuBar().insertMenu(window.help_menu.menuAction(), self.review_menu)
        self.menu.setVisible(False)
        self._finding = None  # the task of the running duplicate search step
        self.connect = desk.ServerConnection  # how the server's conflicts are asked for (tests: short retries)
        self._fetching = False

        self.conflict_model.set_source(self._fetch(lambda vault, o, n: desk.conflicts_page(vault, offset=o, limit=n)))
        self.rejected_model.set_source(self._fetch(
            lambda vault, o, n: desk.conflicts_page(vault, offset=o, limit=n, rejected=True)))
        self.candidate_model.set_source(self._fetch(lambda vault, o, n: desk.candidates_page(vault, offset=o, limit=n)))
        self.decision_model.set_source(self._fetch_decisions)
        for model, page in ((self.conflict_model, self.conflicts_page), (self.rejected_model, self.rejected_page),
                            (self.candidate_model, self.duplicates_page),
                            (self.decision_model, self.duplicates_page)):
            model.load_failed.connect(functools.partial(self._load_failed, page))

        self.conflicts_page.opened.connect(self._open_conflict)
        self.conflicts_page.resolve_requested.connect(self._resolve)
        self.conflicts_page.fetch_requested.connect(lambda: self.fetch_server_conflicts(say=True))
        self.rejected_page.reviewed_requested.connect(self._reviewed)
        page = self.duplicates_page
        page.opened.connect(self._open_pair)
        page.find_requested.connect(self.find_duplicates)
        page.cancel_requested.connect(self.cancel_find)
        page.merge_requested.connect(self._merge)
        page.not_same_requested.connect(self._not_same)
        page.undo_requested.connect(self._undo)
        controller.unlocked.connect(self._unlocked)
        controller.locking.connect(self._locking)
        # The pages hear the language change (changeEvent); the menu follows the first of them.
        self.conflicts_page.language_changed.connect(self.retranslate)
        self.retranslate()

    # --- plumbing -----------------------------------------------------------------------------------------------
    def _fetch(self, read):
        def fetch(offset, limit, deliver, fail) -> None:
            task = self.controller.run_with_vault(lambda vault, state: read(vault, offset, limit), name="db:desk-page")
            task.succeeded.connect(deliver)
            task.failed.connect(fail)
        return fetch

    def _fetch_decisions(self, offset, limit, deliver, fail) -> None:
        def read(vault, state):
            rows = desk.decisions_page(vault, offset=offset, limit=limit)
            return rows, desk.titles(vault, [i for d in rows for i in (d.a, d.b)])

        def arrived(result) -> None:
            rows, names = result
            self.decision_model.names.update(names)
            deliver(rows)

        task = self.controller.run_with_vault(read, name="db:desk-decisions")
        task.succeeded.connect(arrived)
        task.failed.connect(fail)

    def _load_failed(self, page: DeskPage, exc: BaseException) -> None:
        page.show_error(self.error_text(exc))

    def _run(self, page: DeskPage, work, done) -> None:
        if not self.controller.is_unlocked:
            return
        task = self.controller.run_with_vault(lambda vault, state: work(vault), name="db:desk")
        task.succeeded.connect(done)
        task.failed.connect(lambda exc: page.show_error(self.error_text(exc)))

    def error_text(self, exc: BaseException) -> str:
        if isinstance(exc, ReviewError):
            return review_error_text(self, str(exc))
        return failure_text(classify(exc))

    def _show(self, page, model) -> None:
        if not self.controller.is_unlocked:
            return
        page.clear_messages()
        self.window.show_page(page)
        model.refresh()
        page.table.setFocus()

    # --- after sign-in, at lock ---------------------------------------------------------------------------------------
    def _unlocked(self, user: SignedInUser) -> None:
        self.menu.setVisible(desk.may_review(tuple(user.roles or (user.role,))))

    def _locking(self) -> None:
        self.cancel_find()
        for model in (self.conflict_model, self.rejected_model, self.candidate_model, self.decision_model):
            model.clear()
        self.conflicts_page.show_detail(None)
        self.conflicts_page.set_fetching(False)
        self._fetching = False
        self.duplicates_page.show_pair(None)
        self.duplicates_page.set_finding(False)
        self.menu.setVisible(False)

    # --- conflicts --------------------------------------------------------------------------------------------------
    def sync_finished(self, summary) -> None:
        """After a sync run: the conflict list again when it is on screen and the run changed it (conflicts between
        other devices fetched, one closed by a decision pulled, one opened)."""
        if (self.controller.is_unlocked and self.window.stack.currentWidget() is self.conflicts_page
                and (summary.server_conflicts or summary.decided or summary.conflicts)):
            self.conflict_model.refresh()

    def open_conflicts(self) -> None:
        self.conflicts_page.show_detail(None)
        self._show(self.conflicts_page, self.conflict_model)
        self.fetch_server_conflicts(say=False)

    def fetch_server_conflicts(self, *, say: bool) -> None:
        """The conflicts the server decided between other devices of this laptop's region: asked on the network
        pool, stored on the database thread, then the list again. A laptop not enrolled has none to ask for."""
        if self._fetching or not self.controller.is_unlocked:
            return
        page = self.conflicts_page
        self._fetching = True
        page.set_fetching(True)

        def stored(counts) -> None:
            self._fetching = False
            page.set_fetching(False)
            self.conflict_model.refresh()
            if say:
                page.say(self.tr("The server's conflicts are up to date: %1 new, %2 decided elsewhere.")
                         .replace("%1", str(counts[0])).replace("%2", str(counts[1])))

        def fetched(found) -> None:
            conflicts, device_id = found
            if not self.controller.is_unlocked:
                stopped(None)
                return
            task = self.controller.run_with_vault(
                lambda vault, state: desk.store_server_conflicts(vault, conflicts, device_id=device_id),
                name="db:desk-server-conflicts")
            task.succeeded.connect(stored)
            task.failed.connect(failed)

        def stopped(_exc) -> None:
            self._fetching = False
            page.set_fetching(False)

        def failed(exc: BaseException) -> None:
            stopped(exc)
            if isinstance(exc, desk.NotEnrolled):
                return  # a laptop that never syncs: its own conflicts only
            page.say(self.tr("The server could not be asked for its conflicts: %1").replace(
                "%1", failure_text(classify(exc))))

        with_server_connection(
            controller=self.controller, tasks=self.tasks, name="desk-server-conflicts",
            open_connection=lambda vault: desk.open_server_conflicts(vault, connect=self.connect),
            work=lambda connection, device_id: (desk.fetch_server_conflicts(connection), device_id),
            done=fetched, failed=failed)

    def _open_conflict(self, conflict_id: str) -> None:
        language = labels.ui_language()  # the questions are named by the form's labels in this language
        def opened(detail) -> None:
            # what was said of the last decision is read by now; on a 600-pixel screen its line would cut off the
            # next decision's buttons
            self.conflicts_page.clear_messages()
            self.conflicts_page.show_detail(detail)

        self._run(self.conflicts_page, lambda vault: desk.conflict(vault, conflict_id, language=language), opened)

    def _resolve(self, conflict_id: str, keep: str, edits: dict) -> None:
        page = self.conflicts_page

        def done(_version) -> None:
            page.show_detail(None)
            page.say(self.tr("Saved as a new version of the record. It goes to every device at the next sync; the "
                             "versions it replaces stay in the record's history."))
            self.conflict_model.refresh()
            page.table.setFocus()
            self.window.registrations_changed()

        self._run(page, lambda vault: desk.resolve_conflict(vault, conflict_id, keep=keep, edits=edits), done)

    # --- rejected changes ------------------------------------------------------------------------------------------
    def open_rejected(self) -> None:
        self._show(self.rejected_page, self.rejected_model)

    def _reviewed(self, conflict_id: str) -> None:
        def done(_none) -> None:
            self.rejected_page.say(self.tr("Marked reviewed."))
            self.rejected_model.refresh()
            self.rejected_page.table.setFocus()

        self._run(self.rejected_page, lambda vault: desk.review_rejected(vault, conflict_id), done)

    # --- duplicates --------------------------------------------------------------------------------------------------
    def open_duplicates(self) -> None:
        self.duplicates_page.show_pair(None)
        self._show(self.duplicates_page, self.candidate_model)
        self.decision_model.refresh()
        self._count_pairs()

    def _count_pairs(self) -> None:
        self._run(self.duplicates_page, desk.count_candidates, self.duplicates_page.set_summary)

    def _open_pair(self, a: str, b: str) -> None:
        def opened(detail) -> None:
            self.duplicates_page.clear_messages()  # as for a conflict opened after a decision
            self.duplicates_page.show_pair(detail, desk.SHOWN_ANSWERS)

        self._run(self.duplicates_page, lambda vault: desk.pair(vault, a, b), opened)

    def find_duplicates(self) -> None:
        """Read the consenting people, compare them off the database thread, store the pairs: with progress."""
        page = self.duplicates_page
        if self._finding is not None or not self.controller.is_unlocked:
            return
        page.clear_messages()
        page.set_finding(True)
        reading = self.tr("Reading registrations…")
        task = self.controller.run_with_vault(
            lambda vault, state: desk.load_people(vault, progress=state.report_progress,
                                                  cancelled=lambda: state.cancelled), name="db:desk-people")
        task.progress.connect(lambda done, total: page.set_progress(reading, done, total))
        task.succeeded.connect(lambda loaded: self._compare(task, loaded))
        task.failed.connect(self._find_failed)
        self._finding = task

    def _compare(self, reading_task, loaded) -> None:
        if reading_task.state.cancelled or not self.controller.is_unlocked:
            self._find_stopped()
            return
        people, decided = loaded
        page = self.duplicates_page
        comparing = self.tr("Comparing %n person(s)…", "", len(people))

        def work(state):
            def progress(done: int, total: int) -> None:
                if state.cancelled:
                    raise _Cancelled()
                state.report_progress(done, total)
            return desk.find_candidates(people, decided, progress=progress)

        task = self.tasks.run_compute(work, name="compute:duplicates")
        task.progress.connect(lambda done, total: page.set_progress(comparing, done, total))
        task.succeeded.connect(self._store)
        task.failed.connect(self._find_failed)
        self._finding = task

    def _store(self, found) -> None:
        if not self.controller.is_unlocked:
            self._find_stopped()
            return
        page = self.duplicates_page
        page.set_progress(self.tr("Saving the pairs…"), 0, 0)
        task = self.controller.run_with_vault(lambda vault, state: desk.store_candidates(vault, found),
                                              name="db:desk-store")

        def stored(count: int) -> None:
            self._finding = None
            page.set_finding(False)
            # said beside Find, not in a line of its own under the lists: on a 600-pixel screen that line left the
            # pair side by side one answer high
            page.clear_messages()
            page.summary.setText(self.tr("Search finished: %n pair(s) to review.", "", count))
            self.candidate_model.refresh()
            page.table.setFocus()

        task.succeeded.connect(stored)
        task.failed.connect(self._find_failed)
        self._finding = task

    def _find_failed(self, exc: BaseException) -> None:
        if isinstance(exc, _Cancelled):
            self._find_stopped()
            return
        self._finding = None
        self.duplicates_page.set_finding(False)
        self.duplicates_page.show_error(self.error_text(exc))

    def _find_stopped(self) -> None:
        self._finding = None
        self.duplicates_page.set_finding(False)
        self.duplicates_page.say(self.tr("Search cancelled. The pairs found before are kept."))

    def cancel_find(self) -> None:
        if self._finding is not None:
            self._finding.cancel()

    def _decided(self, text: str) -> None:
        page = self.duplicates_page
        page.show_pair(None)
        page.say(text)
        self.candidate_model.refresh()
        self.decision_model.refresh()
        self._count_pairs()
        page.table.setFocus()
        self.window.registrations_changed()

    def _merge(self, kept: str, merged: str) -> None:
        self._run(self.duplicates_page, lambda vault: desk.merge(vault, kept=kept, merged=merged),
                  lambda _id: self._decided(self.tr("Recorded as the same person: counted once, and %1's case "
                                                    "file shows both registrations' events. You can undo it under "
                                                    "Decisions.")
                                            .replace("%1", desk.short_id(kept))))

    def _not_same(self, a: str, b: str) -> None:
        self._run(self.duplicates_page, lambda vault: desk.not_same(vault, a, b),
                  lambda _id: self._decided(self.tr("Recorded as two different people. This pair will not be "
                                                    "proposed again.")))

    def _undo(self, decision_id: str) -> None:
        self._run(self.duplicates_page, lambda vault: desk.undo(vault, decision_id),
                  lambda moved: self._decided(self._undone_text(moved)))

    def _undone_text(self, moved: int) -> str:
        if moved:  # a merge decided by an older version, which moved records to the kept person
            return self.tr("Decision undone; %n record(s) moved back.", "", moved)
        return self.tr("Decision undone; the two registrations are separate people again.")

    # --- words ---------------------------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        detail = self.conflicts_page.detail
        if detail is not None and self.controller.is_unlocked:  # its questions in the new language
            language, conflict_id = labels.ui_language(), detail.conflict_id
            self._run(self.conflicts_page, lambda vault: desk.conflict(vault, conflict_id, language=language),
                      self.conflicts_page.relabel)
        self.menu.setText(self.tr("Re&view"))
        self.conflicts_action.setText(self.tr("&Conflicts…"))
        self.duplicates_action.setText(self.tr("Possible &duplicates…"))
        self.rejected_action.setText(self.tr("&Rejected changes…"))


def review_error_text(widget: QObject, message: str) -> str:
    """The records layer's refusals in the interface language (unknown ones as they are)."""
    texts = {
        "this conflict was already resolved": QCoreApplication.translate("DeskWords", "Someone already resolved this conflict."),
        "the server's version is not on this laptop yet: sync, then decide":
            QCoreApplication.translate("DeskWords", "The server's version is not on this laptop yet. Sync, then decide."),
        "this record is no longer on this laptop": QCoreApplication.translate(
            "DeskWords", "This record is no longer on this laptop."),
        "this conflict is no longer on this laptop": QCoreApplication.translate(
            "DeskWords", "This conflict is no longer on this laptop."),
        "a restricted answer cannot be edited on the review desk":
            QCoreApplication.translate("DeskWords", "A restricted answer cannot be corrected here."),
        "one of these registrations is no longer on this laptop":
            QCoreApplication.translate("DeskWords", "One of these registrations is no longer on this laptop."),
        "this decision was already undone": QCoreApplication.translate("DeskWords", "This decision was already undone."),
        "a person cannot be their own duplicate": QCoreApplication.translate(
            "DeskWords", "A person cannot be their own duplicate."),
        "this rejection was already reviewed": QCoreApplication.translate(
            "DeskWords", "This change was already marked reviewed."),
    }
    return texts.get(message, message)


def install_desk(*, window, controller, tasks, page_size: int = 200) -> DeskArea:
    area = DeskArea(window=window, controller=controller, tasks=tasks, page_size=page_size)
    window.desk = area
    return area
