"""The form screen: one record being filled in — header (form title, form language, save state),
the pages, and Save draft / Finalize / Close.

Saving goes through the records service on the single database thread (`run_with_vault`). New records
and drafts save by themselves 2 s after the last change and on every page change (an untouched new record
is never saved); saves never overlap (a change during a save schedules one more), so a new record is
written once under the id chosen when it was opened. A finalized record being edited is never saved as a
draft unasked: its changes wait for Finalize (it stays finalized, the previous version kept) or Save as
draft. Close with changes asks what to keep (closing.py). Finalize validates first and, when answers are
missing or wrong, jumps to the first one with its message.

No silent overwrite: the screen keeps the version it edits (`base`, records.EditBase) and every save passes it.
When sync brings a newer version of the record while it is open, `check_stored_version` (the forms area calls it
whenever the list's counts are refreshed) shows a notice: an untouched form asks to be reopened on the new version;
a form with changes keeps them, and the save merges them with the other side's (records.save_draft). A save that
merged, or that found an answer changed on both sides (a conflict is opened, both versions kept), says so and asks
to be reopened on what is now stored (`reload_requested`).

A deleted record is never written again. When it is deleted while the form is open (the list's Delete on this very
draft, a deletion pulled by sync, seen by `check_stored_version`, or a save the records service refuses with
`RecordDeleted`), the screen stops saving and asks to be closed (`record_deleted`, with the sentence the forms area
shows): an autosave must not bring a deleted person back. The same holds for a record the retention period purged
(`check_stored_version` sees `purged`, or a save is refused with `RecordPurged`): a purge is not undone by a save.

A record purged already when it is opened (`OpenedForm.purged`) is shown read-only: what the purge keeps (case number,
sex, age, nationality, centre, dates, the assistance recorded) with a sentence saying the retention rule removed its
identifying data and it cannot be edited here; every question frozen, no Save or Finalize, nothing ever saved. A newer
state pulled later (a colleague's edit) is the record again: the form asks to be reopened on it, editable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.services import attachments, consent, records
from desktop_app.ui.forms.closing import DISCARD, DRAFT, FINALIZE, CloseQuestion
from desktop_app.ui.forms.other_fields import UploadField
from desktop_app.ui.forms.sections import RepeatInstance
from desktop_app.ui.forms.style import FORM_STYLE
from desktop_app.ui.forms.view import FormView, Restrictions
from desktop_app.ui.security_files import PrivateFileDialog, choose_file
from waypoint_core.instance_merge import leaf_ref
from waypoint_core.xform import AnswerError, FormDefinition, FormSession

AUTOSAVE_MS = 2000
RTL_MARKERS = ("arabic", "(ar)", "العربية", "(he)", "hebrew", "(fa)", "farsi", "persian", "(ur)", "urdu")

RunWithVault = Callable[[Callable[[Any, Any], Any]], Any]  # VaultController.run_with_vault


@dataclass(frozen=True)
class OpenedForm:
    """What a form screen needs: the definition of the pinned form version and the record."""

    definition: FormDefinition
    form_id: str
    form_version: str
    record_id: str
    content: str | None = None  # instance XML of a draft or record being reopened
    status: str = "new"  # new | draft | finalized
    restrictions: Restrictions = Restrictions()  # its P3 questions as this person sees them (docs/access.md)
    entities: dict = field(default_factory=dict)  # the entity lists the form reads (records.entity_lists_for)
    base: records.EditBase | None = None  # the stored version being edited (records.ReopenedRecord.base)
    purged: bool = False  # the retention period removed its identifying data: shown read-only, never saved

    @staticmethod
    def new(definition: FormDefinition, *, form_id: str, form_version: str,
            restrictions: Restrictions | None = None, entities: dict | None = None) -> OpenedForm:
        # The id is chosen now, so every save of this record, however many, writes the same row.
        return OpenedForm(definition, form_id, form_version, str(uuid.uuid4()),
                          restrictions=restrictions or Restrictions(), entities=entities or {})


def is_right_to_left(language: str | None) -> bool:
    return bool(language) and any(marker in language.lower() for marker in RTL_MARKERS)


class FormScreen(QWidget):
    saved = Signal(object)  # records.SavedRecord after each save
    save_failed = Signal(str)
    finalized = Signal(str)  # record id
    close_requested = Signal()  # after the last save, the person wants the list back
    reload_requested = Signal(str)  # reopen this record on what is stored now, then show this notice
    record_deleted = Signal(str)  # the record was deleted while open: nothing more is saved; close it, saying this

    def __init__(self, *, opened: OpenedForm, run_with_vault: RunWithVault, metadata: dict[str, str] | None = None,
                 ui_language: str = "en", autosave_ms: int = AUTOSAVE_MS, defaults: dict[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formScreen")
        self.opened = opened
        self._run = run_with_vault
        language = opened.definition.language_for(ui_language)
        self.session = FormSession(opened.definition, language=language, metadata=metadata,
                                   instance_xml=opened.content, entities=opened.entities)
        self.record_id = opened.record_id
        self.read_only = opened.purged  # see the module doc: nothing on this screen is ever saved
        if opened.status == "new":
            self._apply_defaults(defaults or {})
        self._written = False  # a save of this editing session reached the vault (discard must undo it)
        self._changed_here = False  # the person changed an answer in this editing session
        self.question: CloseQuestion | None = None  # "close the form with changes?" while it is open
        self.status = opened.status
        self.base = opened.base  # what the answers on screen were made on: every save passes it (see the module doc)
        self._known_version = opened.base.version if opened.base is not None else None  # the last stored one seen
        self.dirty = False
        self._saving = False
        self._save_again = False
        self._finalizing = False
        self._closing = False
        self._discarded = False
        self._discarding = False  # "Discard changes" on its way: the record may vanish (a new one's draft is deleted)
        self.gone = False  # the record was deleted while open: nothing is saved any more (see the module doc)
        # called with (screen, instance XML, finalize_now) before finalizing, when another area set it
        self.before_finalize: Callable[[FormScreen, str, Callable[[], None]], None] | None = None

        self.title = QLabel(objectName="formTitle", wordWrap=True)
        self.language_label = QLabel()
        self.language = QComboBox(objectName="formLanguage")
        self.language.addItems(self.session.languages)
        self.language.setCurrentText(self.session.language or "")
        self.language_label.setBuddy(self.language)
        self.language.currentTextChanged.connect(self.set_form_language)
        # wraps: "Finalisé · vos modifications ne sont pas encore enregistrées…" on one line made the window 1229
        # pixels wide, Finalize off a 1024-pixel screen
        self.save_state = QLabel(objectName="fieldHint", wordWrap=True)
        self.banner = QLabel(objectName="error", wordWrap=True)
        self.banner.hide()
        self.notice = QLabel(objectName="notice", wordWrap=True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.hide()
        self.read_only_note = QLabel(objectName="notice", wordWrap=True)
        self.read_only_note.setTextFormat(Qt.TextFormat.PlainText)
        self.read_only_note.hide()
        self.view = FormView(session=self.session, restrictions=opened.restrictions, read_only=self.read_only)
        self.view.edited.connect(self._edited)
        self.view.page_changed.connect(lambda _: self.save_soon(now=True))
        self.view.file_requested.connect(self.choose_file)
        self.view.end_reached.connect(lambda: self.finalize_button.setFocus(Qt.FocusReason.TabFocusReason))
        self.save_button = QPushButton()
        self.finalize_button = QPushButton(objectName="primary")
        self.close_button = QPushButton()
        self.save_button.clicked.connect(self.save_as_draft)
        self.finalize_button.clicked.connect(self.finalize)
        self.close_button.clicked.connect(self.close_form)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                      activated=self.finalize)
        QShortcut(QKeySequence.StandardKey.Save, self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                  activated=self.save_as_draft)
        # Escape goes back, as on every other screen (case file, search, review desk); with changes, Close asks
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
                  activated=self._escape)

        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.language_label)
        header.addWidget(self.language)
        footer = QHBoxLayout()
        footer.addWidget(self.save_state, 1)
        footer.addWidget(self.close_button)
        footer.addWidget(self.save_button)
        footer.addWidget(self.finalize_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.notice)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(footer)
        if self.read_only:  # once in the layout: a widget shown while parentless would be a window of its own
            self.save_button.hide()
            self.finalize_button.hide()
            self.read_only_note.show()

        self._autosave = QTimer(self, singleShot=True, interval=autosave_ms)
        self._autosave.timeout.connect(lambda: self.save_soon(now=True))
        self.setStyleSheet(FORM_STYLE)
        self._show_title()
        self._apply_direction()
        self.retranslate()

    # --- language --------------------------------------------------------------------------
    def set_form_language(self, language: str) -> None:
        if not language or language == self.session.language:
            return
        self.view.apply(self.session.set_language(language))
        self._apply_direction()
        self._show_title()

    def _show_title(self) -> None:
        """Form titles are written once for all languages ("Referral / Référencement"): show the
        part for the form language when there is one part per language."""
        title = self.opened.definition.title or self.opened.form_id
        parts = [p.strip() for p in title.split(" / ")]
        languages = self.session.languages
        if len(parts) == len(languages) > 1 and self.session.language in languages:
            title = parts[languages.index(self.session.language)]
        self.title.setText(title)

    def _apply_direction(self) -> None:
        rtl = is_right_to_left(self.session.language)
        self.view.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)

    def _apply_defaults(self, defaults: dict[str, str]) -> None:
        """A new record starts with this laptop's country and centre (questions marked wp:device)."""
        for ref, value in defaults.items():
            try:
                self.session.answer(ref, value)
            except AnswerError:
                pass  # not among this form's choices (a centre the form does not list): the person chooses

    # --- saving ----------------------------------------------------------------------------
    @property
    def keeps_finalized(self) -> bool:
        """The stored record is finalized: changes wait for the person's choice, never saved as a draft unasked."""
        return self.status == "finalized"

    def _edited(self) -> None:
        self.dirty = True
        self._changed_here = True
        if self.banner.isVisible() and self.banner.property("kind") == "issues":
            self._refresh_issues()
        if not self._finalizing and not self.keeps_finalized:
            self._autosave.start()
        self._show_state()

    def save_soon(self, *, now: bool = False) -> None:
        """Save the draft (now, or after the debounce); a save already running gets one more after it."""
        if self._finalizing or self.keeps_finalized or self.read_only:
            return
        if not now:
            self._autosave.start()
            return
        self._autosave.stop()
        if not self.dirty:
            return  # an untouched new record is not saved: no empty drafts
        if self._saving:
            self._save_again = True
            return
        self._start_save("draft")

    def save_as_draft(self) -> None:
        """Save as draft, asked for (the button, Ctrl+S, or the close question): a finalized record becomes a
        draft only this way, its finalized version kept in its history."""
        self._autosave.stop()
        if self._finalizing or self.read_only:
            return
        if self._saving:
            self._save_again = True
            return
        if self.dirty or self.status == "finalized" or self._closing:
            self._start_save("draft")

    def _start_save(self, status: str) -> None:
        if self.gone or self.read_only:
            return  # deleted or purged: a save would write the person again (the vault refuses it too)
        opened, record_id = self.opened, self.record_id
        final = status == "finalized"
        # per-question timings of this editing session, kept encrypted with the record like any attachment;
        # the form's audit question (if any) names the file, as Collect names its audit.csv there
        audit = self.session.audit
        audit_file = attachments.audit_name(audit.started_ms, answers=audit.holds_answers)
        self.session.attach_audit(audit_file)
        content = self.session.to_instance_xml(include_nonrelevant=not final)
        files = [(w.pending.name, w.pending.mime, w.pending.data) for w in self.view.fields.values()
                 if isinstance(w, UploadField) and w.pending is not None and w.item.value == w.pending.name]
        files.append((audit_file, attachments.AUDIT_MIME, audit.to_csv().encode()))
        self.dirty = False
        self._saving = True
        self._written = True
        base = self.base

        def work(vault, state):
            # the record and its files in one transaction; the service decides which files the consent gate keeps
            save = records.finalize if final else records.save_draft
            return save(vault, form_id=opened.form_id, form_version=opened.form_version, content=content,
                        record_id=record_id, files=files, base=base)

        try:
            task = self._run(work, name="db:save-record")
        except RuntimeError:  # locked meanwhile
            self._saving = False
            self.dirty = True
            return
        # bound methods, not lambdas: Qt drops the connection if this screen is gone (locked, closed)
        task.succeeded.connect(self._saved)
        task.failed.connect(self._save_failed)

    def _saved(self, saved) -> None:
        if self._discarded or self.gone:
            return  # a save queued just before a lock lands after the screen is gone
        final = saved.status == "finalized" and self._finalizing
        self._saving = False
        self.status = saved.status
        self._last_saved = QTime.currentTime()
        self.base = saved.base
        self._known_version = saved.version
        self.saved.emit(saved)
        if saved.merged or saved.conflict:
            self._finalizing = False
            self._save_again = self._save_again and self.dirty
            self._after_merge(saved)
            return
        if final:
            self._finalizing = False
            self.finalized.emit(self.record_id)
            return
        if self._save_again or (self.dirty and self._closing):
            self._save_again = False
            self._start_save("draft")
            return
        self._show_state()
        if self._closing and not self.dirty:
            self.close_requested.emit()

    def _save_failed(self, error: BaseException) -> None:
        if self._discarded:
            return
        self._discarding = False
        if isinstance(error, records.RecordDeleted):  # deleted meanwhile (the list, sync): nothing was written
            self.stop_for_deletion()
            return
        if isinstance(error, records.RecordPurged):  # the retention period purged it: nothing was written back
            self.stop_for_deletion(purged=True)
            return
        final = self._finalizing
        self._saving = False
        self._finalizing = False
        self.dirty = True
        self._closing = False
        if final and isinstance(error, records.RecordNotValid):
            self._show_issues(error.issues)
            return
        if final and isinstance(error, consent.ConsentRefused) and error.question:
            self._show_consent_refused(error)
            return
        message = self.tr("The record could not be saved: %1. Your answers are still here; try again.") \
            .replace("%1", str(error))
        self.banner.setText(message)
        self.banner.setProperty("kind", "error")
        self.banner.show()
        self.save_failed.emit(str(error))
        self._show_state()

    def _show_state(self) -> None:
        if self.read_only:
            text = self.tr("Read only: this record cannot be edited on this laptop")
        elif self._saving:
            text = self.tr("Saving…")
        elif self.dirty and self.keeps_finalized:
            text = self.tr("Finalized · your changes are not saved yet: Finalize (Ctrl+Enter) to keep them")
        elif self.dirty:
            text = self.tr("Changes not saved yet")
        elif self.status == "new":
            text = self.tr("New record, nothing saved yet")
        elif self.status == "finalized":
            text = self.tr("Finalized")
        elif self.opened.status == "finalized":
            text = self.tr("Edited after finalizing: finalize again to make the changes final")
        else:
            when = getattr(self, "_last_saved", None)
            text = self.tr("Draft saved at %1").replace("%1", when.toString("HH:mm")) if when else self.tr("Draft")
        self.save_state.setText(text)

    # --- changes made elsewhere while the form is open ---------------------------------------------------
    def _after_merge(self, saved) -> None:
        """The save met a newer version: say what happened; reopen on what is stored unless answers typed since
        the save are waiting (their next save merges again: `base` is the person's own answers)."""
        if saved.conflict:
            where = self._question_label(saved.conflict)
            text = self.tr("“%1” was also changed on another laptop. Your answers are saved here and the other "
                           "version is kept with them: the registration is marked Conflict until a coordinator "
                           "reviews it. Nothing was overwritten.").replace("%1", where)
        else:
            text = self.tr("This registration was changed on another laptop while you had it open. Your changes "
                           "were merged with theirs: the form now shows both.")
        if self.dirty or self._save_again:
            self.show_notice(text)
            self._show_state()
            if self._save_again:
                self._save_again = False
                self._start_save("draft")
            return
        self._show_state()
        self.reload_requested.emit(text)

    def _question_label(self, path: str) -> str:
        widget = self.view.fields.get(leaf_ref(path))
        return widget.item.label if widget is not None else leaf_ref(path).rsplit("/", 1)[-1]

    def check_stored_version(self) -> None:
        """Has sync brought a newer version of this record while it is open, or was it deleted? Then say so (see the
        module doc)."""
        if self.status == "new" or self._saving or self._discarded or self._discarding or self.gone \
                or self._known_version is None:
            return
        record_id = self.record_id
        try:
            task = self._run(lambda vault, state: records.stored_version(vault, record_id), name="db:stored-version")
        except RuntimeError:  # locked meanwhile
            return
        task.succeeded.connect(self._stored_version_arrived)

    def _stored_version_arrived(self, stored) -> None:
        if self._discarded or self._discarding or self._saving or self.gone:
            return
        if stored is None or stored.deleted:  # no row left (deleted here), or a tombstone (here, or pulled)
            self.stop_for_deletion(from_sync=stored is not None and stored.from_sync)
            return
        if self.read_only:  # opened purged: it stays so, or a newer state pulled is the record again, editable
            if not stored.purged:
                self.reload_requested.emit(self.tr("A newer version of this record arrived from the server: the "
                                                   "form now shows it, and it can be edited again."))
            return
        if stored.purged:  # the retention period removed its identifying data: the form must not show or save them
            self.stop_for_deletion(purged=True)
            return
        if stored.version == self._known_version:
            return
        self._known_version = stored.version
        if not stored.from_sync:
            return
        if not self.dirty and not self._changed_here:
            self.reload_requested.emit(self.tr("This registration was changed on another laptop while you had it "
                                               "open: the form now shows the new version."))
            return
        self.show_notice(self.tr("This registration was changed on another laptop while you had it open. The form "
                                 "still shows your answers: when you save, your changes are merged with theirs, and "
                                 "an answer changed on both sides is kept in both versions for review. Nothing is "
                                 "overwritten."))

    def stop_for_deletion(self, *, from_sync: bool = False, purged: bool = False) -> None:
        """The record was deleted (or, `purged`, its identifying data removed by the retention period) while the form
        was open: save nothing more (the answers on screen would write the person again) and ask the forms area to
        close the form, saying why in the person's language."""
        if self._discarded or self.gone:
            return
        self.gone = True
        self._autosave.stop()
        self.dirty = self._changed_here = False
        self._saving = self._save_again = self._finalizing = self._closing = False
        if purged:
            text = self.tr("The retention rule (the period an administrator set) removed this record's identifying "
                           "data from this laptop, so the form is closed: nothing of it was saved back, and changes "
                           "typed since the last save are not kept. The server keeps the organisation's record.")
        elif from_sync:
            text = self.tr("This record was deleted on another laptop, and sync brought the deletion here while you "
                           "had it open. The form is closed; nothing of it was saved again.")
        elif self.status == "draft":
            text = self.tr("This draft was deleted while it was open in the form, so the form is closed. Nothing of "
                           "it was saved again: it stays deleted.")
        else:
            text = self.tr("This record was deleted while it was open in the form, so the form is closed. Nothing "
                           "of it was saved again: it stays deleted.")
        self.record_deleted.emit(text)

    # --- finalize and close ----------------------------------------------------------------
    def finalize(self) -> None:
        if self._finalizing or self.read_only:
            return
        issues = self.session.finalize()
        if issues:
            self._show_issues(issues)
            return
        if self.before_finalize is not None:
            # another area may ask first (a person who looks already registered: ui/registry_search.py); it calls
            # finalize_now to go on, or nothing to stay on the form
            self.before_finalize(self, self.session.to_instance_xml(), self.finalize_now)
            return
        self.finalize_now()

    def finalize_now(self) -> None:
        """Finalize a valid record without asking anyone else first."""
        if self._finalizing or self._discarded:
            return
        self._autosave.stop()
        if self._saving and self.before_finalize is not None:
            # a draft save started while the other area was asking: finalize on the version it stores (the base
            # every save passes), not on the one before it, which would read as a change made elsewhere
            QTimer.singleShot(50, self.finalize_now)
            return
        self._finalizing = True
        self.banner.hide()
        self.dirty = True
        if self._saving:
            # the draft save in flight runs first on the database thread; finalize is queued after it
            self._save_again = False
        self._start_save("finalized")

    def _refresh_issues(self) -> None:
        """The banner follows the answers: fewer issues, fewer words; none left, no banner."""
        issues = self.session.validate()
        if not issues:
            self.banner.hide()
        else:
            self.banner.setText(self._issues_text(issues))

    def _issues_text(self, issues) -> str:
        first = issues[0]
        widget = self.view.fields.get(first.ref)
        label = widget.item.label if widget is not None else first.ref
        return self.tr("%n answer(s) need attention before finalizing.", "", len(issues)) + " " + \
            self.tr("First: “%1” — %2").replace("%1", label).replace("%2", first.message)

    def _show_issues(self, issues) -> None:
        self.view.mark_all_touched()
        first = issues[0]
        try:
            widget = self.view.field(first.ref)
        except KeyError:  # a question without a control of its own cannot take the focus
            widget = None
        self.banner.setText(self._issues_text(issues))
        self.banner.setProperty("kind", "issues")
        self.banner.show()
        if widget is not None:
            self.view.focus_field(widget)

    def _show_consent_refused(self, error: consent.ConsentRefused) -> None:
        """A referral to a kind of recipient the person did not consent to: say so at the question that chose it,
        in the words the worker knows; every answer stays on screen (and in the draft) to pick another recipient."""
        recipients = {"share_providers": self.tr("service providers"),
                      "share_authorities": self.tr("the national authorities"),
                      "share_unhcr": self.tr("UNHCR")}
        reasons = {"withdrawn": self.tr("the person withdrew this consent"),
                   "refused": self.tr("the person said no to it at registration"),
                   "not_recorded": self.tr("this consent was never recorded")}
        text = self.tr("This person has not consented to sharing their data with %1: %2. Choose another recipient, "
                       "or record the person's consent on their registration first. Your answers are kept.") \
            .replace("%1", recipients.get(error.purpose, error.purpose)) \
            .replace("%2", reasons.get(error.status, error.status))
        self.view.mark_all_touched()
        self.banner.setText(text)
        self.banner.setProperty("kind", "issues")
        self.banner.show()
        widget = next((w for ref, w in self.view.fields.items() if ref.rsplit("/", 1)[-1] == error.question), None)
        if widget is not None:
            self.view.focus_field(widget)
        self.save_failed.emit(str(error))
        self._show_state()

    def _escape(self) -> None:
        """Escape: "No, keep it" when an entry's removal is being asked there (the focus in its bar), else Close."""
        focus = QApplication.focusWidget()
        entry = focus.parentWidget() if focus is not None else None
        while entry is not None and entry is not self and not isinstance(entry, RepeatInstance):
            entry = entry.parentWidget()
        if isinstance(entry, RepeatInstance) and entry.confirm.isVisible() and entry.confirm.isAncestorOf(focus):
            entry.cancel_remove()
            return
        self.close_form()

    def close_form(self) -> None:
        """Close: without changes, at once; with changes, ask (finalize, save as draft, discard, go back)."""
        self._autosave.stop()
        if not self.has_changes():
            self.close_requested.emit()
            return
        if self.question is None:
            self.question = CloseQuestion(parent=self, finalized=self.opened.status == "finalized")
            self.question.chosen.connect(self._close_chosen)
            self.question.destroyed.connect(lambda: setattr(self, "question", None))
            self.question.open()

    def has_changes(self) -> bool:
        """The person changed answers since the form was opened (saved as a draft meanwhile or not); a try to
        finalize, which only stamps the end time, is not a change."""
        return self.dirty or self._changed_here

    def _close_chosen(self, choice: str) -> None:
        self.question = None
        if choice == FINALIZE:
            self.finalize()  # finalized → the list; answers needing attention → shown, the form stays
        elif choice == DRAFT:
            self._closing = True
            self.save_as_draft()
        elif choice == DISCARD:
            self.discard_changes()
        else:
            self.view.focus_first_field() if self.window().focusWidget() is None else None

    def discard_changes(self) -> None:
        """Put back what was stored when the form was opened, then close (nothing stored: just close)."""
        self._autosave.stop()
        self.dirty = False
        if not self._written or self.gone:
            self.close_requested.emit()
            return
        self._discarding = True
        opened, record_id, base = self.opened, self.record_id, self.base

        def work(vault, state):
            if opened.status == "new":
                stored = records.stored_version(vault, record_id)
                if stored is None or stored.deleted:
                    return None  # deleted meanwhile (from the list): what discarding asks is done already
                return records.delete_draft(vault, record_id)
            restore = records.finalize if opened.status == "finalized" else records.save_draft
            # on this screen's last save: a change pulled meanwhile stays (the restore merges with it)
            return restore(vault, form_id=opened.form_id, form_version=opened.form_version, content=opened.content,
                           record_id=record_id, base=base)

        task = self._run(work, name="db:discard-changes")
        task.succeeded.connect(self._discarded_saved)
        task.failed.connect(self._save_failed)

    def _discarded_saved(self, _result) -> None:
        self._discarding = False
        if not self._discarded and not self.gone:
            self.saved.emit(None)
            self.close_requested.emit()

    def save_before_lock(self) -> bool:
        """The vault is about to lock: queue the last changes now, ahead of the lock on the database
        thread, so the seconds before an idle lock are not lost. A finalized record being edited stays
        finalized when its answers allow; otherwise the changes are kept as a draft (its finalized version stays
        in its history). Returns True when a finalized record was kept as a draft that way."""
        # a save already in flight is fine: the database thread runs this one after it, and both
        # write the same record id
        if not self.dirty or self._finalizing:
            return False
        if self.keeps_finalized and not self.session.validate():
            self._start_save("finalized")
            return False
        self._start_save("draft")
        return self.keeps_finalized

    def discard(self) -> None:
        """Lock: drop the record from memory and screen at once."""
        self._discarded = True
        self._autosave.stop()
        self.view.hide()
        session, self.session = self.session, None
        if session is not None:
            session.close()  # its nodes freed now, by reference counting, not by a later full collection
        self.deleteLater()

    # --- files -----------------------------------------------------------------------------
    def choose_file(self, field: UploadField) -> PrivateFileDialog:
        # Waypoint's own picker: Qt's and the desktop's dialogs keep a history of the folders
        # visited (often named after the person) outside the vault.
        return choose_file(self, self.tr("Choose a file"), "", lambda path: self.attach_file(field, Path(path)))

    def attach_file(self, field: UploadField, path: Path) -> None:
        stored = f"{uuid.uuid4().hex[:8]}-{path.name}"
        problem = field.attach(path, stored_name=stored)
        field.set_refused(problem)

    # --- text ------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_notice(self, text: str) -> None:
        """A sentence above the form until it is closed (e.g. what happened to the changes at a lock)."""
        self._notice_text = text
        self._show_unsupported()

    def _show_unsupported(self) -> None:
        # the engine and the renderer name what they do not apply, so nobody believes it was done
        missing = list(self.opened.definition.unsupported) + list(self.view.unsupported)
        lines = [getattr(self, "_notice_text", "")]
        if missing:
            lines.append(self.tr("This form uses things Waypoint does not do; they are left out: %1")
                         .replace("%1", "; ".join(missing)))
        text = "\n".join(line for line in lines if line)
        self.notice.setVisible(bool(text))
        self.notice.setText(text)

    def retranslate(self) -> None:
        self._show_unsupported()
        self.read_only_note.setText(self.tr(
            "The retention rule (the period an administrator set) removed this person's identifying data from this "
            "laptop. What it keeps (case number, sex, age, nationality, centre, dates, assistance recorded) is shown "
            "read-only: this record cannot be edited here. The server keeps the organisation's record."))
        self.language_label.setText(self.tr("Form &language:"))
        self.save_button.setText(self.tr("&Save as draft"))
        self.save_button.setToolTip(self.tr("Save as a draft to finish later (Ctrl+S); new records and drafts also "
                                            "save by themselves"))
        self.finalize_button.setText(self.tr("&Finalize"))
        self.finalize_button.setToolTip(self.tr("Check every answer and finalize the record (Ctrl+Enter)"))
        self.close_button.setText(self.tr("&Close"))
        self.close_button.setToolTip(self.tr("Go back to the list (Esc); if you changed answers, you choose what to "
                                             "keep"))
        self.view.retranslate()
        self._show_state()
