"""Pure-Python core shared by the desktop app and the server: the XForm engine and the wire formats.

Nothing here imports Qt, a database driver or an HTTP client (import-linter checks it).
"""
