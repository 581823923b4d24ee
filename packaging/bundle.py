"""What goes into the frozen Waypoint folder besides the Python code: one list read by the spec and by the tests.

The PyInstaller spec (packaging/waypoint.spec) turns these entries into `datas`; tests/packaging checks
every required entry matches real files, so a moved form or catalogue breaks CI, not a release.
This module imports nothing from PyInstaller (the quick test runs without building anything).

Destinations mirror the repository layout because the code finds its files relative to its own
modules: `desktop_app/services/forms.py` looks in `<root>/forms`, `desktop_app/ui/app.py` in
`<root>/resources`, the vault in `desktop_app/vault/migrations`. Frozen, `<root>` is `sys._MEIPASS`
(the `_internal` folder next to the executables), so the same relative paths hold.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP_FOLDER = "waypoint"  # dist/waypoint/ holds both executables
GUI_NAME = "waypoint-app"
CLI_NAME = "waypoint"
SUPPORTED_LANGUAGES = ("en", "fr")  # mirrors desktop_app.ui.i18n.SUPPORTED (which imports Qt, so not imported here)


class BundleError(Exception):
    """A required file for the bundle is missing: name the pattern so the fix is obvious."""


@dataclass(frozen=True)
class DataEntry:
    pattern: str  # glob relative to the repository
    dest: str  # folder inside the bundle (relative to sys._MEIPASS)
    required: bool  # a release without it would be broken
    why: str


DATA_ENTRIES: tuple[DataEntry, ...] = (
    DataEntry("forms/*.md", "forms", True, "shipped XLSForms, installed into every new vault"),
    DataEntry("forms/*.xlsx", "forms", False, "shipped XLSForms kept as spreadsheets, if any"),
    DataEntry("forms/*.xml", "forms", False, "shipped XForms, if any"),
    DataEntry("forms/lists/*.csv", "forms/lists", True,
              "country, region and centre lists: the laptop's place, country names in the list"),
    DataEntry("resources/i18n/*.qm", "resources/i18n", True, "compiled UI and form-label translations"),
    DataEntry("resources/style/*.qss", "resources/style", True, "the app style sheet"),
    DataEntry("resources/icons/*", "resources/icons", False, "icons, once there are any"),
    DataEntry("desktop_app/vault/migrations/*.sql", "desktop_app/vault/migrations", True,
              "schema migrations run when a vault is created or upgraded"),
)

# Files that must be inside the bundle for the app to work at all (checked after the build too).
REQUIRED_CATALOGUES = tuple(f"resources/i18n/waypoint_{lang}.qm" for lang in SUPPORTED_LANGUAGES)

# Imported by name at run time (importlib), so PyInstaller's import scan cannot see them. The spec adds every
# submodule of these packages; a new CLI command module is then picked up without editing this list.
DYNAMIC_PACKAGES = ("desktop_app.cli",)

# Qt for Python modules the app does not use, plus development-only packages that may be importable from the
# venv. Keeping them out keeps the folder small and the attack surface smaller.
EXCLUDED_MODULES = (
    "PySide6.QtNetwork",  # sync uses requests
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DExtras", "PySide6.Qt3DInput", "PySide6.Qt3DLogic",
    "PySide6.Qt3DAnimation", "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtSpatialAudio",
    "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtCharts", "PySide6.QtDataVisualization",
    "PySide6.QtGraphs", "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools", "PySide6.QtTest",
    "PySide6.QtSql", "PySide6.QtOpenGLWidgets", "PySide6.QtBluetooth", "PySide6.QtPositioning",
    "PySide6.QtLocation", "PySide6.QtSerialPort", "PySide6.QtTextToSpeech",
    "tkinter", "pytest", "_pytest", "pytestqt", "hypothesis", "schemathesis", "importlinter", "IPython",
    "sync_server", "fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "httpx",
    "tests", "bench",
)

# Qt plugins a desktop widgets app does not need, and what only they pull in (fnmatch on the bundle path).
# - QtNetwork: sync uses requests; only the VNC platform and the TUIO touch plugin link it.
# - The GTK3 platform theme: it drags in the build machine's GTK stack (cairo, pango, gdk-pixbuf...) without
#   GTK itself, and mixing bundled pieces with the user's GTK is a classic crash; Qt's own dialogs are used.
EXCLUDED_BINARY_PATTERNS = (
    "*Qt6Network*",
    "*/plugins/platforms/libqvnc.so", "*/plugins/generic/libqtuiotouchplugin.so",
    "*/plugins/platformthemes/libqgtk3.so",
    "libgtk-3.so*", "libgdk-3.so*", "libatk-1.0.so*", "libatk-bridge*", "libcairo*.so*", "libpango*.so*",
    "libgdk_pixbuf*.so*", "libthai.so*", "libdatrie.so*", "libfribidi.so*", "libpixman-1.so*", "libgraphite2.so*",
    "libharfbuzz.so*",  # the system one, for pango; Qt carries its own
    "*Qt6Quick*", "*Qt6Qml*", "*Qt6Pdf*", "*Qt6VirtualKeyboard*", "*Qt6WebEngine*",
)

# Qt's own catalogues: only qtbase for the languages the app speaks (the rest is ~7 MB of other languages).
QT_TRANSLATIONS_KEPT = tuple(f"qtbase_{lang}.qm" for lang in SUPPORTED_LANGUAGES)

# pyxform ships validators as Java jars (ODK Validate, ~6 MB); we never run them (our engine loads every form).
PYXFORM_EXCLUDED_DATA = ("validators/odk_validate/bin", "validators/enketo_validate/bin")


def expand(entry: DataEntry, *, repo: Path = REPO) -> list[Path]:
    return sorted(p for p in repo.glob(entry.pattern) if p.is_file())


def datas(*, repo: Path = REPO) -> list[tuple[str, str]]:
    """(source file, bundle folder) pairs for PyInstaller; raise BundleError naming every missing required entry."""
    pairs: list[tuple[str, str]] = []
    missing = []
    for entry in DATA_ENTRIES:
        files = expand(entry, repo=repo)
        if entry.required and not files:
            missing.append(f"{entry.pattern} ({entry.why})")
        pairs.extend((str(path), entry.dest) for path in files)
    for name in REQUIRED_CATALOGUES:
        if not (repo / name).is_file():
            missing.append(f"{name} (run resources/i18n/update_translations.py)")
    if missing:
        raise BundleError("files needed in the bundle are missing: " + "; ".join(missing))
    return pairs


def qt_translation_kept(dest_path: str) -> bool:
    """True unless `dest_path` is one of Qt's own .qm catalogues the app never loads."""
    name = Path(dest_path).name
    in_qt_translations = "translations" in Path(dest_path).parts and name.endswith(".qm")
    return not in_qt_translations or name in QT_TRANSLATIONS_KEPT


def binary_kept(dest_path: str) -> bool:
    path = Path(dest_path).as_posix()
    return not any(fnmatch.fnmatch(path, pattern) for pattern in EXCLUDED_BINARY_PATTERNS)
