"""Constants the forms tests share (importable by name; conftest modules are not)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "aissata"
ADMIN_PASSPHRASE = "synthetic test passphrase 1"
