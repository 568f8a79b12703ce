"""Where runs execute: a bounded pool of worker processes, or threads in this process.

The app submits a config and a task and reads a stream of typed events from the returned
:class:`RunHandle`; the runner knows nothing of Streamlit. Jobs, tasks and events are the
records of :mod:`lstm_lab.jobs`: ``Queued(position)``, ``Started()``, ``Epoch(report)``, then
``Done(result)`` or ``Failed(message)``. A job is a config plus a task: ``RUN`` (train and
score, the default), ``LR_FIND`` (the learning-rate range test, whose result is an
:class:`~lstm_lab.lr_find.LRFindResult`) or ``SweepCell(x_field, y_field)``. A finished (not
stopped) result is cached by task and config: submitting the same job again, from any
session, replays it at once.

A runner can keep a *journal*: one JSON line per job event (submitted, started,
cancel, finished) in the file named by ``LSTM_LAB_JOURNAL``. It is how a class
server's operator -- and the cancellation tests -- see what ran, what was cancelled
at which epoch, and when each worker was free again.
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing as mp
import os
import queue
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Iterator, Sequence

from .config import ExperimentConfig
from .jobs import (FINAL, RUN, Done, Epoch, Event, Failed, Job, Queued, Started, Task,
                   Waiting, perform)

_IDLE = "idle"  # what a slot's wait for work returns when none came in time
JOURNAL_ENV = "LSTM_LAB_JOURNAL"
_ids = itertools.count(1)


class Journal:
    """Append-only JSON lines of job events; a no-op without a path."""

    def __init__(self, path: str | None):
        self.path = path
        self._lock = threading.Lock()

    def write(self, event: str, handle: "RunHandle", **fields) -> None:
        self.note(event, job=handle.id, task=handle.task.name, seed=handle.config.seed,
                  epochs=handle.config.epochs, **fields)

    def note(self, event: str, **fields) -> None:
        """A line about the pool itself (a worker ready, or restarted), or about a job."""
        if not self.path:
            return
        line = {"t": round(time.time(), 4), "event": event, "job": None, "seed": None,
                **fields}
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")


def read_journal(path: str) -> list[dict]:
    """The events a journal holds, oldest first."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class StopWatch:
    """A job's ``should_stop`` that also keeps the evidence of how promptly it stopped.

    ``cancelled_at()`` is the wall time the cancel was asked (0.0 while not asked).
    Epoch starts and ends are stamped, so the journal can say how many epochs began or
    ended after the cancel: none may begin, and only the one in progress may end.
    """

    def __init__(self, cancelled_at):
        self._cancelled_at = cancelled_at
        self.begun: list[float] = []
        self.ended: list[float] = []
        self.stopped_at = 0.0

    def should_stop(self) -> bool:
        # stamp first, read the flag second: an epoch that begins is never stamped later
        # than a cancel it did not see
        now = time.time()
        if self._cancelled_at():
            self.stopped_at = self.stopped_at or now
            return True
        self.begun.append(now)
        return False

    def epoch_done(self) -> None:
        self.ended.append(time.time())

    def stats(self) -> dict:
        c = self._cancelled_at()
        if not c:
            return {}
        return {"epochs_begun_after_cancel": sum(t > c for t in self.begun),
                "epochs_ended_after_cancel": sum(t > c for t in self.ended),
                "stop_s_after_cancel": round((self.stopped_at or time.time()) - c, 4)}


class RunHandle:
    """One submitted run: its event stream, its state, and a way to cancel it."""

    def __init__(self, job: Job, runner: "_BaseRunner"):
        self.job = job
        self.id = next(_ids)
        self.replayed = False
        self.last_epoch = 0  # the last epoch reported (what a cancel interrupts)
        self.cancelled_at = 0.0  # wall time of the cancel, 0.0 while not cancelled
        self._flag = None  # the cancel flag of the worker process running this job
        self._lock = threading.Lock()
        self.stop_stats: dict = {}  # how promptly the job stopped (see StopWatch)
        self._runner = runner
        self._events: queue.Queue = queue.Queue()
        self._cancelled = threading.Event()
        self.finished = threading.Event()

    def cancel(self) -> None:
        """Ask the run to stop; the worker checks before every epoch and is then freed."""
        with self._lock:
            first = not self._cancelled.is_set() and not self.finished.is_set()
            if first:
                # infinity first (cancelled from now on), then the time: an epoch that
                # began after the stamp can never have read "not cancelled"
                self._set_cancelled_at(math.inf)
                self._set_cancelled_at(time.time())
            self._cancelled.set()
        if first:
            self._runner.journal.write("cancel", self, at_epoch=self.last_epoch)

    def _set_cancelled_at(self, t: float) -> None:
        self.cancelled_at = t
        if self._flag is not None:
            self._flag.value = t

    def _attach(self, flag) -> None:
        """Point cancel() at a worker's shared flag (None detaches it)."""
        with self._lock:
            if flag is not None:
                flag.value = self.cancelled_at
            self._flag = flag

    @property
    def config(self) -> ExperimentConfig:
        return self.job.config

    @property
    def task(self) -> Task:
        return self.job.task

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def position(self) -> int:
        """Place in the queue (1 = next), or 0 once running."""
        return self._runner._position(self)

    def events(self, timeout: float | None = None) -> Iterator[Event]:
        """Yield events until the run is done or fails; after ``timeout`` s without one,
        a ``Waiting(position)``."""
        while True:
            try:
                event = self._events.get(timeout=timeout)
            except queue.Empty:
                yield Waiting(self.position())
                continue
            yield event
            if isinstance(event, FINAL):
                return

    def poll(self) -> list[Event]:
        """All events that have arrived, without waiting."""
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def _emit(self, event: Event) -> None:
        if isinstance(event, Epoch):
            self.last_epoch = event.report.epoch
        self._events.put(event)
        if isinstance(event, FINAL):
            self.finished.set()


class _BaseRunner:
    """Queue, replay cache and slot threads shared by both runners."""

    def __init__(self, workers: int, cache_size: int = 256, journal: str | None = None):
        self.workers = workers
        self.journal = Journal(journal or os.environ.get(JOURNAL_ENV))
        self._pending: deque[RunHandle] = deque()
        self._cond = threading.Condition()
        self._cache: OrderedDict[str, object] = OrderedDict()
        self._cache_size = cache_size
        self._closed = False
        self.busy = 0  # slots running a job now
        self.started_at = time.monotonic()  # the page says how long its workers take
        self._slots = [
            threading.Thread(target=self._slot_loop, args=(i,), daemon=True, name=f"slot-{i}")
            for i in range(workers)
        ]
        for t in self._slots:
            t.start()

    # --- public ---------------------------------------------------------------------
    def submit(self, config: ExperimentConfig, task: Task = RUN, *,
               fresh: bool = False) -> RunHandle:
        """Queue a job (or replay it from the cache); its events arrive on the handle.

        ``fresh=True`` trains it again even if it is cached (the Playground's *Run
        again*: the same seed gives the same numbers, but the class sees it learn).
        """
        handle = RunHandle(Job(config.validate(), task), self)
        cached = None if fresh else self.cached(handle.config, task)
        self.journal.write("submitted", handle, replayed=cached is not None, fresh=fresh)
        if cached is not None:
            handle.replayed = True
            handle._emit(Started())
            for report in getattr(cached, "history", []):
                handle._emit(Epoch(report))
            handle._emit(Done(cached))
            return handle
        self._enqueue(handle)
        return handle

    def warming(self) -> bool:
        """True while no worker can take a job yet because all are still starting (a
        process pool's first 15-40 s after the server starts, measured here)."""
        return False

    def waiting(self) -> int:
        """How many submitted jobs wait for a free slot now."""
        with self._cond:
            return len(self._pending)

    def cached(self, config: ExperimentConfig, task: Task = RUN):
        key = Job(config, task).key
        with self._cond:
            result = self._cache.get(key)
            if result is not None:
                self._cache.move_to_end(key)
            return result

    def shutdown(self) -> None:
        with self._cond:
            self._closed = True
            for h in self._pending:
                h.cancel()
            self._cond.notify_all()

    # --- internals ------------------------------------------------------------------
    def _enqueue(self, handle: RunHandle) -> None:
        with self._cond:
            self._pending.append(handle)
            handle._emit(Queued(len(self._pending) if self.busy >= self.workers else 0))
            self._cond.notify()

    def _position(self, handle: RunHandle) -> int:
        with self._cond:
            try:
                return self._pending.index(handle) + 1
            except ValueError:
                return 0

    def _next(self, idle_check: float, slot: int = 0) -> RunHandle | str | None:
        """The next job; None once shut down; _IDLE after ``idle_check`` s with no job,
        or at once when the slot has warm-up work to do in its idle time."""
        with self._cond:
            if self._closed:
                return None
            while self._pending and self._pending[0].cancelled:
                dropped = self._pending.popleft()
                dropped._emit(Failed("cancelled before it started"))
                self.journal.write("dropped", dropped)
            if self._pending:
                self.busy += 1
                return self._pending.popleft()
            if not self._has_warmup(slot):
                self._cond.wait(timeout=idle_check)
            return _IDLE

    def _slot_loop(self, slot: int) -> None:
        self._prepare(slot)
        while True:
            handle = self._next(idle_check=1.0, slot=slot)
            if handle is None:
                return
            if handle is _IDLE:  # between jobs: make sure the slot's worker is alive
                self._prepare(slot)
                # then at most one warm-up job: a user's job that arrives meanwhile
                # waits for this one only, and is taken before the next
                self._warm_next(slot)
                continue
            result = None
            try:
                self.journal.write("started", handle, slot=slot)
                result = self._execute(slot, handle)
                if result is not None and not result.stopped:
                    self._remember(handle.job, result)
            finally:
                with self._cond:
                    self.busy -= 1
                self.journal.write("finished", handle, slot=slot,
                                   stopped=bool(getattr(result, "stopped", False)),
                                   failed=result is None,
                                   epochs_run=getattr(result, "epochs_run", None),
                                   **handle.stop_stats)

    def _remember(self, job: Job, result) -> None:
        with self._cond:
            self._cache[job.key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _prepare(self, slot: int) -> None:
        """Get a slot ready before its first job (a process pool starts its worker)."""

    def _has_warmup(self, slot: int) -> bool:
        """True while the slot has shapes left to compile in its idle time."""
        return False

    def _warm_next(self, slot: int) -> None:
        """Compile the next shape of the slot's warm-up list (a process pool's)."""

    def _execute(self, slot: int, handle: RunHandle):  # pragma: no cover - abstract
        raise NotImplementedError


class InProcessRunner(_BaseRunner):
    """Runs each job on a thread of this process: for tests, the CLI and AppTest."""

    def __init__(self, workers: int = 1, cache_size: int = 256, journal: str | None = None):
        super().__init__(workers, cache_size, journal)

    def _execute(self, slot: int, handle: RunHandle):
        handle._emit(Started())
        watch = StopWatch(lambda: handle.cancelled_at)

        def on_epoch(report):
            watch.epoch_done()
            handle._emit(Epoch(report))

        try:
            result = perform(handle.job, on_epoch, watch.should_stop)
        except Exception as err:  # a message for the page, not a traceback
            handle._emit(Failed(f"the run failed: {type(err).__name__}: {err}"))
            return None
        finally:
            handle.stop_stats = watch.stats()
        handle._emit(Done(result))
        return result


_READY = "ready"  # a worker's first message: TensorFlow loaded, the default shape compiled


@dataclass(frozen=True)
class _Stats:
    """A worker's note of how promptly its job stopped (see StopWatch): for the journal."""

    stats: dict


@dataclass(frozen=True)
class _Warm:
    """Parent to worker, in idle time: compile this config's shape (one epoch)."""

    config: ExperimentConfig


@dataclass(frozen=True)
class _Warmed:
    """Worker to parent: the warm-up is over; ``compiled`` is False when the shape was
    compiled already (or the config failed: a warm-up never troubles a user)."""

    compiled: bool


_warmed: set = set()  # in a worker: the (shape, data sizes) it has compiled


def _warm(config: ExperimentConfig) -> bool:
    """One epoch of ``config`` unless this process compiled its graphs already.

    A run reuses its thread's engine per :class:`~lstm_lab.model.Shape`, but the compiled
    functions are traced per tensor size too (windows in the training and test sets), so
    both are the key.
    """
    from .data import prepare
    from .train import shape_for

    try:
        data = prepare(config)
        key = (shape_for(config, data), data.x_train.shape, data.x_test.shape)
        if key in _warmed:
            return False
        perform(Job(config.replace(epochs=1)))
        _warmed.add(key)
        return True
    except Exception:  # noqa: BLE001 -- a bad warm-up config must not kill the worker
        return False


def _worker_main(conn, cancel_flag, threads: int) -> None:
    """A worker process: import TensorFlow once, warm the default shape, then serve jobs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from .model import tf  # noqa: F401  (TensorFlow imported once per worker)

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    # Compile the default Playground shape before the first user asks for it; the
    # failure pages' shapes follow in idle time (_Warm from the parent).
    _warm(ExperimentConfig(epochs=1))
    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        if isinstance(job, _Warm):
            conn.send(_Warmed(_warm(job.config)))
            continue
        watch = StopWatch(lambda: cancel_flag.value)  # the parent set it for this job

        def on_epoch(report):
            watch.epoch_done()
            conn.send(Epoch(report))

        try:
            result = perform(job, on_epoch, watch.should_stop)
            conn.send(_Stats(watch.stats()))
            conn.send(Done(result))
        except Exception as err:
            conn.send(Failed(f"the run failed: {type(err).__name__}: {err}"))


class _Worker:
    """The parent's side of one worker process: pipe, cancel flag, liveness."""

    def __init__(self, ctx, threads: int):
        self.conn, child = ctx.Pipe()
        # 0.0, or the wall time the job in flight was cancelled: written by the parent
        # (RunHandle.cancel), read by the worker before every epoch
        self.cancel_flag = ctx.Value("d", 0.0, lock=False)
        self.process = ctx.Process(
            target=_worker_main, args=(child, self.cancel_flag, threads), daemon=True
        )
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> bool:
        """True once the worker says it is warm; False if it died or is still silent
        after ``timeout`` seconds (then it is killed, and the slot starts another)."""
        deadline = time.monotonic() + timeout
        while self.process.is_alive() and time.monotonic() < deadline:
            if self.conn.poll(0.1):
                try:
                    return self.conn.recv() == _READY
                except (EOFError, OSError):
                    return False
        if self.process.is_alive():
            self.process.kill()
        # reap it: a SIGKILLed process with TensorFlow half-loaded takes a moment to exit,
        # and an unjoined one would linger as a zombie until the runner is collected
        self.process.join(timeout=10)
        return False

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)


class ProcessRunner(_BaseRunner):
    """A pool of worker processes sized to the cores; reports stream back over pipes.

    Each slot thread owns one worker. A worker that dies mid-run fails only that run
    (its handle gets an ``error`` event) and is replaced before the next job.
    """

    # A warm-up (TensorFlow import, one compile) takes ~10 s; a worker silent for this long
    # is stuck, and is replaced rather than holding its slot.
    ready_timeout = 180.0

    def __init__(self, workers: int | None = None, cache_size: int = 256,
                 journal: str | None = None, warm: Sequence[ExperimentConfig] = ()):
        """``warm``: configs whose shapes every worker compiles in its idle time, after
        its start (the failure pages' presets in the app), so a first click on them does
        not wait for XLA."""
        workers = workers or max(1, min(os.cpu_count() or 1, 4))
        self._warm = list(warm)
        self._todo: list[list[ExperimentConfig]] = [[] for _ in range(workers)]
        self._ctx = mp.get_context("spawn")  # fork after TF/Streamlit threads is unsafe
        self._threads = max(1, (os.cpu_count() or 1) // workers)
        self._workers: list[_Worker | None] = [None] * workers
        super().__init__(workers, cache_size, journal)  # starts the slot threads, which start workers

    def warming(self) -> bool:
        return not any(w is not None and w.ready for w in self._workers)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        return [w.process.pid for w in self._workers if w is not None and w.process.is_alive()]

    def shutdown(self) -> None:
        super().shutdown()
        for w in self._workers:
            if w is not None:
                w.stop()

    def _prepare(self, slot: int) -> None:
        self._worker(slot)  # start and warm the process now, not on the first click

    def _worker(self, slot: int) -> _Worker:
        w = self._workers[slot]
        if w is None or not w.process.is_alive():
            t0 = time.monotonic()
            w = self._workers[slot] = _Worker(self._ctx, self._threads)
            w.ready = w.wait_ready(self.ready_timeout)
            self.journal.note("worker_ready" if w.ready else "worker_failed", slot=slot,
                              pid=w.process.pid, seconds=round(time.monotonic() - t0, 2))
            self._todo[slot] = list(self._warm) if w.ready else []  # a new process: all
        return w

    def warm_progress(self) -> tuple[int, int]:
        """(warm-ups done, warm-ups in all) over every worker."""
        total = len(self._warm) * self.workers
        return total - sum(len(t) for t in self._todo), total

    def _has_warmup(self, slot: int) -> bool:
        return bool(self._todo[slot])

    def _warm_next(self, slot: int) -> None:
        w = self._workers[slot]
        if not self._todo[slot] or w is None or not w.ready:
            return
        config = self._todo[slot].pop(0)
        t0 = time.monotonic()
        try:
            w.conn.send(_Warm(config))
            reply = None
            while reply is None and w.process.is_alive():
                if w.conn.poll(0.1):
                    reply = w.conn.recv()
        except (EOFError, OSError):
            reply = None
        if reply is None:  # the worker died: the next _prepare starts another
            return
        self.journal.note("warmed", slot=slot, compiled=reply.compiled,
                          seconds=round(time.monotonic() - t0, 2))

    def _execute(self, slot: int, handle: RunHandle):
        handle._emit(Started())
        # A worker that died while idle can still look alive until it is reaped; if it is
        # lost before saying anything about this job, the job goes to a fresh worker once.
        for attempt in range(2):
            worker = self._worker(slot)
            if not worker.ready:
                self._workers[slot] = None
                handle._emit(Failed("a worker process could not start; try again"))
                return None
            lost, heard, result = self._serve(worker, handle)
            if not lost:
                return result
            self._workers[slot] = None
            if heard or attempt:
                handle._emit(Failed(
                    "the worker running this experiment stopped unexpectedly; "
                    "it has been replaced -- run again"
                ))
                return None
        return None

    def _serve(self, worker: _Worker, handle: RunHandle):
        """Send the job and forward its events: (lost, heard anything, result or None)."""
        heard = False
        handle._attach(worker.cancel_flag)  # from now on cancel() reaches the worker at once
        try:
            worker.conn.send(handle.job)
            while True:
                if not worker.conn.poll(0.05):
                    if not worker.process.is_alive():
                        return True, heard, None
                    continue
                event = worker.conn.recv()
                heard = True
                if isinstance(event, _Stats):  # for the journal, not the page
                    handle.stop_stats = event.stats
                    continue
                handle._emit(event)
                if isinstance(event, FINAL):
                    return False, True, event.result if isinstance(event, Done) else None
        except (EOFError, OSError):
            return True, heard, None
        finally:
            handle._attach(None)


def wait_idle(runner: _BaseRunner, timeout: float = 10.0) -> bool:
    """True once no slot is running a job (for tests and shutdown)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if runner.busy == 0:
            return True
        time.sleep(0.02)
    return False
