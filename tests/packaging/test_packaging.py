"""Packaging: the bundle's file list matches the repository (quick), and a real frozen build passes its smoke test (slow).

The quick tests make a moved form, catalogue or migration break CI instead of a release: the spec's data
list (packaging/bundle.py) is compared with where the running code looks for those files.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from configparser import ConfigParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"

def _load_bundle():
    """packaging/ is not a package (PyInstaller and build.py run it as scripts): load bundle.py by path."""
    spec = importlib.util.spec_from_file_location("waypoint_packaging_bundle", PACKAGING / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bundle = _load_bundle()

from desktop_app.cli import COMMAND_MODULES  # noqa: E402
from desktop_app.cli.forms_cmds import FORMS_SUBCOMMANDS  # noqa: E402
from desktop_app.services import forms as form_service  # noqa: E402
from desktop_app.vault import database  # noqa: E402


def bundled(dest: str) -> set[str]:
    return {Path(src).name for src, folder in bundle.datas() if folder == dest}


def test_every_shipped_form_is_bundled_where_the_code_looks_for_it():
    assert form_service.SHIPPED_FORMS_DIR.relative_to(REPO).as_posix() == "forms"
    shipped = {p.name for p in form_service.shipped_form_files()}
    assert shipped, "no shipped forms found"
    assert bundled("forms") == shipped
    # the place lists the app reads (services.places: the laptop's place, country names in the list)
    from desktop_app.services import places

    assert bundled(places.LISTS_DIR.relative_to(REPO).as_posix()) == {"centres.csv", "countries.csv", "regions.csv"}


def test_every_migration_is_bundled_where_the_vault_looks_for_it():
    dest = database.MIGRATIONS_DIR.relative_to(REPO).as_posix()
    migrations = {p.name for p in database.MIGRATIONS_DIR.glob("*.sql")}
    assert migrations
    assert bundled(dest) == migrations


def test_translations_and_style_are_bundled_for_every_ui_language():
    from desktop_app.ui.app import RESOURCES
    from desktop_app.ui.i18n import SUPPORTED

    assert RESOURCES.relative_to(REPO).as_posix() == "resources"
    assert bundle.SUPPORTED_LANGUAGES == SUPPORTED
    catalogues = bundled("resources/i18n")
    for lang in SUPPORTED:
        assert f"waypoint_{lang}.qm" in catalogues
    # Every compiled catalogue in the repository goes in (the app loads every *_<lang>.qm it finds).
    assert catalogues == {p.name for p in (RESOURCES / "i18n").glob("*.qm")}
    assert bundled("resources/style") == {"waypoint.qss"}


def test_every_data_source_exists_and_tests_are_not_bundled():
    pairs = bundle.datas()
    for src, dest in pairs:
        assert Path(src).is_file(), src
        assert Path(src).relative_to(REPO).parts[0] not in ("tests", "bench", "sync_server"), src
        assert not Path(dest).is_absolute() and ".." not in Path(dest).parts


def test_a_missing_required_file_is_named_before_any_build(tmp_path):
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "referral.md").write_text("| survey |\n", encoding="utf-8")
    with pytest.raises(bundle.BundleError) as caught:
        bundle.datas(repo=tmp_path)
    message = str(caught.value)
    assert "resources/i18n/*.qm" in message
    assert "desktop_app/vault/migrations/*.sql" in message
    assert "waypoint_fr.qm" in message
    assert "forms/*.md" not in message


def test_commands_imported_by_name_are_collected():
    dynamic = COMMAND_MODULES + FORMS_SUBCOMMANDS
    for name in dynamic:
        assert any(name == pkg or name.startswith(pkg + ".") for pkg in bundle.DYNAMIC_PACKAGES), name


@pytest.mark.parametrize("path, kept", [
    ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("libQt6Core.so.6", True),
    ("libQt6Network.so.6", False),
    ("PySide6/Qt/lib/libQt6Network.so.6", False),
    ("PySide6/Qt6Network.dll", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("libcairo.so.2", False),
    ("libglib-2.0.so.0", True),
])
def test_binary_filter(path, kept):
    assert bundle.binary_kept(path) is kept


@pytest.mark.parametrize("path, kept", [
    ("PySide6/Qt/translations/qtbase_fr.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/translations/qt_help_fr.qm", False),
    ("resources/i18n/waypoint_fr.qm", True),
    ("resources/i18n/forms_fr.qm", True),
])
def test_qt_translation_filter(path, kept):
    assert bundle.qt_translation_kept(path) is kept


def test_spec_and_build_script_compile():
    for path in (PACKAGING / "waypoint.spec", PACKAGING / "build.py", *PACKAGING.glob("entry_points/*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("script, entry", [("waypoint", "waypoint_cli.py"), ("waypoint-app", "waypoint_app.py")])
def test_each_frozen_entry_point_runs_what_the_installed_command_runs(script, entry):
    """The frozen `waypoint` called main(), not run(): no crash guard, and $WAYPOINT_PASSPHRASE left in the
    environment of the processes it starts (desktop_app/cli/common.py)."""
    import tomllib

    target = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"][script]
    module, function = target.split(":")
    source = (PACKAGING / "entry_points" / entry).read_text("utf-8")
    assert f"from {module} import {function}\n" in source and f"sys.exit({function}())" in source


def test_desktop_entry_launches_the_gui_executable():
    entry = ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # keys are case-sensitive in desktop files
    entry.read(PACKAGING / "linux" / "org.waypoint.Waypoint.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == bundle.GUI_NAME
    assert section["Terminal"] == "false"
    assert section["Categories"].endswith(";")


def test_metainfo_names_the_desktop_entry_and_both_executables():
    path = PACKAGING / "linux" / "org.waypoint.Waypoint.metainfo.xml"
    root = ElementTree.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("launchable") == "org.waypoint.Waypoint.desktop"
    assert (PACKAGING / "linux" / root.findtext("launchable")).is_file()
    assert {b.text for b in root.iter("binary")} == {bundle.GUI_NAME, bundle.CLI_NAME}
    appstreamcli = shutil.which("appstreamcli")
    if appstreamcli:
        result = subprocess.run([appstreamcli, "validate", "--no-net", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.timeout(3600)  # a PyInstaller build takes minutes, more on a busy machine
def test_frozen_build_passes_its_smoke_test(tmp_path):
    pytest.importorskip("PyInstaller")
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "--dist", str(tmp_path / "dist"),
         "--work", str(tmp_path / "build"), "--report", str(report_path)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["passed"] is True and report["failure"] is None
    names = [step["name"] for step in report["steps"]]
    for expected in ("contents", "waypoint init", "waypoint forms list", "waypoint info", "waypoint verify",
                     "waypoint forms check", "waypoint-app --smoke-test --lang fr (offscreen)"):
        assert expected in names
    assert "SMOKE TEST PASSED" in result.stdout
