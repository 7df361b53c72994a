"""A fair share of the server for training: a bounded number of trainings at once, the others wait their turn.

Streamlit runs every session's script in a thread of ONE process, and a training run is NumPy and
Python work that mostly holds the GIL: ten trainings started at once (one student's ten tabs on the
most expensive link) slow every other session of the process, the optimizer race's too, by the
share of the interpreter they take. :class:`TrainingQueue` lets at most ``slots`` trainings run at
once in the process, and at most ``per_session`` of them from one session (a fragment and the page
of one tab, say); the others wait in order of arrival and are told how many runs are ahead of them.
At most ``max_waiting`` may wait: one more is refused (:class:`QueueFull`), with a message.

There is no module-level state: the page's cache holds the one queue of the process in an
``st.cache_resource`` (``optiviz.ui.train_network.training_queue``). The class itself is plain threading,
tested with threads.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


class QueueFull(RuntimeError):
    """More trainings would wait than the queue allows."""


class TrainingQueue:
    """At most ``slots`` holders at once, at most ``per_session`` per session; first come, first served.

    ``with queue.turn(session, on_wait): ...`` blocks until this caller may train. While it waits,
    ``on_wait(ahead)`` is called with the number of runs ahead of it (running ones included) when
    that number changes and every ``poll`` seconds, so that a page can show it, and so that
    Streamlit may stop a run whose student has moved on (it raises from inside an ``st`` call);
    the place in the queue is given up whatever happens.
    """

    def __init__(self, slots: int = 1, per_session: int = 1, max_waiting: int = 64, poll: float = 0.5):
        if int(slots) < 1 or int(per_session) < 1 or int(max_waiting) < 0:
            raise ValueError(f"slots and per_session must be ≥ 1 and max_waiting ≥ 0, got {slots}, {per_session}, "
                             f"{max_waiting}")
        self.slots, self.per_session, self.max_waiting, self.poll = int(slots), int(per_session), int(max_waiting), poll
        self._changed = threading.Condition()
        self._running: dict[str, int] = {}  # session → its trainings running now
        self._waiting: list[tuple[int, str]] = []  # (ticket, session) in order of arrival
        self._tickets = itertools.count()

    def _may_start(self, ticket: int, session: str) -> bool:
        """Whether ``ticket`` is the first waiting one that may run now (free slot, its session under its share)."""
        if sum(self._running.values()) >= self.slots:
            return False
        for t, s in self._waiting:
            if self._running.get(s, 0) < self.per_session:
                return t == ticket
        return False

    def _ahead(self, ticket: int) -> int:
        return sum(self._running.values()) + sum(1 for t, _ in self._waiting if t < ticket)

    def status(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._changed:
            return sum(self._running.values()), len(self._waiting)

    @contextmanager
    def turn(self, session: str, on_wait: Callable[[int], object] | None = None) -> Iterator[None]:
        with self._changed:
            ticket = next(self._tickets)
            self._waiting.append((ticket, session))
            if len(self._waiting) > self.max_waiting and not self._may_start(ticket, session):
                self._waiting.remove((ticket, session))
                raise QueueFull(f"{len(self._waiting)} trainings are already waiting (at most {self.max_waiting})")
            shown = None
            try:
                while not self._may_start(ticket, session):
                    ahead = self._ahead(ticket)
                    if on_wait is not None:
                        shown = ahead
                        self._changed.release()  # never call out while holding the lock
                        try:
                            on_wait(ahead)
                        finally:
                            self._changed.acquire()
                        if self._may_start(ticket, session):
                            break
                    self._changed.wait(self.poll if shown is not None else None)
            except BaseException:
                self._waiting.remove((ticket, session))
                self._changed.notify_all()
                raise
            self._waiting.remove((ticket, session))
            self._running[session] = self._running.get(session, 0) + 1
            self._changed.notify_all()  # a further free slot may let the next one start too
        try:
            yield
        finally:
            with self._changed:
                self._running[session] -= 1
                if not self._running[session]:
                    del self._running[session]
                self._changed.notify_all()
