"""Seized laptop, outside the vault: the file picker, the clipboard, printing and a crash leave no
trace of the person in any file (Qt's settings, the desktop's recent files, thumbnails, temp folders)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter

from desktop_app.ui.security_files import choose_file, choose_folder
from desktop_app.ui.security_print import PrintToFileRefused, print_document, print_dialog
from tests.vault.canary import CANARY_DOB, CANARY_NAME, leaks, search_roots

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]


def _traces(isolated_home: Path, since: float) -> list[str]:
    return leaks(search_roots(isolated_home), since, isolated_home)


def _known_trace_files(isolated_home: Path) -> list[Path]:
    """Where Qt and the desktops keep history and thumbnails, if anything wrote them."""
    config, data, cache = (Path(os.environ[v]) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"))
    found = [config / "QtProject.conf", data / "recently-used.xbel", cache / "thumbnails",
             Path(os.environ["HOME"]) / ".local" / "share" / "recently-used.xbel"]
    return [p for p in found if p.exists()]


def test_the_picker_leaves_no_history_recent_file_or_thumbnail(qtbot, isolated_home, tmp_path):
    started = time.time() - 1
    folder = tmp_path / "scans" / CANARY_NAME  # a folder named after the person, as in the field
    folder.mkdir(parents=True)
    scan = folder / f"{CANARY_NAME} {CANARY_DOB} passport.jpg"
    scan.write_bytes(b"\xff\xd8\xff synthetic")
    chosen = []
    dialog = choose_file(None, "Choose a file", str(tmp_path / "scans"), chosen.append)
    qtbot.waitExposed(dialog)
    dialog.path.setText(str(folder))
    qtbot.keyClick(dialog.path, "\r")
    assert dialog.current_folder == str(folder)
    dialog.path.setText(str(scan))
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        qtbot.keyClick(dialog.path, "\r")
    assert chosen == [str(scan.resolve())]
    picked = []
    folders = choose_folder(None, "Choose the vault folder", str(folder), picked.append)
    qtbot.waitExposed(folders)
    with qtbot.waitSignal(folders.finished, timeout=5000):
        folders.buttons.accepted.emit()
    assert picked == [str(folder.resolve())]
    scan.unlink()
    folder.rmdir()
    assert _known_trace_files(isolated_home) == []
    assert _traces(isolated_home, started) == []


def test_printing_to_a_file_is_refused_and_writes_nothing(qtbot, isolated_home, tmp_path):
    started = time.time() - 1
    document = QTextDocument()
    document.setPlainText(f"{CANARY_NAME}\nborn {CANARY_DOB}")
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    pdf = tmp_path / "spool" / "job.pdf"
    pdf.parent.mkdir()
    printer.setOutputFileName(str(pdf))
    with pytest.raises(PrintToFileRefused):
        print_document(document, printer)
    assert list(pdf.parent.iterdir()) == []
    dialog = print_dialog(QPrinter())
    assert not dialog.testOption(dialog.PrintDialogOption.PrintToFile)
    dialog.deleteLater()
    assert _traces(isolated_home, started) == []


CRASHING_PROGRAM = textwrap.dedent("""
    import os, sys
    from desktop_app import crash_guard
    crash_guard.install()
    assert not crash_guard.dumpable()
    os.chdir(sys.argv[1])  # a core file, if any, would land here
    person = {"name": sys.argv[2], "dob": sys.argv[3]}
    def fail():
        raise ValueError(f"bad answer for {person['name']} born {person['dob']}")
    if sys.argv[4] == "exception":
        fail()
    if sys.argv[4] == "thread":  # uncaught in a thread: threading.excepthook
        import threading
        worker = threading.Thread(target=fail)
        worker.start()
        worker.join()
        sys.exit(3)
    if sys.argv[4] == "unraisable":  # raised where Python can only report it: sys.unraisablehook
        import gc
        class Held:
            def __repr__(self):
                return f"<record of {person['name']}>"
            def __del__(self):
                fail()
        Held()
        gc.collect()
        sys.exit(3)
    import faulthandler
    faulthandler._sigsegv()
""")


@pytest.mark.parametrize("how", ["exception", "thread", "unraisable", "segfault"])
def test_a_crash_leaves_no_dump_and_no_personal_message(isolated_home, tmp_path, how):
    started = time.time() - 1
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    done = subprocess.run([sys.executable, "-c", CRASHING_PROGRAM, str(workdir), CANARY_NAME, CANARY_DOB, how],
                          cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode != 0
    assert CANARY_NAME not in done.stderr and CANARY_DOB not in done.stderr
    assert ("Segmentation fault" in done.stderr) if how == "segfault" else ("ValueError" in done.stderr)
    assert list(workdir.iterdir()) == []
    assert _traces(isolated_home, started) == []
