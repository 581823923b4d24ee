"""Passphrase rules: the weak list is refused for every kind of slot, the reason is given, strong
and generated passphrases pass, and a refusal writes nothing."""

from __future__ import annotations

import hashlib

import pytest

from desktop_app.vault import Vault, errors, passphrases
from desktop_app.vault.passphrases import Reason
from vault_testdata import ADMIN, ADMIN_PASSPHRASE

# The list, then the same ideas a little longer (length alone must not pass them).
WEAK = ["password", "Agadez2026!", "P@ssw0rd2026", "Niamey1234", "Ouagadougou2025", "Bamako-Gao-2024",
        "iom2026waypoint", "azertyuiop123", "Addis Ababa 2026", "Djibouti123456", "motdepasse2026",
        "amina amina amina"]
STRONG = ["quiet river at dawn", "the goats drink before the long road", "bonjour famille ma route est longue sous la lune"]


def _fingerprint(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passphrases_are_refused_with_a_reason(weak):
    assessment = passphrases.assess(weak, context=(ADMIN,))
    assert not assessment.acceptable
    assert assessment.reasons


def test_the_reasons_name_what_is_wrong():
    assert Reason.COMMON_PASSWORD in passphrases.assess("password").reasons
    assert Reason.REGION_WORD in passphrases.assess("Agadez2026!").reasons
    assert Reason.LOOKALIKE in passphrases.assess("P@ssw0rd2026").reasons
    assert Reason.YEAR_OR_DATE in passphrases.assess("P@ssw0rd2026").reasons
    assert Reason.TOO_SHORT in passphrases.assess("Niamey1234").reasons
    assert Reason.OWN_NAME in passphrases.assess("moussa.traore2026", context=("moussa.traore",)).reasons
    assert passphrases.assess("").reasons == (Reason.EMPTY,)


@pytest.mark.parametrize("strong", STRONG)
def test_strong_passphrases_pass(strong):
    assert passphrases.assess(strong).acceptable


@pytest.mark.parametrize("language", ["en", "fr"])
def test_generated_passphrases_are_six_words_and_strong(language):
    seen = set()
    for _ in range(20):
        phrase = passphrases.generate(language)
        words = phrase.split(" ")
        assert len(words) == 6 and all(w.isascii() and w.isalpha() for w in words)
        assert passphrases.assess(phrase).acceptable
        seen.add(phrase)
    assert len(seen) == 20
    assert passphrases.generated_bits(language) >= 66


@pytest.mark.parametrize("weak", ["password", "Agadez2026!", "P@ssw0rd2026", "Niamey1234"])
def test_create_refuses_a_weak_passphrase_and_writes_nothing(vault_dir, weak):
    with pytest.raises(errors.WeakPassphrase) as refused:
        Vault.create(vault_dir, admin_username=ADMIN, admin_passphrase=weak, kdf_profile="test")
    assert refused.value.assessment.reasons
    assert not vault_dir.exists()


def test_production_vaults_follow_the_same_rule_before_any_key_derivation(vault_dir):
    with pytest.raises(errors.WeakPassphrase):
        Vault.create(vault_dir, admin_username=ADMIN, admin_passphrase="Agadez2026!")
    assert not Vault.exists(vault_dir)


@pytest.mark.parametrize("weak", ["password", "Agadez2026!", "P@ssw0rd2026", "Niamey1234"])
def test_add_user_and_both_passphrase_changes_refuse_the_weak_list(new_vault, vault_dir, weak):
    new_vault.add_user("moussa", "field staff passphrase", "field_staff")
    before = _fingerprint(vault_dir)
    with pytest.raises(errors.WeakPassphrase):
        new_vault.add_user("fatou", weak, "coordinator")
    with pytest.raises(errors.WeakPassphrase):
        new_vault.change_passphrase("moussa", None, weak)  # an administrator's reset
    with pytest.raises(errors.WeakPassphrase):
        new_vault.change_passphrase(ADMIN, ADMIN_PASSPHRASE, weak)  # one's own change
    with Vault.unlock(vault_dir, username="moussa", passphrase="field staff passphrase") as staff:
        with pytest.raises(errors.WeakPassphrase):
            staff.change_passphrase("moussa", "field staff passphrase", weak)
    assert {k: v for k, v in _fingerprint(vault_dir).items() if not k.startswith("waypoint.db")} == {
        k: v for k, v in before.items() if not k.startswith("waypoint.db")}
    assert [u.username for u in new_vault.list_users()] == [ADMIN, "moussa"]
