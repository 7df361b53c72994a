"""A fair share of the server for training (issue 16 §4): a bounded number of trainings at once, the rest queued.

``optiviz.ui.fair_share.TrainingQueue`` with threads (events, never timings), then the page: a training that
finds the process's slot taken waits, with its place shown, and trains once the slot is free.
"""

import threading

import pytest
from apptest_helpers import clean, figures, follow

from optiviz.ui import train_network as cache
from optiviz.ui.fair_share import QueueFull, TrainingQueue

WAIT = 60  # seconds an event may take before the test fails instead of hanging


class Holder(threading.Thread):
    """Takes a turn for ``session`` and keeps it until ``release`` is set; records what it was told while waiting."""

    def __init__(self, queue: TrainingQueue, session: str, log: list | None = None, fail_on_wait: bool = False):
        super().__init__(daemon=True)
        self.queue, self.session, self.log = queue, session, log if log is not None else []
        self.started, self.release, self.told, self.fail_on_wait = threading.Event(), threading.Event(), [], fail_on_wait
        self.error = None

    def on_wait(self, ahead: int):
        self.told.append(ahead)
        if self.fail_on_wait:
            raise KeyboardInterrupt("the student moved on")  # as Streamlit stops a run from inside an st call

    def run(self):
        try:
            with self.queue.turn(self.session, self.on_wait):
                self.log.append(self.session)
                self.started.set()
                assert self.release.wait(WAIT)
        except BaseException as error:  # noqa: BLE001 - recorded for the test to check
            self.error = error


def wait_until(condition, what: str):
    done = threading.Event()
    for _ in range(WAIT * 100):
        if condition():
            return
        done.wait(0.01)
    pytest.fail(f"never happened: {what}")


def test_one_slot_queues_the_second_and_tells_it_its_place():
    queue = TrainingQueue(slots=1, poll=0.01)
    first, second = Holder(queue, "a"), Holder(queue, "b")
    first.start()
    assert first.started.wait(WAIT)
    second.start()
    wait_until(lambda: queue.status() == (1, 1) and second.told, "the second waits and is told")
    assert not second.started.is_set() and set(second.told) == {1}  # one run ahead of it: the first
    first.release.set()
    assert second.started.wait(WAIT)
    second.release.set()
    for h in (first, second):
        h.join(WAIT)
        assert h.error is None
    assert queue.status() == (0, 0)


def test_first_come_first_served_and_never_more_than_the_slots():
    queue, log = TrainingQueue(slots=2, poll=0.01), []
    holders = [Holder(queue, f"s{k}", log) for k in range(6)]
    for h in holders[:2]:
        h.start()
        assert h.started.wait(WAIT)
    for k, h in enumerate(holders[2:], start=2):  # arrive one after the other
        h.start()
        wait_until(lambda k=k: queue.status() == (2, k - 1), f"holder {k} queued")
    assert [h.told[-1] for h in holders[2:]] == [2, 3, 4, 5]  # the running ones and those that came earlier
    for h in holders:
        h.release.set()
        h.join(WAIT)
        assert h.error is None
    assert log == [f"s{k}" for k in range(6)]


def test_a_session_gets_one_slot_while_another_session_goes_ahead():
    queue, log = TrainingQueue(slots=2, per_session=1, poll=0.01), []
    tab = Holder(queue, "same", log)
    tab.start()
    assert tab.started.wait(WAIT)
    again, other = Holder(queue, "same", log), Holder(queue, "other", log)
    again.start()
    wait_until(lambda: queue.status() == (1, 1), "the session's second run waits although a slot is free")
    other.start()
    assert other.started.wait(WAIT)  # arrived later, but another session: it takes the free slot
    assert not again.started.is_set()
    tab.release.set()
    assert again.started.wait(WAIT)
    for h in (again, other, tab):
        h.release.set()
        h.join(WAIT)
    assert log == ["same", "other", "same"]


def test_a_run_stopped_while_waiting_gives_up_its_place():
    queue = TrainingQueue(slots=1, poll=0.01)
    first, quitter, last = Holder(queue, "a"), Holder(queue, "b", fail_on_wait=True), Holder(queue, "c")
    first.start()
    assert first.started.wait(WAIT)
    quitter.start()
    quitter.join(WAIT)
    assert isinstance(quitter.error, KeyboardInterrupt) and queue.status() == (1, 0)
    last.start()
    wait_until(lambda: last.told, "the next one waits")
    assert last.told[-1] == 1  # only the running one ahead: the quitter left no ghost
    first.release.set()
    assert last.started.wait(WAIT)
    last.release.set()
    last.join(WAIT)


def test_a_full_queue_refuses_with_a_message():
    queue = TrainingQueue(slots=1, max_waiting=1, poll=0.01)
    first, waiting = Holder(queue, "a"), Holder(queue, "b")
    first.start()
    assert first.started.wait(WAIT)
    waiting.start()
    wait_until(lambda: queue.status() == (1, 1), "one waits")
    with pytest.raises(QueueFull, match="at most 1"):
        with queue.turn("c"):
            pass
    for h in (first, waiting):
        h.release.set()
        h.join(WAIT)


def test_bad_bounds_are_refused():
    with pytest.raises(ValueError, match="slots"):
        TrainingQueue(slots=0)


def test_the_page_waits_for_the_slot_then_trains():
    queue = cache.training_queue()  # the process's one queue, shared with the page's runs (a resource)
    assert queue.slots == cache.TRAINING_SLOTS and queue.per_session == 1
    busy = Holder(queue, "another student")
    busy.start()
    assert busy.started.wait(WAIT)
    freed = threading.Thread(target=lambda: (wait_until(lambda: queue.status() == (1, 1), "the page queues"),
                                             busy.release.set()), daemon=True)
    freed.start()
    at = clean(follow("pages/train_network.py", {"samples": "100", "epochs": "3", "seeds": "2", "data_seed": "77"}))
    freed.join(WAIT)
    busy.join(WAIT)
    assert len(figures(at)) >= 5 and queue.status() == (0, 0)


def test_the_server_uses_one_blas_thread():
    from optiviz.core.blas_threads import blas_threads, loaded_openblas, one_blas_thread, set_blas_threads

    if not loaded_openblas():
        pytest.skip("no OpenBLAS loaded in this process (NumPy built against another BLAS)")
    before = blas_threads()
    try:
        assert set_blas_threads(2) >= 1 and set(blas_threads()) == {2}  # the setter really sets
        assert one_blas_thread() >= 1 and set(blas_threads()) == {1}
    finally:
        for count in set(before):
            set_blas_threads(count)


def test_a_full_queue_tells_the_student_to_press_train_again(monkeypatch):
    monkeypatch.setattr(cache, "TRAINING_WAITING", 0)  # nobody may wait
    cache.training_queue.clear()
    try:
        queue = cache.training_queue()
        busy = Holder(queue, "another student")
        busy.start()
        assert busy.started.wait(WAIT)
        at = follow("pages/train_network.py", {"samples": "100", "epochs": "3", "seeds": "2", "data_seed": "78"})
        busy.release.set()
        busy.join(WAIT)
        clean(at)
        assert any("press **Train** again" in w.value for w in at.warning)
        assert not figures(at)  # nothing drawn from a training that did not happen
    finally:
        cache.training_queue.clear()  # the next test gets a queue with the real bounds
