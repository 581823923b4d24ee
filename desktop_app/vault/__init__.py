"""The encrypted local store: SQLCipher through SQLModel, key slots, migrations, the outbox.

The contract other packages code against is the names re-exported here (their docstrings);
docs/vault.md describes the key hierarchy, the files on disk and the errors.
"""

from desktop_app.vault import errors
from desktop_app.vault.kdf import KDF_PROFILES, PRODUCTION, TEST
from desktop_app.vault.models import ROLES, Role
from desktop_app.vault.vault import UserInfo, Vault


class KdfProfile:
    PRODUCTION = PRODUCTION
    TEST = TEST
    ALL = KDF_PROFILES


__all__ = ["Vault", "UserInfo", "Role", "ROLES", "KdfProfile", "errors"]
