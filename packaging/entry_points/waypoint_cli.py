"""Frozen entry point of the device command line (`waypoint`), shipped next to the app in the same folder: the
program as installed (`run`: the crash guard, $WAYPOINT_PASSPHRASE out of the environment; desktop_app/cli)."""

import sys

from desktop_app.cli import run

if __name__ == "__main__":
    sys.exit(run())
