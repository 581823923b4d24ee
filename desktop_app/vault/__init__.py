"""desktop_app/vault"""
