"""`waypoint`: the device command line for administrators and tests. No Qt is imported here.

Each feature keeps its commands in its own module with a `register(subparsers)` function that
adds its sub-commands and sets `func` on each; `main` wires them together.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from desktop_app import crash_guard
from desktop_app.cli.common import take_environment_passphrase

# One line per feature module; each adds its own sub-commands.
COMMAND_MODULES: list[str] = [
    "desktop_app.cli.forms_cmds",
    "desktop_app.cli.vault_cmds",
    "desktop_app.cli.import_cmd",
    "desktop_app.cli.sync_cmds",
    "desktop_app.cli.registry_cmds",
    "desktop_app.cli.report_cmds",
    "desktop_app.cli.export_cmds",
    "desktop_app.cli.records_cmds",
    "desktop_app.cli.batch_cmds",
    "desktop_app.cli.audit_cmds",
    "desktop_app.cli.consent_cmds",
    "desktop_app.cli.coordination_cmds",
    "desktop_app.cli.case_cmds",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="waypoint", description="Waypoint device administration")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None, *, environment_passphrase: str | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.environment_passphrase = environment_passphrase
    return int(args.func(args) or 0)


def run() -> int:
    """The `waypoint` program: like main(), with no core dump or error message left behind on a crash, and
    $WAYPOINT_PASSPHRASE out of the environment that the processes it starts inherit (common.py)."""
    crash_guard.install()
    return main(environment_passphrase=take_environment_passphrase())


if __name__ == "__main__":
    sys.exit(run())
