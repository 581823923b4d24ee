"""The Waypoint desktop app: encrypted vault, services, sync client, CLI and the Qt user interface."""

__version__ = "0.1.0"
