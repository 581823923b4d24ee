"""The Waypoint central server: devices push and pull registrations here. No Qt, no desktop code."""
