"""A push's batch sizes (desktop_app/sync/schedule.py): small first and last batches around full ones, every
waiting op in exactly one batch; through the real client against the real server, the batches posted are the
plan's, and batches frozen by an interrupted run go again as they were cut, the same bytes, whatever the plan."""

from __future__ import annotations

import itertools

import orjson
from hypothesis import given, settings, strategies as st
from tests.sync.support import FAST_RETRY

from desktop_app.services import sync as sync_service
from desktop_app.sync import store
from desktop_app.sync.schedule import RAMP_FROM_BATCH, RAMP_FROM_OPS, batch_sizes
from desktop_app.vault.registrations import RegistrationDraft, count_unsynced, save_registrations
from records import FORM_ID, FORM_VERSION, instance


def planned(waiting: int, largest: int) -> list[int]:
    """The sizes batch_sizes gives until they hold `waiting` ops."""
    sizes, total = [], 0
    for size in batch_sizes(waiting, largest):
        if total >= waiting:
            return sizes
        sizes.append(size)
        total += size
    raise AssertionError("unreachable")


def test_a_thousand_edits_go_in_a_ramp_up_and_down():
    assert planned(1000, 500) == [100, 250, 300, 250, 100]
    assert planned(10_000, 500)[:3] == [100, 250, 490] and planned(10_000, 500)[-3:] == [489, 250, 100]
    after = batch_sizes(1000, 500)
    assert list(itertools.islice(after, 7))[5:] == [500, 500]  # ops saved meanwhile: full batches


def test_few_ops_or_small_batches_are_not_ramped():
    assert planned(RAMP_FROM_OPS - 1, 500) == [500]
    assert planned(1000, RAMP_FROM_BATCH - 1) == [RAMP_FROM_BATCH - 1] * 11


@settings(max_examples=300, deadline=None)
@given(waiting=st.integers(min_value=0, max_value=50_000), largest=st.integers(min_value=1, max_value=500))
def test_the_plan_holds_the_waiting_ops_exactly_in_batches_within_the_largest(waiting, largest):
    sizes = planned(waiting, largest)
    assert all(1 <= size <= largest for size in sizes)
    if waiting >= RAMP_FROM_OPS and largest >= RAMP_FROM_BATCH:
        assert sum(sizes) == waiting
        assert sizes[0] < sizes[1] and sizes[-1] < sizes[-2] and sizes[0] == sizes[-1]
    else:
        assert len(sizes) == -(-waiting // largest)


def _recording():
    bodies: list[bytes] = []

    class Recording(sync_service.ServerConnection):
        def push(self, batch_body):
            bodies.append(batch_body)
            return super().push(batch_body)

    return bodies, lambda url, **kwargs: Recording(url, **{"retry": FAST_RETRY, **kwargs})


def _save(vault, count: int) -> None:
    save_registrations(vault, [RegistrationDraft(FORM_ID, FORM_VERSION, "finalized", instance(f"Plan {n}", 20 + n % 60),
                                                 None, {"title": f"Plan {n}", "age": 20 + n % 60})
                               for n in range(count)])


def _seqs(body: bytes) -> tuple[int, int, int]:
    batch = orjson.loads(body)
    return batch["seq_from"], batch["seq_to"], len(batch["ops"])


def test_a_push_posts_the_planned_batches(enrolled):
    vault = enrolled("plan")
    _save(vault, 200)
    bodies, connect = _recording()
    summary = sync_service.sync_now(vault, connect=connect, batch_size=100)
    assert [_seqs(body) for body in bodies] == [(1, 20, 20), (21, 70, 50), (71, 130, 60), (131, 180, 50),
                                                (181, 200, 20)]
    assert summary.acknowledged == 200 and count_unsynced(vault) == 0


def test_batches_frozen_before_a_crash_go_again_as_they_were_cut(enrolled):
    vault = enrolled("cut")
    _save(vault, 200)
    credentials = store.load_credentials(vault)
    first = store.next_batch(vault, credentials, max_ops=20)  # posted, say, and the laptop died
    _, second = store.acknowledge_and_next(vault, credentials, None, max_ops=50, after=first.seq_to)
    assert (_seqs(first.body), _seqs(second.body)) == ((1, 20, 20), (21, 70, 50))
    bodies, connect = _recording()
    summary = sync_service.sync_now(vault, connect=connect)  # batches of up to 500: the two go as they were
    assert bodies[:2] == [first.body, second.body]  # the very same bytes
    assert [_seqs(body) for body in bodies[2:]] == [(71, 200, 130)]  # the 130 left: too few for a ramp
    assert summary.acknowledged == 200 and count_unsynced(vault) == 0
