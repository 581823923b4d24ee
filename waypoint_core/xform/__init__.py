"""waypoint_core/xform"""
