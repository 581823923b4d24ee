"""Composition root: the one place that builds settings, paths, workers, services and the window.

`main()` is the `waypoint-app` entry point. `build_app()` does the wiring and is what tests call,
with the QApplication pytest-qt made and a fast test KDF profile.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication

from desktop_app import crash_guard
from desktop_app.paths import AppPaths, app_paths
from desktop_app.ui import binding_guard
from desktop_app.ui.forms.area import FormsArea
from desktop_app.ui.i18n import SUPPORTED, Translations
from desktop_app.ui.idle import IdleWatcher
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.access_area import install_access
from desktop_app.ui.access_audit import install_audit
from desktop_app.ui.access_alarms import install_alarms
from desktop_app.ui.access_devices import install_devices
from desktop_app.ui.casefile_area import install_casefile
from desktop_app.ui.consent_panel import install_consent
from desktop_app.ui.desk_area import install_desk
from desktop_app.ui.place_page import install_place
from desktop_app.ui.registry_exports import install_exports
from desktop_app.ui.registry_reports import install_reports
from desktop_app.ui.registry_search import install_search
from desktop_app.ui.security_clipboard import ClipboardGuard
from desktop_app.ui.security_input import PrivateInput
from desktop_app.ui.retention_notice import RetentionSettings, RetentionWatch
from desktop_app.ui.security_integrity import IntegrityWatch
from desktop_app.ui.settings import AppSettings
from desktop_app.ui.sync_controller import SyncController
from desktop_app.ui.sync_status import install_sync
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.vault_controller import VaultController

# The repository's resources/ folder (packaging copies it next to the package the same way).
RESOURCES = Path(__file__).resolve().parents[2] / "resources"
BASE_FONT_POINTS = 11  # readable at arm's length on a small laptop screen, at the end of a long day


@dataclass
class App:
    """Everything the composition root built, so a caller can drive and then close it."""

    qt_app: QApplication
    paths: AppPaths
    settings: AppSettings
    tasks: TaskRunner
    controller: VaultController
    translations: Translations
    idle: IdleWatcher
    window: MainWindow
    forms: FormsArea | None = None  # "New registration" and opening records (desktop_app/ui/forms)
    sync: SyncController | None = None  # "Sync now", the status-bar sync widget, background probe
    integrity: IntegrityWatch | None = None  # the full page check after each unlock
    clipboard: ClipboardGuard | None = None  # clears what Waypoint copied when the vault locks
    private_input: PrivateInput | None = None  # input methods do not learn what is typed (security_input.py)
    retention: RetentionWatch | None = None  # the retention period applied after each unlock, and hourly

    def close(self) -> None:
        """Lock, stop the workers, remove what was installed on the QApplication."""
        # shutting down: no question now; the lock keeps an open form's changes (save_before_lock)
        self.window.close_guard = None
        self.window.close()  # saves geometry and locks
        self.tasks.shutdown()
        self.qt_app.removeEventFilter(self.idle)
        if self.private_input is not None:
            self.qt_app.removeEventFilter(self.private_input)
        self.idle.disarm()
        self.translations.uninstall()
        self.window.deleteLater()


def apply_style(qt_app: QApplication, *, resources: Path) -> None:
    font = QFont(qt_app.font())
    font.setPointSize(max(font.pointSize(), BASE_FONT_POINTS))
    qt_app.setFont(font)
    icon = resources / "icons" / "waypoint.svg"
    if icon.exists():
        qt_app.setWindowIcon(QIcon(str(icon)))
    qss = resources / "style" / "waypoint.qss"
    if qss.exists():
        qt_app.setStyleSheet(qss.read_text(encoding="utf-8"))


def build_app(
    *,
    qt_app: QApplication,
    paths: AppPaths,
    vault_path: Path | None = None,
    language: str | None = None,
    kdf_profile: str = "production",
    resources: Path = RESOURCES,
    page_size: int = 200,
) -> App:
    binding_guard.hold_true()  # before any signal is emitted: see binding_guard (PySide6 6.12.0 leaks True)
    settings = AppSettings(config_dir=paths.config)
    for folder in paths.all():
        folder.mkdir(parents=True, exist_ok=True)
    chosen_vault = vault_path or settings.last_vault_path or paths.default_vault
    translations = Translations(app=qt_app, i18n_dir=resources / "i18n")
    translations.switch(language or settings.language)
    if language:
        settings.language = language
    apply_style(qt_app, resources=resources)
    tasks = TaskRunner()
    controller = VaultController(tasks=tasks, vault_path=chosen_vault, kdf_profile=kdf_profile)
    idle = IdleWatcher(minutes=settings.idle_minutes)
    qt_app.installEventFilter(idle)
    private_input = PrivateInput()  # before any editor is made: each is given its hints when polished
    qt_app.installEventFilter(private_input)
    window = MainWindow(
        controller=controller, settings=settings, translations=translations, idle=idle, page_size=page_size
    )
    binding_guard.install(window)  # keeps topping up while the app runs
    forms = FormsArea(window=window, controller=controller, ui_language=lambda: translations.language)
    sync = install_sync(window=window, tasks=tasks, controller=controller)
    install_place(window=window, controller=controller)  # the laptop's country and centre (new records' defaults)
    install_access(window=window, controller=controller)  # People, and the new-passphrase step after a reset
    install_audit(window=window, controller=controller)  # the audit log (coordinators), in the same menu
    install_devices(window=window, controller=controller, tasks=tasks)  # laptops and enrolment codes; mark one lost
    install_alarms(window=window, controller=controller, tasks=tasks)  # bulk deletions and their undo (coordinators)
    install_search(window=window, controller=controller, forms=forms)  # Find a person; "already registered?"
    install_casefile(window=window, controller=controller, forms=forms)  # a person's case file (after search)
    install_reports(window=window, controller=controller, tasks=tasks)  # Indicators: tables, charts, protected exports
    install_exports(window=window, controller=controller)  # a form's records (sealed) and CTDC's anonymised cases
    desk = install_desk(window=window, controller=controller, tasks=tasks, page_size=page_size)  # review desk
    sync.finished.connect(desk.sync_finished)  # a run may bring or close conflicts on it
    install_consent(window=window, controller=controller)  # a person's consent per purpose; withdrawing it
    # After the list's first page and counts, which the window queues on unlock before this runs.
    integrity = IntegrityWatch(controller=controller, parent_window=window)
    clipboard = ClipboardGuard(clipboard=qt_app.clipboard(), controller=controller)
    retention = RetentionWatch(controller=controller, parent_window=window)

    def show_purged(purge) -> None:  # the list and counts show what the purge left
        if purge.count:
            window.registrations_page.reload()
            window.refresh_counts()

    retention.purged.connect(show_purged)
    window.retention_settings = RetentionSettings(window=window, controller=controller, watch=retention)
    return App(
        qt_app=qt_app,
        paths=paths,
        settings=settings,
        tasks=tasks,
        controller=controller,
        translations=translations,
        idle=idle,
        window=window,
        forms=forms,
        sync=sync,
        integrity=integrity,
        clipboard=clipboard,
        retention=retention,
        private_input=private_input,
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="waypoint-app", description="Waypoint desktop app")
    parser.add_argument("--vault", type=Path, help="vault folder (default: the last one used, or the app data folder)")
    parser.add_argument("--lang", choices=SUPPORTED, help="interface language (remembered)")
    parser.add_argument(
        "--home", type=Path, help="keep every Waypoint file under this folder (portable or test profile)"
    )
    parser.add_argument(
        "--smoke-test", action="store_true", help="open the window, run the event loop once and quit (packaging check)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    crash_guard.install()  # before any key or record is in memory
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.home:
        # paths.app_paths() reads WAYPOINT_HOME; set it before anything asks where files go.
        os.environ["WAYPOINT_HOME"] = str(args.home.resolve())
    qt_app = QApplication([sys.argv[0]])
    qt_app.setApplicationName("Waypoint")
    qt_app.setOrganizationName("Waypoint")
    app = build_app(
        qt_app=qt_app,
        paths=app_paths(),
        vault_path=args.vault.resolve() if args.vault else None,
        language=args.lang,
    )
    app.window.show()
    if args.smoke_test:
        QTimer.singleShot(0, qt_app.quit)
    try:
        status = qt_app.exec()
    finally:
        app.close()
    if args.smoke_test:
        print("waypoint-app: smoke test passed")
    return status


if __name__ == "__main__":
    sys.exit(main())
