"""A sync run spaces out Python's cyclic garbage collector (desktop_app/sync/collector.py): its first threshold is
raised while any run works and put back as it was once the last one ends, also when a run fails; a threshold the
application set itself (higher, or 0: no automatic collection) is left as it is."""

from __future__ import annotations

import gc

import pytest
from records import register
from tests.sync.support import fast_connect

from desktop_app.services import sync as sync_service
from desktop_app.sync import collector
from desktop_app.vault.registrations import count_unsynced


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_threshold_is_raised_while_runs_overlap_and_put_back_after_the_last(thresholds):
    with collector.spaced():
        assert gc.get_threshold() == (collector.SYNC_THRESHOLD, 10, 10)
        with collector.spaced():  # another run at the same time
            assert gc.get_threshold()[0] == collector.SYNC_THRESHOLD
        assert gc.get_threshold()[0] == collector.SYNC_THRESHOLD  # the first one still works
    assert gc.get_threshold() == (700, 10, 10)


def test_the_threshold_is_put_back_when_a_run_fails(thresholds):
    with pytest.raises(RuntimeError), collector.spaced():
        raise RuntimeError("the server went away")
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("own", [(50_000, 10, 10), (0, 10, 10)])
def test_a_threshold_the_application_chose_is_left_as_it_is(thresholds, own):
    gc.set_threshold(*own)
    with collector.spaced():
        assert gc.get_threshold() == own
    assert gc.get_threshold() == own


def test_one_set_during_a_run_stays(thresholds):
    with collector.spaced():
        gc.set_threshold(1_000, 10, 10)
    assert gc.get_threshold() == (1_000, 10, 10)


def test_a_real_run_works_with_the_collector_spaced_and_puts_it_back(enrolled, thresholds):
    vault = enrolled("spaced")
    try:
        for n in range(3):
            register(vault, f"Spaced Person {n}", 30 + n)
        during = []
        summary = sync_service.sync_now(vault, connect=fast_connect(), batch_size=1,
                                        progress=lambda _p: during.append(gc.get_threshold()[0]))
        assert summary.acknowledged == 3 and count_unsynced(vault) == 0
        assert during and set(during) == {collector.SYNC_THRESHOLD}
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        vault.close()
