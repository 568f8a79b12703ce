"""A replayed run, told epoch by epoch: the pace of its stored epochs.

A config already run on the server comes back from the runner's cache with every event
at once (``Started``, each ``Epoch``, ``Done``). Drawn like that, a class sees only the
final state, never the story of the prediction bending towards the target. A
:class:`PacedReplay` holds those events and hands them out at the pace the run trained
(each report's ``elapsed``), no faster than a page redraws and no longer than ``cap``
seconds in all -- pure bookkeeping with an injectable clock, which the UI polls like a
live handle. Nothing is trained again, so a class replaying one preset costs no worker.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from .jobs import Done, Epoch, Event, Started

CAP_S = 8.0  # a whole replay takes at most this long, however long the run trained
MIN_GAP_S = 0.15  # an epoch per redraw at most (a page redraws every 0.15 s)


def schedule(elapsed: Sequence[float], total: float | None = None, *, cap: float = CAP_S,
             min_gap: float = MIN_GAP_S) -> list[float]:
    """When to show each stored epoch, in seconds from the replay's start.

    Parameters
    ----------
    elapsed : each epoch's end, in seconds from the start of training (the reports'
        ``elapsed``); a missing or non-increasing value is spread from ``total``.
    total : the run's training time (``train_seconds``), used where ``elapsed`` is not.
    cap : the last epoch is shown at most this many seconds after the start.
    min_gap : epochs come at least this far apart (before the cap squeezes them), so a
        quick run is still seen epoch by epoch.

    Returns
    -------
    One time per epoch, non-decreasing, the last ≤ ``cap``. The first epoch is given the
    pace of the others: its ``elapsed`` may hold an XLA compile, which is not the story.
    """
    n = len(elapsed)
    if n == 0:
        return []
    gaps = _durations(elapsed, total)
    times: list[float] = []
    for d in gaps:
        times.append((times[-1] if times else 0.0) + max(d, min_gap))
    if times[-1] > cap:  # keep the run's rhythm, shrink its length
        scale = cap / times[-1]
        times = [t * scale for t in times]
    return times


def _durations(elapsed: Sequence[float], total: float | None) -> list[float]:
    """Each epoch's own seconds; a missing or non-increasing stamp gets the mean pace."""
    n = len(elapsed)
    ok = all(isinstance(e, (int, float)) and e == e for e in elapsed) and \
        all(b > a for a, b in zip([0.0, *elapsed], elapsed))
    if not ok:
        each = total / n if total and total > 0 else 0.0
        return [each] * n
    gaps = [b - a for a, b in zip([0.0, *elapsed], elapsed)]
    if n > 1:  # the first epoch compiled, maybe: give it the others' median pace
        rest = sorted(gaps[1:])
        gaps[0] = min(gaps[0], rest[len(rest) // 2])
    return gaps


class PacedReplay:
    """The events of a replayed run, released on :func:`schedule`'s clock.

    ``poll()`` answers like ``RunHandle.poll()``: the events due since the last call
    (``Started`` at once, each ``Epoch`` at its time, ``Done`` with the last epoch).
    ``skip()`` makes everything due now (the page's *Skip to the end*).

    A page that redraws slower than the schedule (a loaded server: one redraw may take a
    second) would jump over epochs: several fall due between two polls and only the last
    is drawn. So a poll hands out at most one epoch and the rest of the schedule waits
    (keeping its rhythm), for up to ``cap`` seconds of waiting in all; past that it
    catches up, so a replay never takes more than ``2 * cap``.

    Parameters
    ----------
    events : the handle's events, as the runner emitted them from its cache.
    clock : seconds, monotonic (injectable for tests).
    """

    def __init__(self, events: Sequence[Event], clock: Callable[[], float] = time.monotonic,
                 *, cap: float = CAP_S, min_gap: float = MIN_GAP_S):
        self._events = list(events)
        self._clock = clock
        self.start = clock()
        epochs = [e.report for e in self._events if isinstance(e, Epoch)]
        done = next((e for e in self._events if isinstance(e, Done)), None)
        total = getattr(done.result, "train_seconds", None) if done else None
        at = iter(schedule([getattr(r, "elapsed", None) for r in epochs], total,
                           cap=cap, min_gap=min_gap))
        self._due: list[float] = []
        last = 0.0
        for e in self._events:
            if isinstance(e, Epoch):
                last = next(at)
            self._due.append(0.0 if isinstance(e, Started) else last)
        self._next = 0
        self._late = 0.0  # seconds the schedule has waited for slow redraws (≤ cap)
        self._cap = cap
        self.skipped = False

    @property
    def length(self) -> float:
        """Seconds from the start to the last event."""
        return self._due[-1] if self._due else 0.0

    @property
    def finished(self) -> bool:
        return self._next >= len(self._events)

    def elapsed(self) -> float:
        return self._clock() - self.start

    def _now(self) -> float:
        """Seconds into the schedule: the clock, less what slow redraws made it wait."""
        return self.elapsed() - self._late

    def skip(self) -> None:
        self.skipped = True

    def poll(self) -> list[Event]:
        now = float("inf") if self.skipped else self._now()
        out: list[Event] = []
        while self._next < len(self._events) and self._due[self._next] <= now:
            event = self._events[self._next]
            if isinstance(event, Epoch) and not self.skipped and self._late < self._cap \
                    and any(isinstance(e, Epoch) for e in out):
                # a second epoch is due at once: the page fell behind. Show this poll's
                # epoch; the rest wait, as if the replay had started that much later.
                shown = self._due[self._next - 1]
                self._late = min(self._cap, self._late + (now - shown))
                break
            out.append(event)
            self._next += 1
        return out
