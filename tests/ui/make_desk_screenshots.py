"""Render the review desk's screens to docs/screenshots/ (offscreen; synthetic people only).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.make_desk_screenshots

In English and French: a conflict answer by answer, one the server decided between two other laptops, the possible
duplicates with a pair and its reasons, the
decisions, and a rejected change with what to do; then the same conflict and pair on a 1024x600 screen
(`*-desk-6-conflict-1024x600.png`, `*-desk-7-duplicates-1024x600.png`: the decisions on two lines). Look at each PNG
the way a tired coordinator would.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (1280, 800)
SMALL = (1024, 600)  # a field or regional office netbook (tests/ui/test_small_screens.py)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["WAYPOINT_ALLOW_TEST_KDF"] = "1"  # throwaway vaults: the fast KDF is fine here
    home = Path(tempfile.mkdtemp(prefix="waypoint-desk-shots-"))

    from PySide6.QtWidgets import QApplication

    from desktop_app.paths import app_paths
    from desktop_app.records import review
    from desktop_app.ui.app import build_app
    from desktop_app.vault import Vault
    from tests.access.team import COORD, PASSPHRASES, make_team, shipped_xforms
    from tests.desk.people import pull_conflict, reject, save_event, save_people, server_conflict
    from tests.ui.screens import settle
    from tests.ui.test_desk_screens import people

    qt_app = QApplication([sys.argv[0]])
    OUT.mkdir(parents=True, exist_ok=True)
    xforms = shipped_xforms()

    def shot(widget, name: str, size: tuple[int, int] = SIZE) -> None:
        widget.resize(*size)
        settle(ms=300)
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    for lang in ("en", "fr"):
        os.environ["WAYPOINT_HOME"] = str(home / lang)
        folder = make_team(home / lang / "vault", xforms)
        crowd = people(30)
        with Vault.unlock(folder, username=COORD, passphrase=PASSPHRASES[COORD]) as vault:
            save_people(vault, crowd)
            pull_conflict(vault, crowd[0], other_given_name="Mahamadou")
            server_conflict(vault, crowd[2], lost_given_name="Usman", lost_device="arlit-field-2",
                            won_device="arlit-field-1")
            for _ in range(2):
                save_event(vault, review.short_id(crowd[1].id))
            reject(vault, crowd[5].id, "this record belongs to another centre")
            reject(vault, crowd[7].id, "not sendable: fields.narrative: String should have at most 100000 characters")
        app = build_app(qt_app=qt_app, paths=app_paths(), vault_path=folder, kdf_profile="test", language=lang)
        w = app.window
        w.resize(*SIZE)
        w.show()
        app.controller.unlock(username=COORD, passphrase=PASSPHRASES[COORD])
        settle(lambda: app.controller.is_unlocked)
        settle(ms=300)
        area = w.desk

        area.conflicts_action.trigger()
        page = area.conflicts_page
        settle(lambda: area.conflict_model.rowCount() == 2 and not area._fetching)

        def open_conflict(record_id: str) -> None:
            row = next(r for r in range(2) if area.conflict_model.row_at(r).record_id == record_id)
            page.table.setCurrentIndex(area.conflict_model.index(row, 0))
            settle(lambda: page.detail is not None and page.detail.record_id == record_id)

        open_conflict(crowd[0].id)
        shot(w, f"{lang}-desk-1-conflict")
        shot(w, f"{lang}-desk-6-conflict-1024x600", SMALL)
        open_conflict(crowd[2].id)
        shot(w, f"{lang}-desk-5-server-conflict")

        area.duplicates_action.trigger()
        dup = area.duplicates_page
        dup.find_button.click()
        settle(lambda: not dup.cancel_button.isVisible() and area.candidate_model.rowCount() > 0, ms=60_000)
        row = next(r for r in range(area.candidate_model.rowCount())
                   if crowd[1].id in (area.candidate_model.row_at(r).a, area.candidate_model.row_at(r).b))
        dup.table.setCurrentIndex(area.candidate_model.index(row, 0))
        settle(lambda: dup.pair is not None)
        shot(w, f"{lang}-desk-2-duplicates")
        shot(w, f"{lang}-desk-7-duplicates-1024x600", SMALL)
        (dup.keep_a if dup.pair.a.record_id == crowd[0].id else dup.keep_b).click()
        settle(lambda: area.decision_model.rowCount() == 1)
        dup.tabs.setCurrentIndex(1)
        dup.decision_table.setCurrentIndex(area.decision_model.index(0, 0))
        shot(w, f"{lang}-desk-3-decisions")

        area.rejected_action.trigger()
        rejected = area.rejected_page
        settle(lambda: area.rejected_model.rowCount() == 2)
        rejected.table.setCurrentIndex(area.rejected_model.index(0, 0))
        shot(w, f"{lang}-desk-4-rejected")
        w.lock()
        settle(lambda: not app.controller.is_unlocked and not app.controller.is_busy)
        app.close()
        settle(ms=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
