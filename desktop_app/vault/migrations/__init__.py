"""Numbered schema migrations: `NNNN_name.sql` (a script) or `NNNN_name.py` (with `upgrade(connection)`).

The runner in desktop_app.vault.database applies each in its own transaction and sets
PRAGMA user_version to its number; numbers start at 1 and have no gaps.
"""
