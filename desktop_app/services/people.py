"""People who may open this laptop's vault: the use cases behind the People screen and `waypoint users`.

Administrators list, add and remove people, set their roles and reset a forgotten passphrase (to a temporary one
the person must replace at their next sign-in); everyone changes their own passphrase; the recovery code sets a
named person's new passphrase. Each administrative use case first asks services/access.py (manage users), so a
hidden button is never the only guard. No Qt here; the UI runs these on its database thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.services import access
from desktop_app.vault import ROLES
from desktop_app.vault.errors import InvalidInput
from desktop_app.vault.vault import Vault
from waypoint_core.access import policy


@dataclass(frozen=True)
class Person:
    username: str
    roles: tuple[str, ...]  # as their administrator-signed grant says; () when it does not verify
    must_change_passphrase: bool  # reset by an administrator, not yet replaced
    is_you: bool
    reads_sensitive: bool  # their roles may read P3 answers (case workers)


def all_roles() -> tuple[str, ...]:
    """Every role, in the order the screens list them."""
    return tuple(ROLES)


def list_people(vault: Vault) -> list[Person]:
    access.check_manage_users(vault)
    return [Person(u.username, u.roles, u.must_change_passphrase, u.username == vault.user.username,
                   policy.may_read(policy.Actor.of(u.username, u.roles))) for u in vault.list_users()]


def add_person(vault: Vault, username: str, passphrase: str, roles: Sequence[str]) -> Person:
    access.check_manage_users(vault)
    added = vault.add_user(username.strip(), passphrase, list(roles))
    return Person(added.username, added.roles, False, False, policy.may_read(policy.Actor.of("", added.roles)))


def set_roles(vault: Vault, username: str, roles: Sequence[str]) -> tuple[str, ...]:
    access.check_manage_users(vault)
    return vault.set_roles(username, list(roles))


def reset_passphrase(vault: Vault, username: str, temporary: str) -> None:
    """A temporary passphrase for someone who forgot theirs; they choose their own at the next sign-in."""
    access.check_manage_users(vault)
    if username == vault.user.username:
        raise InvalidInput("change your own passphrase with your current one, not with a reset")
    vault.change_passphrase(username, None, temporary, must_change=True)


def remove_person(vault: Vault, username: str) -> None:
    """Their key slot goes and the data key is rotated; their records stay (written by them, kept in history)."""
    access.check_manage_users(vault)
    vault.remove_user(username)


def change_own_passphrase(vault: Vault, new_passphrase: str) -> None:
    """The signed-in person's new passphrase (after a reset the screen asks for it before anything else)."""
    vault.change_own_passphrase(new_passphrase)


def people_to_recover(vault: Vault) -> list[str]:
    """Whom the recovery code may give a new passphrase (everyone with a key slot here)."""
    if not vault.is_recovery:
        access.check_manage_users(vault)
    return [u.username for u in vault.list_users()]


def recover_person(vault: Vault, username: str, new_passphrase: str) -> None:
    """Signed in with the recovery code: set `username`'s new passphrase (chosen with them present, so no reset
    flag). Their keys for P3 answers are handed over from the recovery slot at once."""
    if not vault.is_recovery:
        raise InvalidInput("only the recovery code sets a person's passphrase this way")
    vault.change_passphrase(username, None, new_passphrase, must_change=False)
