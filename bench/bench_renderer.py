"""Form renderer bench: for every corpus form, the engine load, the time to build the form view
(pages are built when first shown) and to show its first page, offscreen. Prints one line per form.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_renderer.py [FILE...]

Figures are wall-clock on whatever machine runs it (a shared machine inflates them).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.corpus import MISSING, corpus_path


def main(paths: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.forms.view import FormView
    from waypoint_core.xform import FormDefinition, FormSession

    app = QApplication([sys.argv[0]])
    if not paths and not corpus_path("xforms").is_dir():
        print(MISSING, file=sys.stderr)
        return 1
    paths = paths or [str(p) for p in sorted(corpus_path("xforms").glob("*.xml"))]
    print(f"{'form':40s} {'pages':>5s} {'built':>6s} {'engine_ms':>9s} {'view_ms':>8s} {'shown_ms':>8s} "
          f"{'all_pages_ms':>12s} {'widgets':>7s}")
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            xml = handle.read()
        t0 = time.perf_counter()
        session = FormSession(FormDefinition.from_xml(xml))
        t1 = time.perf_counter()
        view = FormView(session=session)
        t2 = time.perf_counter()
        view.resize(1100, 800)
        view.show()
        app.processEvents()
        t3 = time.perf_counter()
        built = len(view.fields)
        view.build_all()
        t4 = time.perf_counter()
        print(f"{os.path.basename(path):40s} {len(view.pages):5d} {built:6d} {1000 * (t1 - t0):9.0f} "
              f"{1000 * (t2 - t1):8.0f} {1000 * (t3 - t2):8.0f} {1000 * (t4 - t3):12.0f} {len(view.fields):7d}")
        view.close()
        view.deleteLater()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
