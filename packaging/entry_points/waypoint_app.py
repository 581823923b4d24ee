"""Frozen entry point of the desktop app (`waypoint-app`): PyInstaller needs a script, the code lives in the package."""

import sys

from desktop_app.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
