"""Loads the compiled translations and switches language while the app runs.

Every `resources/i18n/<area>_<lang>.qm` file is loaded, so another area (forms, sync) can ship its
own catalogue next to `waypoint_<lang>.qm`. Qt's own catalogue (qtbase) translates standard buttons.
Installing a translator sends LanguageChange to every widget, which then calls its `retranslate()`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QObject, QTranslator

SUPPORTED = ("en", "fr")


class Translations:
    def __init__(self, *, app: QCoreApplication, i18n_dir: Path) -> None:
        self._app = app
        self._dir = i18n_dir
        self._installed: list[QTranslator] = []
        self.language = "en"

    def catalogues(self, language: str) -> list[Path]:
        return sorted(self._dir.glob(f"*_{language}.qm"))

    def switch(self, language: str) -> None:
        if language not in SUPPORTED:
            raise ValueError(f"unsupported language {language!r}")
        # first: screens reword themselves on LanguageChange and read the language from the default locale
        QLocale.setDefault(QLocale(language))
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed = []
        # English has a catalogue too: it only holds plural forms ("1 registration", "2 registrations").
        for path in self.catalogues(language):
            self._install(str(path.parent), path.stem)
        if language != "en":
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            self._install(qt_dir, f"qtbase_{language}")
        self.language = language
        if not self._installed:
            # Removing translators already sent LanguageChange if there were any; make sure
            # English screens retranslate even when no catalogue was ever installed.
            QCoreApplication.sendEvent(self._app, QEvent(QEvent.Type.LanguageChange))

    def _install(self, directory: str, name: str) -> None:
        translator = QTranslator(self._app)
        if translator.load(name, directory):
            self._app.installTranslator(translator)
            self._installed.append(translator)

    def uninstall(self) -> None:
        for translator in self._installed:
            self._app.removeTranslator(translator)
            translator.deleteLater()
        self._installed = []


class Retranslator(QObject):
    """Rewords an area that is not a widget itself (its menu entries, its page's titles): the window receives
    LanguageChange when the language switches, and this calls the area's `retranslate`."""

    def __init__(self, window: QObject, retranslate: Callable[[], None]) -> None:
        super().__init__(window)
        self._retranslate = retranslate
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        return False
