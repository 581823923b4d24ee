"""Frozen entry point of the device command line (`waypoint`), shipped next to the app in the same folder."""

import sys

from desktop_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
