"""Shared constants for the vault tests (synthetic names only)."""

ADMIN = "amina"
ADMIN_PASSPHRASE = "correct horse battery staple"
