"""Refresh the app shell's translation catalogues from the source, then compile them.

    .venv/bin/python resources/i18n/update_translations.py          # lupdate + lrelease
    .venv/bin/python resources/i18n/update_translations.py --check  # exit 1 if anything is stale

`waypoint_fr.ts` holds every string of the app shell's modules (CATALOGUES below; translators edit
it in Qt Linguist, `.venv/bin/pyside6-linguist`); `waypoint_en.ts` holds only the plural forms
English needs ("1 registration", "2 registrations"). Other areas (forms, sync screens) keep their
own `<area>_<lang>.ts` next to these; the app loads every `*_<lang>.qm` in this folder.
The compiled `.qm` files are committed; tests/ui/test_i18n.py checks they match the `.ts`.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent


# One catalogue per area: name -> the source files whose strings it holds. Another area adds a
# line here (e.g. "sync": ["desktop_app/ui/sync_*.py"]) and commits its own <name>_fr.ts/.qm.
CATALOGUES: dict[str, list[str]] = {
    "waypoint": [
        "desktop_app/ui/app.py",
        "desktop_app/ui/i18n.py",
        "desktop_app/ui/idle.py",
        "desktop_app/ui/labels.py",
        "desktop_app/ui/main_window.py",
        "desktop_app/ui/messages.py",
        "desktop_app/ui/place_page.py",
        "desktop_app/ui/registration_model.py",
        "desktop_app/ui/registrations_page.py",
        "desktop_app/ui/settings.py",
        "desktop_app/ui/settings_dialog.py",
        "desktop_app/ui/setup_page.py",
        "desktop_app/ui/status_user.py",
        "desktop_app/ui/tasks.py",
        "desktop_app/ui/unlock_page.py",
        "desktop_app/ui/vault_controller.py",
    ],
    "forms": ["desktop_app/ui/forms/*.py"],  # the form renderer (docs/renderer.md)
    "sync": ["desktop_app/ui/sync_*.py"],  # Sync now and the sync status widget
    # Passphrase advice, emergency erase, the private file picker, the integrity alert (docs/vault.md)
    "security": ["desktop_app/ui/security_*.py"],
    # People, roles, passphrase resets and the recovery code's step; devices and remote orders (docs/access.md)
    "access": ["desktop_app/ui/access_*.py"],
    # Find a person, the "already registered?" question, reports and exports (docs/registry.md)
    "registry": ["desktop_app/ui/registry_*.py"],
    # What the retention period removed from this laptop, and when (docs/vault.md)
    "retention": ["desktop_app/ui/retention_*.py"],
    # The coordinators' review desk: conflicts, possible duplicates, rejected changes (docs/desk.md)
    "desk": ["desktop_app/ui/desk_*.py"],
    # A person's consent per purpose and its withdrawal (docs/access.md)
    "consent": ["desktop_app/ui/consent_*.py"],
    # A person's case file: timeline, next appointment, open referrals, closing and reopening (docs/registry.md)
    "casefile": ["desktop_app/ui/casefile_*.py"],
}
# Every catalogue has a full French file and an English file with only the plural forms.
LANGUAGES = {"fr": [], "en": ["-pluralonly"]}


def sources(name: str) -> list[Path]:
    files: list[Path] = []
    for pattern in CATALOGUES[name]:
        files.extend(sorted(ROOT.glob(pattern)))
    return files


def catalogues(only: list[str] | None = None) -> list[tuple[Path, list[Path], list[str]]]:
    return [
        (HERE / f"{name}_{lang}.ts", sources(name), extra)
        for name in CATALOGUES
        if not only or name in only
        for lang, extra in LANGUAGES.items()
    ]


def lupdate(ts: Path, files: list[Path], extra: list[str]) -> None:
    cmd = [str(BIN / "pyside6-lupdate"), *extra, "-no-obsolete", "-locations", "none",
           *map(str, files), "-ts", str(ts)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([str(BIN / "pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; change nothing")
    parser.add_argument("--only", action="append", choices=sorted(CATALOGUES), help="just this catalogue")
    args = parser.parse_args(argv)
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for ts, files, extra in catalogues(args.only):
            work = Path(tmp) / ts.name
            if ts.exists():
                shutil.copy(ts, work)
            lupdate(work, files, extra)
            qm = work.with_suffix(".qm")
            lrelease(work, qm)
            if args.check:
                for new, old in ((work, ts), (qm, ts.with_suffix(".qm"))):
                    if not old.exists() or not filecmp.cmp(new, old, shallow=False):
                        stale.append(old.name)
            else:
                shutil.copy(work, ts)
                shutil.copy(qm, ts.with_suffix(".qm"))
    if stale:
        print("out of date: " + ", ".join(stale) + " (run resources/i18n/update_translations.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
