"""Synthetic registrations for UI tests and screenshots: invented combinations, no real person."""

from __future__ import annotations

import random

GIVEN = ["Aïcha", "Moussa", "Fatima", "Ibrahim", "Mariam", "Oumar", "Hawa", "Abdoulaye", "Selam", "Dawit",
         "Hiwot", "Yonas", "Kadiatou", "Issa", "Ramatou", "Tesfaye", "Awa", "Seydou", "Meron", "Bakary"]
FAMILY = ["Traoré", "Diallo", "Keïta", "Coulibaly", "Maïga", "Tesfaye", "Bekele", "Haile", "Sow", "Cissé",
          "Touré", "Girma", "Abebe", "Konaté", "Sangaré", "Mengistu", "Ouédraogo", "Kane", "Bah", "Diarra"]
NATIONALITIES = ["ML", "NE", "ET", "GN", "SN", "ER", "BF", "CI"]  # ISO codes, as the forms store them


def registration_fields(seed: int) -> dict[str, str | int]:
    rng = random.Random(seed)
    return {
        "title": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        "sex": rng.choice(["female", "male"]),
        "age": rng.randint(9, 58),
        "nationality": rng.choice(NATIONALITIES),
        "centre": "ne_agadez",  # a shipped centre: people see the records of their own centre
    }


def save_synthetic(vault, count: int, *, first_seed: int = 0) -> list[str]:
    """Save `count` registrations through the vault API; returns their ids."""
    from desktop_app.vault.registrations import save_registration

    ids = []
    for n in range(first_seed, first_seed + count):
        reg = save_registration(
            vault,
            form_id="waypoint_migrant_registration",  # the shipped form: the list shows its title
            form_version="2026120601",
            status="finalized" if n % 3 else "draft",
            content=f"<data><n>{n}</n></data>",
            fields=registration_fields(n),
        )
        ids.append(reg.id)
    return ids
