"""waypoint_core/protocol"""
