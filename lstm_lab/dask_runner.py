"""Live runs on a ``dask.distributed`` cluster, with the interface of the local runners.

``DaskRunner(address).submit(config, task)`` returns a :class:`~lstm_lab.runner.RunHandle`
whose events are the records of :mod:`lstm_lab.jobs` -- ``Queued(position)``,
``Started()``, ``Epoch(report)`` ..., then ``Done(result)`` or ``Failed(message)`` -- so
the app's live panels, the sweep and the CLI do not care where a job trains. Each job is
one Dask task that calls :func:`lstm_lab.jobs.perform`, the function every runner calls:
same config and seed, same numbers.

How a task talks back, and why these primitives:

* **Events** travel through one ``distributed.Queue`` per runner (every message tagged
  with its job). A Queue is ordered (a job's epochs arrive in order, its ``Done`` last),
  its messages leave the scheduler once read, and one ``get(batch=True)`` every 50 ms
  drains all of a runner's jobs (a ``get`` that waits would log a scheduler error at each
  timeout). Dask's pub/sub is gone from current releases, topic events stay in the
  scheduler's log, and a task's ``Future`` only carries the final result, not the
  epochs. Each message is the pickled event as ``bytes`` (the Queue carries msgpack data
  only; the reports hold numpy arrays).
* **Cancel** is a ``distributed.Event`` per job, set by ``RunHandle.cancel()`` and read by
  the task's ``should_stop`` before every epoch (one small scheduler call per epoch), so a
  cancel takes effect within one epoch. A job that has not started is also cancelled on
  the scheduler and ends at once with ``Failed("cancelled before it started")``.
* **A lost worker**: the task's first message names its worker. The runner asks the
  scheduler for its workers about once a second; when the worker of a started job has
  gone (or the job starts a second time elsewhere), the job ends with a plain
  ``Failed`` message and its task is cancelled, not run again from the start.
* **A lost scheduler** ends every unfinished job with ``Failed``; nothing waits for ever.

Queue place is counted among this runner's jobs not yet started, less the cluster's
threads this runner is not using: other clients' tasks on a shared cluster are not seen.
The scheduler and the workers must be able to import ``lstm_lab`` (the scheduler
unpickles the task's function; the workers run it).
"""

from __future__ import annotations

import itertools
import os
import pickle
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from .config import ConfigError, ExperimentConfig
from .jobs import RUN, Done, Epoch, Failed, Job, Queued, Started, Task, perform
from .runner import JOURNAL_ENV, Journal, RunHandle, StopWatch

DASK_ENV = "LSTM_LAB_DASK_SCHEDULER"


@dataclass(frozen=True)
class _Began:
    """A task's first message: it is running, on this worker."""

    worker: str


@dataclass(frozen=True)
class _Stamps:
    """When each epoch began and ended on the worker, and when it saw the stop flag: the
    runner turns these into the journal's stop stats against the cancel's time."""

    begun: tuple
    ended: tuple
    stopped_at: float


def _send(queue, tag: int, event) -> None:
    queue.put(pickle.dumps((tag, event), protocol=pickle.HIGHEST_PROTOCOL))


def _dask_task(job: Job, queue_name: str, tag: int, stop_name: str) -> None:
    """One job, on a Dask worker: its events go to the runner's queue as they happen."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from distributed import Event, Queue, get_worker

    queue, stop = Queue(queue_name), Event(stop_name)
    _send(queue, tag, _Began(get_worker().address))
    watch = StopWatch(stop.is_set)  # stamps each epoch's start and end for the journal

    def on_epoch(report) -> None:
        watch.epoch_done()
        _send(queue, tag, Epoch(report))

    try:
        result = perform(job, on_epoch, watch.should_stop)
        final = Done(result)
    except Exception as err:  # a message for the page, not a traceback
        final = Failed(f"the run failed: {type(err).__name__}: {err}")
    _send(queue, tag, _Stamps(tuple(watch.begun), tuple(watch.ended), watch.stopped_at))
    _send(queue, tag, final)


class DaskHandle(RunHandle):
    """A RunHandle whose job is a Dask task."""

    def __init__(self, job: Job, runner: "DaskRunner"):
        super().__init__(job, runner)
        self.tag = 0
        self.future = None
        self.worker: str | None = None  # where it runs, once started
        self.began_at = 0.0
        self.ended = False  # set (under the runner's lock) by the first final event

    @property
    def stop_name(self) -> str:
        return f"lstm-lab-stop-{self._runner.id}-{self.tag}"

    def cancel(self) -> None:
        first = not self.cancelled and not self.finished.is_set()
        if first:
            # the flag is set on the scheduler before the cancel is stamped: an epoch the
            # worker begins after the stamp has read "stop" (see StopWatch)
            self._runner._set_stop(self)
        super().cancel()
        if first and self.worker is None and self.tag:
            self._runner._finish(self, Failed("cancelled before it started"),
                                 journal="dropped")


class DaskRunner:
    """Jobs as tasks on a Dask scheduler; epochs stream back as they end (see the module)."""

    connect_timeout = 10.0  # seconds to reach the scheduler (and to get it back if lost)
    poll_s = 0.05  # how often the runner drains its queue while it has jobs in flight
    idle_poll_s = 0.5  # ... and while it has none
    check_s = 1.0  # how often it asks the scheduler which workers are alive

    def __init__(self, address: str, cache_size: int = 256, journal: str | None = None,
                 timeout: float | None = None):
        from distributed import Client, Queue
        from distributed.comm import get_address_host_port

        self.address = address
        self.id = uuid.uuid4().hex[:12]
        self.journal = Journal(journal or os.environ.get(JOURNAL_ENV))
        try:
            # checked first: a Client that fails on a malformed address is left half-built,
            # and its clean-up at exit prints a traceback after a 20 s wait
            get_address_host_port(address)
            self.client = Client(address, timeout=f"{timeout or self.connect_timeout}s",
                                 set_as_default=False)
        except ValueError as err:
            raise ConfigError(f"{address!r} is not a Dask scheduler address ({err}); one "
                              "looks like tcp://host:8786") from None
        except (OSError, TimeoutError) as err:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: "
                              f"{_plain(err)}") from None
        self._queue = Queue(f"lstm-lab-events-{self.id}", client=self.client)
        self._lock = threading.Lock()
        self._tags = itertools.count(1)
        self._active: dict[int, DaskHandle] = {}  # submitted, not finished
        self._cache: OrderedDict[str, object] = OrderedDict()
        self._cache_size = cache_size
        self._closed = False
        self._wake = threading.Event()  # a submit wakes the pump from its idle wait
        self._workers: dict[str, int] = {}
        self._checked_at = 0.0
        self._refresh()
        self._pump_thread = threading.Thread(target=self._pump, daemon=True,
                                             name=f"dask-runner-{self.id}")
        self._pump_thread.start()

    # --- the runner interface (see lstm_lab.runner) ----------------------------------
    def submit(self, config: ExperimentConfig, task: Task = RUN, *,
               fresh: bool = False) -> DaskHandle:
        """Send a job to the cluster (or replay it from the cache; ``fresh=True``
        trains it again even if cached)."""
        handle = DaskHandle(Job(config.validate(), task), self)
        cached = None if fresh else self.cached(handle.config, task)
        self.journal.write("submitted", handle, replayed=cached is not None, fresh=fresh)
        if cached is not None:
            handle.replayed = True
            handle._emit(Started())
            for report in getattr(cached, "history", []):
                handle._emit(Epoch(report))
            handle._emit(Done(cached))
            return handle
        if self._closed or self.client.status != "running":
            handle._emit(Failed(f"the Dask scheduler at {self.address} is not reachable; "
                                "the run did not start"))
            return handle
        with self._lock:
            handle.tag = next(self._tags)
            self._active[handle.tag] = handle
        handle._emit(Queued(self._position(handle)))
        self._wake.set()
        try:
            handle.future = self.client.submit(
                _dask_task, handle.job, self._queue.name, handle.tag, handle.stop_name,
                key=f"lstm-lab-{type(task).__name__.lower()}-{self.id}-{handle.tag}",
                pure=False, retries=0)
        except Exception as err:
            self._finish(handle, Failed(f"could not send the run to the Dask scheduler at "
                                        f"{self.address}: {_plain(err)}"))
        return handle

    def cached(self, config: ExperimentConfig, task: Task = RUN):
        key = Job(config, task).key
        with self._lock:
            result = self._cache.get(key)
            if result is not None:
                self._cache.move_to_end(key)
            return result

    def waiting(self) -> int:
        """How many of this runner's jobs wait for a free worker thread."""
        with self._lock:
            unstarted = sum(h.worker is None for h in self._active.values())
            return max(0, unstarted - self._free())

    def warming(self) -> bool:
        return False  # a worker imports TensorFlow at its first job; the panel's clock shows it

    def gone(self) -> bool:
        """True once the client has given up on its scheduler (it retries for ``timeout``
        seconds after losing it): every submit now fails, a new runner is needed."""
        return self.client.status in ("closing", "closed")

    def workers(self) -> dict[str, int]:
        """The cluster's workers and their threads, as last seen (about once a second)."""
        return dict(self._workers)

    def shutdown(self) -> None:
        """Cancel what is still running, then disconnect (the cluster stays up)."""
        self._closed = True
        self._wake.set()
        with self._lock:
            active = list(self._active.values())
        for h in active:
            h.cancel()
        for h in active:
            self._finish(h, Failed("the runner shut down before this run finished"))
        self._pump_thread.join(timeout=self.poll_s + 5)
        try:
            self.client.close(timeout=5)
        except Exception:  # already gone: nothing left to close
            pass

    # --- internals ----------------------------------------------------------------------
    def _free(self) -> int:
        """Worker threads this runner is not using (caller holds the lock)."""
        running = sum(h.worker is not None for h in self._active.values())
        return max(0, sum(self._workers.values()) - running)

    def _position(self, handle: RunHandle) -> int:
        """Place among this runner's jobs not yet started (1 = next), 0 once it can run."""
        with self._lock:
            unstarted = [h for h in self._active.values() if h.worker is None]
            if handle not in unstarted:
                return 0
            return max(0, unstarted.index(handle) + 1 - self._free())

    def _set_stop(self, handle: DaskHandle) -> None:
        """Set the job's stop flag on the scheduler (read by its task before every epoch)."""
        if not handle.tag or self.client.status != "running":
            return  # not sent, or the scheduler is gone (a call now would wait to reconnect)
        try:
            from distributed import Event

            Event(handle.stop_name, client=self.client).set()
        except Exception:  # the scheduler is gone: the pump fails the job
            pass

    def _finish(self, handle: DaskHandle, event, journal: str = "finished") -> bool:
        """End a job once (the first final event wins); release its task."""
        result = event.result if isinstance(event, Done) else None
        with self._lock:  # events are emitted under the lock: none can follow the final one
            if handle.ended:
                return False
            handle.ended = True
            self._active.pop(handle.tag, None)
            future, handle.future = handle.future, None
            handle._emit(event)
            if result is not None and not getattr(result, "stopped", False):
                self._cache[handle.job.key] = result
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        if isinstance(event, Failed) and future is not None and self.client.status == "running":
            try:
                future.cancel()  # not run again elsewhere after its worker died
            except Exception:
                pass
        if journal == "dropped":
            self.journal.write("dropped", handle)
        else:
            self.journal.write("finished", handle, stopped=bool(getattr(result, "stopped",
                                                                         False)),
                               failed=result is None, worker=handle.worker,
                               epochs_run=getattr(result, "epochs_run", None),
                               **handle.stop_stats)
        return True

    def _deliver(self, tag: int, event) -> None:
        """One message from a task: forward it to its handle (if that is still open)."""
        with self._lock:
            handle = self._active.get(tag)
            if handle is None:  # a job already ended here (cancelled, or its worker lost)
                return
            began = isinstance(event, _Began) and handle.worker is None
            if began:
                handle.worker, handle.began_at = event.worker, time.time()
                handle._emit(Started())
            elif isinstance(event, Epoch):
                handle._emit(event)
        if began:
            self.journal.write("started", handle, worker=event.worker)
        elif isinstance(event, _Began):  # started again elsewhere: its first worker died
            self._lost(handle)
        elif isinstance(event, _Stamps):
            watch = StopWatch(lambda: handle.cancelled_at)
            watch.begun, watch.ended = list(event.begun), list(event.ended)
            watch.stopped_at = event.stopped_at
            handle.stop_stats = watch.stats()
        elif isinstance(event, (Done, Failed)):
            if handle.cancelled:
                self._clear_stop(handle)
            self._finish(handle, event)

    def _clear_stop(self, handle: DaskHandle) -> None:
        """Drop a set stop flag from the scheduler's memory once its task has ended."""
        try:
            from distributed import Event

            Event(handle.stop_name, client=self.client).clear()
        except Exception:
            pass

    def _lost(self, handle: DaskHandle) -> None:
        self._set_stop(handle)  # should the scheduler have started it again, it stops at once
        self._finish(handle, Failed(
            f"the Dask worker running this experiment ({handle.worker}) stopped "
            "unexpectedly; run it again"))

    def _refresh(self) -> None:
        try:
            self._workers = dict(self.client.nthreads())
        except Exception:
            return
        self._checked_at = time.time()

    def _check(self) -> None:
        """Workers still there, futures not erred, scheduler still connected."""
        self._refresh()
        with self._lock:
            active = list(self._active.values())
        for h in active:
            if h.worker is not None and h.began_at < self._checked_at \
                    and h.worker not in self._workers:
                self._lost(h)
                continue
            future = h.future
            status = getattr(future, "status", None)
            if status == "error":
                err = future.exception(timeout=5)
                if type(err).__name__ == "KilledWorker":
                    self._lost(h)
                else:
                    self._finish(h, Failed(f"the run failed on the Dask cluster: "
                                           f"{_plain(err)}"))
            elif status in ("cancelled", "lost"):
                self._finish(h, Failed(f"the Dask cluster dropped the run ({status}); "
                                       "run it again"))

    def _scheduler_lost(self, err: BaseException | None) -> None:
        with self._lock:
            active = list(self._active.values())
        why = f" ({_plain(err)})" if err is not None else ""
        for h in active:
            self._finish(h, Failed(f"lost the connection to the Dask scheduler at "
                                   f"{self.address}{why}; run it again"))

    def _pump(self) -> None:
        """Read the job messages from the queue and look after the workers, until closed."""
        while not self._closed:
            if self.client.status != "running":
                # reconnecting (or gone): a queue call now would wait for the connect
                # timeout; fail what is in flight and keep looking
                self._scheduler_lost(None)
                time.sleep(0.25)
                continue
            with self._lock:
                busy = bool(self._active)
            try:
                # batch=True never waits: a get that waits logs a scheduler error (with a
                # traceback) on every timeout, so the queue is drained on a clock instead
                batch = self._queue.get(batch=True)
            except Exception as err:
                if self._closed:
                    return
                self._scheduler_lost(err)
                time.sleep(0.25)
                continue
            for raw in batch:
                try:
                    tag, event = pickle.loads(raw)
                except Exception:  # not ours, or from another version: skip it
                    continue
                self._deliver(tag, event)
            if time.time() - self._checked_at >= self.check_s:
                self._check()
            if not batch:
                self._wake.wait(self.poll_s if busy else self.idle_poll_s)
                self._wake.clear()


def _plain(err: BaseException | None, limit: int = 300) -> str:
    """One line: the error's type and its text, lines joined, cut at ``limit`` characters."""
    if err is None:
        return "unknown error"
    text = " ".join(str(err).split())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
