"""What Waypoint put on the clipboard does not outlive the unlocked session.

Text copied from a record (a name, a phone number) stays on the system clipboard, and in the
X11 selection, after the vault locks, where any program and clipboard history can read it. The
guard notes each clipboard change made while one of Waypoint's windows has the focus (or that
Qt says this program owns) and, when the vault locks, clears what is still Waypoint's. Something
the person copied from another program since is left alone.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject
from PySide6.QtGui import QClipboard, QGuiApplication

from desktop_app.ui.vault_controller import VaultController

_MODES = (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection)


class ClipboardGuard(QObject):
    def __init__(self, *, clipboard: QClipboard, controller: VaultController) -> None:
        super().__init__()
        self._clipboard = clipboard
        self._ours: dict[QClipboard.Mode, str] = {}  # mode -> fingerprint of what Waypoint put there
        clipboard.changed.connect(self._changed)
        controller.locking.connect(self.clear_ours)

    def _fingerprint(self, mode: QClipboard.Mode) -> str:
        data = self._clipboard.mimeData(mode)
        if data is None:
            return ""
        parts = [f"{fmt}\0".encode() + bytes(data.data(fmt).data()) for fmt in sorted(data.formats())]
        return hashlib.sha256(b"\0".join(parts)).hexdigest()

    def _owned(self, mode: QClipboard.Mode) -> bool:
        owns = self._clipboard.ownsClipboard() if mode is QClipboard.Mode.Clipboard else self._clipboard.ownsSelection()
        return owns or QGuiApplication.focusWindow() is not None

    def _changed(self, mode: QClipboard.Mode) -> None:
        if mode not in _MODES:
            return
        if self._owned(mode):
            self._ours[mode] = self._fingerprint(mode)
        else:
            self._ours.pop(mode, None)

    @property
    def holds_ours(self) -> bool:
        return any(self._fingerprint(mode) == mark for mode, mark in self._ours.items())

    def clear_ours(self) -> None:
        for mode, mark in list(self._ours.items()):
            if self._fingerprint(mode) == mark:
                self._clipboard.clear(mode)
        self._ours.clear()
