"""desktop_app/records"""
