"""Advice under a new-passphrase field: how strong it is, why it would be refused, and a generated one.

The rule is the vault's own (desktop_app/vault/passphrases.py through services.session), so what
this says is exactly what the vault will accept. A generated passphrase is shown in a label that
cannot be selected or copied (like the recovery code) and typed into the fields for the person.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QLocale, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app.services.session import (
    MIN_PASSPHRASE_LENGTH,
    Assessment,
    Reason,
    assess_passphrase,
    suggest_passphrase,
)

CONTEXT = "Passphrase"
WHY = {
    Reason.EMPTY: QT_TRANSLATE_NOOP("Passphrase", "Type a passphrase."),
    Reason.TOO_SHORT: QT_TRANSLATE_NOOP("Passphrase", "It is shorter than %1 characters."),
    Reason.COMMON_PASSWORD: QT_TRANSLATE_NOOP("Passphrase", "It is, or contains, a password attackers try first."),
    Reason.REGION_WORD: QT_TRANSLATE_NOOP(
        "Passphrase", "It contains a place of the region, the organisation's name, or a common name or word here."),
    Reason.OWN_NAME: QT_TRANSLATE_NOOP("Passphrase", "It contains the user name."),
    Reason.COMMON_WORDS: QT_TRANSLATE_NOOP("Passphrase", "It is made of too few common words."),
    Reason.YEAR_OR_DATE: QT_TRANSLATE_NOOP("Passphrase", "Years and dates are among the first things tried."),
    Reason.PATTERN: QT_TRANSLATE_NOOP("Passphrase", "Keyboard rows, repeats and sequences (qwerty, 1234) are tried early."),
    Reason.LOOKALIKE: QT_TRANSLATE_NOOP("Passphrase", "Look-alike symbols (P@ssw0rd) do not make it stronger."),
    Reason.TOO_GUESSABLE: QT_TRANSLATE_NOOP("Passphrase", "Someone who copies the vault would guess it too soon."),
}
LEVELS = (
    QT_TRANSLATE_NOOP("Passphrase", "Very weak."),
    QT_TRANSLATE_NOOP("Passphrase", "Weak."),
    QT_TRANSLATE_NOOP("Passphrase", "Almost: add a word or two."),
    QT_TRANSLATE_NOOP("Passphrase", "Strong."),
    QT_TRANSLATE_NOOP("Passphrase", "Very strong."),
)

TOO_EASY = QT_TRANSLATE_NOOP("Passphrase", "This passphrase is too easy to guess.")
EMPTY_HINT = QT_TRANSLATE_NOOP(
    "Passphrase", "Use at least %1 characters: a short sentence of five or six words is easy to remember and hard "
    "to guess.")
SUGGEST = QT_TRANSLATE_NOOP("Passphrase", "Su&ggest a strong passphrase")
SUGGESTED = QT_TRANSLATE_NOOP(
    "Passphrase", "Suggested passphrase (learn it or write it down, then keep the paper safe):")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def refusal_text(reasons: tuple[Reason, ...]) -> str:
    """Why a passphrase is refused, one translated sentence per reason."""
    lines = [_tr(WHY[reason]).replace("%1", str(MIN_PASSPHRASE_LENGTH)) for reason in reasons]
    return " ".join([_tr(TOO_EASY), *lines])


class PassphraseAdvice(QWidget):
    """Put under a passphrase field (and its repeat field); call `update_for(text)` as the person types."""

    def __init__(self, *, passphrase: QLineEdit, repeat: QLineEdit | None = None,
                 username: Callable[[], str] = lambda: "") -> None:
        super().__init__()
        self._passphrase = passphrase
        self._repeat = repeat
        self._username = username
        self.assessment: Assessment | None = None
        self.hint = QLabel(objectName="hint", wordWrap=True)
        self.suggest_button = QPushButton(flat=True, objectName="suggestPassphrase")
        self.suggestion = QLabel(objectName="suggestedPassphrase", wordWrap=True, textFormat=Qt.TextFormat.RichText)
        # Like the recovery code: no selection, no context menu, so it never reaches the clipboard.
        self.suggestion.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.suggestion.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.suggestion.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.suggest_button)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.suggestion)
        self.suggest_button.clicked.connect(self.suggest)
        passphrase.textChanged.connect(self.update_for)
        self.retranslate()

    @property
    def acceptable(self) -> bool:
        return self.assessment is not None and self.assessment.acceptable

    def refusal(self) -> str:
        reasons = self.assessment.reasons if self.assessment is not None else (Reason.EMPTY,)
        return refusal_text(reasons)

    def update_for(self, text: str) -> None:
        if text != self._suggested_text():
            self.suggestion.hide()
        if not text:
            self.assessment = None
            self.hint.setText(_tr(EMPTY_HINT).replace("%1", str(MIN_PASSPHRASE_LENGTH)))
            return
        self.assessment = assess_passphrase(text, username=self._username())
        level = _tr(LEVELS[self.assessment.level])
        if self.assessment.acceptable:
            self.hint.setText(level)
        else:
            reasons = [_tr(WHY[r]).replace("%1", str(MIN_PASSPHRASE_LENGTH)) for r in self.assessment.reasons]
            self.hint.setText(" ".join([level, *reasons]))

    def suggest(self) -> None:
        """Six random words in the interface's language, typed into the fields and shown to learn."""
        phrase = suggest_passphrase(QLocale().name().split("_")[0])
        self.suggestion.setProperty("phrase", phrase)
        self._show_suggestion(phrase)
        self._passphrase.setText(phrase)
        if self._repeat is not None:
            self._repeat.setText(phrase)
        self.suggestion.show()

    def _show_suggestion(self, phrase: str) -> None:
        # The words large and bold on a line of their own: they are what the person copies onto paper.
        self.suggestion.setText(f"{html.escape(_tr(SUGGESTED))}<br><span style='font-size:14pt; font-weight:600'>"
                                f"{html.escape(phrase)}</span>")

    def _suggested_text(self) -> str:
        return str(self.suggestion.property("phrase") or "")

    def clear(self) -> None:
        self.suggestion.setProperty("phrase", "")
        self.suggestion.clear()
        self.suggestion.hide()
        self.update_for("")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.suggest_button.setText(_tr(SUGGEST))
        self.update_for(self._passphrase.text())
        phrase = self._suggested_text()
        if phrase and self.suggestion.isVisible():
            self._show_suggestion(phrase)
