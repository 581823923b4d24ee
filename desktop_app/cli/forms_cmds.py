"""`waypoint forms ...`: the `forms` command group. Sub-commands live in their own modules.

Each module named in FORMS_SUBCOMMANDS has a `register(forms_subparsers)` function that adds its
sub-commands to the group and sets `func` on each: `check` (the engine's conformance run, in
forms_check_cmd) and `add`/`list` (installing forms in the vault, in forms_store_cmds).
"""

from __future__ import annotations

import argparse
import importlib

# One line per module adding sub-commands to `waypoint forms`.
FORMS_SUBCOMMANDS: list[str] = [
    "desktop_app.cli.forms_check_cmd",
    "desktop_app.cli.forms_store_cmds",
]


def register(subparsers: argparse._SubParsersAction) -> None:
    forms = subparsers.add_parser("forms", help="check, install and list forms")
    forms_subparsers = forms.add_subparsers(dest="forms_command", required=True, metavar="FORMS_COMMAND")
    for name in FORMS_SUBCOMMANDS:
        importlib.import_module(name).register(forms_subparsers)
