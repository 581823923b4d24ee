"""Render Find a person, the "already registered?" question and the indicators to docs/screenshots/ (offscreen;
synthetic people only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_registry_screenshots

In English and French. Look at each PNG the way a tired field worker would.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1100, 700)
PEOPLE = [  # (given, family, sex, nationality, document, born): invented combinations
    ("عثمان", "ديالو", "male", "ML", "", "1994-05-02"), ("Usman", "Diallo", "male", "NG", "", ""),
    ("Ousmane", "Diallo", "male", "GN", "GN 0772-118", "1990-11-23"), ("Moussa", "Diallo", "male", "ML", "", ""),
    ("Oumou", "Diallo", "female", "GN", "", ""), ("Aïcha", "Bello", "female", "NG", "AB 123-4567", "1999-04-02"),
    ("Aisha", "Bello", "female", "NE", "", ""), ("عائشة", "Bello", "female", "SD", "", ""),
    ("Mohamed", "Sanogo", "male", "ML", "", ""), ("Abdourahmane", "Sow", "male", "SN", "", ""),
]


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"
    home = Path(tempfile.mkdtemp(prefix="waypoint-registry-shots-"))

    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.ui.app import build_app
    from desktop_app.ui.registry_search import DuplicateQuestion
    from desktop_app.vault import Vault
    from desktop_app.vault.registrations import RegistrationDraft, save_registrations
    from tests.access.team import CASE, MIGRANT, PASSPHRASES, PERSON, make_team, shipped_xforms
    from tests.registry.device_people import person_xml
    from tests.ui.screens import settle
    from waypoint_core.registry.indicators import SESSION_FORM, TALLIES

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()

    def shot(widget, name: str) -> None:
        settle(ms=250)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    def uid(n: int) -> str:
        return f"{n:08x}-0000-4000-8000-{n:012x}"

    def populate(vault) -> None:
        rng = random.Random(5)
        drafts = []
        for n, (given, family, sex, nationality, document, born) in enumerate(PEOPLE, 1):
            content = person_xml(uid(n), given, family, sex=sex, born=born, nationality=nationality,
                                 document=document, age="" if born else str(rng.randint(18, 40)))
            age = rng.randint(18, 40)
            if born:  # the age at registration (2026-02-03) follows the date of birth, as the form computes it
                year, month, day = (int(part) for part in born.split("-"))
                age = 2026 - year - ((2, 3) < (month, day))
            drafts.append(RegistrationDraft(MIGRANT, "1", "finalized", content, uid(n), {
                "title": f"{given} {family}", "sex": sex, "age": age, "nationality": nationality,
                "centre": "ne_agadez", "registered_on": "2026-02-03", "beneficiary_category": "migrant_transit"}))
        centres = ["ne_agadez"] * 5 + ["ne_arlit"] * 2 + ["ne_dirkou"]
        for n in range(100, 400):  # more people, assisted, for the indicators
            sex = rng.choice(["female", "male", "male"])
            nationality = rng.choice(["ML", "ML", "GN", "NG", "NE", "SN", "CI", "BF"])
            drafts.append(RegistrationDraft(MIGRANT, "1", "finalized", "<data/>", uid(n), {
                "title": f"P{n}", "sex": sex, "age": rng.randint(8, 60), "nationality": nationality,
                "centre": rng.choice(centres), "registered_on": "2026-01-15",
                "beneficiary_category": rng.choice(["migrant_transit", "stranded", "stranded", "expelled", "returnee"])}))
            for m in range(rng.randint(1, 3)):
                kind = rng.choice(["food", "accommodation", "health_primary", "avrr_travel", "counselling_info"])
                drafts.append(RegistrationDraft("waypoint_assistance_event", "1", "finalized", "<data/>",
                                                uid(10_000 + n * 10 + m), {
                    "centre": "ne_agadez", "registered_on": f"2026-02-{rng.randint(1, 28):02d}",
                    "person_ref": uid(n).replace("-", "")[:8].upper(), "assistance_type": kind}))
        sessions = [  # (day, channel, target group, tallies, estimated reach)
            ("2026-02-10", "community_dialogue", "potential_migrants", {"f_18_24": 14, "m_18_24": 9, "m_25_35": 12}, 0),
            ("2026-02-24", "in_centre", "migrants_transit", {"f_0_17": 6, "f_25_35": 11, "m_36p": 10}, 0),
            ("2026-03-05", "radio", "community", {"f_18_24": 3, "m_25_35": 4}, 12_000)]
        for n, (day, channel, target, tallies, reach) in enumerate(sessions):  # information sessions, for 3.3
            drafts.append(RegistrationDraft(SESSION_FORM, "1", "finalized", "<data/>", uid(50_000 + n), {
                "centre": "ne_agadez", "registered_on": day, "channel": channel, "target_group": target,
                **{name: str(tallies.get(name, 0)) for name in TALLIES},
                **({"estimated_reach": str(reach)} if reach else {})}))
        save_registrations(vault, drafts)

    for lang in ("en", "fr"):
        os.environ["WAYPOINT_HOME"] = str(home / lang)
        folder = make_team(home / lang / "vault", xforms)
        with Vault.unlock(folder, username=CASE, passphrase=PASSPHRASES[CASE]) as vault:
            populate(vault)
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        app.controller.unlock(username=CASE, passphrase=PASSPHRASES[CASE])
        settle(lambda: app.controller.is_unlocked)
        settle(ms=300)

        area = w.search_area
        area.open()
        page = area.page
        shown = []  # every outcome the page showed: the first stage (exact keys) comes before the refined one
        original = page.show_outcome
        page.show_outcome = lambda outcome: (shown.append(outcome), original(outcome))
        for n, (typed, name) in enumerate((("Ousmane Diallo", "transliteration"), ("ab 123 4567", "document"),
                                           ("Aisha 27", "age")), 1):
            page.box.setText(typed)
            settle(lambda: page.outcome is not None and page.outcome.text == typed and page.outcome.complete)
            shot(w, f"{lang}-registry-{n}-search-{name}")
            if n == 1:  # what the screen shows while the refined search runs (it is replaced within a second)
                refined = page.outcome
                original(next(o for o in shown if o.text == typed and not o.complete))
                shot(w, f"{lang}-registry-1a-search-first-results")
                original(refined)
        page.show_outcome = original

        app.forms.start_new(MIGRANT)
        settle(lambda: app.forms.screen is not None and w.stack.currentWidget() is app.forms.screen)
        screen = app.forms.screen
        for ref, value in {**PERSON, "identity/given_name": "Ousman", "identity/family_name": "Diallo",
                           "identity/sex": "male", "identity/date_of_birth": "1990-11-23",
                           "identity/nationality": "GN", "identity/id_document_type": "passport",
                           "identity/id_document_number": "GN0772118"}.items():
            screen.session.answer(f"/data/{ref}", value)
        screen.finalize()
        settle(lambda: screen.findChild(DuplicateQuestion) is not None)
        question = screen.findChild(DuplicateQuestion)
        shot(question, f"{lang}-registry-4-already-registered")
        question.back_button.click()
        settle(ms=200)

        reports = w.reports_area
        reports.open()
        rpage = reports.page
        rpage.start.setDate(QDate(2026, 1, 1))
        rpage.end.setDate(QDate(2026, 3, 31))
        rpage.compute_button.click()
        settle(lambda: rpage.indicators.rowCount() > 0)
        shot(w, f"{lang}-registry-5-indicators-by-sex")
        rpage.dimension.setCurrentIndex(rpage.dimension.findData("age_group"))
        shot(w, f"{lang}-registry-6-indicators-by-age-group")
        row = next(r for r in range(rpage.indicators.rowCount())
                   if "3.3" in str(rpage.indicators.index(r, 0).data()))
        rpage.table.selectRow(row)
        settle(ms=200)
        shot(w, f"{lang}-registry-9-information-campaigns")
        rpage.dimension.setCurrentIndex(rpage.dimension.findData("channel"))
        shot(w, f"{lang}-registry-10-information-campaigns-by-channel")
        w.lock()
        settle(lambda: not app.controller.is_unlocked and app.controller.is_busy is False)
        app.close()
        settle(ms=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
