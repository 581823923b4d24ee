"""The encrypted local store: SQLCipher through SQLModel, key slots, migrations, the outbox.

The contract other packages code against is /work/notes/vault-api.md (names re-exported here);
docs/vault.md describes the key hierarchy and the files on disk.
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
