"""desktop_app/sync"""
