"""`waypoint forms add FILE` and `waypoint forms list`: install forms in the vault and show what is installed.

`add` converts an XLSForm (.xlsx/.xls/.md/.csv) or reads an XForm (.xml), loads it with the engine, and installs
it as a new version; the same version with the same content is a no-op, with different content it is refused.
Problems are printed one per line, located by sheet/row/column (pyxform) or question/expression (engine).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.cli.common import CliError, add_vault_options, guarded, read_passphrase, require_user, vault_dir
from desktop_app.services import forms as form_service
from desktop_app.vault import Vault


def register(forms_subparsers: argparse._SubParsersAction) -> None:
    add = forms_subparsers.add_parser("add", help="validate a form (XLSForm or XForm) and install it in the vault")
    add.add_argument("file", type=Path, metavar="FILE", help="XLSForm .xlsx/.xls/.md/.csv, or XForm .xml")
    add.add_argument("--media-dir", type=Path, default=None, help="folder with the form's CSV/XML attachments")
    add_vault_options(add)
    add.set_defaults(func=cmd_add)
    listing = forms_subparsers.add_parser("list", help="list the forms installed in the vault")
    add_vault_options(listing)
    listing.set_defaults(func=cmd_list)


def unlock_with_shipped_forms(args) -> Vault:
    """Unlock, and on first use install the shipped forms (a no-op once their versions are installed)."""
    vault = Vault.unlock(vault_dir(args), username=require_user(args), passphrase=read_passphrase(args))
    try:
        form_service.install_shipped_forms(vault)
    except BaseException:
        vault.close()
        raise
    return vault


def _not_installed(error: form_service.FormFileError) -> int:
    print(f"waypoint: {error.source_name}: the form was not installed:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


@guarded
def cmd_add(args) -> int:
    if not args.file.is_file():
        raise CliError(f"no such file: {args.file}")
    vault = None
    try:
        try:  # a broken form is refused before asking for a passphrase
            validated = form_service.validate_form_file(args.file, media_dir=args.media_dir)
        except form_service.FormFileError as error:
            if not error.missing_files:
                return _not_installed(error)
            # a follow-up form's attachment may be an entity list a form in the vault makes: ask the vault
            vault = unlock_with_shipped_forms(args)
            try:
                validated = form_service.validate_form_file_for(vault, args.file, media_dir=args.media_dir)
            except form_service.FormFileError as again:
                return _not_installed(again)
        vault = vault or unlock_with_shipped_forms(args)
        try:
            installed = form_service.install_validated_form(vault, validated)
        except form_service.FormStoreError as error:
            raise CliError(str(error)) from error
    finally:
        if vault is not None:
            vault.close()
    for warning in validated.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    what = "installed" if installed.newly_installed else "already installed (same content)"
    print(f"{installed.form_id} version {installed.version} {what}: {installed.title}")
    return 0


@guarded
def cmd_list(args) -> int:
    vault = unlock_with_shipped_forms(args)
    try:
        forms = form_service.list_installed_forms(vault)
    finally:
        vault.close()
    if not forms:
        print("No forms installed.")
        return 0
    rows = [("FORM ID", "VERSION", "TITLE", "INSTALLED")] + [
        (f.form_id, f.version, f.title, f.installed_at[:19].replace("T", " ")) for f in forms]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip())
    return 0
