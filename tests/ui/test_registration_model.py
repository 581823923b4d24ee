"""The lazy registration list model, on a real vault through the real database thread."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desktop_app.services import registrations
from desktop_app.ui.registration_model import AGE, ID, RECORD_ID_ROLE, SEX, STATUS, TITLE, RegistrationListModel
from desktop_app.ui.tasks import TaskRunner
from desktop_app.vault.vault import Vault
from tests.ui.synthetic import save_synthetic

pytestmark = pytest.mark.gui


@pytest.fixture
def vault(tmp_path):
    vault, _code = Vault.create(
        tmp_path / "vault", admin_username="admin", admin_passphrase="a test passphrase for the list", kdf_profile="test"
    )
    yield vault
    vault.close()


@pytest.fixture
def runner(qapp):
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def _source(runner, vault, calls=None):
    def fetch(offset, limit, search, deliver, fail):
        if calls is not None:
            calls.append((offset, limit, search))
        task = runner.run_db(
            lambda state: registrations.list_page(vault, offset=offset, limit=limit, search=search)
        )
        task.succeeded.connect(deliver)
        task.failed.connect(fail)

    return fetch


def _load_all(qtbot, model):
    qtbot.waitUntil(lambda: not model.is_loading, timeout=10_000)
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.is_loading, timeout=10_000)


def test_model_passes_qt_model_tester_while_loading_pages(qtbot, qtmodeltester, vault, runner):
    ids = save_synthetic(vault, 120)
    calls = []
    model = RegistrationListModel(fetch_page=_source(runner, vault, calls), page_size=50)
    qtmodeltester.check(model)  # attaches QAbstractItemModelTester: it watches every later change too
    model.refresh()
    _load_all(qtbot, model)
    assert model.rowCount() == 120
    assert [c[0] for c in calls] == [0, 50, 100]  # one page at a time, never the whole table
    assert {model.data(model.index(r, ID), RECORD_ID_ROLE) for r in range(120)} == set(ids)
    qtmodeltester.check(model)
    model.clear()
    assert model.rowCount() == 0 and not model.canFetchMore()


def test_display_values_are_readable(qtbot, vault, runner):
    save_synthetic(vault, 3)
    model = RegistrationListModel(fetch_page=_source(runner, vault), page_size=10)
    model.refresh()
    _load_all(qtbot, model)
    row = model.row_at(0)
    assert model.data(model.index(0, TITLE)) == row.title
    assert model.data(model.index(0, SEX)) in {"Female", "Male"}
    assert model.data(model.index(0, AGE)) == str(row.age)
    assert model.data(model.index(0, STATUS)) in {"Draft", "Finalized"}
    assert len(model.data(model.index(0, ID))) == 8
    assert model.data(model.index(0, ID), Qt.ItemDataRole.ToolTipRole) == row.record_id
    assert model.headerData(TITLE, Qt.Orientation.Horizontal) == "Name"


def test_search_restarts_from_the_first_page(qtbot, vault, runner):
    save_synthetic(vault, 40)
    model = RegistrationListModel(fetch_page=_source(runner, vault), page_size=100)
    model.refresh()
    _load_all(qtbot, model)
    name = model.row_at(0).title
    expected = sum(1 for r in range(40) if name.lower() in model.row_at(r).title.lower())
    model.refresh(name)
    _load_all(qtbot, model)
    assert model.rowCount() == expected >= 1
    assert all(name.lower() in model.row_at(r).title.lower() for r in range(model.rowCount()))


def test_a_page_that_arrives_after_clear_is_dropped(qtbot, vault, runner):
    save_synthetic(vault, 5)
    delivered = []
    model = RegistrationListModel(fetch_page=_source(runner, vault, delivered), page_size=10)
    model.refresh()  # a page is now on its way
    model.clear()  # lock happens before it arrives
    task = runner.run_db(lambda state: None)  # queued after the page: when it is done, so is the page
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert delivered and model.rowCount() == 0


def test_a_failed_page_is_reported_not_raised(qtbot, runner):
    def broken(offset, limit, search, deliver, fail):
        task = runner.run_db(lambda state: (_ for _ in ()).throw(OSError("disk gone")))
        task.succeeded.connect(deliver)
        task.failed.connect(fail)

    model = RegistrationListModel(fetch_page=broken, page_size=10)
    with qtbot.waitSignal(model.load_failed, timeout=10_000) as failed:
        model.refresh()
    assert isinstance(failed.args[0], OSError)
    assert not model.canFetchMore(QModelIndex()) and model.rowCount() == 0
